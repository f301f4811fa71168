/** Submit, status, cancel, and (v2025) close and bulk-cancel. */
import { type FastifyInstance } from 'fastify';
import { z } from 'zod';
import { badRequest, errorResponse } from '../errors';
import { destroyConnection, type ApiVersion } from '../guard';
import { listStatus } from '../status-query';
import { type SimulatorState } from '../state';
import { planSubmission, zodMessage } from '../submit';

const cancelSchema = z.object({ accountActivityId: z.string().min(1), comment: z.string().min(1) });
const closeSchema = z.object({
  accessRequestIds: z.array(z.string()).min(1).max(500),
  message: z.string().optional(),
  executionStatus: z.enum(['Terminated', 'Completed']).optional(),
  completionStatus: z.enum(['Success', 'Incomplete', 'Failure']).optional(),
});
const bulkCancelSchema = z.object({ accessRequestIds: z.array(z.string()).min(1).max(50), comment: z.string().min(1) });

export function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw badRequest(`Invalid request body: ${zodMessage(parsed.error)}`);
  return parsed.data;
}

export function accessRequestRoutes(app: FastifyInstance, state: SimulatorState, version: ApiVersion): void {
  app.post('/access-requests', async (request, reply) => {
    const plan = planSubmission(
      request.body,
      state.engine,
      state.catalog,
      state.identities,
      state.config.profile,
      state.clock.now(),
    );
    const result = state.engine.submit(plan);
    // "Accepted, then the response is lost": the request exists, the client never learns it.
    if (state.random.chance('faults', state.config.faults.lostResponseRate)) {
      if (state.random.next('faults') < 0.5) {
        destroyConnection(state, request, reply, 'lost');
        return reply;
      }
      return reply.code(500).send(errorResponse(500, state.random.hexId('tracking'), 'An internal fault occurred.'));
    }
    const body =
      state.config.profile === 'legacy'
        ? {}
        : { newRequests: result.newRequests, existingRequests: result.existingRequests };
    return reply.code(202).send(body);
  });

  app.get('/access-request-status', async (request, reply) => {
    const body = listStatus(state, version, request.query as Record<string, unknown>, reply);
    return reply.type('application/json; charset=utf-8').send(body);
  });

  app.post('/access-requests/cancel', async (request, reply) => {
    const body = parseBody(cancelSchema, request.body);
    state.engine.cancel([body.accountActivityId], body.comment);
    return reply.code(202).send({});
  });

  if (version !== 'v2025') return;

  app.post('/access-requests/close', async (request, reply) => {
    const body = parseBody(closeSchema, request.body);
    const text = body.message ?? 'The IdentityNow Administrator manually closed this request.';
    state.engine.close(
      body.accessRequestIds,
      `${text} (executionStatus ${body.executionStatus ?? 'Terminated'}, completionStatus ${body.completionStatus ?? 'Failure'})`,
    );
    return reply.code(202).send({});
  });

  app.post('/access-requests/bulk-cancel', async (request, reply) => {
    const body = parseBody(bulkCancelSchema, request.body);
    state.engine.cancel(body.accessRequestIds, body.comment);
    return reply.code(202).send({});
  });
}
