/**
 * ISC's access request status list (`GET /{version}/access-request-status`): one page as asked, or every
 * page. Tracking reads it to learn where each requested item stands.
 */
import { requestedItemStatusListSchema, type RequestedItemStatus } from './schemas';
import { collectPages } from './shared';
import { type IscTransport } from './transport';
import { type AccessRequestStatusQuery, type IscApiVersion, type IscClient } from './types';

/** ISC's maximum (and default) page size of the status list. */
const STATUS_PAGE_SIZE = 250;

export function createAccessRequestStatus(
  transport: IscTransport,
  version: IscApiVersion,
): Pick<IscClient, 'listAccessRequestStatus' | 'listAllAccessRequestStatus'> {
  async function listAccessRequestStatus(query: AccessRequestStatusQuery): Promise<RequestedItemStatus[]> {
    return transport.call({
      method: 'GET',
      path: `/${version}/access-request-status`,
      query: {
        'requested-for': query.requestedFor,
        'requested-by': query.requestedBy,
        'regarding-identity': query.regardingIdentity,
        filters: query.filters,
        sorters: query.sorters,
        limit: query.limit,
        offset: query.offset,
        'request-state': query.requestState,
      },
      schema: requestedItemStatusListSchema,
    });
  }

  return {
    listAccessRequestStatus,
    async listAllAccessRequestStatus(query) {
      return collectPages(
        (offset) => listAccessRequestStatus({ ...query, limit: STATUS_PAGE_SIZE, offset }),
        STATUS_PAGE_SIZE,
        query.offset ?? 0,
      );
    },
  };
}
