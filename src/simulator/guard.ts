/**
 * What stands in front of every ISC endpoint, in the order a real gateway applies it: token check,
 * rate limit (per client id and API version), then the configured faults. /oauth/token and /__sim
 * are not behind it.
 */
import { type FastifyReply, type FastifyRequest } from 'fastify';
import { errorResponse, RATE_LIMIT_BODY } from './errors';
import { type SimulatorState } from './state';

export type ApiVersion = 'v3' | 'v2025';

export function statsRoute(request: FastifyRequest): string {
  return request.routeOptions.url ?? 'unmatched';
}

/** Drops the connection without an answer, as a reset or a lost response looks to the client. */
export function destroyConnection(
  state: SimulatorState,
  request: FastifyRequest,
  reply: FastifyReply,
  why: string,
): void {
  state.stats.record(request.method, statsRoute(request), why);
  // A lost response still created the request: it must reach the state file like any other change.
  state.saver.changed();
  reply.hijack();
  request.raw.socket?.destroy();
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** What ISC's gateway sends while the service behind it is down: an HTML page, not an ErrorResponseDto. */
async function gatewayPage(reply: FastifyReply, status: number): Promise<void> {
  const title = status === 502 ? 'Bad Gateway' : status === 504 ? 'Gateway Timeout' : 'Service Unavailable';
  await reply.code(status).type('text/html').send(`<html><body><h1>${status} ${title}</h1></body></html>`);
}

/** Paths that are ISC (its API and its token endpoint): what an outage takes down. /__sim stays up. */
const ISC_PATH = /^\/(?:v3|v2025|oauth)\//;

/**
 * The outage switch (`POST /__sim/config {"outage": {...}}`), in front of everything else ISC does: a
 * down ISC checks no token and counts nothing against the rate limit.
 */
export function outageGuard(state: SimulatorState) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const outage = state.config.outage;
    if (!outage || !ISC_PATH.test(request.url)) return;
    if (outage.status === 'reset') destroyConnection(state, request, reply, 'reset');
    else await gatewayPage(reply, outage.status);
  };
}

export function iscGuard(state: SimulatorState, version: ApiVersion) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const check = state.tokens.verify(request.headers.authorization, state.clock.now());
    if (!check.ok) {
      await reply.code(401).send({ error: check.error });
      return;
    }
    const retryAfter = state.limiter.take(
      `${check.claims.client_id}|${version}`,
      state.clock.now(),
      state.config.rateLimit,
    );
    if (retryAfter > 0) {
      await reply.code(429).header('Retry-After', String(retryAfter)).send(RATE_LIMIT_BODY);
      return;
    }
    const faults = state.config.faults;
    if (faults.latencyMs > 0) await sleep(faults.latencyMs);
    if (state.random.chance('faults', faults.resetRate)) {
      destroyConnection(state, request, reply, 'reset');
      return;
    }
    if (state.random.chance('faults', faults.rateLimitRate)) {
      await reply.code(429).header('Retry-After', '1').send(RATE_LIMIT_BODY);
      return;
    }
    if (state.random.chance('faults', faults.errorRate)) {
      const status = state.random.pick('faults', [500, 502, 503] as const);
      const trackingId = state.random.hexId('faults');
      if (status === 500) await reply.code(500).send(errorResponse(500, trackingId, 'An internal fault occurred.'));
      else await gatewayPage(reply, status);
    }
  };
}
