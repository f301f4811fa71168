import { harness, matching, type Harness } from '../../support/simulator-harness';
import { DAY } from '../../support/time';

/** Every documented rule of POST /access-requests, on both API versions. */
describe.each(['v3', 'v2025'] as const)('POST /%s/access-requests rules', (version) => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness({ seed: 21, config: { approval: { mode: 'manual' } } });
  });
  afterAll(() => h.close());

  const entitlements = (n: number): { type: 'ENTITLEMENT'; id: string }[] =>
    h
      .plain('ENTITLEMENT')
      .slice(0, n)
      .map((e) => ({ type: 'ENTITLEMENT', id: e.id }));
  const identities = (n: number, from = 10): string[] => h.catalog.identities.slice(from, from + n).map((i) => i.id);

  async function expect400(body: unknown, text: RegExp): Promise<void> {
    const result = await h.isc<{
      detailCode: string;
      trackingId: string;
      messages: { locale: string; localeOrigin: string; text: string }[];
      causes: unknown[];
    }>('POST', `/${version}/access-requests`, body);
    expect(result.status).toBe(400);
    expect(result.body).toEqual({
      detailCode: '400.1 Bad Request Content',
      trackingId: matching(/^[0-9a-f]{32}$/),
      messages: [{ locale: 'en-US', localeOrigin: 'DEFAULT', text: matching(text) }],
      causes: [],
    });
  }

  it('accepts 25 entitlements for 10 identities', async () => {
    const result = await h.submit({ requestedFor: identities(10), requestedItems: entitlements(25) }, version);
    expect(result.status).toBe(202);
    expect(result.body.newRequests).toHaveLength(10);
  });

  it('refuses more than 25 entitlements or more than 10 identities when entitlements are present', async () => {
    await expect400({ requestedFor: identities(1), requestedItems: entitlements(26) }, /at most 25 entitlements/);
    await expect400({ requestedFor: identities(11), requestedItems: entitlements(1) }, /at most 10 identities/);
  });

  it('has no identity limit without entitlements', async () => {
    const role = h.plain('ROLE')[0];
    const result = await h.submit(
      { requestedFor: identities(12, 20), requestedItems: [{ type: 'ROLE', id: role?.id }] },
      version,
    );
    expect(result.status).toBe(202);
  });

  it('refuses malformed bodies and unknown ids', async () => {
    await expect400({ requestedItems: entitlements(1) }, /requestedFor/);
    await expect400({ requestedFor: identities(1), requestedItems: [] }, /requestedItems/);
    await expect400({ requestedFor: identities(1), requestedItems: [{ type: 'GROUP', id: 'x' }] }, /type/);
    await expect400({ requestedFor: ['0'.repeat(32)], requestedItems: entitlements(1) }, /Identity 0+ was not found/);
    await expect400(
      { requestedFor: identities(1), requestedItems: [{ type: 'ROLE', id: 'f'.repeat(32) }] },
      /ROLE f+ was not found/,
    );
    // An existing id under the wrong type is unknown too.
    await expect400(
      { requestedFor: identities(1), requestedItems: [{ type: 'ROLE', id: entitlements(1)[0]?.id }] },
      /was not found/,
    );
  });

  it('requires future UTC dates', async () => {
    const item = { type: 'ROLE', id: h.plain('ROLE')[1]?.id };
    const ahead = new Date(Date.now() + 2 * DAY);
    await expect400(
      { requestedFor: identities(1), requestedItems: [{ ...item, removeDate: '2020-01-01T00:00:00Z' }] },
      /future/,
    );
    await expect400(
      { requestedFor: identities(1), requestedItems: [{ ...item, startDate: '2020-01-01T00:00:00.000Z' }] },
      /future/,
    );
    const offset = ahead.toISOString().replace('Z', '+02:00');
    await expect400({ requestedFor: identities(1), requestedItems: [{ ...item, removeDate: offset }] }, /UTC/);
    await expect400({ requestedFor: identities(1), requestedItems: [{ ...item, removeDate: 'next tuesday' }] }, /UTC/);
    const utc = ahead.toISOString().replace('Z', '+00:00');
    expect(
      (await h.submit({ requestedFor: identities(1, 30), requestedItems: [{ ...item, removeDate: utc }] }, version))
        .status,
    ).toBe(202);
  });

  describe('REVOKE_ACCESS', () => {
    const revoke = (requestedFor: string[], requestedItems: unknown[]): unknown => ({
      requestType: 'REVOKE_ACCESS',
      requestedFor,
      requestedItems,
    });

    it('needs exactly one identity', async () => {
      const role = h.plain('ROLE')[2];
      await expect400(revoke(identities(2), [{ type: 'ROLE', id: role?.id, comment: 'bye' }]), /exactly one identity/);
    });

    it('allows at most one entitlement', async () => {
      await expect400(
        revoke(
          identities(1),
          entitlements(2).map((e) => ({ ...e, comment: 'bye' })),
        ),
        /at most 1 entitlement/,
      );
    });

    it('requires a comment on every item', async () => {
      const [a, b] = h.plain('ACCESS_PROFILE');
      await expect400(
        revoke(identities(1), [
          { type: 'ACCESS_PROFILE', id: a?.id, comment: 'bye' },
          { type: 'ACCESS_PROFILE', id: b?.id },
        ]),
        /comment is required/,
      );
    });

    it('refuses startDate', async () => {
      const role = h.plain('ROLE')[2];
      await expect400(
        revoke(identities(1), [
          { type: 'ROLE', id: role?.id, comment: 'bye', startDate: new Date(Date.now() + DAY).toISOString() },
        ]),
        /startDate/,
      );
    });

    it('refuses access granted by birthright or by a role', async () => {
      const identity = h.identity(1);
      const held = await h.access(identity);
      const birthright = held.find((x) => x.source === 'BIRTHRIGHT');
      const viaRole = held.find((x) => x.source === 'ROLE');
      expect(birthright && viaRole).toBeTruthy();
      await expect400(revoke([identity], [{ type: 'ENTITLEMENT', id: birthright?.id, comment: 'bye' }]), /birthright/);
      await expect400(
        revoke([identity], [{ type: 'ENTITLEMENT', id: viaRole?.id, comment: 'bye' }]),
        /role membership/,
      );
    });

    it('accepts a well-formed revoke of requested access', async () => {
      const identity = h.identity(1);
      const role = (await h.access(identity)).find((x) => x.type === 'ROLE' && x.source === 'REQUEST');
      const result = await h.submit(revoke([identity], [{ type: 'ROLE', id: role?.id, comment: 'leaver' }]), version);
      expect(result.status).toBe(202);
      expect(result.body.newRequests[0]?.accessRequestIds).toHaveLength(1);
    });
  });

  it('refuses MODIFY_ACCESS', async () => {
    await expect400(
      { requestType: 'MODIFY_ACCESS', requestedFor: identities(1), requestedItems: entitlements(1) },
      /MODIFY_ACCESS/,
    );
  });

  it('accepts requestedForWithRequestedItems', async () => {
    const [a, b] = h.plain('ACCESS_PROFILE').slice(4);
    const result = await h.submit(
      {
        requestedFor: [],
        requestedItems: [],
        requestedForWithRequestedItems: [
          { identityId: h.identity(40), requestedItems: [{ type: 'ACCESS_PROFILE', id: a?.id }] },
          { identityId: h.identity(41), requestedItems: [{ type: 'ACCESS_PROFILE', id: b?.id }] },
        ],
      },
      version,
    );
    expect(result.status).toBe(202);
    expect(result.body.newRequests.map((t) => t.requestedFor)).toEqual([h.identity(40), h.identity(41)]);
  });
});
