/**
 * Reconciliation: what the policy wants an identity to hold now (desired) against what the lifecycle
 * itself granted (its ledger), turned into actions. Pure: the workflow runs it after every event, timer,
 * settled change or policy apply, and carries out what it returns.
 *
 * - Joiner: nothing is desired before the hire minus `submitAhead`; from then on the hire's access is
 *   desired, with `startDate` = the hire while the hire is still ahead.
 * - Mover: new access is granted at once; access a move takes away is revoked after its grace; moving
 *   back inside the grace cancels the pending revoke, so ISC sees no churn.
 * - Leaver (and a hire rescinded after it took effect): everything the lifecycle granted is revoked at
 *   once, grants still in flight are withdrawn, scheduled revokes are brought forward.
 * - Access the lifecycle did not grant (already held when it asked: PRESENT) is never revoked.
 * - A grant that failed (rejected, failed, cancelled) is asked again only on a new event or a policy
 *   apply, never on a timer: a person decided, or ISC could not, and a loop would not change that.
 */
import { desiredAccess, itemKey, type DesiredItem, type PolicyItem, type ResolvedPolicy } from '../policy';
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
  | 'REVOKE_FAILED';

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
}

/**
 * Whether a change the lifecycle started is still running for this holding (a grant, a revoke, or a grant
 * being withdrawn): its settled signal is still to come.
 */
export function changeInFlight(holding: Pick<Holding, 'state'>): boolean {
  return holding.state === 'GRANTING' || holding.state === 'REVOKING' || holding.state === 'WITHDRAWING';
}

export type Trigger = 'event' | 'timer' | 'settled' | 'apply';

export type LifecycleAction =
  | { kind: 'grant'; items: DesiredItem[]; startDate?: string }
  | { kind: 'withdraw'; item: PolicyItem; changeId: string }
  | { kind: 'schedule-revoke'; item: PolicyItem; at: string }
  | { kind: 'keep'; item: PolicyItem }
  | { kind: 'revoke'; item: PolicyItem }
  | { kind: 'forget'; item: PolicyItem };

export interface ReconcileInput {
  now: number;
  projection: Projection;
  policy: ResolvedPolicy;
  ledger: readonly Holding[];
  trigger: Trigger;
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

export function reconcile(input: ReconcileInput): ReconcilePlan {
  const { now, projection, policy, ledger, trigger } = input;
  const { desired, startDate } = desiredNow(input);
  const wanted = new Map(desired.map((d) => [itemKey(d), d]));
  const held = new Map(ledger.map((h) => [itemKey(h.item), h]));
  // Grace is for movers: someone who is not (or not yet, or no longer) employed keeps nothing extra.
  const immediate = projection.status !== 'ACTIVE';
  const retryFailures = trigger === 'event' || trigger === 'apply';
  const actions: LifecycleAction[] = [];
  const toGrant: DesiredItem[] = [];

  for (const [key, want] of wanted) {
    const holding = held.get(key);
    if (!holding) toGrant.push(want);
    else if (holding.state === 'FAILED' && retryFailures) toGrant.push(want);
    else if (holding.state === 'REVOKE_SCHEDULED' || holding.state === 'REVOKE_FAILED') {
      actions.push({ kind: 'keep', item: holding.item });
    }
    // GRANTING, HELD, PRESENT: as wanted. REVOKING, WITHDRAWING: reconciled again once that change settles.
  }
  for (const [key, holding] of held) {
    if (wanted.has(key)) continue;
    switch (holding.state) {
      case 'GRANTING':
        if (holding.changeId) actions.push({ kind: 'withdraw', item: holding.item, changeId: holding.changeId });
        break;
      case 'HELD': {
        const at = now + holding.graceMs;
        if (immediate || holding.graceMs <= 0) actions.push({ kind: 'revoke', item: holding.item });
        else actions.push({ kind: 'schedule-revoke', item: holding.item, at: iso(at) });
        break;
      }
      case 'REVOKE_SCHEDULED':
        if (immediate || (holding.revokeAt !== undefined && Date.parse(holding.revokeAt) <= now)) {
          actions.push({ kind: 'revoke', item: holding.item });
        }
        break;
      case 'REVOKE_FAILED':
        if (retryFailures) actions.push({ kind: 'revoke', item: holding.item });
        break;
      case 'PRESENT':
      case 'FAILED':
        actions.push({ kind: 'forget', item: holding.item });
        break;
      case 'REVOKING':
      case 'WITHDRAWING':
        break;
    }
  }
  if (toGrant.length > 0) actions.unshift({ kind: 'grant', items: toGrant, ...(startDate ? { startDate } : {}) });

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
  return {
    desired,
    ...(startDate ? { startDate } : {}),
    actions,
    ...(future.length > 0 ? { wakeAt: iso(Math.min(...future)) } : {}),
    immediate,
  };
}
