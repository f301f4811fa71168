/**
 * The control API under /__sim: not ISC, never rate-limited nor faulted. Route names and shapes are a
 * contract for tests and tooling (see docs/simulator.md).
 */
import { type FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ITEM_TYPES } from '../catalog';
import { applyConfigPatch, simulatorConfigPatchSchema } from '../config';
import { badRequest, notFound } from '../errors';
import { type SimIdentity } from '../identities';
import { IN_PROGRESS_STATES, type RequestItem } from '../model';
import { type SimulatorState } from '../state';
import { parseBody } from './access-requests';

const clockSchema = z.object({ advanceMs: z.number().int().min(0) });

const attributeValue = z.union([z.string(), z.number(), z.boolean()]);
const createIdentitySchema = z.strictObject({
  name: z.string().trim().min(1),
  attributes: z.record(z.string().min(1), attributeValue).default({}),
});
const patchIdentitySchema = z.strictObject({ attributes: z.record(z.string().min(1), attributeValue.nullable()) });
const holdingsSchema = z.strictObject({
  holdings: z.array(z.strictObject({ identityId: z.string().min(1), type: z.enum(ITEM_TYPES), id: z.string().min(1) })),
});

const identityView = ({ id, name, managerId, attributes, createdAtRunTime }: SimIdentity) => ({
  id,
  name,
  managerId,
  attributes,
  createdAtRunTime,
});

/** A request row as tests read it: who, what, where it stands and when it finished. */
function requestView(row: RequestItem) {
  return {
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
    // When the row reached its final state (ISC's `modified` of a finished row).
    finishedAt: IN_PROGRESS_STATES.has(row.state) || row.ignored ? null : new Date(row.modified).toISOString(),
    removeDate: row.removeDate,
    startDate: row.startDate,
    clientMetadata: row.clientMetadata,
  };
}

/** The identity, or ISC's 404. */
function mustIdentity(state: SimulatorState, id: string): SimIdentity {
  const identity = state.identities.get(id);
  if (!identity) throw notFound(`Identity ${id} was not found.`);
  return identity;
}

/** The seeded tenant, and what an HR aggregation does: a joiner becomes an identity, a mover's attributes change. */
function tenantRoutes(app: FastifyInstance, state: SimulatorState): void {
  app.get('/__sim/catalog', async () => ({
    admin: {
      id: state.catalog.admin.id,
      name: state.catalog.admin.name,
      attributes: state.identities.admin.attributes,
    },
    identities: state.identities.people().map(identityView),
    items: state.catalog.items.map(({ type, id, name }) => ({ type, id, name })),
  }));

  app.post('/__sim/identities', async (request, reply) => {
    const body = parseBody(createIdentitySchema, request.body);
    const now = state.clock.now();
    const identity = state.identities.create(body.name, body.attributes, now, () => state.random.hexId('identities'));
    return reply.code(201).send({ id: identity.id });
  });

  app.get<{ Params: { id: string } }>('/__sim/identities/:id', async (request) =>
    identityView(mustIdentity(state, request.params.id)),
  );

  app.patch<{ Params: { id: string } }>('/__sim/identities/:id', async (request) => {
    const body = parseBody(patchIdentitySchema, request.body);
    return identityView(state.identities.patch(request.params.id, body.attributes, state.clock.now()));
  });
}

/** What identities hold, and access changed outside any access request (an administrator, a certification). */
function accessRoutes(app: FastifyInstance, state: SimulatorState): void {
  app.get<{ Params: { id: string } }>('/__sim/identities/:id/access', async (request) => {
    mustIdentity(state, request.params.id);
    return [...state.engine.heldBy(request.params.id).values()].map(({ type, id, removeDate, source, grantedBy }) => ({
      type,
      id,
      removeDate,
      source,
      grantedBy,
    }));
  });

  app.delete<{ Params: { id: string; itemId: string } }>(
    '/__sim/identities/:id/access/:itemId',
    async (request, reply) => {
      const { id, itemId } = request.params;
      const type = state.catalog.itemById.get(itemId)?.type;
      const held = state.engine.heldBy(mustIdentity(state, id).id).get(`${type}:${itemId}`);
      if (!held || !state.engine.takeAway(id, held.type, held.id))
        throw notFound(`Identity ${id} does not hold ${itemId}.`);
      return reply.code(204).send();
    },
  );

  // Access the tenant gave before iscflow (a bench's "already held"), in bulk, as if once requested.
  app.post('/__sim/holdings', async (request) => {
    const { holdings } = parseBody(holdingsSchema, request.body);
    for (const h of holdings) {
      mustIdentity(state, h.identityId);
      if (state.catalog.itemById.get(h.id)?.type !== h.type)
        throw badRequest(`${h.type} ${h.id} is not in the catalog.`);
    }
    return { added: state.engine.give(holdings) };
  });
}

/** The simulator itself: its requests, counters, configuration, clock and reset. */
function runRoutes(app: FastifyInstance, state: SimulatorState): void {
  app.get('/__sim/requests', async () => state.engine.all.map(requestView));

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
    // Answered once the state file holds the reset tenant too: a restart now starts from the seed.
    await state.saver.flush();
    return { reset: true };
  });
}

/** Registers the control API. */
export function controlRoutes(app: FastifyInstance, state: SimulatorState): void {
  tenantRoutes(app, state);
  accessRoutes(app, state);
  runRoutes(app, state);
}
