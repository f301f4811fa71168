/**
 * Withdrawing a change: what happens when its workflow is cancelled (an identity's lifecycle no longer
 * wants a grant still in flight, or an operator pressed "Request Cancellation" in the Temporal UI).
 * Requests still open in ISC are cancelled (before approval) or closed (after), ISC is asked once more
 * so that an item that completed meanwhile is reported as it is, and every other open item ends
 * CANCELLED. A scheduled removal is dropped: the access stays, and the result says so.
 */
import type { ItemState } from './contracts';
import { workflowNow } from '../clock';
import type { AccessRequestRun } from './run';
import { applyObservation, trackedItems } from './items';
import { cancelInIsc, type SettleContext } from './settle';

const REASON = 'withdrawn: the change was cancelled before it completed';

async function observe(run: AccessRequestRun, ctx: SettleContext, items: ItemState[]): Promise<void> {
  const tracked = items.filter((i) => i.submittedAt !== undefined);
  if (tracked.length === 0) return;
  const { items: seen } = await ctx.activities.checkStatus({
    requestKey: run.request.key,
    requestType: run.request.requestType,
    items: trackedItems(tracked),
    missingRowGraceMs: run.options.missingRowGraceSeconds * 1000,
    failWhenUnchanged: false,
  });
  seen.forEach((observation) => applyObservation(items, observation));
}

export async function withdraw(run: AccessRequestRun, ctx: SettleContext): Promise<void> {
  const { state } = run;
  state.operator = undefined;
  state.withdrawnAt = workflowNow();
  run.enter('WITHDRAWING');
  const open = state.items.filter((i) => i.outcome === undefined);
  // Ids first (an answer lost with the cancellation is found again by its correlation keys), then cancel.
  await observe(run, ctx, open);
  const stillOpen = open.filter((i) => i.outcome === undefined);
  const followUps = state.removals.flatMap((r) => r.requests).filter((i) => i.outcome === undefined);
  await cancelInIsc(ctx.activities, [...stillOpen, ...followUps], REASON);
  await observe(run, ctx, stillOpen);
  for (const item of [...open, ...followUps]) {
    if (item.outcome !== undefined) continue;
    item.outcome = 'CANCELLED';
    item.errorMessages = [...item.errorMessages, `Withdrawn: the change was cancelled before it completed`];
  }
  for (const removal of state.removals) {
    if (removal.status !== 'SCHEDULED' && removal.status !== 'REMOVING') continue;
    removal.status = 'KEPT';
    removal.note = 'The change was cancelled: its removal was dropped and the access stays';
  }
}
