import { harness, type Harness } from '../../support/simulator-harness';
import { DAY } from '../../support/time';

/** The older IdentityNow behaviour of seeds 000_ and 004_. */
describe('profile legacy', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness({ seed: 51, config: { profile: 'legacy' } });
  });
  afterAll(() => h.close());

  it('answers 202 with {} and no ids; rows are correlated through clientMetadata', async () => {
    const identity = h.identity(10);
    const result = await h.submit({
      requestedFor: [identity],
      requestedItems: [{ type: 'ACCESS_PROFILE', id: h.plain('ACCESS_PROFILE')[0]?.id, clientMetadata: { key: 'k1' } }],
    });
    expect(result.status).toBe(202);
    expect(result.body).toEqual({});
    await h.advance(500);
    const [row] = await h.status(`requested-for=${identity}`);
    expect(row).toMatchObject({ state: 'REQUEST_COMPLETED', clientMetadata: { key: 'k1' } });
  });

  it('refuses removeDate on entitlements and any startDate', async () => {
    const identity = h.identity(11);
    const removeDate = await h.later(2 * DAY);
    const entitlement = await h.submit({
      requestedFor: [identity],
      requestedItems: [{ type: 'ENTITLEMENT', id: h.plain('ENTITLEMENT')[0]?.id, removeDate }],
    });
    expect(entitlement.status).toBe(400);
    const start = await h.submit({
      requestedFor: [identity],
      requestedItems: [{ type: 'ROLE', id: h.plain('ROLE')[0]?.id, startDate: removeDate }],
    });
    expect(start.status).toBe(400);
    const role = await h.submit({
      requestedFor: [identity],
      requestedItems: [{ type: 'ROLE', id: h.plain('ROLE')[0]?.id, removeDate }],
    });
    expect(role.status).toBe(202);
    await h.advance(500);
    // removeDate is refused where the item already has a sunset date.
    const again = await h.submit({
      requestedFor: [identity],
      requestedItems: [{ type: 'ROLE', id: h.plain('ROLE')[0]?.id, removeDate: await h.later(3 * DAY) }],
    });
    expect(again.status).toBe(400);
  });

  it('silently ignores a request for access already held: never in the status API', async () => {
    const identity = h.identity(12);
    const item = { type: 'ACCESS_PROFILE', id: h.plain('ACCESS_PROFILE')[1]?.id, clientMetadata: { key: 'k2' } };
    await h.submit({ requestedFor: [identity], requestedItems: [item] });
    await h.advance(500);
    const ignored = await h.submit({
      requestedFor: [identity],
      requestedItems: [{ ...item, clientMetadata: { key: 'k3' } }],
    });
    expect(ignored.status).toBe(202);
    expect(ignored.body).toEqual({});
    await h.advance(500);
    const rows = await h.status(`requested-for=${identity}`);
    expect(rows.map((r) => r.clientMetadata?.key)).toEqual(['k2']);
    const requests = (
      await h.call<{ requestedFor: string; ignored: boolean; state: string | null; clientMetadata: { key: string } }[]>(
        'GET',
        '/__sim/requests',
      )
    ).body;
    expect(
      requests.filter((r) => r.requestedFor === identity).map((r) => [r.clientMetadata.key, r.ignored, r.state]),
    ).toEqual([
      ['k2', false, 'REQUEST_COMPLETED'],
      ['k3', true, null],
    ]);
  });

  it('does not fold pending duplicates: each submission creates rows', async () => {
    await h.configure({ approval: { mode: 'manual' } });
    const identity = h.identity(14);
    const item = { type: 'ACCESS_PROFILE', id: h.plain('ACCESS_PROFILE')[3]?.id };
    await h.submit({ requestedFor: [identity], requestedItems: [item] });
    await h.submit({ requestedFor: [identity], requestedItems: [item] });
    const rows = await h.status(`requested-for=${identity}`);
    expect(rows.map((r) => r.state)).toEqual(['EXECUTING', 'EXECUTING']);
    expect(new Set(rows.map((r) => r.accessRequestId)).size).toBe(2);
    await h.configure({ approval: { mode: 'auto' } });
  });

  it('filters by accountActivityItemId only (seed 004)', async () => {
    const [row] = await h.status(`requested-for=${h.identity(10)}`);
    const q = (filters: string): Promise<{ status: number }> =>
      h.isc('GET', `/v3/access-request-status?filters=${encodeURIComponent(filters)}`);
    expect((await q(`accountActivityItemId eq "${row?.accountActivityItemId}"`)).status).toBe(200);
    expect((await q(`accountActivityItemId lt "${row?.accountActivityItemId}"`)).status).toBe(200);
    expect((await q(`accessRequestId eq "${row?.accessRequestId}"`)).status).toBe(400);
  });

  it('switches profile at run time', async () => {
    await h.configure({ profile: 'current' });
    const result = await h.submit({
      requestedFor: [h.identity(13)],
      requestedItems: [{ type: 'ACCESS_PROFILE', id: h.plain('ACCESS_PROFILE')[2]?.id }],
    });
    expect(result.body.newRequests).toHaveLength(1);
    await h.configure({ profile: 'legacy' });
  });
});
