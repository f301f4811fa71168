/** Shared set-up for the ISC client tests: the simulator over HTTP, a recording fetch, a stub server. */
import Fastify, { type FastifyInstance } from 'fastify';
import { type RunningSimulator, SIMULATOR_DEFAULT_CREDENTIALS, startSimulator } from '../../../src/simulator';
import { createIscClient, type IscClient, type IscClientOptions } from '../../../src/isc';

export interface Catalog {
  admin: { id: string };
  identities: { id: string; name: string; managerId: string | null; attributes: Record<string, unknown> }[];
  items: { type: 'ROLE' | 'ACCESS_PROFILE' | 'ENTITLEMENT'; id: string; name: string }[];
}

/** Every HTTP call the client made, as `METHOD /path` plus the status it got. */
export interface RecordedCall {
  method: string;
  path: string;
  status?: number;
}

export function recordingFetch(calls: RecordedCall[]): typeof fetch {
  return async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const call: RecordedCall = { method: init?.method ?? 'GET', path: url.pathname };
    calls.push(call);
    const response = await fetch(input, init);
    call.status = response.status;
    return response;
  };
}

export function tokenFetches(calls: RecordedCall[]): number {
  return calls.filter((c) => c.path === '/oauth/token').length;
}

export async function simJson<T>(sim: RunningSimulator, path: string, body?: unknown): Promise<T> {
  const response = await fetch(sim.baseUrl + path, {
    method: body === undefined ? 'GET' : 'POST',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`simulator ${path} answered ${response.status}`);
  return (await response.json()) as T;
}

export function clientFor(
  baseUrl: string,
  calls: RecordedCall[],
  overrides: Partial<IscClientOptions> = {},
): IscClient {
  return createIscClient({
    baseUrl,
    ...SIMULATOR_DEFAULT_CREDENTIALS,
    apiVersion: 'v3',
    fetch: recordingFetch(calls),
    ...overrides,
  });
}

/** A few lines of fastify for what the simulator cannot produce (bodies that break the schema, ...). */
export async function startStub(
  routes: (app: FastifyInstance) => void,
  options: { defaultToken?: boolean } = {},
): Promise<{ baseUrl: string; close: () => Promise<void> }> {
  const app = Fastify({ logger: false });
  // The client sends the token request urlencoded; fastify parses only JSON by default.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    done(null, body);
  });
  if (options.defaultToken !== false) {
    app.post('/oauth/token', async () => ({ access_token: 'stub-token', token_type: 'bearer', expires_in: 750 }));
  }
  routes(app);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { baseUrl: `http://127.0.0.1:${port}`, close: () => app.close() };
}

export { startSimulator, SIMULATOR_DEFAULT_CREDENTIALS };
