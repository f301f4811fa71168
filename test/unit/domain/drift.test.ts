/**
 * The access digest a lifecycle publishes and a drift sweep reads back, the findings a sweep confirms from
 * a lifecycle's own answer, and the policy keys that day one brought (ownership, drift, attributes).
 */
import fc from 'fast-check';
import {
  MAX_DIGEST_LENGTH,
  accessDigest,
  adoptedAttributes,
  checkPolicyDocument,
  confirmedFindings,
  disagrees,
  driftModeOf,
  expectationOf,
  itemKey,
  ownershipOf,
  policyItemKeys,
  readAccessDigest,
  type Holding,
  type PolicyItem,
} from '../../../src/domain';
import { policyOf as resolved } from '../../support/policy';

const policyOf = (document: Record<string, unknown>) => resolved({ version: 1, ...document });

const T0 = Date.parse('2027-01-04T08:00:00Z');
const iso = (ms: number): string => new Date(ms).toISOString();
const id = (n: number): string => n.toString(16).padStart(32, '0');

const ITEMS: PolicyItem[] = Array.from({ length: 40 }, (_, n) => ({
  type: n % 3 === 0 ? 'ROLE' : n % 3 === 1 ? 'ACCESS_PROFILE' : 'ENTITLEMENT',
  id: id(n + 1),
}));
const POLICY = policyOf({
  rules: [{ name: 'all', grant: ITEMS.map((i) => `${i.type}:${i.id}`) }],
});
const holding = (item: PolicyItem, state: Holding['state'], extra: Partial<Holding> = {}): Holding => ({
  item,
  state,
  graceMs: 0,
  since: iso(T0),
  ...extra,
});

describe('policy keys of day one', () => {
  it('default to policy ownership, drift reports, no attribute names; a policy without them keeps its hash', () => {
    const plain = policyOf({ rules: [{ name: 'r', grant: [`ROLE:${id(1)}`] }] });
    const explicit = policyOf({
      ownership: 'policy',
      drift: 'report',
      attributes: {},
      rules: [{ name: 'r', grant: [`ROLE:${id(1)}`] }],
    });
    expect(explicit.hash).toBe(plain.hash);
    expect([ownershipOf(plain), driftModeOf(plain), plain.attributeNames]).toEqual(['policy', 'report', undefined]);
    const other = policyOf({
      ownership: 'granted',
      drift: 'repair',
      attributes: { workerType: 'employeeType' },
      rules: [{ name: 'r', grant: [`ROLE:${id(1)}`] }],
    });
    expect(other.hash).not.toBe(plain.hash);
    expect([ownershipOf(other), driftModeOf(other), other.attributeNames]).toEqual([
      'granted',
      'repair',
      { workerType: 'employeeType' },
    ]);
    expect(checkPolicyDocument({ version: 1, ownership: 'mine', rules: [] })).toMatchObject({
      ok: false,
      problems: [expect.stringMatching(/^ownership:/)],
    });
  });

  it('takes an ISC identity’s attributes as attributes in force, under the policy’s names', () => {
    const policy = policyOf({ attributes: { workerType: 'employeeType' }, rules: [] });
    expect(
      adoptedAttributes(policy, {
        employeeType: 'employee',
        department: 'Finance',
        level: 3,
        manager: { id: 'x' },
        groups: ['a', 'b'],
        huge: 'x'.repeat(2000),
        active: true,
      }),
    ).toEqual({ employeeType: 'employee', workerType: 'employee', department: 'Finance', level: 3, active: true });
  });
});

describe('access digest', () => {
  it('reads back as what it was written from, with the same policy only', () => {
    const expectation = {
      held: [itemKey(ITEMS[3]!), itemKey(ITEMS[0]!)].sort(),
      absent: [itemKey(ITEMS[39]!)],
      unrevocable: [],
    };
    const digest = accessDigest(POLICY, expectation);
    expect(digest.length).toBeLessThanOrEqual(MAX_DIGEST_LENGTH);
    expect(digest).not.toMatch(/ROLE|ENTITLEMENT|[0-9a-f]{32}/);
    expect(readAccessDigest(POLICY, digest)).toEqual(expectation);
    const changed = policyOf({ rules: [{ name: 'all', grant: ITEMS.slice(1).map((i) => `${i.type}:${i.id}`) }] });
    expect(readAccessDigest(changed, digest)).toBeUndefined();
    expect(readAccessDigest(POLICY, undefined)).toBeUndefined();
    expect(readAccessDigest(POLICY, 'd1:nonsense')).toBeUndefined();
  });

  it('round-trips any expectation over the policy’s items, or says to ask the lifecycle', () => {
    const keys = policyItemKeys(POLICY);
    const subset = fc.subarray(keys).map((k) => [...k].sort());
    fc.assert(
      fc.property(subset, subset, subset, (held, absent, unrevocable) => {
        const digest = accessDigest(POLICY, { held, absent, unrevocable });
        const read = readAccessDigest(POLICY, digest);
        if (read) expect(read).toEqual({ held, absent, unrevocable });
        else expect(digest.endsWith(':*')).toBe(true);
      }),
    );
  });

  it('says to ask the lifecycle for an item outside the policy', () => {
    const outside = { held: [`ROLE:${id(999)}`], absent: [], unrevocable: [] };
    expect(readAccessDigest(POLICY, accessDigest(POLICY, outside))).toBeUndefined();
  });

  it('expects what is desired while employed, and not what the lifecycle owns and no longer desires', () => {
    const ledger = [
      holding(ITEMS[0]!, 'HELD'),
      holding(ITEMS[1]!, 'REVOKE_FAILED'),
      holding(ITEMS[2]!, 'UNREVOCABLE'),
      holding(ITEMS[3]!, 'PRESENT'),
      holding(ITEMS[4]!, 'REVOKE_SCHEDULED'),
    ];
    const desired = [ITEMS[0]!, ITEMS[5]!];
    const policy = expectationOf({ status: 'ACTIVE', desired, ledger, ownership: 'policy' });
    expect(policy).toEqual({
      held: [itemKey(ITEMS[0]!), itemKey(ITEMS[5]!)].sort(),
      absent: [itemKey(ITEMS[1]!), itemKey(ITEMS[3]!)].sort(),
      unrevocable: [itemKey(ITEMS[2]!)],
    });
    // Under granted, what the lifecycle found held is not its own; a leaver is expected to hold nothing.
    expect(expectationOf({ status: 'TERMINATED', desired, ledger, ownership: 'granted' })).toEqual({
      held: [],
      absent: [itemKey(ITEMS[0]!), itemKey(ITEMS[1]!)].sort(),
      unrevocable: [itemKey(ITEMS[2]!)],
    });
  });

  it('disagrees with ISC on a missing, an unexpected or an unrevocable item only', () => {
    const expectation = { held: ['A'], absent: ['B'], unrevocable: ['C'] };
    expect(disagrees(expectation, new Set(['A', 'X']))).toBe(false);
    expect(disagrees(expectation, new Set([]))).toBe(true);
    expect(disagrees(expectation, new Set(['A', 'B']))).toBe(true);
    expect(disagrees(expectation, new Set(['A', 'C']))).toBe(true);
  });
});

describe('confirmed findings', () => {
  const desired = [ITEMS[0]!, ITEMS[1]!, ITEMS[2]!];
  const standing = (holdings: Holding[]) => ({ active: true, desired, holdings, ownership: 'policy' as const });

  it('names what is missing, unexpected and unrevocable, judging only what has settled', () => {
    const holdings = [
      holding(ITEMS[0]!, 'HELD'),
      holding(ITEMS[1]!, 'GRANTING'),
      holding(ITEMS[2]!, 'FAILED'),
      holding(ITEMS[3]!, 'REVOKE_FAILED'),
      holding(ITEMS[4]!, 'UNREVOCABLE'),
      holding(ITEMS[5]!, 'REVOKE_SCHEDULED'),
      holding(ITEMS[6]!, 'PRESENT', { since: iso(T0 + 60_000), changeId: 'change-7' }),
      // Claimed, without a change of the lifecycle's: ISC's index already showed it, so it is judged at once.
      holding(ITEMS[7]!, 'HELD', { since: iso(T0 + 60_000), claimed: true }),
    ];
    const inIsc = new Set([ITEMS[3]!, ITEMS[4]!, ITEMS[5]!, ITEMS[6]!].map(itemKey));
    expect(confirmedFindings(standing(holdings), inIsc, T0)).toEqual([
      { finding: 'missing', item: ITEMS[0] },
      { finding: 'missing', item: ITEMS[2] },
      { finding: 'missing', item: ITEMS[7] },
      { finding: 'unexpected', item: ITEMS[3] },
      { finding: 'unrevocable', item: ITEMS[4] },
    ]);
    // Once the recent change has had time to reach ISC's index, it is judged too.
    expect(confirmedFindings(standing(holdings), inIsc, T0 + 60_000)).toContainEqual({
      finding: 'unexpected',
      item: ITEMS[6],
    });
  });

  it('finds nothing where ISC holds what is desired, and leaves access the lifecycle does not own alone', () => {
    const holdings = [holding(ITEMS[0]!, 'HELD'), holding(ITEMS[9]!, 'PRESENT')];
    const inIsc = new Set([...desired, ITEMS[9]!, ITEMS[20]!].map(itemKey));
    expect(confirmedFindings(standing(holdings), inIsc, T0)).toEqual([{ finding: 'unexpected', item: ITEMS[9] }]);
    expect(confirmedFindings({ ...standing(holdings), ownership: 'granted' }, inIsc, T0)).toEqual([]);
    // Not employed: nothing is expected to be held.
    expect(confirmedFindings({ ...standing([]), active: false }, new Set(), T0)).toEqual([]);
  });
});
