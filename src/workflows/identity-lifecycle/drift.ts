/**
 * Drift repairs and revocability in a lifecycle. A drift sweep that found what ISC holds unlike what the
 * lifecycle says sends `repairDrift`: the lifecycle stops believing it holds what is missing and reconciles
 * at once (cause `drift`). Before revoking access it did not grant itself, it asks ISC whether a request
 * may (one search call): access that came with a role or by birthright is marked UNREVOCABLE instead of
 * being sent to ISC to be refused.
 */
import { log } from '@temporalio/workflow';
import { itemKey, reconcile, type ReconcilePlan, type Trigger } from '../../domain';
import { nowMs } from '../clock';
import { lifecycleIsc } from './activities';
import type { Lifecycle } from './lifecycle';
import { ownershipNow } from './ownership';
import { projectNow } from './view';

/**
 * Takes in the drift repairs that arrived: what is missing in ISC is no longer held as far as the lifecycle
 * knows, so reconciliation asks for it again. Returns whether there was any.
 */
export function takeRepairs(life: Lifecycle): boolean {
  const open = life.repairs.filter((r) => !r.taken);
  for (const ticket of open) {
    const missing = new Set(ticket.request.missing.map(itemKey));
    life.s.ledger = life.s.ledger.filter(
      (h) => !(missing.has(itemKey(h.item)) && (h.state === 'HELD' || h.state === 'PRESENT')),
    );
    ticket.taken = true;
  }
  return open.length > 0;
}

/** The repairs taken in are done once their round has been carried out: the Update then answers with it. */
export function finishRepairs(life: Lifecycle): void {
  for (const ticket of life.repairs) if (ticket.taken) ticket.done = true;
  life.repairs = life.repairs.filter((r) => !r.done);
}

/**
 * The plan once ISC has said which of the access due for revocation that the lifecycle did not grant may be
 * revoked: what it no longer holds is forgotten, the rest marked with what ISC said, and the round planned
 * again. When ISC cannot be asked, those revokes wait for the next news.
 */
export async function withRevocability(life: Lifecycle, plan: ReconcilePlan, trigger: Trigger): Promise<ReconcilePlan> {
  const { s, policy } = life;
  if (plan.check.length === 0 || !s.iscIdentityId || !policy) return plan;
  let held;
  try {
    held = await lifecycleIsc(s.tenant?.tracking).heldAccess({ identityId: s.iscIdentityId, items: plan.check });
  } catch (error) {
    log.warn('Could not ask ISC whether access may be revoked', { error: String(error) });
    return { ...plan, check: [] };
  }
  const answers = new Map(held.map((a) => [itemKey(a), a]));
  const asked = new Set(plan.check.map(itemKey));
  s.ledger = s.ledger.flatMap((h) => {
    const key = itemKey(h.item);
    if (!asked.has(key)) return [h];
    const answer = answers.get(key);
    // ISC no longer holds it: nothing to revoke.
    if (!answer) return [];
    return [{ ...h, revocable: answer.revocable ?? true }];
  });
  const projection = projectNow(life, nowMs());
  const ledger = s.ledger;
  return reconcile({
    now: nowMs(),
    projection,
    policy,
    ledger,
    trigger,
    ownership: ownershipNow(life),
    checked: asked,
  });
}
