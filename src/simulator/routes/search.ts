import { type FastifyInstance } from 'fastify';
import { z } from 'zod';
import { badRequest } from '../errors';
import { page, parsePaging } from '../paging';
import { identityDocument, matchIdentity, parseSearchQuery, pinnedIdentity } from '../search';
import { type SimulatorState } from '../state';
import { parseBody } from './access-requests';

/** POST /{v}/search over the identities index: how a client learns what an identity already holds. */
const searchSchema = z.object({
  indices: z.array(z.string()).min(1),
  query: z.object({ query: z.string().min(1) }),
});

export function searchRoutes(app: FastifyInstance, state: SimulatorState): void {
  app.post('/search', async (request, reply) => {
    const body = parseBody(searchSchema, request.body);
    const unsupported = body.indices.filter((index) => index !== 'identities');
    if (unsupported.length > 0)
      throw badRequest(`Unsupported search indices: ${unsupported.join(', ')}; the simulator indexes identities only.`);
    const query = parseSearchQuery(body.query.query);
    const paging = parsePaging(request.query as Record<string, unknown>);
    const pinned = pinnedIdentity(query);
    const { catalog, engine } = state;
    const pool =
      pinned !== undefined
        ? [catalog.identityById.get(pinned)].flatMap((x) => (x ? [x] : []))
        : [catalog.admin, ...catalog.identities];
    const docs = pool
      .map((identity) => identityDocument(catalog, identity, engine.heldBy(identity.id).values()))
      .filter((doc) => matchIdentity(query, doc));
    return reply.send(page(docs, paging, reply));
  });
}
