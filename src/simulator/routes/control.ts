import { type FastifyInstance } from 'fastify';
import { z } from 'zod';
import { applyConfigPatch, simulatorConfigPatchSchema } from '../config';
import { notFound } from '../errors';
import { type SimulatorState } from '../state';
import { parseBody } from './access-requests';

/**
 * The control API under /__sim: not ISC, never rate-limited nor faulted. Route names and shapes are a
 * contract for tests and tooling (see docs/simulator.md).
 */
const clockSchema = z.object({ advanceMs: z.number().int().min(0) });

export function controlRoutes(app: FastifyInstance, state: SimulatorState): void {
  app.get('/__sim/catalog', async () => ({
    admin: { id: state.catalog.admin.id, name: state.catalog.admin.name },
    identities: state.catalog.identities.map(({ id, name, managerId }) => ({ id, name, managerId })),
    items: state.catalog.items.map(({ type, id, name }) => ({ type, id, name })),
  }));

  app.get('/__sim/requests', async () =>
    state.engine.all.map((row) => ({
      accessRequestId: row.accessRequestId,
      accountActivityItemId: row.accountActivityItemId,
      requestType: row.requestType,
      requestedFor: row.identityId,
      itemType: row.itemType,
      itemId: row.itemId,
      // Legacy "ignored" requests have no state: ISC never gave them one.
      state: row.ignored ? null : row.state,
      ignored: row.ignored,
      created: new Date(row.created).toISOString(),
      removeDate: row.removeDate,
      startDate: row.startDate,
      clientMetadata: row.clientMetadata,
    })),
  );

  app.get<{ Params: { id: string } }>('/__sim/identities/:id/access', async (request) => {
    if (!state.catalog.identityById.has(request.params.id))
      throw notFound(`Identity ${request.params.id} was not found.`);
    return [...state.engine.heldBy(request.params.id).values()].map(({ type, id, removeDate, source, grantedBy }) => ({
      type,
      id,
      removeDate,
      source,
      grantedBy,
    }));
  });

  app.get('/__sim/stats', async () => state.stats.snapshot());

  app.get('/__sim/config', async () => state.config);
  app.post('/__sim/config', async (request) => {
    state.config = applyConfigPatch(state.config, parseBody(simulatorConfigPatchSchema, request.body ?? {}));
    return state.config;
  });

  app.get('/__sim/clock', async () => ({ now: state.clock.iso() }));
  app.post('/__sim/clock', async (request) => {
    const { advanceMs } = parseBody(clockSchema, request.body);
    state.clock.advance(advanceMs);
    state.engine.catchUp();
    return { now: state.clock.iso() };
  });

  app.post('/__sim/reset', async () => {
    state.reset();
    return { reset: true };
  });
}
