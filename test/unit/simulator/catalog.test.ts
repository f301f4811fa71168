import { expectValidCatalogResponse, schemaErrors } from '../../support/catalog-openapi';
import { harness, type Harness } from '../../support/simulator-harness';

/** GET /{v}/roles, /{v}/access-profiles, /v2025/entitlements: look-ups by id and name. */
type Item = { id: string; name: string; requestable: boolean; enabled?: boolean; owner: { id: string } };

describe('catalog look-ups', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness({ seed: 95 });
  });
  afterAll(() => h.close());

  const list = (path: string, query: Record<string, string> = {}) =>
    h.isc<Item[]>('GET', `${path}?${new URLSearchParams(query).toString()}`);
  const of = (type: 'ROLE' | 'ACCESS_PROFILE' | 'ENTITLEMENT') => h.catalog.items.filter((i) => i.type === type);

  it('lists every item of a type, owned by the admin, enabled and requestable, in catalog order', async () => {
    for (const [path, type] of [
      ['/v3/roles', 'ROLE'],
      ['/v2025/roles', 'ROLE'],
      ['/v3/access-profiles', 'ACCESS_PROFILE'],
      ['/v2025/access-profiles', 'ACCESS_PROFILE'],
      ['/v2025/entitlements', 'ENTITLEMENT'],
    ] as const) {
      const result = await list(path, { count: 'true' });
      expect(result.status).toBe(200);
      expect(result.headers.get('x-total-count')).toBe(String(of(type).length));
      // /roles pages 50 at a time by default; the others 250.
      expect(result.body.map((i) => i.id)).toEqual(
        of(type)
          .map((i) => i.id)
          .slice(0, type === 'ROLE' ? 50 : 250),
      );
      expect(result.body.every((i) => i.requestable && i.owner.id === h.catalog.admin.id)).toBe(true);
    }
  });

  it('shows what a role grants and where access profiles and entitlements live', async () => {
    const held = await h.access(h.identity(1));
    const role = held.find((a) => a.type === 'ROLE');
    const [shown] = (await list('/v3/roles', { filters: `id eq "${role?.id}"` })).body as unknown as {
      entitlements: { type: string; id: string; name: string }[];
    }[];
    expect(shown?.entitlements.map((e) => e.id).sort()).toEqual(
      held
        .filter((a) => a.grantedBy === role?.id)
        .map((a) => a.id)
        .sort(),
    );
    expect(shown?.entitlements.every((e) => e.type === 'ENTITLEMENT' && e.name.length > 0)).toBe(true);
    const [profile] = (await list('/v3/access-profiles', { limit: '1' })).body as unknown as {
      source: { type: string; name: string };
    }[];
    expect(profile?.source).toMatchObject({ type: 'SOURCE', name: 'Active Directory' });
    const [entitlement] = (await list('/v2025/entitlements', { limit: '1' })).body as unknown as {
      attribute: string;
      value: string;
      source: { name: string };
    }[];
    expect(entitlement).toMatchObject({ attribute: 'memberOf', source: { name: 'Active Directory' } });
    expect(entitlement?.value).toMatch(/^CN=Birthright Email,/);
  });

  it('filters by id (eq, in) and name (eq, sw)', async () => {
    const [a, b, c] = of('ROLE');
    const ids = async (path: string, filters: string) => (await list(path, { filters })).body.map((i) => i.id);
    expect(await ids('/v3/roles', `id eq "${a?.id}"`)).toEqual([a?.id]);
    expect(await ids('/v2025/roles', `id in ("${c?.id}","${a?.id}","${'0'.repeat(32)}")`)).toEqual([a?.id, c?.id]);
    expect(await ids('/v3/roles', `name eq "${b?.name}"`)).toEqual([b?.id]);
    expect(await ids('/v3/roles', `name eq "${b?.name?.toUpperCase()}"`)).toEqual([]);
    expect(await ids('/v3/roles', 'name sw "Restricted "')).toEqual(
      of('ROLE')
        .filter((r) => r.name.startsWith('Restricted '))
        .map((r) => r.id),
    );
    const profile = of('ACCESS_PROFILE')[4];
    expect(await ids('/v3/access-profiles', `name eq "${profile?.name}" and requestable eq true`)).toEqual([
      profile?.id,
    ]);
    const entitlements = of('ENTITLEMENT');
    expect(await ids('/v2025/entitlements', `name in ("Birthright VPN","Birthright Email")`)).toEqual(
      entitlements.slice(0, 2).map((e) => e.id),
    );
    expect(await ids('/v2025/entitlements', 'value sw "CN=Birthright"')).toHaveLength(2);
    expect(await ids('/v3/roles', `name eq "no such role"`)).toEqual([]);
  });

  it("pages with limit, offset and count, within each endpoint's limit", async () => {
    const roles = of('ROLE');
    const page = await list('/v3/roles', { limit: '5', offset: '3', count: 'true', sorters: '-name' });
    const byName = [...roles].sort((x, y) => (x.name < y.name ? 1 : x.name > y.name ? -1 : 0));
    expect(page.body.map((r) => r.id)).toEqual(byName.slice(3, 8).map((r) => r.id));
    expect(page.headers.get('x-total-count')).toBe(String(roles.length));
    expect((await list('/v3/roles', { limit: '51' })).status).toBe(400);
    expect((await list('/v3/access-profiles', { limit: '250' })).status).toBe(200);
    expect((await list('/v2025/entitlements', { limit: '251' })).status).toBe(400);
  });

  it('refuses filters and sorters the documents do not list with a 400 ErrorResponseDto', async () => {
    for (const [path, filters] of [
      ['/v3/roles', 'name co "Finance"'],
      ['/v3/roles', 'source.id eq "x"'],
      ['/v3/access-profiles', 'name in ("a")'],
      ['/v2025/entitlements', 'description eq "x"'],
      ['/v3/roles', 'name eq "unterminated'],
    ] as const) {
      const result = await h.isc<{ detailCode: string; messages: { text: string }[] }>(
        'GET',
        `${path}?filters=${encodeURIComponent(filters)}`,
      );
      expect([filters, result.status, result.body.detailCode]).toEqual([filters, 400, '400.1 Bad Request Content']);
      expect(result.body.messages[0]?.text).toMatch(/filter/i);
    }
    expect((await list('/v3/roles', { sorters: 'owner.id' })).status).toBe(400);
  });

  it('has no entitlements collection in v3, as ISC', async () => {
    expect((await h.call('GET', '/v3/entitlements')).status).toBe(404);
  });
});

describe('the search-and-catalog validator', () => {
  const doc = {
    id: 'a',
    name: 'Ada',
    access: [{ id: 'e', name: 'E', type: 'ENTITLEMENT', source: { id: 's', name: 'AD' }, standalone: true }],
  };

  it('accepts a documented identity document and applies the IdentityAccess discriminator', () => {
    expect(schemaErrors('v3', 'IdentityDocuments', doc)).toBeNull();
    // A source that is a string breaks AccessProfileEntitlement, though it would pass as AccessProfileRole.
    const stringSource = { ...doc, access: [{ ...doc.access[0], source: 'REQUEST' }] };
    expect(schemaErrors('v3', 'IdentityDocuments', stringSource)).toMatch(/source/);
    expect(schemaErrors('v3', 'IdentityDocuments', { ...doc, access: [{ id: 'x', type: 'APP' }] })).toMatch(
      /allowed values/,
    );
  });

  it('validates search answers as identity documents and collections by their path', () => {
    expect(() => expectValidCatalogResponse('v2025', 'POST', '/v2025/search', 200, [doc])).not.toThrow();
    expect(() => expectValidCatalogResponse('v3', 'POST', '/v3/search', 200, [{ id: 'a' }])).toThrow(/name/);
    expect(() => expectValidCatalogResponse('v3', 'GET', '/v3/roles?limit=1', 200, [{ name: 'r' }])).toThrow(/owner/);
    expect(() => expectValidCatalogResponse('v3', 'GET', '/v3/entitlements', 200, [])).toThrow(/documents no/);
  });
});
