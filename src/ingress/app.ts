/**
 * The ingress app: HR systems and ISC push events over HTTP; each is checked (signature or credentials,
 * media type, size, shape) before anything reads or starts it, then handed to the injected gateway,
 * and acknowledged only once the gateway says it is durably recorded. `buildIngress` builds the app;
 * only main.ts listens. See docs/ingress.md.
 */
import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  LogController,
} from 'fastify';
import { type Registry } from 'prom-client';
import { codecRoutes, type CodecRoutesOptions } from '../codec';
import { type Logger } from '../logger';
import { BODY_LIMIT_BYTES } from './body';
import { type IngressAppConfig } from './config';
import { type IngressContext, noteOf, type Outcome } from './context';
import { type LifecycleGateway, TemporalUnavailableError } from './gateway';
import { ingressLogger } from './logging';
import { createIngressMetrics } from './metrics';
import { IngressProblem, sendProblem } from './problems';
import { EVENT_PATH, EVENTS_PATH, eventRoutes } from './routes/events';
import { ingressOpenApi, OPENAPI_PATH } from './openapi';
import { ISC_TRIGGERS_PATH, iscTriggerRoutes } from './routes/isc-triggers';
import { openApiRoutes } from './routes/openapi';
import { PROBE_PATHS, probeRoutes } from './routes/probes';

export interface IngressOptions {
  config: Readonly<IngressAppConfig>;
  /** Where events go; the ingress answers 202 only once `send` resolved. */
  gateway: LifecycleGateway;
  /** The registry /metrics serves; the ingress registers its metrics on it. */
  metrics: Registry;
  /** The root logger (or a child); the ingress logs one line per request, without headers or bodies. */
  logger?: Logger | false;
  /** The clock for signature windows and for when an ISC trigger happened. Default: the system clock. */
  now?: () => Date;
  /** Seconds a 503 asks the sender to wait. Default 5. */
  retryAfterSeconds?: number;
  /** Also serve the codec server's /codec/encode and /codec/decode (its own token and CORS rules). */
  codec?: CodecRoutesOptions;
}

/** Every path the ingress serves and its methods; other methods on these paths are answered 405. */
function allowedMethods(config: Readonly<IngressAppConfig>): Map<string, string[]> {
  const paths = new Map<string, string[]>([
    [EVENTS_PATH, ['POST']],
    [EVENT_PATH, ['GET', 'HEAD']],
    [PROBE_PATHS.health, ['GET', 'HEAD']],
    [PROBE_PATHS.ready, ['GET', 'HEAD']],
    [PROBE_PATHS.metrics, ['GET', 'HEAD']],
    [OPENAPI_PATH, ['GET', 'HEAD']],
  ]);
  if (config.iscTrigger) paths.set(ISC_TRIGGERS_PATH, ['POST']);
  return paths;
}

/** The path as sent is not repeated: it is the caller's input, and may hold anything. */
const notFound = (): IngressProblem =>
  new IngressProblem('NOT_FOUND', 'no such route; see docs/ingress.md for the endpoints');

function problemFor(error: FastifyError | Error, request: FastifyRequest, retryAfterSeconds: number): IngressProblem {
  if (error instanceof IngressProblem) return error;
  if (error instanceof TemporalUnavailableError) {
    return new IngressProblem('TEMPORAL_UNAVAILABLE', 'Temporal cannot be reached: nothing was recorded; retry', {
      headers: { 'retry-after': String(retryAfterSeconds) },
    });
  }
  // A request for no route is a 404 whatever its body: not a 415 or 400 from the default parsers.
  if (request.is404) return notFound();
  const { code, statusCode } = error as FastifyError;
  if (code === 'FST_ERR_CTP_BODY_TOO_LARGE' || statusCode === 413) {
    return new IngressProblem('BODY_TOO_LARGE', `the body must be at most ${BODY_LIMIT_BYTES} bytes`);
  }
  if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || statusCode === 415) {
    return new IngressProblem('UNSUPPORTED_MEDIA_TYPE', 'this content type is not accepted here');
  }
  if (statusCode !== undefined && statusCode >= 400 && statusCode < 500) {
    return new IngressProblem('BAD_REQUEST', 'the request cannot be read');
  }
  return new IngressProblem('INTERNAL', 'the ingress failed; the event was not recorded');
}

function contextOf(options: IngressOptions): IngressContext {
  return {
    config: options.config,
    gateway: options.gateway,
    metrics: createIngressMetrics(options.metrics),
    now: options.now ?? (() => new Date()),
    retryAfterSeconds: options.retryAfterSeconds ?? 5,
  };
}

function createApp(options: IngressOptions): FastifyInstance {
  const logger: FastifyBaseLogger | undefined = options.logger ? ingressLogger(options.logger) : undefined;
  return Fastify({
    ...(logger ? { loggerInstance: logger } : {}),
    // One line per request, written in onResponse (see logEveryRequest), instead of fastify's two with the URL.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: BODY_LIMIT_BYTES,
    // Event ids are up to 200 characters, more once URL-encoded.
    routerOptions: { maxParamLength: 1000 },
    requestTimeout: 30_000,
  });
}

/** Every failure, and every unknown route, as a problem document; the request's outcome notes which. */
function answerWithProblems(app: FastifyInstance, context: IngressContext): void {
  app.setErrorHandler(async (error: FastifyError | Error, request, reply) => {
    const problem = problemFor(error, request, context.retryAfterSeconds);
    if (problem.code === 'INTERNAL') request.log.error({ err: error }, 'ingress request failed');
    noteOf(request).outcome ??= problem.code.toLowerCase() as Outcome;
    return sendProblem(reply, problem);
  });
  app.setNotFoundHandler(async (request, reply) => {
    noteOf(request).outcome = 'not_found';
    return sendProblem(reply, notFound());
  });
}

/** One counted, timed and logged line per request, with what the route noted about the event. */
function logEveryRequest(app: FastifyInstance, context: IngressContext): void {
  app.addHook('onResponse', async (request: FastifyRequest, reply: FastifyReply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const note = noteOf(request);
    // Routes that leave no note (the codec server's) are counted by their status code.
    const outcome = note.outcome ?? `http_${reply.statusCode}`;
    context.metrics.requests.inc({ route, method: request.method, outcome });
    context.metrics.duration.observe({ route, method: request.method }, reply.elapsedTime / 1000);
    request.log.info(
      {
        method: request.method,
        route,
        status: reply.statusCode,
        outcome,
        ...(note.eventId === undefined ? {} : { eventId: note.eventId, source: note.source }),
        ...(note.eventType === undefined ? {} : { eventType: note.eventType }),
        ...(note.trigger === undefined ? {} : { trigger: note.trigger }),
        ...(note.deliveryId === undefined ? {} : { deliveryId: note.deliveryId }),
        latencyMs: Math.round(reply.elapsedTime * 100) / 100,
      },
      'ingress request',
    );
  });
}

/** Other methods on the ingress's paths are a 405 with Allow, refused in onRequest: before any body is read. */
function refuseOtherMethods(app: FastifyInstance, config: Readonly<IngressAppConfig>): void {
  for (const [url, allowed] of allowedMethods(config)) {
    const others = app.supportedMethods.filter((method) => !allowed.includes(method));
    app.route({
      method: others,
      url,
      onRequest: async (request) => {
        noteOf(request).outcome = 'method_not_allowed';
        throw new IngressProblem('METHOD_NOT_ALLOWED', `${request.method} is not allowed here`, {
          headers: { allow: allowed.join(', ') },
        });
      },
      handler: async () => undefined,
    });
  }
}

/** Builds the ingress app (not listening). */
export function buildIngress(options: IngressOptions): FastifyInstance {
  const app = createApp(options);
  const context = contextOf(options);
  answerWithProblems(app, context);
  logEveryRequest(app, context);
  void app.register(eventRoutes(context));
  if (options.config.iscTrigger) void app.register(iscTriggerRoutes(context, options.config.iscTrigger));
  void app.register(probeRoutes(context, options.metrics));
  void app.register(openApiRoutes(ingressOpenApi({ iscTriggers: options.config.iscTrigger !== undefined })));
  if (options.codec) void app.register(codecRoutes, options.codec);
  refuseOtherMethods(app, options.config);
  return app;
}
