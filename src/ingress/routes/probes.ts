/**
 * `GET /healthz` (the process answers), `GET /readyz` (and Temporal answers it), `GET /metrics`
 * (Prometheus text). Unauthenticated: they say nothing about any event or person.
 */
import { type FastifyInstance } from 'fastify';
import { type Registry } from 'prom-client';
import { type IngressContext, noteOf } from '../context';

export const PROBE_PATHS = { health: '/healthz', ready: '/readyz', metrics: '/metrics' } as const;

/** A readiness probe that hangs is a failed one: the orchestrator's own timeout is usually a second or two. */
const READY_TIMEOUT_MS = 2_000;

async function answersInTime(probe: () => Promise<boolean>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), READY_TIMEOUT_MS);
  });
  try {
    return await Promise.race([probe().catch(() => false), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export function probeRoutes(context: IngressContext, registry: Registry) {
  return async (scope: FastifyInstance): Promise<void> => {
    scope.get(PROBE_PATHS.health, async (request) => {
      noteOf(request).outcome = 'ok';
      return { status: 'ok' };
    });

    scope.get(PROBE_PATHS.ready, async (request, reply) => {
      const ready = await answersInTime(() => context.gateway.ready());
      noteOf(request).outcome = ready ? 'ready' : 'not_ready';
      if (ready) return { status: 'ready' };
      return reply
        .code(503)
        .header('retry-after', String(context.retryAfterSeconds))
        .send({ status: 'not ready', detail: 'Temporal does not answer' });
    });

    scope.get(PROBE_PATHS.metrics, async (request, reply) => {
      noteOf(request).outcome = 'ok';
      return reply.type(registry.contentType).send(await registry.metrics());
    });
  };
}
