/**
 * Removals of what a grant gave: one per granted (identity, item) with a removal date. Each waits for its
 * date (any number of date changes can arrive meanwhile) and is then carried out: in `isc` mode ISC
 * removes it and iscflow only revokes what is still held after ISC's SLA; in `exact` mode iscflow revokes.
 * One durable timer per wait: a removal a year away costs a handful of history events.
 */
import { condition, isCancellation } from '@temporalio/workflow';
import { planAccessRequests, planItemKey, type PlannedRequest } from '../../domain';
import { msUntil } from '../clock';
import { failureMessage, failureType } from '../failures';
import type { AccessRequestActivities } from '../../activities/contracts';
import type { ItemState, RemovalState } from './contracts';
import { iscActivities } from './activities';
import type { AccessRequestRun } from './run';
import { newItemState } from './items';
import { settle, type SettleContext } from './settle';
import { refKey, removalModeFor } from './state';

/** After the grant settled: a scheduled removal for every granted item that has a removal date. */
export function scheduleRemovals(run: AccessRequestRun): void {
  const { state, request, options } = run;
  if (!run.isGrant || state.removals.length > 0) return;
  const exact = request.items.some((i) => removalModeFor(options, i.type) === 'exact');
  for (const item of state.items) {
    const removeDate = state.removeDates[refKey(item.identityId, item.itemType, item.itemId)];
    if (!removeDate || (item.outcome !== 'GRANTED' && item.outcome !== 'ALREADY_SATISFIED')) continue;
    const mode = exact ? 'exact' : 'isc';
    const submittedDate = request.items.find((i) => i.type === item.itemType && i.id === item.itemId)?.removeDate;
    state.removals.push({
      identityId: item.identityId,
      itemType: item.itemType,
      itemId: item.itemId,
      removeDate,
      mode,
      status: 'SCHEDULED',
      // The date changed while the grant was in flight: ISC holds the old one until told.
      resendGrant: mode === 'isc' && removeDate !== submittedDate,
      requests: [],
    });
  }
}

/** Waits for each scheduled removal's date (date changes wake the wait) and carries it out. */
export async function runRemovals(run: AccessRequestRun, ctx: SettleContext): Promise<void> {
  const { state, options } = run;
  const { holdsAccess } = iscActivities(options, state.tenant?.tracking);
  for (;;) {
    run.removalChanges.pending = false;
    for (const r of state.removals.filter((x) => x.resendGrant)) await resendGrant(run, ctx, r);
    const pending = state.removals.filter((r) => r.status === 'SCHEDULED');
    if (pending.length === 0) return;
    run.enter('REMOVAL_SCHEDULED');
    await ctx.checkpoint();
    const next = Math.min(...pending.map((r) => dueIn(run, r)));
    if (next > 0) {
      await condition(() => run.removalChanges.pending, next);
      if (run.removalChanges.pending) continue;
    }
    for (const r of pending.filter((x) => dueIn(run, x) <= 0 && x.status === 'SCHEDULED')) {
      await remove(run, ctx, holdsAccess, r);
    }
  }
}

/** Milliseconds until a removal is due: its date, plus ISC's SLA when ISC carries it out. */
function dueIn(run: AccessRequestRun, r: RemovalState): number {
  return msUntil(r.removeDate) + (r.mode === 'isc' ? run.options.removalVerificationSeconds * 1000 : 0);
}

/** Settles one follow-up ISC request (a revoke, or the grant with a new date) for a removal. */
async function follow(ctx: SettleContext, r: RemovalState, planned: PlannedRequest): Promise<ItemState> {
  const item = newItemState(
    planItemKey(planned.key, r.identityId, r.itemType, r.itemId),
    r.identityId,
    r.itemType,
    r.itemId,
  );
  r.requests.push(item);
  await settle(
    ctx,
    planned,
    { items: [item], automaticRetriesUsed: 0 },
    { omitRemoveDate: false, omitStartDate: true },
  );
  return item;
}

/** In `isc` mode after a date change: the grant goes to ISC again with the date now wanted (or none). */
async function resendGrant(run: AccessRequestRun, ctx: SettleContext, r: RemovalState): Promise<void> {
  const wanted = run.state.removeDates[refKey(r.identityId, r.itemType, r.itemId)] ?? null;
  // Sent without removeDate only when the removal was cancelled on purpose: that is how ISC clears a sunset.
  const [planned] = planAccessRequests({
    requestType: 'GRANT_ACCESS',
    identityIds: [r.identityId],
    items: [{ type: r.itemType, id: r.itemId }],
    ...(wanted ? { removeDate: wanted } : {}),
    ...(run.request.comment ? { comment: run.request.comment } : {}),
  });
  r.resendGrant = false;
  if (!planned) return;
  const item = await follow(ctx, r, planned);
  if (item.outcome !== 'GRANTED' && item.outcome !== 'ALREADY_SATISFIED') {
    r.note = `ISC did not take the new date: ${item.outcome ?? 'unknown'}`;
  } else if (wanted === null) {
    r.status = 'KEPT';
  }
}

type HoldsAccess = AccessRequestActivities['holdsAccess'];

/**
 * Whether ISC shows the access still held. When ISC cannot say for good (down past the escalation
 * setting, credentials refused) a person decides: `retry` asks again, anything else gives up (undefined).
 */
async function stillHeld(ctx: SettleContext, holdsAccess: HoldsAccess, r: RemovalState): Promise<boolean | undefined> {
  const ref = { identityId: r.identityId, itemType: r.itemType, itemId: r.itemId };
  for (;;) {
    try {
      return await holdsAccess(ref);
    } catch (error) {
      if (isCancellation(error)) throw error;
      const reason = `ISC could not say whether ${r.identityId} still holds ${r.itemType}:${r.itemId}: ${failureMessage(error)}`;
      const verdict = await ctx.askOperator({ code: failureType(error) ?? 'TRACKING_FAILED', reason }, [], false);
      if (verdict !== 'retry') return undefined;
    }
  }
}

/** Revokes what is still held (in `isc` mode ISC should have removed it already) until it is gone. */
async function remove(
  run: AccessRequestRun,
  ctx: SettleContext,
  holdsAccess: HoldsAccess,
  r: RemovalState,
): Promise<void> {
  r.status = 'REMOVING';
  run.enter('REMOVING');
  const unknown = (): void => {
    r.status = 'FAILED';
    r.note = 'ISC could not say whether it is still held';
  };
  for (;;) {
    // In isc mode ISC should have removed it by now; only what is still held needs a revoke.
    if (r.mode === 'isc' && r.requests.every((q) => q.outcome !== 'REVOKED')) {
      const held = await stillHeld(ctx, holdsAccess, r);
      if (held === undefined) return unknown();
      if (!held) break;
    }
    const [planned] = planAccessRequests({
      requestType: 'REVOKE_ACCESS',
      identityIds: [r.identityId],
      items: [{ type: r.itemType, id: r.itemId }],
      comment: `Scheduled removal by iscflow (removeDate ${r.removeDate})`,
    });
    if (!planned) return;
    const item = await follow(ctx, r, planned);
    if (item.outcome !== 'REVOKED' && item.outcome !== 'ALREADY_SATISFIED') {
      r.status = 'FAILED';
      r.note = `Revoke ended ${item.iscState ?? item.outcome ?? 'unknown'}${item.skippedReason ? ` (skipped: ${item.skippedReason})` : ''}`;
      return;
    }
    const held = await stillHeld(ctx, holdsAccess, r);
    if (held === undefined) return unknown();
    if (!held) break;
    const verdict = await ctx.askOperator(
      { code: 'STILL_HELD', reason: `${r.itemType}:${r.itemId} is still held by ${r.identityId} after its revoke` },
      [item],
      false,
    );
    if (verdict !== 'retry') {
      r.status = 'FAILED';
      r.note = 'Still held after the revoke';
      return;
    }
  }
  r.status = 'REMOVED';
}
