/** HTTP as tests speak it to the servers they start: a fastify app on a free loopback port, an answer read whole. */
import type { FastifyInstance } from 'fastify';

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  /** The body parsed, or `{}` when it is not JSON. */
  json: Record<string, unknown>;
}

/** Reads `response` to its end. */
export async function answer(response: Response): Promise<Answer> {
  const text = await response.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // Not JSON (the metrics text, a plain error): `text` holds it.
  }
  return { status: response.status, headers: response.headers, text, json };
}

/** Starts `app` on a free port of 127.0.0.1 and returns its base URL, `http://127.0.0.1:PORT`. */
export async function listenOnLoopback(app: FastifyInstance): Promise<string> {
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (typeof address !== 'object' || !address) throw new Error('not listening');
  return `http://127.0.0.1:${address.port}`;
}
