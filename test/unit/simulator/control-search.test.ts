import { buildSimulator } from '../../../src/simulator';
import { harness, type Harness } from '../../support/simulator-harness';

describe('control API (/__sim)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness({ seed: 81, catalog: { identities: 30, roles: 12, accessProfiles: 11, entitlements: 40 } });
  });
  afterAll(() => h.close());

  it('serves the seeded catalog with ISC-like ids, the same for the same seed', async () => {
    expect(h.catalog.identities).toHaveLength(30);
    expect(h.catalog.items.filter((i) => i.type === 'ENTITLEMENT')).toHaveLength(40);
    for (const x of [...h.catalog.identities, ...h.catalog.items]) expect(x.id).toMatch(/^[0-9a-f]{32}$/);
    expect(h.catalog.identities.filter((i) => i.managerId !== null).length).toBeGreaterThan(20);
    const twin = await harness({
      seed: 81,
      catalog: { identities: 30, roles: 12, accessProfiles: 11, entitlements: 40 },
    });
    const other = await harness({
      seed: 82,
      catalog: { identities: 30, roles: 12, accessProfiles: 11, entitlements: 40 },
    });
    expect(twin.catalog).toEqual(h.catalog);
    expect(other.catalog.identities[0]?.id).not.toBe(h.catalog.identities[0]?.id);
    await Promise.all([twin.close(), other.close()]);
  });

  it('validates and merges configuration, answering the full config', async () => {
    const result = await h.call<Record<string, unknown>>('POST', '/__sim/config', { approval: { delayMs: 50 } });
    expect(result.body).toEqual({
      approval: { mode: 'auto', delayMs: 50, delayMaxMs: 0, rejectRate: 0 },
      provisioning: { delayMs: 200, failRate: 0 },
      faults: { latencyMs: 0, errorRate: 0, rateLimitRate: 0, lostResponseRate: 0, resetRate: 0 },
      rateLimit: { requests: 100, windowSeconds: 10 },
      removalLagMs: 0,
      profile: 'current',
      outage: null,
    });
    for (const bad of [
      { approval: { mode: 'never' } },
      { faults: { errorRate: 2 } },
      { profile: 'old' },
      { unknown: 1 },
      { rateLimit: { requests: 0 } },
    ]) {
      expect((await h.call('POST', '/__sim/config', bad)).status).toBe(400);
    }
    expect((await h.call<{ approval: { delayMs: number } }>('GET', '/__sim/config')).body.approval.delayMs).toBe(50);
  });

  it('moves the clock forward and reports it', async () => {
    const before = Date.parse((await h.call<{ now: string }>('GET', '/__sim/clock')).body.now);
    const after = Date.parse(
      (await h.call<{ now: string }>('POST', '/__sim/clock', { advanceMs: 3_600_000 })).body.now,
    );
    expect(after - before).toBeGreaterThanOrEqual(3_600_000);
    expect((await h.call('POST', '/__sim/clock', { advanceMs: -1 })).status).toBe(400);
  });

  it('records every call by route pattern and status, and resets to the seeded state', async () => {
    const identity = h.identity(5);
    const accessBefore = await h.access(identity);
    await h.submit({ requestedFor: [identity], requestedItems: [{ type: 'ROLE', id: h.plain('ROLE')[0]?.id }] });
    await h.isc('POST', '/v3/access-request-approvals/abc/approve', {});
    await h.advance(1000);
    expect((await h.access(identity)).length).toBeGreaterThan(accessBefore.length);
    const stats = (await h.call<{ calls: Record<string, Record<string, number>> }>('GET', '/__sim/stats')).body.calls;
    expect(stats['POST /v3/access-requests']).toEqual({ 202: 1 });
    expect(stats['POST /v3/access-request-approvals/:approvalId/approve']).toEqual({ 404: 1 });
    expect(stats['GET /__sim/catalog']?.['200']).toBeGreaterThanOrEqual(1);
    expect((await h.call('POST', '/__sim/reset')).status).toBe(200);
    expect((await h.call<unknown[]>('GET', '/__sim/requests')).body).toEqual([]);
    expect(await h.access(identity)).toEqual(accessBefore);
    const afterReset = (await h.call<{ calls: Record<string, unknown> }>('GET', '/__sim/stats')).body.calls;
    expect(Object.keys(afterReset).sort()).toEqual([
      'GET /__sim/identities/:id/access',
      'GET /__sim/requests',
      'POST /__sim/reset',
    ]);
    expect((await h.call('GET', `/__sim/identities/${'0'.repeat(32)}/access`)).status).toBe(404);
  });

  it('validates start-up config like POST /__sim/config', () => {
    expect(() => buildSimulator({ config: { faults: { errorRate: 3 } } })).toThrow(/Invalid simulator config/);
  });

  it('builds an app without listening (for inject-style use)', async () => {
    const app = buildSimulator({ seed: 3 });
    await app.ready();
    expect(app.hasRoute({ method: 'GET', url: '/v2025/access-request-status' })).toBe(true);
    expect(app.hasRoute({ method: 'POST', url: '/v3/access-requests/close' })).toBe(false);
    await app.close();
  });
});

describe('POST /{v}/search (identities)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness({ seed: 83 });
  });
  afterAll(() => h.close());

  type Doc = {
    id: string;
    name: string;
    type: string;
    access: {
      id: string;
      type: string;
      name: string;
      source?: { id: string; name: string };
      revocable?: boolean;
      standalone?: boolean;
    }[];
  };
  const search = (query: string, version = 'v3'): Promise<{ status: number; body: Doc[]; headers: Headers }> =>
    h.isc<Doc[]>('POST', `/${version}/search?count=true`, { indices: ['identities'], query: { query } });

  it("finds an identity by id with what it holds and how (ISC's revocable and standalone flags)", async () => {
    const identity = h.identity(1);
    const result = await search(`id:${identity}`);
    expect(result.body).toHaveLength(1);
    const doc = result.body[0];
    expect(doc).toMatchObject({ id: identity, type: 'identity' });
    const held = await h.access(identity);
    const role = held.find((a) => a.source === 'REQUEST' && a.type === 'ROLE');
    const throughRole = held.find((a) => a.source === 'ROLE');
    const birthright = held.find((a) => a.source === 'BIRTHRIGHT');
    const entry = (id: string | undefined) => doc?.access.find((a) => a.id === id);
    expect(entry(role?.id)).toMatchObject({ type: 'ROLE', revocable: true });
    expect(entry(throughRole?.id)).toMatchObject({
      type: 'ENTITLEMENT',
      standalone: false,
      source: { name: 'Active Directory' },
    });
    expect(entry(birthright?.id)).toMatchObject({ type: 'ENTITLEMENT', standalone: false });
    expect(
      doc?.access.every((a) => ['ROLE', 'ACCESS_PROFILE', 'ENTITLEMENT'].includes(a.type) && a.name.length > 0),
    ).toBe(true);
  });

  it('answers id:X AND @access(id:Y) and @access(id:Y) alone', async () => {
    const identity = h.identity(1);
    const role = (await h.access(identity)).find((a) => a.type === 'ROLE');
    expect((await search(`id:${identity} AND @access(id:${role?.id})`)).body).toHaveLength(1);
    expect((await search(`id:${identity} AND @access(id:${h.plain('ACCESS_PROFILE')[5]?.id})`)).body).toHaveLength(0);
    const holders = await search(`@access(id:${role?.id})`, 'v2025');
    expect(holders.body.length).toBeGreaterThanOrEqual(1);
    expect(holders.headers.get('x-total-count')).toBe(String(holders.body.length));
    expect(holders.body.every((d) => d.access.some((a) => a.id === role?.id))).toBe(true);
    expect((await search('*')).headers.get('x-total-count')).toBe('51');
  });

  it('reflects grants once provisioned', async () => {
    const identity = h.identity(20);
    const profile = h.plain('ACCESS_PROFILE')[6];
    await h.submit({ requestedFor: [identity], requestedItems: [{ type: 'ACCESS_PROFILE', id: profile?.id }] });
    expect((await search(`id:${identity} AND @access(id:${profile?.id})`)).body).toHaveLength(0);
    await h.advance(500);
    expect((await search(`id:"${identity}" AND @access(id:"${profile?.id}")`)).body).toHaveLength(1);
  });

  it('refuses other indices and unsupported syntax with 400', async () => {
    expect((await h.isc('POST', '/v3/search', { indices: ['accessprofiles'], query: { query: '*' } })).status).toBe(
      400,
    );
    expect((await search('department:Sales')).status).toBe(400);
    expect((await search('id:(')).status).toBe(400);
  });
});

describe('reading the whole index: sort, searchAfter, queryResultFilter', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness({ seed: 84, catalog: { identities: 120 } });
  });
  afterAll(() => h.close());

  type Doc = { id: string; name: string; attributes?: Record<string, unknown>; access?: unknown[] };
  const page = (limit: number, extra: Record<string, unknown> = {}) =>
    h.isc<Doc[]>('POST', `/v3/search?limit=${limit}`, {
      indices: ['identities'],
      query: { query: 'attributes.cloudLifecycleState:active' },
      ...extra,
    });

  it('pages through every identity exactly once, in id order, with searchAfter', async () => {
    const seen: string[] = [];
    let after: string | undefined;
    for (;;) {
      const result = await page(25, { sort: ['id'], ...(after ? { searchAfter: [after] } : {}) });
      expect(result.status).toBe(200);
      seen.push(...result.body.map((d) => d.id));
      if (result.body.length < 25) break;
      after = result.body[result.body.length - 1]?.id;
    }
    // Every identity (and the admin), each once, ascending.
    expect(seen).toHaveLength(121);
    expect([...seen].sort()).toEqual(seen);
    expect(new Set(seen).size).toBe(seen.length);
    const descending = await page(5, { sort: ['-id'] });
    expect(descending.body.map((d) => d.id)).toEqual([...seen].reverse().slice(0, 5));
  });

  it('answers only the fields asked for', async () => {
    const result = await h.call<Doc[]>('POST', '/v3/search?limit=2', {
      indices: ['identities'],
      query: { query: '*' },
      sort: ['+name'],
      queryResultFilter: { includes: ['id', 'name', 'attributes', 'access'] },
    });
    expect(result.status).toBe(200);
    expect(result.body.every((d) => Object.keys(d).sort().join() === 'access,attributes,id,name')).toBe(true);
  });

  it("refuses what ISC's index refuses: past 10,000 by offset, searchAfter without sort, unknown sort fields", async () => {
    const offset = await h.isc('POST', '/v3/search?limit=250&offset=9900', {
      indices: ['identities'],
      query: { query: '*' },
    });
    expect(offset.status).toBe(400);
    expect(JSON.stringify(offset.body)).toMatch(/searchAfter/);
    expect((await page(10, { searchAfter: ['x'] })).status).toBe(400);
    expect((await page(10, { sort: ['id', 'name'], searchAfter: ['x'] })).status).toBe(400);
    expect((await page(10, { sort: ['department'] })).status).toBe(400);
  });
});

describe('access changed outside iscflow (/__sim)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness({ seed: 85 });
  });
  afterAll(() => h.close());

  it('DELETE /__sim/identities/{id}/access/{itemId} takes access away as an administrator would: 204, then 404', async () => {
    const identity = h.identity(1);
    const role = (await h.access(identity)).find((a) => a.type === 'ROLE' && a.source === 'REQUEST');
    expect(role).toBeDefined();
    const path = `/__sim/identities/${identity}/access/${role?.id}`;
    expect((await h.call('DELETE', path)).status).toBe(204);
    const after = await h.access(identity);
    // The role and the entitlements it brought are gone; nothing else changed.
    expect(after.some((a) => a.id === role?.id || a.grantedBy === role?.id)).toBe(false);
    expect(after.length).toBeGreaterThan(0);
    expect((await h.call('DELETE', path)).status).toBe(404);
    expect((await h.call('DELETE', `/__sim/identities/${'0'.repeat(32)}/access/${role?.id}`)).status).toBe(404);
  });

  it('POST /__sim/holdings gives access in bulk, as if once requested, and refuses what the tenant lacks', async () => {
    const identity = h.identity(3);
    const profile = h.plain('ACCESS_PROFILE')[8];
    const body = { holdings: [{ identityId: identity, type: 'ACCESS_PROFILE', id: profile?.id }] };
    expect((await h.call<{ added: number }>('POST', '/__sim/holdings', body)).body).toEqual({ added: 1 });
    expect((await h.call<{ added: number }>('POST', '/__sim/holdings', body)).body).toEqual({ added: 0 });
    expect((await h.access(identity)).find((a) => a.id === profile?.id)).toMatchObject({ source: 'REQUEST' });
    const wrongType = { holdings: [{ identityId: identity, type: 'ROLE', id: profile?.id }] };
    expect((await h.call('POST', '/__sim/holdings', wrongType)).status).toBe(400);
  });
});
