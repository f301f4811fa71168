/**
 * Drift: what ISC holds for a managed identity against what its lifecycle says it should hold. Pure, so the
 * lifecycle (which publishes its expectation) and the sweep (which reads it back and compares it with ISC's
 * search index) share one definition.
 *
 * The expectation travels in a compact search attribute, `IscflowAccessDigest`, so that a sweep can tell an
 * identity that did not drift from visibility and one ISC read alone, without querying (a billed action)
 * its lifecycle: the policy's hash and, as indices into the policy's sorted item list, what must be held,
 * what must not, and what ISC would not let go. No names, no attributes: ids of policy items by position.
 * Only a candidate (a difference, a digest of another policy, or one too long to publish) is queried, and
 * the findings come from that answer (`confirmedFindings`), never from the digest alone.
 */
import { changeInFlight, ownedBy, type Holding } from './reconcile';
import { itemKey, policyItemKeys, type Ownership, type PolicyItem, type ResolvedPolicy } from '../policy';
import type { EmploymentStatus } from './timeline';

export const DRIFT_FINDINGS = ['missing', 'unexpected', 'unrevocable'] as const;
/**
 * `missing`: desired (or HELD), not held in ISC, no change in flight. `unexpected`: held in ISC, the
 * lifecycle's own, no longer desired, nothing scheduled or in flight. `unrevocable`: held, no longer
 * desired, and ISC will not let a request revoke it (a person must remove what grants it); never repaired.
 */
export type DriftFinding = (typeof DRIFT_FINDINGS)[number];

/** What a lifecycle expects of ISC, by item key (`TYPE:id`). */
export interface AccessExpectation {
  held: string[];
  absent: string[];
  unrevocable: string[];
}

/** Search attribute values are at most this long (SQL visibility stores Keywords in 255 characters). */
export const MAX_DIGEST_LENGTH = 250;
const DIGEST_VERSION = 'd1';
/** Stands for "ask the lifecycle": the expectation names items outside the policy, or is too long. */
const ASK = '*';

/** What the lifecycle expects, from what it desires now (while employed) and its ledger. */
export function expectationOf({
  status,
  desired,
  ledger,
  ownership,
}: {
  status: EmploymentStatus;
  desired: readonly PolicyItem[];
  ledger: readonly Holding[];
  ownership: Ownership;
}): AccessExpectation {
  const wanted = new Set(status === 'ACTIVE' ? desired.map(itemKey) : []);
  const absent: string[] = [];
  const unrevocable: string[] = [];
  for (const holding of ledger) {
    const key = itemKey(holding.item);
    if (wanted.has(key)) continue;
    if (holding.state === 'UNREVOCABLE') unrevocable.push(key);
    else if (['HELD', 'PRESENT', 'REVOKE_FAILED'].includes(holding.state) && ownedBy(ownership, holding))
      absent.push(key);
  }
  return { held: [...wanted].sort(), absent: absent.sort(), unrevocable: unrevocable.sort() };
}

/** The expectation as the digest publishes it: `d1:<policy hash>:<held>:<absent>:<unrevocable>`, base-36 indices. */
export function accessDigest(policy: Pick<ResolvedPolicy, 'hash' | 'rules'>, expectation: AccessExpectation): string {
  const index = new Map(policyItemKeys(policy).map((key, n) => [key, n]));
  const ask = `${DIGEST_VERSION}:${policy.hash}:${ASK}`;
  const lists: string[] = [];
  for (const keys of [expectation.held, expectation.absent, expectation.unrevocable]) {
    const positions = keys.map((key) => index.get(key));
    if (positions.some((n) => n === undefined)) return ask;
    lists.push((positions as number[]).map((n) => n.toString(36)).join('.'));
  }
  const digest = `${DIGEST_VERSION}:${policy.hash}:${lists.join(':')}`;
  return digest.length <= MAX_DIGEST_LENGTH ? digest : ask;
}

/**
 * The expectation a digest stands for, read with the policy it was written with; undefined when it cannot
 * be read that way (another policy, "ask the lifecycle", a digest from before there were digests).
 */
export function readAccessDigest(
  policy: Pick<ResolvedPolicy, 'hash' | 'rules'>,
  digest: string | undefined,
): AccessExpectation | undefined {
  const parts = digest?.split(':');
  if (parts?.length !== 5 || parts[0] !== DIGEST_VERSION || parts[1] !== policy.hash) return undefined;
  const keys = policyItemKeys(policy);
  const read = (list: string): string[] | undefined => {
    if (list === '') return [];
    const found = list.split('.').map((n) => keys[parseInt(n, 36)]);
    return found.every((k): k is string => k !== undefined) ? found : undefined;
  };
  const [held, absent, unrevocable] = parts.slice(2).map(read);
  return held && absent && unrevocable ? { held, absent, unrevocable } : undefined;
}

/** Whether the expectation and what ISC holds (item keys) disagree: the lifecycle is then asked. */
export function disagrees(expectation: AccessExpectation, heldInIsc: ReadonlySet<string>): boolean {
  return (
    expectation.held.some((key) => !heldInIsc.has(key)) ||
    expectation.absent.some((key) => heldInIsc.has(key)) ||
    expectation.unrevocable.some((key) => heldInIsc.has(key))
  );
}

/** One finding of a sweep: an item of one identity. */
export interface ItemFinding {
  finding: DriftFinding;
  item: PolicyItem;
}

/** What a lifecycle's `status` query tells the sweep, in the shape it needs. */
export interface LifecycleStanding {
  /** Employment as the lifecycle projects it now (`ACTIVE` when its state is). */
  active: boolean;
  desired: readonly PolicyItem[];
  holdings: readonly Holding[];
  ownership: Ownership;
}

/**
 * The findings for one identity from its lifecycle's own answer and ISC's read. A holding a change of the
 * lifecycle's settled after `settledBefore` is not judged (ISC's search index lags behind the changes ISC
 * makes); neither is one with a change in flight or a revoke scheduled. What the lifecycle claimed without
 * a change is judged at once: ISC's index already showed it.
 */
export function confirmedFindings(
  standing: LifecycleStanding,
  heldInIsc: ReadonlySet<string>,
  settledBefore: number,
): ItemFinding[] {
  const byKey = new Map(standing.holdings.map((h) => [itemKey(h.item), h]));
  const wanted = new Map(standing.active ? standing.desired.map((d) => [itemKey(d), d]) : []);
  const settled = (h: Holding | undefined): boolean =>
    !h ||
    (!changeInFlight(h) &&
      h.state !== 'REVOKE_SCHEDULED' &&
      (h.changeId === undefined || Date.parse(h.since) <= settledBefore));
  const findings: ItemFinding[] = [];
  const expected = new Map(wanted);
  for (const h of standing.holdings) if (h.state === 'HELD') expected.set(itemKey(h.item), h.item);
  for (const [key, item] of expected) {
    if (!heldInIsc.has(key) && settled(byKey.get(key)))
      findings.push({ finding: 'missing', item: { type: item.type, id: item.id } });
  }
  for (const h of standing.holdings) {
    const key = itemKey(h.item);
    if (wanted.has(key) || !heldInIsc.has(key) || !settled(h)) continue;
    if (h.state === 'UNREVOCABLE') findings.push({ finding: 'unrevocable', item: h.item });
    else if (['HELD', 'PRESENT', 'REVOKE_FAILED'].includes(h.state) && ownedBy(standing.ownership, h))
      findings.push({ finding: 'unexpected', item: h.item });
  }
  return findings;
}
