/**
 * Shared set-up for the ISC client tests: the simulator over HTTP, a recording fetch, a stub server, and a
 * fake transport for the resource modules.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { type z } from 'zod';
import { type RunningSimulator, SIMULATOR_DEFAULT_CREDENTIALS, startSimulator } from '../../src/simulator';
import { createIscClient, type IscClient, type IscClientOptions, IscError } from '../../src/isc';
import { type IscRequest, type IscTransport } from '../../src/isc/transport';
import { rejectionOf } from './errors';
import { listenOnLoopback } from './http';

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
  return { baseUrl: await listenOnLoopback(app), close: () => app.close() };
}

/** The `IscError` a promise rejects with; anything else fails the test. */
export const thrown = (promise: Promise<unknown>): Promise<IscError> => rejectionOf(promise, IscError);

/**
 * A transport that records every request and answers it with `answer`, read with the request's schema as
 * the real transport reads a 2xx body.
 */
export function fakeTransport(answer: (request: IscRequest<z.ZodType>) => unknown = () => []): {
  transport: IscTransport;
  requests: IscRequest<z.ZodType>[];
} {
  const requests: IscRequest<z.ZodType>[] = [];
  return {
    requests,
    transport: {
      async call<S extends z.ZodType>(request: IscRequest<S>): Promise<z.output<S>> {
        requests.push(request);
        return request.schema.parse(answer(request));
      },
    },
  };
}

export { startSimulator, SIMULATOR_DEFAULT_CREDENTIALS };
