/**
 * POST /{v}/search over the identities index: how a client finds an identity (by id, employee number,
 * any attribute) and learns what it holds. Unlike ISC's index it never lags.
 */
import { type FastifyInstance } from 'fastify';
import { z } from 'zod';
import { badRequest } from '../errors';
import { page, parsePaging } from '../paging';
import { identityDocument, type IndexedIdentity, matchIdentity, parseSearchQuery, pinnedIdentities } from '../search';
import { type SimulatorState } from '../state';
import { parseBody } from './access-requests';

const searchSchema = z.object({
  indices: z.array(z.string()).min(1),
  query: z.object({ query: z.string().min(1) }),
});

/** The search endpoint's own `limit` (searchlimit): up to 10,000, 250 by default. */
const SEARCH_PAGING = { maxLimit: 10_000, defaultLimit: 250 };

export function searchRoutes(app: FastifyInstance, state: SimulatorState): void {
  app.post('/search', async (request, reply) => {
    const body = parseBody(searchSchema, request.body);
    const unsupported = body.indices.filter((index) => index !== 'identities');
    if (unsupported.length > 0)
      throw badRequest(`Unsupported search indices: ${unsupported.join(', ')}; the simulator indexes identities only.`);
    const query = parseSearchQuery(body.query.query);
    const paging = parsePaging(request.query as Record<string, unknown>, SEARCH_PAGING);
    const { catalog, identities, engine } = state;
    const ctx = { catalog, identities };
    const pool = pinnedIdentities(query, identities) ?? identities.all();
    const matches = pool
      .map((identity): IndexedIdentity => ({ identity, held: [...engine.heldBy(identity.id).values()] }))
      .filter((entry) => matchIdentity(query, entry, ctx));
    return reply.send(page(matches, paging, reply).map((entry) => identityDocument(ctx, entry)));
  });
}
