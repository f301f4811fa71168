/** The status list over a fake transport: ISC's query names, and paging from an offset. */
import { createAccessRequestStatus } from '../../../src/isc/access-request-status';
import { fakeTransport } from '../../support/isc';

describe('access request status', () => {
  it('names the query as ISC does and leaves out what was not asked', async () => {
    const { transport, requests } = fakeTransport();
    await createAccessRequestStatus(transport, 'v2025').listAccessRequestStatus({
      requestedBy: 'me',
      regardingIdentity: 'who',
      sorters: '-modified',
      requestState: 'EXECUTING',
    });
    expect(requests).toHaveLength(1);
    expect(requests[0]?.path).toBe('/v2025/access-request-status');
    expect(Object.entries(requests[0]?.query ?? {}).filter(([, value]) => value !== undefined)).toEqual([
      ['requested-by', 'me'],
      ['regarding-identity', 'who'],
      ['sorters', '-modified'],
      ['request-state', 'EXECUTING'],
    ]);
  });

  it('reads every page from the given offset, 250 rows at a time, until a short page', async () => {
    const { transport, requests } = fakeTransport((request) => {
      const offset = Number(request.query?.offset);
      const length = offset < 500 ? 250 : 3;
      return Array.from({ length }, (_, i) => ({ id: `row${offset + i}`, state: 'EXECUTING' }));
    });
    const rows = await createAccessRequestStatus(transport, 'v3').listAllAccessRequestStatus({
      requestedFor: 'who',
      offset: 10,
    });
    expect(rows).toHaveLength(503);
    expect(requests.map((r) => [r.query?.offset, r.query?.limit, r.query?.['requested-for']])).toEqual([
      [10, 250, 'who'],
      [260, 250, 'who'],
      [510, 250, 'who'],
    ]);
  });
});
