/**
 * A codec server (Temporal's codec-server protocol) for the Web UI and `temporal --codec-endpoint`:
 * `POST /codec/encode` and `POST /codec/decode`, each taking and answering
 * `{"payloads": [{"metadata": {"k": "<base64>"}, "data": "<base64>"}]}` (Payloads in proto3 JSON).
 *
 * Anyone who can call /codec/decode can read HR data, so it authenticates on its own: a bearer token
 * compared in constant time. Browsers are let in only from the configured UI origins, both at preflight
 * and on the call itself (a "simple" cross-site POST skips the preflight).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyPluginAsync,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import { type Payload, type PayloadCodec } from '@temporalio/common';
import { z } from 'zod';
import { type Logger } from '../logger';
import { CodecError, type CodecErrorCode } from './errors';

export interface CodecRoutesOptions {
  codec: PayloadCodec;
  /**
   * The bearer token callers must send (`Authorization: Bearer <token>`). `null` turns authentication
   * off, which only a server listening on loopback for development may do (see main.ts).
   */
  token: string | null;
  /** Browser origins allowed to call, e.g. `http://localhost:8233`; calls from any other origin get 403. */
  corsOrigins: readonly string[];
  /** Largest request body in bytes. Default 8 MiB: a history's payloads are limited to 2 MiB each. */
  bodyLimit?: number;
}

export interface CodecServerOptions extends CodecRoutesOptions {
  /** A pino logger (a child of the root logger); `false` or absent: no logging. */
  logger?: Logger | false;
}

/** The route prefix the protocol's clients are pointed at: `http(s)://host:port/codec`. */
export const CODEC_PATH = '/codec';

const DEFAULT_BODY_LIMIT = 8 * 1024 * 1024;

/** proto3 JSON `bytes`: standard or URL-safe base64, padding optional. */
const base64 = z.string().regex(/^[A-Za-z0-9+/_-]*={0,2}$/, 'must be base64');
const payloadJson = z.object({
  metadata: z.record(z.string(), base64).nullish(),
  data: base64.nullish(),
});
const payloadsBody = z.object({ payloads: z.array(payloadJson) });
type PayloadJson = z.infer<typeof payloadJson>;

function fromJson(payload: PayloadJson): Payload {
  const metadata = Object.fromEntries(
    Object.entries(payload.metadata ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64')]),
  );
  return { metadata, data: Buffer.from(payload.data ?? '', 'base64') };
}

function toJson(payload: Payload): { metadata: Record<string, string>; data: string } {
  const metadata = Object.fromEntries(
    Object.entries(payload.metadata ?? {}).map(([key, value]) => [key, Buffer.from(value).toString('base64')]),
  );
  return { metadata, data: Buffer.from(payload.data ?? new Uint8Array()).toString('base64') };
}

/** SHA-256 first so the comparison takes the same time whatever the lengths. */
function sameToken(given: string, expected: string): boolean {
  const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected));
}

function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}

/** The codes the server answers with besides the codec's own: a closed set clients can match on. */
type ServerCode = 'CODEC_UNAUTHORIZED' | 'CODEC_ORIGIN_REFUSED' | 'CODEC_BAD_REQUEST' | 'CODEC_INTERNAL';

interface Refusal {
  status: number;
  code: ServerCode | CodecErrorCode;
  message: string;
}

function reject(reply: FastifyReply, { status, code, message }: Refusal): FastifyReply {
  return reply.code(status).send({ code, message });
}

type Hook = (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply | undefined>;
type Handler = (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply>;

/** CORS for allowed origins; 403 for any other browser origin. Calls without Origin (the CLI) pass. */
function originCheck(origins: ReadonlySet<string>): Hook {
  return async (request, reply) => {
    const origin = request.headers.origin;
    if (origin === undefined) return undefined;
    if (!origins.has(origin)) {
      return reject(reply, { status: 403, code: 'CODEC_ORIGIN_REFUSED', message: `origin ${origin} is not allowed` });
    }
    reply.header('access-control-allow-origin', origin);
    reply.header('access-control-allow-credentials', 'true');
    reply.header('vary', 'Origin');
    return undefined;
  };
}

/** 401 unless the call carries the bearer token; `null` lets every call through (loopback development). */
function bearerCheck(token: string | null): Hook {
  return async (request, reply) => {
    if (token === null) return undefined;
    const header = request.headers.authorization;
    if (header === undefined) {
      reply.header('www-authenticate', 'Bearer');
      return reject(reply, {
        status: 401,
        code: 'CODEC_UNAUTHORIZED',
        message: 'missing Authorization: Bearer <token>',
      });
    }
    const given = bearerToken(header);
    if (given !== undefined && sameToken(given, token)) return undefined;
    reply.header('www-authenticate', 'Bearer error="invalid_token"');
    const message =
      given === undefined
        ? 'the Authorization header is not of the form Bearer <token>'
        : 'the bearer token is not the codec server token';
    return reject(reply, { status: 401, code: 'CODEC_UNAUTHORIZED', message });
  };
}

/** fastify's own 4xx (body too large, bad JSON) as CODEC_BAD_REQUEST; anything else logged, and a bare 500. */
async function answerError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    return reject(reply, { status, code: 'CODEC_BAD_REQUEST', message: error.message });
  }
  request.log.error({ err: error }, 'codec request failed');
  return reject(reply, { status: 500, code: 'CODEC_INTERNAL', message: 'the codec server failed' });
}

/** The CORS preflight of an allowed origin (the origin check has run). */
async function preflight(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  // A preflight without an Origin is not a browser asking: nothing to allow.
  if (request.headers.origin === undefined) {
    return reject(reply, { status: 403, code: 'CODEC_ORIGIN_REFUSED', message: 'no Origin header' });
  }
  return reply
    .code(204)
    .header('access-control-allow-methods', 'POST')
    .header('access-control-allow-headers', 'content-type, x-namespace, authorization')
    .header('access-control-max-age', '600')
    .send();
}

/** POST /codec/encode or /codec/decode: the payloads through the codec; a CodecError is a 422 with its code. */
function codecCall(codec: PayloadCodec, operation: 'encode' | 'decode'): Handler {
  return async (request, reply) => {
    const parsed = payloadsBody.safeParse(request.body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const message = `${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}`;
      return reject(reply, { status: 400, code: 'CODEC_BAD_REQUEST', message });
    }
    const payloads = parsed.data.payloads.map(fromJson);
    const namespace = request.headers['x-namespace'];
    try {
      const result = await (operation === 'encode' ? codec.encode(payloads) : codec.decode(payloads));
      // Who decoded how much, for the audit trail; never the payloads themselves.
      request.log.info({ operation, namespace, payloads: payloads.length }, 'codec request');
      return reply.send({ payloads: result.map(toJson) });
    } catch (error) {
      if (!(error instanceof CodecError)) throw error;
      request.log.warn({ operation, namespace, code: error.code, keyId: error.keyId }, 'codec request refused');
      return reject(reply, { status: 422, code: error.code, message: error.message });
    }
  };
}

/**
 * The codec routes as a fastify plugin: `app.register(codecRoutes, { codec, token, corsOrigins })` in
 * any app (the ingress), or through `buildCodecServer`. Everything it adds (hooks, error handler) stays
 * inside its own encapsulated scope, whichever way it is mounted.
 */
export const codecRoutes: FastifyPluginAsync<CodecRoutesOptions> = async (app, options) => {
  const checkOrigin = originCheck(new Set(options.corsOrigins));
  const authenticate = bearerCheck(options.token);
  const bodyLimit = options.bodyLimit ?? DEFAULT_BODY_LIMIT;
  await app.register(async (scope) => {
    scope.setErrorHandler(answerError);
    for (const operation of ['encode', 'decode'] as const) {
      const path = `${CODEC_PATH}/${operation}`;
      scope.options(path, { onRequest: checkOrigin }, preflight);
      scope.post(path, { bodyLimit, onRequest: [checkOrigin, authenticate] }, codecCall(options.codec, operation));
    }
  });
};

/**
 * A standalone codec server app (not listening: `main.ts` listens). Requests are logged without
 * headers, so neither the token nor the payloads reach the log.
 */
export function buildCodecServer(options: CodecServerOptions): FastifyInstance {
  const { logger, ...routes } = options;
  const loggerInstance: FastifyBaseLogger | undefined = logger || undefined;
  const app = Fastify(loggerInstance ? { loggerInstance } : {});
  void app.register(codecRoutes, routes);
  return app;
}
