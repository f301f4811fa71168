/**
 * Removals of what a grant gave: one per granted (identity, item) with a removal date. Each waits for its
 * date (any number of date changes can arrive meanwhile) and is then carried out: in `isc` mode ISC
 * removes it and iscflow only revokes what is still held after ISC's SLA; in `exact` mode iscflow revokes.
 * One durable timer per wait: a removal a year away costs a handful of history events.
 */
import { condition } from '@temporalio/workflow';
import { planAccessRequests, planItemKey, type PlannedRequest } from '../../domain';
import { msUntil } from '../clock';
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

export async function runRemovals(run: AccessRequestRun, ctx: SettleContext): Promise<void> {
  const { state, request, options } = run;
  const { holdsAccess } = iscActivities(options, state.tenant?.tracking);
  const dueAt = (r: RemovalState): number =>
    msUntil(r.removeDate) + (r.mode === 'isc' ? options.removalVerificationSeconds * 1000 : 0);

  /** Settles one follow-up ISC request (a revoke, or the grant with a new date) for a removal. */
  const follow = async (r: RemovalState, planned: PlannedRequest): Promise<ItemState> => {
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
  };

  const resendGrant = async (r: RemovalState): Promise<void> => {
    const wanted = state.removeDates[refKey(r.identityId, r.itemType, r.itemId)] ?? null;
    // Sent without removeDate only when the removal was cancelled on purpose: that is how ISC clears a sunset.
    const [planned] = planAccessRequests({
      requestType: 'GRANT_ACCESS',
      identityIds: [r.identityId],
      items: [{ type: r.itemType, id: r.itemId }],
      ...(wanted ? { removeDate: wanted } : {}),
      ...(request.comment ? { comment: request.comment } : {}),
    });
    r.resendGrant = false;
    if (!planned) return;
    const item = await follow(r, planned);
    if (item.outcome !== 'GRANTED' && item.outcome !== 'ALREADY_SATISFIED') {
      r.note = `ISC did not take the new date: ${item.outcome ?? 'unknown'}`;
    } else if (wanted === null) {
      r.status = 'KEPT';
    }
  };

  const remove = async (r: RemovalState): Promise<void> => {
    r.status = 'REMOVING';
    run.enter('REMOVING');
    const ref = { identityId: r.identityId, itemType: r.itemType, itemId: r.itemId };
    for (;;) {
      // In isc mode ISC should have removed it by now; only what is still held needs a revoke.
      if (r.mode === 'isc' && r.requests.every((q) => q.outcome !== 'REVOKED') && !(await holdsAccess(ref))) break;
      const [planned] = planAccessRequests({
        requestType: 'REVOKE_ACCESS',
        identityIds: [r.identityId],
        items: [{ type: r.itemType, id: r.itemId }],
        comment: `Scheduled removal by iscflow (removeDate ${r.removeDate})`,
      });
      if (!planned) return;
      const item = await follow(r, planned);
      if (item.outcome !== 'REVOKED' && item.outcome !== 'ALREADY_SATISFIED') {
        r.status = 'FAILED';
        r.note = `Revoke ended ${item.iscState ?? item.outcome ?? 'unknown'}${item.skippedReason ? ` (skipped: ${item.skippedReason})` : ''}`;
        return;
      }
      if (!(await holdsAccess(ref))) break;
      const verdict = await ctx.askOperator(
        `${r.itemType}:${r.itemId} is still held by ${r.identityId} after its revoke`,
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
  };

  for (;;) {
    run.removalChanges.pending = false;
    for (const r of state.removals.filter((x) => x.resendGrant)) await resendGrant(r);
    const pending = state.removals.filter((r) => r.status === 'SCHEDULED');
    if (pending.length === 0) return;
    run.enter('REMOVAL_SCHEDULED');
    await ctx.checkpoint();
    const next = Math.min(...pending.map(dueAt));
    if (next > 0) {
      await condition(() => run.removalChanges.pending, next);
      if (run.removalChanges.pending) continue;
    }
    for (const r of pending.filter((x) => dueAt(x) <= 0 && x.status === 'SCHEDULED')) await remove(r);
  }
}
