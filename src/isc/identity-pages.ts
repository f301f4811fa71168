/**
 * Reading ISC's identities a page at a time (`POST /{version}/search`): the identities a query selects,
 * each document with the identity's attributes and what it holds, for `iscflow adopt` and drift sweeps.
 * Pages go in id order and are chained with `searchAfter`, because ISC's offset paging stops at 10,000
 * results; only the fields iscflow reads come back (`queryResultFilter`), which keeps a page of 250 small.
 */
import { z } from 'zod';
import { employeeNumberOf, heldAccessOf, toIdentity } from './identities';
import { identitySearchResultSchema } from './schemas';
import { checkOutgoing, idForQuery } from './shared';
import { type IscTransport } from './transport';
import { type IscApiVersion, type IscClient, type SearchedIdentity } from './types';

/** ISC's documented page size for collections; its search takes more, but a page of 250 stays small. */
export const MAX_IDENTITY_PAGE = 250;

const pageRequestSchema = z.object({
  query: z.string().trim().min(1, 'must not be empty').max(4000),
  limit: z.number().int().min(1).max(MAX_IDENTITY_PAGE),
  after: idForQuery.optional(),
});

/** What a page's documents carry: nothing iscflow does not read. */
const FIELDS = ['id', 'name', 'employeeNumber', 'attributes', 'access'];

export function createIdentityPages(
  transport: IscTransport,
  version: IscApiVersion,
): Pick<IscClient, 'searchIdentities'> {
  return {
    async searchIdentities(request) {
      const { query, limit, after } = checkOutgoing(pageRequestSchema, request, 'identity search');
      const docs = await transport.call({
        method: 'POST',
        path: `/${version}/search`,
        query: { limit },
        body: {
          indices: ['identities'],
          query: { query },
          sort: ['+id'],
          ...(after ? { searchAfter: [after] } : {}),
          queryResultFilter: { includes: FIELDS },
        },
        schema: identitySearchResultSchema,
      });
      const identities = docs.map((doc): SearchedIdentity => {
        const employeeNumber = employeeNumberOf(doc);
        return { ...toIdentity(doc), ...(employeeNumber ? { employeeNumber } : {}), access: heldAccessOf(doc) };
      });
      const last = docs[docs.length - 1];
      return { identities, ...(docs.length >= limit && last ? { next: last.id } : {}) };
    },
  };
}
