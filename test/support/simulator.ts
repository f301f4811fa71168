/** The ISC simulator in this process, on a free loopback port, reached over real HTTP as ISC is. */
import {
  SIMULATOR_DEFAULT_CREDENTIALS,
  startSimulator,
  type RunningSimulator,
  type SimulatorOptions,
} from '../../src/simulator';

/**
 * Starts the ISC simulator on a free port for one test file and talks to it over real HTTP.
 *
 * ```ts
 * let sim: TestSimulator;
 * beforeAll(async () => { sim = await startTestSimulator({ seed: 7 }); });
 * afterAll(() => sim.close());
 * const { status, body } = await sim.call('GET', '/v3/access-request-status?requested-for=...');
 * ```
 * `call` sends the cached bearer token (fetched on first use, re-fetched after `resetToken()`),
 * JSON-encodes `body`, and returns status, parsed body (text when not JSON) and headers.
 */
export interface CallResult<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

export interface TestSimulator {
  baseUrl: string;
  sim: RunningSimulator;
  /** A bearer token for the default (or configured) client credentials, cached. */
  token(): Promise<string>;
  /** Forgets the cached token, e.g. after advancing the clock past its expiry. */
  resetToken(): void;
  call<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<CallResult<T>>;
  close(): Promise<void>;
}

/** `port` 0 (the default) picks a free one; a fixed port lets a restarted simulator keep its address. */
export async function startTestSimulator(options: SimulatorOptions & { port?: number } = {}): Promise<TestSimulator> {
  const sim = await startSimulator({ ...options, port: options.port ?? 0, host: '127.0.0.1' });
  const clientId = options.clientId ?? SIMULATOR_DEFAULT_CREDENTIALS.clientId;
  const clientSecret = options.clientSecret ?? SIMULATOR_DEFAULT_CREDENTIALS.clientSecret;
  let cached: Promise<string> | undefined;

  const token = (): Promise<string> => {
    cached ??= (async () => {
      const response = await fetch(`${sim.baseUrl}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: clientId,
          client_secret: clientSecret,
        }).toString(),
      });
      if (response.status !== 200) throw new Error(`token request failed with ${response.status}`);
      return ((await response.json()) as { access_token: string }).access_token;
    })();
    return cached;
  };

  const call = async <T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<CallResult<T>> => {
    const sent: Record<string, string> = {};
    if (!path.startsWith('/__sim')) sent.authorization = `Bearer ${await token()}`;
    if (body !== undefined) sent['content-type'] = 'application/json';
    const send = () =>
      fetch(`${sim.baseUrl}${path}`, {
        method,
        headers: { ...sent, ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    // A kept-alive connection to a simulator that has since restarted fails once; a GET may simply go again.
    const response = await send().catch((error: unknown) => {
      if (method !== 'GET') throw error;
      return send();
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = text;
    }
    return { status: response.status, body: parsed as T, headers: response.headers };
  };

  return {
    baseUrl: sim.baseUrl,
    sim,
    token,
    resetToken: () => {
      cached = undefined;
    },
    call,
    close: () => sim.close(),
  };
}
