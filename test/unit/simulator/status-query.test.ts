import { harness, type Harness, type StatusRow } from '../../support/simulator-harness';

/** GET /access-request-status parameters, filters and sorters, per the OpenAPI descriptions. */
describe('GET /access-request-status', () => {
  let h: Harness;
  let rows: StatusRow[];
  const ids: string[] = [];

  beforeAll(async () => {
    h = await harness({ seed: 41, config: { approval: { mode: 'manual' } } });
    const profiles = h.plain('ACCESS_PROFILE');
    for (let i = 0; i < 4; i++) {
      const result = await h.submit({
        requestedFor: [h.identity(10 + i)],
        requestedItems: profiles.slice(i, i + 2).map((p) => ({ type: 'ACCESS_PROFILE', id: p.id })),
      });
      ids.push(result.body.newRequests[0]?.accessRequestIds[0] ?? '');
      await h.advance(1000);
    }
    rows = await h.status('');
  });
  afterAll(() => h.close());

  it('lists every row, oldest first, with limit, offset and X-Total-Count', async () => {
    expect(rows).toHaveLength(8);
    const page = await h.isc<StatusRow[]>('GET', '/v3/access-request-status?limit=3&offset=2&count=true');
    expect(page.headers.get('x-total-count')).toBe('8');
    expect(page.body.map((r) => r.accountActivityItemId)).toEqual(rows.slice(2, 5).map((r) => r.accountActivityItemId));
    expect(await h.status('limit=0')).toEqual([]);
  });

  it('refuses limit > 250, negative offsets and bad counts', async () => {
    for (const query of ['limit=251', 'limit=-1', 'offset=-3', 'limit=abc', 'count=maybe']) {
      expect((await h.isc('GET', `/v3/access-request-status?${query}`)).status).toBe(400);
    }
  });

  it('filters by requested-for, requested-by, regarding-identity, assigned-to', async () => {
    expect((await h.status(`requested-for=${h.identity(11)}`)).map((r) => r.accessRequestId)).toEqual([ids[1], ids[1]]);
    expect(await h.status(`requested-by=${h.catalog.admin.id}`)).toHaveLength(8);
    expect(await h.status('requested-by=me')).toHaveLength(8);
    expect(await h.status(`regarding-identity=${h.identity(12)}`)).toHaveLength(2);
    const manager = h.catalog.identities[10]?.managerId ?? '';
    const assigned = await h.status(`assigned-to=${manager}`);
    expect(assigned.length).toBeGreaterThan(0);
    expect(
      assigned.every((r) => h.catalog.identities.find((i) => i.id === r.requestedFor.id)?.managerId === manager),
    ).toBe(true);
  });

  it('refuses regarding-identity together with requested-for or requested-by', async () => {
    const result = await h.isc<{ messages: { text: string }[] }>(
      'GET',
      `/v3/access-request-status?regarding-identity=${h.identity(1)}&requested-for=${h.identity(1)}`,
    );
    expect(result.status).toBe(400);
    expect(result.body.messages[0]?.text).toMatch(/mutually exclusive/);
    expect(
      (await h.isc('GET', `/v3/access-request-status?regarding-identity=${h.identity(1)}&requested-by=me`)).status,
    ).toBe(400);
  });

  it('accepts request-state=EXECUTING only', async () => {
    await h.isc('POST', '/v3/access-requests/cancel', { accountActivityId: ids[0], comment: 'x' });
    expect(await h.status('request-state=EXECUTING')).toHaveLength(6);
    expect((await h.isc('GET', '/v3/access-request-status?request-state=CANCELLED')).status).toBe(400);
  });

  it('supports every documented filter operator on v3', async () => {
    const q = (filters: string): Promise<StatusRow[]> => h.status(`filters=${encodeURIComponent(filters)}`);
    const [first, second] = ids;
    const sortedIds = [...new Set(ids)].sort();
    expect((await q(`accessRequestId eq "${first}"`)).map((r) => r.accessRequestId)).toEqual([first, first]);
    expect(await q(`accessRequestId in ("${first}","${second}")`)).toHaveLength(4);
    expect(await q(`accessRequestId ne "${first}"`)).toHaveLength(6);
    expect(await q(`accessRequestId sw "${first?.slice(0, 6)}"`)).toHaveLength(2);
    expect(await q(`accessRequestId ge "${sortedIds[2]}"`)).toHaveLength(4);
    expect(await q(`accessRequestId gt "${sortedIds[2]}"`)).toHaveLength(2);
    expect(await q(`accessRequestId le "${sortedIds[0]}"`)).toHaveLength(2);
    expect(await q(`accessRequestId lt "${sortedIds[0]}"`)).toHaveLength(0);
    const item = rows[3]?.accountActivityItemId ?? '';
    expect((await q(`accountActivityItemId eq "${item}"`)).map((r) => r.accountActivityItemId)).toEqual([item]);
    expect(await q(`accountActivityItemId in ("${item}", "${rows[4]?.accountActivityItemId}")`)).toHaveLength(2);
    expect(await q(`accountActivityItemId sw "${item.slice(0, 8)}"`)).toHaveLength(1);
    const created = rows[4]?.created ?? '';
    expect(await q(`created ge ${created}`)).toHaveLength(4);
    expect(await q(`created gt ${created}`)).toHaveLength(2);
    expect(await q(`created lt ${created}`)).toHaveLength(4);
    expect(await q(`created le ${created}`)).toHaveLength(6);
    expect(await q(`created eq ${created}`)).toHaveLength(2);
    expect(await q(`created ne ${created}`)).toHaveLength(6);
  });

  it('composes with and, or, not and parentheses', async () => {
    const q = (filters: string): Promise<StatusRow[]> => h.status(`filters=${encodeURIComponent(filters)}`);
    const [a, b, c] = ids;
    expect(await q(`accessRequestId eq "${a}" or accessRequestId eq "${b}"`)).toHaveLength(4);
    expect(await q(`not (accessRequestId eq "${a}" or accessRequestId eq "${b}")`)).toHaveLength(4);
    expect(
      await q(
        `(accessRequestId eq "${a}" or accessRequestId eq "${b}") and accountActivityItemId eq "${rows[0]?.accountActivityItemId}"`,
      ),
    ).toHaveLength(1);
    expect(await q(`accessRequestId eq "${c}" and created ge ${rows[0]?.created}`)).toHaveLength(2);
  });

  it('refuses undocumented fields and operators with 400', async () => {
    const bad = async (filters: string, version: 'v3' | 'v2025' = 'v3'): Promise<number> =>
      (await h.isc('GET', `/${version}/access-request-status?filters=${encodeURIComponent(filters)}`)).status;
    expect(await bad('name eq "x"')).toBe(400);
    expect(await bad('accountActivityItemId lt "x"')).toBe(400);
    expect(await bad('created sw 2020')).toBe(400);
    expect(await bad('created in (2020-01-01T00:00:00Z)')).toBe(400);
    expect(await bad('accessRequestId co "x"')).toBe(400);
    expect(await bad('accessRequestId eq "x" and')).toBe(400);
    expect(await bad('accessRequestId eq x')).toBe(400);
    expect(await bad('created gt "yesterday"')).toBe(400);
    // The v2025 document lists no `in` for accessRequestId.
    expect(await bad(`accessRequestId in ("${ids[0]}")`, 'v2025')).toBe(400);
    expect(await bad(`accessRequestId eq "${ids[0]}"`, 'v2025')).toBe(200);
  });

  it('sorts by created, modified, accountActivityItemId, name; refuses other fields', async () => {
    const byItem = await h.status('sorters=accountActivityItemId');
    expect(byItem.map((r) => r.accountActivityItemId)).toEqual(rows.map((r) => r.accountActivityItemId).sort());
    const byItemDesc = await h.status('sorters=-accountActivityItemId');
    expect(byItemDesc.map((r) => r.accountActivityItemId)).toEqual(
      rows
        .map((r) => r.accountActivityItemId)
        .sort()
        .reverse(),
    );
    const byName = await h.status('sorters=name,-created');
    expect(byName.map((r) => r.name)).toEqual(rows.map((r) => r.name).sort());
    expect((await h.status('sorters=-created'))[0]?.created).toBe(rows[7]?.created);
    expect((await h.status('sorters=-modified'))[0]?.accessRequestId).toBe(ids[0]);
    expect((await h.isc('GET', '/v3/access-request-status?sorters=state')).status).toBe(400);
  });
});
