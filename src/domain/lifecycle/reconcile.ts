/**
 * Reconciliation: what the policy wants an identity to hold now (desired) against what the lifecycle
 * holds (its ledger), turned into actions. Pure: the workflow runs it after every event, timer, settled
 * change, policy apply or drift repair, and carries out what it returns.
 *
 * - Joiner: nothing is desired before the hire minus `submitAhead`; from then on the hire's access is
 *   desired, with `startDate` = the hire while the hire is still ahead.
 * - Mover: new access is granted at once; access a move takes away is revoked after its grace; moving
 *   back inside the grace cancels the pending revoke, so ISC sees no churn.
 * - Leaver (and a hire rescinded after it took effect): everything the lifecycle owns is revoked at
 *   once, grants still in flight are withdrawn, scheduled revokes are brought forward.
 * - Ownership: under `policy` the lifecycle owns what the policy gives, whoever granted it: access found
 *   already held (PRESENT, or claimed at adoption) is revoked like its own grants when it stops being
 *   desired. Under `granted` it owns only what it granted itself; what it found held is never revoked.
 *   Access the policy never desired is never touched (only `leaver.revokeAll` adopts it).
 * - Access ISC will not let a request revoke (held through a role or birthright) is marked UNREVOCABLE
 *   instead of being revoked. Before revoking access it did not grant itself, the lifecycle asks ISC
 *   whether it may (`check`), unless ISC already said.
 * - A grant that failed, a revoke that failed and access ISC would not let go are tried again only on a new
 *   event, a policy apply or a drift repair, never on a timer: a person decided, or ISC could not, and a
 *   loop would not change that.
 */
import {
  desiredAccess,
  itemKey,
  type DesiredItem,
  type Ownership,
  type PolicyItem,
  type ResolvedPolicy,
} from '../policy';
import type { Projection } from './timeline';

export type HoldingState =
  /** A grant change is running for it. */
  | 'GRANTING'
  /** The lifecycle granted it. */
  | 'HELD'
  /** Already held when the lifecycle asked: not the lifecycle's to revoke. */
  | 'PRESENT'
  /** Granted; a move took it away; revoked at `revokeAt` unless it becomes desired again. */
  | 'REVOKE_SCHEDULED'
  /** A revoke change is running for it. */
  | 'REVOKING'
  /** A grant in flight is being withdrawn (its change cancelled). */
  | 'WITHDRAWING'
  /** The grant ended without the access (rejected, failed, cancelled). */
  | 'FAILED'
  /** The revoke ended without removing the access; retried on the next event or policy apply. */
  | 'REVOKE_FAILED'
  /**
   * No longer desired, but ISC will not let an access request revoke it (it came with a role or by
   * birthright): left alone; ISC is asked again on the next event, policy apply or drift repair.
   */
  | 'UNREVOCABLE';

export interface Holding {
  item: PolicyItem;
  state: HoldingState;
  /** The change (workflow id) acting on it now, or that last did. */
  changeId?: string;
  /** When a scheduled revoke falls due. */
  revokeAt?: string;
  /** The grace it was last desired with. */
  graceMs: number;
  /** The start date a grant submitted ahead of the hire carries. */
  startDate?: string;
  /** The last outcome and a short reason, for `identity show`. */
  note?: string;
  since: string;
  /** Held before the lifecycle asked (at adoption, or a grant ISC found satisfied) and claimed as its own. */
  claimed?: boolean;
  /** Whether an access request may revoke it, when ISC has said (false: it came with a role or birthright). */
  revocable?: boolean;
}

/**
 * Whether a change the lifecycle started is still running for this holding (a grant, a revoke, or a grant
 * being withdrawn): its settled signal is still to come.
 */
export function changeInFlight(holding: Pick<Holding, 'state'>): boolean {
  return holding.state === 'GRANTING' || holding.state === 'REVOKING' || holding.state === 'WITHDRAWING';
}

/** What made the lifecycle reconcile: news, a timer, a settled change, `policy apply`, a drift repair, or its adoption. */
export type Trigger = 'event' | 'timer' | 'settled' | 'apply' | 'drift' | 'adopt';

/** Triggers on which what failed (grants, revokes, access ISC would not let go) is tried again. */
const RETRYING: ReadonlySet<Trigger> = new Set<Trigger>(['event', 'apply', 'drift']);

/** Whether the lifecycle's own request granted it (not found held, not claimed). */
export function grantedByLifecycle(holding: Pick<Holding, 'state' | 'claimed'>): boolean {
  return holding.state !== 'PRESENT' && holding.state !== 'UNREVOCABLE' && holding.claimed !== true;
}

/** Whether the holding is the lifecycle's to revoke once it is no longer desired. */
export function ownedBy(ownership: Ownership, holding: Pick<Holding, 'state' | 'claimed'>): boolean {
  return ownership === 'policy' || grantedByLifecycle(holding);
}

export type LifecycleAction =
  | { kind: 'grant'; items: DesiredItem[]; startDate?: string }
  | { kind: 'withdraw'; item: PolicyItem; changeId: string }
  | { kind: 'schedule-revoke'; item: PolicyItem; at: string }
  | { kind: 'keep'; item: PolicyItem }
  | { kind: 'revoke'; item: PolicyItem }
  | { kind: 'unrevocable'; item: PolicyItem }
  | { kind: 'forget'; item: PolicyItem };

export interface ReconcileInput {
  now: number;
  projection: Projection;
  policy: ResolvedPolicy;
  ledger: readonly Holding[];
  trigger: Trigger;
  ownership: Ownership;
  /** Items whose revocability ISC was just asked about (`check`): not asked again in this round. */
  checked?: ReadonlySet<string>;
}

export interface ReconcilePlan {
  desired: DesiredItem[];
  /** Set while the hire is ahead: grants carry it as their start date. */
  startDate?: string;
  actions: LifecycleAction[];
  /** The next instant reconciliation must run again by itself (a pending event, a submit-ahead, a grace). */
  wakeAt?: string;
  /** Whether removals happen at once (no one is employed) rather than after a mover's grace. */
  immediate: boolean;
  /**
   * Items due for revocation that the lifecycle did not grant itself, whose revocability ISC must be asked
   * first; their revokes are not in `actions` until it has been (then plan again with them `checked`).
   */
  check: PolicyItem[];
}

const iso = (at: number): string => new Date(at).toISOString();

/** What should be held now, and from when (a start date while the hire is still ahead). */
function desiredNow({ now, projection, policy }: Pick<ReconcileInput, 'now' | 'projection' | 'policy'>): {
  desired: DesiredItem[];
  startDate?: string;
} {
  if (projection.status === 'ACTIVE') return { desired: desiredAccess(policy, projection.attributes) };
  const hire = projection.upcomingHire;
  if (hire && Date.parse(hire.at) - policy.submitAheadMs <= now) {
    return { desired: desiredAccess(policy, hire.attributes), startDate: hire.at };
  }
  return { desired: [] };
}

/** What reconciling one holding that is no longer desired adds to the plan. */
interface Removal {
  holding: Holding;
  input: ReconcileInput;
  immediate: boolean;
  actions: LifecycleAction[];
  check: PolicyItem[];
}

/**
 * A revoke of access the lifecycle did not grant itself waits until ISC has said it may (`check`); what ISC
 * said is trusted until news comes, when access it would not let go is asked about again.
 */
function revokeOrCheck({ holding, input, actions, check }: Removal): void {
  const asked = input.checked?.has(itemKey(holding.item)) ?? false;
  const known = asked || holding.state !== 'UNREVOCABLE' ? holding.revocable : undefined;
  if (known === false) {
    if (holding.state !== 'UNREVOCABLE') actions.push({ kind: 'unrevocable', item: holding.item });
  } else if (known === true || grantedByLifecycle(holding)) actions.push({ kind: 'revoke', item: holding.item });
  else if (!asked) check.push(holding.item);
}

function remove(removal: Removal): void {
  const { holding, input, immediate, actions } = removal;
  const { state, item } = holding;
  if (state === 'GRANTING') {
    if (holding.changeId) actions.push({ kind: 'withdraw', item, changeId: holding.changeId });
  } else if (state === 'REVOKING' || state === 'WITHDRAWING') {
    // Reconciled again once that change settles.
  } else if (state === 'FAILED' || !ownedBy(input.ownership, holding)) {
    actions.push({ kind: 'forget', item });
  } else if (state === 'HELD' || state === 'PRESENT') {
    if (holding.revocable === false) actions.push({ kind: 'unrevocable', item });
    else if (immediate || holding.graceMs <= 0) revokeOrCheck(removal);
    else actions.push({ kind: 'schedule-revoke', item, at: iso(input.now + holding.graceMs) });
  } else if (state === 'REVOKE_SCHEDULED') {
    if (immediate || (holding.revokeAt !== undefined && Date.parse(holding.revokeAt) <= input.now))
      revokeOrCheck(removal);
  } else if (RETRYING.has(input.trigger)) {
    // REVOKE_FAILED and UNREVOCABLE: tried again only on news, never on a timer.
    if (state === 'REVOKE_FAILED') actions.push({ kind: 'revoke', item });
    else revokeOrCheck(removal);
  }
}

/** The next instant reconciliation must run again by itself, if any. */
function nextWake(input: ReconcileInput, actions: readonly LifecycleAction[]): string | undefined {
  const { now, projection, policy, ledger } = input;
  const wakes: number[] = [];
  if (projection.nextAt) wakes.push(Date.parse(projection.nextAt));
  const hire = projection.upcomingHire;
  if (hire && projection.status !== 'ACTIVE') {
    const ahead = Date.parse(hire.at) - policy.submitAheadMs;
    if (ahead > now) wakes.push(ahead);
  }
  for (const action of actions) if (action.kind === 'schedule-revoke') wakes.push(Date.parse(action.at));
  for (const holding of ledger) {
    const scheduled = holding.state === 'REVOKE_SCHEDULED' && holding.revokeAt ? Date.parse(holding.revokeAt) : NaN;
    if (scheduled > now && !actions.some((a) => a.kind === 'keep' && itemKey(a.item) === itemKey(holding.item)))
      wakes.push(scheduled);
  }
  const future = wakes.filter((w) => w > now);
  return future.length > 0 ? iso(Math.min(...future)) : undefined;
}

export function reconcile(input: ReconcileInput): ReconcilePlan {
  const { projection, ledger, trigger } = input;
  const { desired, startDate } = desiredNow(input);
  const wanted = new Map(desired.map((d) => [itemKey(d), d]));
  const held = new Map(ledger.map((h) => [itemKey(h.item), h]));
  // Grace is for movers: someone who is not (or not yet, or no longer) employed keeps nothing extra.
  const immediate = projection.status !== 'ACTIVE';
  const actions: LifecycleAction[] = [];
  const check: PolicyItem[] = [];
  const toGrant: DesiredItem[] = [];

  for (const [key, want] of wanted) {
    const holding = held.get(key);
    if (!holding) toGrant.push(want);
    else if (holding.state === 'FAILED' && RETRYING.has(trigger)) toGrant.push(want);
    else if (['REVOKE_SCHEDULED', 'REVOKE_FAILED', 'UNREVOCABLE'].includes(holding.state)) {
      actions.push({ kind: 'keep', item: holding.item });
    }
    // GRANTING, HELD, PRESENT: as wanted. REVOKING, WITHDRAWING: reconciled again once that change settles.
  }
  for (const [key, holding] of held) {
    if (!wanted.has(key)) remove({ holding, input, immediate, actions, check });
  }
  if (toGrant.length > 0) actions.unshift({ kind: 'grant', items: toGrant, ...(startDate ? { startDate } : {}) });
  const wakeAt = nextWake(input, actions);
  return { desired, ...(startDate ? { startDate } : {}), actions, ...(wakeAt ? { wakeAt } : {}), immediate, check };
}
