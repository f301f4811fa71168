/**
 * POST /{v}/search over the identities index: how a client finds an identity (by id, employee number,
 * any attribute) and learns what it holds, and how it reads the whole index: sorted (`sort`), paged with
 * `searchAfter` past the 10,000 results ISC's offset paging reaches, with only the fields it asks for
 * (`queryResultFilter`). Unlike ISC's index it never lags.
 */
import { type FastifyInstance } from 'fastify';
import { z } from 'zod';
import { badRequest } from '../errors';
import { parsePaging, type Paging } from '../paging';
import { identityDocument, type IndexedIdentity, matchIdentity, parseSearchQuery, pinnedIdentities } from '../search';
import { inSortOrder, projectDocument } from '../search-paging';
import { type SimulatorState } from '../state';
import { parseBody } from './access-requests';

const searchSchema = z.object({
  indices: z.array(z.string()).min(1),
  query: z.object({ query: z.string().min(1) }),
  sort: z.array(z.string().min(1)).optional(),
  searchAfter: z.array(z.string()).optional(),
  queryResultFilter: z
    .object({ includes: z.array(z.string()).optional(), excludes: z.array(z.string()).optional() })
    .optional(),
});

/** The search endpoint's own `limit` (searchlimit): up to 10,000, 250 by default. */
const SEARCH_PAGING = { maxLimit: 10_000, defaultLimit: 250 };
/** Elasticsearch's result window: offset paging reaches this many results, `searchAfter` the rest. */
const RESULT_WINDOW = 10_000;

function checkWindow(paging: Paging, searchAfter: string[] | undefined, sort: string[] | undefined): void {
  if (searchAfter) {
    if (paging.offset > 0) throw badRequest('offset cannot be used with searchAfter.');
    if (!sort || sort.length !== searchAfter.length)
      throw badRequest('searchAfter needs sort, with one value for each sorted field.');
  } else if (paging.offset + paging.limit > RESULT_WINDOW) {
    throw badRequest(
      `Result window is too large: offset + limit must be at most ${RESULT_WINDOW}; page further with searchAfter.`,
    );
  }
}

export function searchRoutes(app: FastifyInstance, state: SimulatorState): void {
  app.post('/search', async (request, reply) => {
    const body = parseBody(searchSchema, request.body);
    const unsupported = body.indices.filter((index) => index !== 'identities');
    if (unsupported.length > 0)
      throw badRequest(`Unsupported search indices: ${unsupported.join(', ')}; the simulator indexes identities only.`);
    const query = parseSearchQuery(body.query.query);
    const paging = parsePaging(request.query as Record<string, unknown>, SEARCH_PAGING);
    checkWindow(paging, body.searchAfter, body.sort);
    const { catalog, identities, engine } = state;
    const ctx = { catalog, identities };
    const pinned = pinnedIdentities(query, identities);
    const candidates = body.sort
      ? inSortOrder(identities, pinned, body.sort, body.searchAfter)
      : (pinned ?? identities.all());
    // Matched only as far as the page reaches, unless the caller asked for the count of all of them.
    const wanted = paging.count ? Infinity : paging.offset + paging.limit;
    const matches: IndexedIdentity[] = [];
    for (const identity of candidates) {
      if (matches.length >= wanted) break;
      const entry: IndexedIdentity = { identity, held: [...engine.heldBy(identity.id).values()] };
      if (matchIdentity(query, entry, ctx)) matches.push(entry);
    }
    if (paging.count) void reply.header('X-Total-Count', String(matches.length));
    const page = matches.slice(paging.offset, paging.offset + paging.limit);
    const filter = body.queryResultFilter;
    return reply.send(page.map((entry) => projectDocument(identityDocument(ctx, entry), filter)));
  });
}
