import { harness, like, type Harness } from '../../support/simulator-harness';

/** Identity attributes as an identity profile maps them, found through the identities search index. */
type Doc = {
  id: string;
  name: string;
  displayName: string;
  firstName?: string;
  lastName?: string;
  email?: string;
  employeeNumber?: string;
  inactive: boolean;
  isManager: boolean;
  manager: { id: string; name: string } | null;
  attributes: Record<string, unknown>;
  access: { id: string; type: string; revocable?: boolean; standalone?: boolean }[];
};

describe('seeded identity attributes', () => {
  it('keeps the ids every seed gave before attributes existed', async () => {
    const h = await harness({ seed: 1 });
    try {
      expect(h.catalog.admin.id).toBe('a2f64e241c1c8d1c04f861eebc841154');
      expect(h.catalog.identities[0]).toMatchObject({ id: '77a6132bb9db9be85cf9af7a9026a3e3', name: 'Lars Haddad 0' });
      expect(h.catalog.identities[49]).toMatchObject({ id: '6b81050681bab398543d004656b8a7fe' });
      expect(h.catalog.items[0]).toMatchObject({ id: 'ab0160d7cf3a5c398427e3782d11dab5', name: 'Warehouse Role 0' });
      expect(h.catalog.items.at(-1)).toMatchObject({ id: '8281d13db548e6c0ebd3f7b881a92705' });
      const submitted = await h.submit({
        requestedFor: [h.identity(0)],
        requestedItems: [{ type: 'ROLE', id: h.plain('ROLE')[0]?.id }],
      });
      expect(submitted.body.newRequests[0]?.accessRequestIds).toEqual(['e3c9dfe5f506787231b241eb5634fde3']);
    } finally {
      await h.close();
    }
  });

  it('gives every identity HR attributes, derived from its name and the seed', async () => {
    const h = await harness({ seed: 91 });
    const twin = await harness({ seed: 91 });
    try {
      expect(twin.catalog).toEqual(h.catalog);
      const [first] = h.catalog.identities;
      const [firstName, lastName] = first?.name.split(' ') ?? [];
      expect(first?.attributes).toEqual({
        employeeNumber: 'E1000',
        firstname: firstName,
        lastname: lastName,
        displayName: first?.name,
        email: `${firstName?.toLowerCase()}.${lastName?.toLowerCase()}.0@iscflow.example`,
        department: expect.any(String) as unknown,
        location: expect.any(String) as unknown,
        workerType: expect.stringMatching(/^(employee|contractor)$/) as unknown,
        cloudLifecycleState: 'active',
      });
      const numbers = h.catalog.identities.map((i) => i.attributes.employeeNumber);
      expect(new Set(numbers).size).toBe(50);
      expect(numbers.at(-1)).toBe('E1049');
      expect(new Set(h.catalog.identities.map((i) => i.attributes.department)).size).toBeGreaterThan(3);
      expect(new Set(h.catalog.identities.map((i) => i.attributes.workerType))).toEqual(
        new Set(['employee', 'contractor']),
      );
      expect(h.catalog.admin.attributes).toMatchObject({ displayName: 'iscflow-sim', cloudLifecycleState: 'active' });
      expect(h.catalog.admin.attributes.employeeNumber).toBeUndefined();
    } finally {
      await Promise.all([h.close(), twin.close()]);
    }
  });
});

describe('identities search by attribute', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness({ seed: 92 });
  });
  afterAll(() => h.close());

  const search = async (query: string, version = 'v3') => {
    const result = await h.isc<Doc[]>('POST', `/${version}/search`, { indices: ['identities'], query: { query } });
    return result;
  };
  const ids = async (query: string): Promise<string[]> => (await search(query)).body.map((d) => d.id);
  const seeded = (index: number) => {
    const identity = h.catalog.identities[index];
    if (!identity) throw new Error(`no identity ${index}`);
    return identity;
  };

  it('finds an identity by employee number, quoted or not, in any case, on both versions', async () => {
    const target = seeded(42);
    expect(await ids('employeeNumber:E1042')).toEqual([target.id]);
    expect(await ids('employeeNumber:"E1042"')).toEqual([target.id]);
    expect(await ids('employeeNumber:e1042')).toEqual([target.id]);
    expect((await search('employeeNumber:"E1042"', 'v2025')).body.map((d) => d.id)).toEqual([target.id]);
    expect(await ids('employeeNumber:"E4242"')).toEqual([]);
  });

  it('answers IdentityDocuments with the identity fields ISC indexes', async () => {
    const target = seeded(12);
    const [doc] = (await search(`id:${target.id}`)).body;
    expect(doc).toMatchObject({
      id: target.id,
      name: target.name,
      displayName: target.name,
      firstName: target.attributes.firstname,
      lastName: target.attributes.lastname,
      email: target.attributes.email,
      employeeNumber: 'E1012',
      inactive: false,
      isManager: false,
      manager: like({ id: target.managerId }),
      attributes: target.attributes,
    });
    const manager = (await search(`id:${target.managerId}`)).body[0];
    expect(manager?.isManager).toBe(true);
  });

  it('finds by e-mail, attributes.<name>, and combinations', async () => {
    const target = seeded(7);
    expect(await ids(`email:"${String(target.attributes.email)}"`)).toEqual([target.id]);
    expect(await ids(`email:${String(target.attributes.email)}`)).toEqual([target.id]);
    const department = String(target.attributes.department);
    const sameDepartment = h.catalog.identities.filter((i) => i.attributes.department === department).map((i) => i.id);
    expect(await ids(`attributes.department:"${department}"`)).toEqual(sameDepartment);
    expect(await ids(`attributes.department:"${department}" AND attributes.employeeNumber:E1007`)).toEqual([target.id]);
    expect(await ids(`attributes.department:"${department}" AND NOT employeeNumber:E1007`)).toEqual(
      sameDepartment.filter((id) => id !== target.id),
    );
    expect(await ids('attributes.cloudLifecycleState:active AND attributes.workerType:contractor')).toEqual(
      h.catalog.identities.filter((i) => i.attributes.workerType === 'contractor').map((i) => i.id),
    );
    expect(await ids('attributes.noSuchAttribute:x')).toEqual([]);
    expect(
      await ids(`firstName:${String(target.attributes.firstname)} AND lastName:${String(target.attributes.lastname)}`),
    ).toContain(target.id);
    expect(await ids(`manager.id:${target.managerId}`)).toContain(target.id);
  });

  it('tells revocable access from access held through a role or by birthright', async () => {
    const holder = h.identity(1);
    const held = await h.access(holder);
    const [doc] = (await search(`id:${holder}`)).body;
    const flag = (id: string) => {
      const entry = doc?.access.find((a) => a.id === id);
      return entry?.type === 'ENTITLEMENT' ? entry.standalone : entry?.revocable;
    };
    for (const h2 of held) expect([h2.source, flag(h2.id)]).toEqual([h2.source, h2.source === 'REQUEST']);
    expect(held.map((x) => x.source)).toEqual(expect.arrayContaining(['BIRTHRIGHT', 'ROLE', 'REQUEST']) as unknown);
    expect(await ids(`id:${holder} AND @access(revocable:false)`)).toEqual([holder]);
    expect(await ids(`@access(source:BIRTHRIGHT)`)).toHaveLength(50);
  });

  it('keeps what worked before: *, id, name, @access, quoted values', async () => {
    const target = seeded(3);
    expect((await search('*')).body).toHaveLength(51);
    expect(await ids(`name:"${target.name}"`)).toEqual([target.id]);
    expect(await ids(`id:"${target.id}"`)).toEqual([target.id]);
    expect(await ids(`id:${'0'.repeat(32)}`)).toEqual([]);
  });

  it('reads escapes in quoted values and refuses what it does not know with 400', async () => {
    const created = await h.call<{ id: string }>('POST', '/__sim/identities', {
      name: 'Quentin "Q" Backslash',
      attributes: { employeeNumber: 'E"7\\1' },
    });
    expect(await ids('employeeNumber:"E\\"7\\\\1"')).toEqual([created.body.id]);
    for (const query of [
      'department:Sales',
      'attributes.:x',
      'toString:x',
      '@access(employeeNumber:E1)',
      'name:"open',
    ]) {
      const result = await search(query);
      expect([query, result.status]).toEqual([query, 400]);
    }
  });
});

describe('identities created and changed at run time (/__sim/identities)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness({ seed: 93, config: { approval: { mode: 'manual' } } });
  });
  afterAll(() => h.close());

  const byNumber = async (employeeNumber: string): Promise<Doc[]> =>
    (
      await h.isc<Doc[]>('POST', '/v3/search', {
        indices: ['identities'],
        query: { query: `employeeNumber:"${employeeNumber}"` },
      })
    ).body;

  it('creates an identity as an HR aggregation would: searchable at once, holding nothing, the admin its manager', async () => {
    const created = await h.call<{ id: string }>('POST', '/__sim/identities', {
      name: 'Jo Joiner',
      attributes: {
        employeeNumber: 'E5000',
        department: 'Sales',
        workerType: 'employee',
        cloudLifecycleState: 'active',
      },
    });
    expect(created.status).toBe(201);
    expect(created.body.id).toMatch(/^[0-9a-f]{32}$/);
    const [doc] = await byNumber('E5000');
    expect(doc).toMatchObject({
      id: created.body.id,
      name: 'Jo Joiner',
      attributes: { employeeNumber: 'E5000', department: 'Sales' },
      manager: { id: h.catalog.admin.id },
      access: [],
    });
    expect(await h.access(created.body.id)).toEqual([]);
    expect((await h.call('GET', `/__sim/identities/${created.body.id}`)).body).toEqual({
      id: created.body.id,
      name: 'Jo Joiner',
      managerId: h.catalog.admin.id,
      attributes: {
        employeeNumber: 'E5000',
        department: 'Sales',
        workerType: 'employee',
        cloudLifecycleState: 'active',
      },
      createdAtRunTime: true,
    });
    const listed = (await h.call<{ identities: { id: string }[] }>('GET', '/__sim/catalog')).body.identities;
    expect(listed.at(-1)?.id).toBe(created.body.id);

    // Requests for it are approved by the admin, like any identity without a manager of its own.
    const role = h.plain('ROLE')[0];
    await h.submit({ requestedFor: [created.body.id], requestedItems: [{ type: 'ROLE', id: role?.id }] });
    const pending = await h.isc<{ id: string; owner: { id: string } }[]>(
      'GET',
      `/v3/access-request-approvals/pending?filters=${encodeURIComponent(`requestedFor.id eq "${created.body.id}"`)}`,
    );
    expect(pending.body.map((p) => p.owner.id)).toEqual([h.catalog.admin.id]);
    await h.isc('POST', `/v3/access-request-approvals/${pending.body[0]?.id}/approve`, {});
    await h.advance(500);
    expect((await h.access(created.body.id)).map((a) => a.id)).toContain(role?.id);
  });

  it('refuses a taken employee number, and bodies it cannot read', async () => {
    const taken = await h.call<{ messages: { text: string }[] }>('POST', '/__sim/identities', {
      name: 'Dee Duplicate',
      attributes: { employeeNumber: 'e1001' },
    });
    expect(taken.status).toBe(409);
    expect(taken.body.messages[0]?.text).toBe(
      `employeeNumber e1001 already belongs to identity ${h.identity(1)} (${h.catalog.identities[1]?.name}).`,
    );
    expect((await byNumber('e1001')).map((d) => d.id)).toEqual([h.identity(1)]);
    for (const bad of [{}, { name: '' }, { name: 'x', attributes: { a: { nested: 1 } } }, { name: 'x', extra: 1 }]) {
      expect((await h.call('POST', '/__sim/identities', bad)).status).toBe(400);
    }
  });

  it('changes attributes as a mover aggregation does; null removes one', async () => {
    const mover = h.identity(30);
    const changed = await h.call<{ attributes: Record<string, unknown> }>('PATCH', `/__sim/identities/${mover}`, {
      attributes: { department: 'Security', location: null, costCenter: 4711 },
    });
    expect(changed.status).toBe(200);
    expect(changed.body.attributes).toMatchObject({
      department: 'Security',
      costCenter: 4711,
      employeeNumber: 'E1030',
    });
    expect(changed.body.attributes.location).toBeUndefined();
    const [doc] = await byNumber('E1030');
    expect(doc?.attributes).toEqual(changed.body.attributes);
    expect(
      (
        await h.isc<Doc[]>('POST', '/v3/search', {
          indices: ['identities'],
          query: { query: `attributes.department:Security AND id:${mover}` },
        })
      ).body,
    ).toHaveLength(1);

    // A new employee number moves the index with it; taking someone else's is a conflict.
    await h.call('PATCH', `/__sim/identities/${mover}`, { attributes: { employeeNumber: 'E7030' } });
    expect((await byNumber('E7030')).map((d) => d.id)).toEqual([mover]);
    expect(await byNumber('E1030')).toEqual([]);
    expect(
      (await h.call('PATCH', `/__sim/identities/${mover}`, { attributes: { employeeNumber: 'E1031' } })).status,
    ).toBe(409);
    expect((await h.call('PATCH', `/__sim/identities/${'0'.repeat(32)}`, { attributes: {} })).status).toBe(404);
    expect((await h.call('GET', `/__sim/identities/${'0'.repeat(32)}`)).status).toBe(404);
  });

  it('marks an identity whose lifecycle state is no longer active as inactive', async () => {
    const leaver = h.identity(31);
    await h.call('PATCH', `/__sim/identities/${leaver}`, { attributes: { cloudLifecycleState: 'terminated' } });
    const [doc] = await byNumber('E1031');
    expect(doc).toMatchObject({ inactive: true, attributes: like({ cloudLifecycleState: 'terminated' }) });
  });
});
