import { createHash } from 'node:crypto';
import {
  type AccessChange,
  type ItemType,
  planAccessRequests,
  planItemKey,
  type PlannedRequest,
  workflowIdFor,
} from '../../../src/domain';
import { sha256Hex } from '../../../src/domain/hash';

function hexId(prefix: string, n: number): string {
  return (prefix + n.toString(16)).padStart(32, '0');
}
const identities = (n: number) => Array.from({ length: n }, (_, i) => hexId('a', i));
const TYPE_PREFIX: Record<ItemType, string> = { ROLE: 'c1', ACCESS_PROFILE: 'c2', ENTITLEMENT: 'e1' };
const items = (type: ItemType, n: number) =>
  Array.from({ length: n }, (_, i) => ({ type, id: hexId(TYPE_PREFIX[type], i) }));

function grant(change: Partial<AccessChange>): AccessChange {
  return { requestType: 'GRANT_ACCESS', identityIds: identities(1), items: items('ENTITLEMENT', 1), ...change };
}

function rows(requests: PlannedRequest[]): string[] {
  return requests.flatMap((r) => r.identityIds.flatMap((i) => r.items.map((it) => `${i}|${it.type}|${it.id}`))).sort();
}

describe('planAccessRequests: grants', () => {
  it('chunks entitlements by 25 and identities by 10, covering every (identity, item) once', () => {
    const change = grant({ identityIds: identities(23), items: items('ENTITLEMENT', 60) });
    const plan = planAccessRequests(change);
    expect(plan).toHaveLength(3 * 3);
    for (const request of plan) {
      expect(request.identityIds.length).toBeLessThanOrEqual(10);
      expect(request.items.length).toBeLessThanOrEqual(25);
    }
    expect(rows(plan)).toHaveLength(23 * 60);
    expect(new Set(rows(plan)).size).toBe(23 * 60);
  });

  it('puts roles and access profiles in one request of their own for all identities', () => {
    const change = grant({
      identityIds: identities(12),
      items: [...items('ROLE', 2), ...items('ACCESS_PROFILE', 1), ...items('ENTITLEMENT', 3)],
    });
    const plan = planAccessRequests(change);
    const bundles = plan.filter((r) => r.items.every((i) => i.type !== 'ENTITLEMENT'));
    expect(bundles).toHaveLength(1);
    expect(bundles[0]?.identityIds).toHaveLength(12);
    expect(bundles[0]?.items.map((i) => i.type).sort()).toEqual(['ACCESS_PROFILE', 'ROLE', 'ROLE']);
    const entitlementRequests = plan.filter((r) => r.items.some((i) => i.type === 'ENTITLEMENT'));
    expect(entitlementRequests.map((r) => r.identityIds.length)).toEqual([10, 2]);
    expect(entitlementRequests.every((r) => r.items.every((i) => i.type === 'ENTITLEMENT'))).toBe(true);
  });

  it('does not change the role request key when an entitlement is added', () => {
    const roles = items('ROLE', 2);
    const before = planAccessRequests(grant({ items: roles }));
    const after = planAccessRequests(grant({ items: [...roles, ...items('ENTITLEMENT', 1)] }));
    expect(after.map((r) => r.key)).toContain(before[0]?.key);
  });

  it('copies the comment and dates onto every item and keeps metadata on the request', () => {
    const [request] = planAccessRequests(
      grant({
        comment: 'new joiner',
        removeDate: '2030-01-01T00:00:00Z',
        startDate: '2029-01-01T00:00:00Z',
        clientMetadata: { source: 'hr' },
      }),
    );
    expect(request?.items[0]).toEqual({
      type: 'ENTITLEMENT',
      id: items('ENTITLEMENT', 1)[0]?.id,
      comment: 'new joiner',
      removeDate: '2030-01-01T00:00:00Z',
      startDate: '2029-01-01T00:00:00Z',
    });
    expect(request?.comment).toBe('new joiner');
    expect(request?.clientMetadata).toEqual({ source: 'hr' });
  });

  it('leaves absent optional fields out, so the plan stays JSON-identical after a round trip', () => {
    const plan = planAccessRequests(grant({}));
    expect(JSON.parse(JSON.stringify(plan))).toEqual(plan);
    expect(Object.keys(plan[0]?.items[0] ?? {})).toEqual(['type', 'id']);
  });
});

describe('planAccessRequests: revokes', () => {
  it('plans one request per (identity, item), each with the comment', () => {
    const change: AccessChange = {
      requestType: 'REVOKE_ACCESS',
      identityIds: identities(3),
      items: [...items('ENTITLEMENT', 2), ...items('ROLE', 1)],
      comment: 'mover',
    };
    const plan = planAccessRequests(change);
    expect(plan).toHaveLength(9);
    for (const request of plan) {
      expect(request.identityIds).toHaveLength(1);
      expect(request.items).toHaveLength(1);
      expect(request.items[0]?.comment).toBe('mover');
      expect(request.requestType).toBe('REVOKE_ACCESS');
    }
    expect(new Set(plan.map((r) => r.key)).size).toBe(9);
  });
});

describe('keys', () => {
  const base = grant({ identityIds: identities(15), items: [...items('ENTITLEMENT', 30), ...items('ROLE', 2)] });

  it('are 32 lower-case hex characters', () => {
    for (const request of planAccessRequests(base)) expect(request.key).toMatch(/^[0-9a-f]{32}$/);
  });

  it('do not depend on the order of identities or items, nor on the case of ids', () => {
    const shuffled: AccessChange = {
      ...base,
      identityIds: [...base.identityIds].reverse().map((id, i) => (i % 2 ? id.toUpperCase() : id)),
      items: [...base.items].reverse(),
    };
    expect(planAccessRequests(shuffled)).toEqual(planAccessRequests(base));
  });

  it('ignore the comment and metadata but change with dates and the request type', () => {
    const keys = (change: AccessChange) => planAccessRequests(change).map((r) => r.key);
    const original = keys(base);
    expect(keys({ ...base, comment: 'reworded', clientMetadata: { a: 'b' } })).toEqual(original);
    const withRemove = keys({ ...base, removeDate: '2030-01-01T00:00:00Z' });
    const otherRemove = keys({ ...base, removeDate: '2030-01-02T00:00:00Z' });
    const withStart = keys({ ...base, startDate: '2030-01-01T00:00:00Z' });
    for (const variant of [withRemove, otherRemove, withStart]) {
      for (const key of variant) expect(original).not.toContain(key);
    }
    for (const key of withRemove) expect(otherRemove).not.toContain(key);
    for (const key of withRemove) expect(withStart).not.toContain(key);
    const revokeKeys = keys({ ...base, requestType: 'REVOKE_ACCESS', comment: 'x' });
    for (const key of revokeKeys) expect(original).not.toContain(key);
  });

  it('planItemKey is stable, 32 hex, and distinct per identity and item', () => {
    const [request] = planAccessRequests(base);
    const key = request?.key ?? '';
    const a = planItemKey(key, identities(1)[0] ?? '', 'ROLE', items('ROLE', 1)[0]?.id ?? '');
    expect(a).toMatch(/^[0-9a-f]{32}$/);
    expect(planItemKey(key, (identities(1)[0] ?? '').toUpperCase(), 'ROLE', items('ROLE', 1)[0]?.id ?? '')).toBe(a);
    expect(planItemKey(key, identities(2)[1] ?? '', 'ROLE', items('ROLE', 1)[0]?.id ?? '')).not.toBe(a);
    expect(planItemKey(key, identities(1)[0] ?? '', 'ACCESS_PROFILE', items('ROLE', 1)[0]?.id ?? '')).not.toBe(a);
  });

  it('workflowIdFor names the request type and carries the key', () => {
    const [grantRequest] = planAccessRequests(base);
    const [revokeRequest] = planAccessRequests({ ...base, requestType: 'REVOKE_ACCESS', comment: 'x' });
    expect(grantRequest && workflowIdFor(grantRequest)).toBe(`iscflow-grant-${grantRequest?.key}`);
    expect(revokeRequest && workflowIdFor(revokeRequest)).toBe(`iscflow-revoke-${revokeRequest?.key}`);
  });
});

describe('sha256Hex (pure TypeScript, for the workflow sandbox)', () => {
  it.each(['', 'abc', 'x'.repeat(55), 'x'.repeat(56), 'x'.repeat(64), 'é€😀 mixed', 'long '.repeat(500)])(
    'matches node:crypto for %j',
    (text) => {
      expect(sha256Hex(text)).toBe(createHash('sha256').update(text, 'utf8').digest('hex'));
    },
  );
});
