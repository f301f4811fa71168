/**
 * The lifecycle as people see it: its state, the timeline with what became of each event, what the
 * policy wants and what the lifecycle holds, what is scheduled. Pure; queries and the loop use it.
 */
import { ownershipOf, project, reconcile, type Projection } from '../../domain';
import type { EventStanding, LifecycleState, LifecycleView } from './contracts';
import { epochMs, isoAt } from '../clock';
import type { Lifecycle } from './lifecycle';

export function projectNow(life: Lifecycle, nowMs: number): Projection {
  return project(life.s.timeline, nowMs, life.s.baseline);
}

/** Whether the lifecycle is waiting for ISC to know the identity (and not for a person). */
export function waitingForIdentity(life: Lifecycle): boolean {
  return life.s.identityWait !== undefined && !life.s.identityWait.skippedUntilEvent && !life.s.operator;
}

export function lifecycleState(life: Lifecycle, projection: Projection): LifecycleState {
  if (life.s.operator) return 'AWAITING_OPERATOR';
  if (waitingForIdentity(life)) return 'WAITING_FOR_IDENTITY';
  if (projection.status === 'ACTIVE') return 'ACTIVE';
  if (projection.upcomingHire) return 'PENDING_HIRE';
  if (projection.status === 'TERMINATED') return 'TERMINATED';
  return 'NOT_HIRED';
}

export function lifecycleView(life: Lifecycle, nowMs: number): LifecycleView {
  const { s, input } = life;
  const projection = projectNow(life, nowMs);
  const ownership = life.policy ? ownershipOf(life.policy) : 'policy';
  const plan = life.policy
    ? reconcile({ now: nowMs, projection, policy: life.policy, ledger: s.ledger, trigger: 'timer', ownership })
    : undefined;
  const scheduled: LifecycleView['scheduled'] = [];
  for (const h of s.ledger) {
    if (h.state === 'REVOKE_SCHEDULED' && h.revokeAt)
      scheduled.push({ at: h.revokeAt, action: 'revoke', item: h.item });
  }
  for (const e of s.timeline) {
    const outcome = projection.outcomes[e.key];
    if (outcome?.state === 'pending') scheduled.push({ at: outcome.until, action: `apply ${e.type} ${e.key}` });
  }
  if (projection.upcomingHire && life.policy && life.policy.submitAheadMs > 0) {
    const at = isoAt(epochMs(projection.upcomingHire.at) - life.policy.submitAheadMs);
    if (epochMs(at) > nowMs) scheduled.push({ at, action: 'submit the hire’s grants ahead' });
  }
  scheduled.sort((a, b) => a.at.localeCompare(b.at));
  return {
    ref: input.ref,
    identity: input.identity,
    ...(s.iscIdentityId ? { iscIdentityId: s.iscIdentityId } : {}),
    state: lifecycleState(life, projection),
    attributes: projection.attributes,
    ...(projection.hiredAt ? { hiredAt: projection.hiredAt } : {}),
    ...(projection.terminatedAt ? { terminatedAt: projection.terminatedAt } : {}),
    timeline: [...s.timeline]
      .sort((a, b) => a.effectiveAt.localeCompare(b.effectiveAt) || a.key.localeCompare(b.key))
      .map((e) => ({
        key: e.key,
        type: e.type,
        effectiveAt: e.effectiveAt,
        receivedAt: e.receivedAt,
        ...(e.channel ? { channel: e.channel } : {}),
        outcome: projection.outcomes[e.key] ?? { state: 'ignored', reason: 'unknown' },
        duplicates: s.duplicates[e.key] ?? 0,
      })),
    desired: plan?.desired ?? [],
    holdings: s.ledger,
    scheduled,
    changes: s.changes,
    ...(s.operator ? { operator: s.operator } : {}),
    ...(s.policyHash ? { policyHash: s.policyHash } : {}),
    employment: projection.status,
    ownership,
    ...(s.adoptedAt ? { adoptedAt: s.adoptedAt } : {}),
  };
}

export function eventStanding(life: Lifecycle, nowMs: number, source: string, id: string): EventStanding | null {
  const key = `${source}/${id}`;
  const identity = { key: life.input.identity.value, ref: life.input.ref };
  const duplicates = life.s.duplicates[key] ?? 0;
  if (life.s.seen.includes(key))
    return { source, id, state: 'applied', detail: 'folded into the baseline', duplicates, identity };
  if (life.s.inbox.some((r) => r.event.source === source && r.event.id === id)) {
    return { source, id, state: 'pending', detail: 'received, being taken in', duplicates, identity };
  }
  if (!life.s.timeline.some((e) => e.key === key)) return null;
  const outcome = projectNow(life, nowMs).outcomes[key];
  switch (outcome?.state) {
    case 'pending':
      return { source, id, state: 'pending', pendingUntil: outcome.until, duplicates, identity };
    case 'rescinded':
      return { source, id, state: 'rescinded', detail: `by ${outcome.by}`, duplicates, identity };
    case 'ignored':
      return { source, id, state: 'ignored', detail: outcome.reason, duplicates, identity };
    default:
      return {
        source,
        id,
        state: 'applied',
        ...(outcome?.detail ? { detail: outcome.detail } : {}),
        duplicates,
        identity,
      };
  }
}
