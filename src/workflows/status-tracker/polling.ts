/**
 * The tracker's status look-ups: requests whose turn has come (fresh ones every few seconds, old ones
 * rarely) are grouped so that one ISC call reads many of them, within the share of ISC's budget polling may
 * use; only the access changes whose items moved hear about it.
 */
import { log } from '@temporalio/workflow';
import type { ItemObservation, TrackedItem } from '../../activities/contracts';
import { chunkForStatus, pollIntervalMs, statusCallAllowance } from '../../domain';
import { epochMs, nowMs, workflowNow } from '../clock';
import type { trackerActivities } from './activities';
import type { TrackerSettings, TrackerState, Watch } from './contracts';

/** A round of the tracker's loop: how much of ISC's budget a round may use is scaled to it. */
export const ROUND_MS = 2000;

function dueAt(watch: Watch): number {
  const lastChange = epochMs(watch.lastChangeAt);
  if (!watch.lastPolledAt) return lastChange + 1000;
  return epochMs(watch.lastPolledAt) + pollIntervalMs(nowMs() - lastChange);
}

/** The next instant a watch falls due. */
export function nextPollAt(state: TrackerState): number | undefined {
  const times = Object.values(state.watches).map(dueAt);
  return times.length > 0 ? Math.min(...times) : undefined;
}

const sameItem = (a: TrackedItem, b: ItemObservation): boolean =>
  a.identityId === b.identityId && a.itemType === b.itemType && a.itemId === b.itemId;

function changed(before: TrackedItem, seen: ItemObservation): boolean {
  return (
    seen.outcome !== undefined ||
    seen.iscState !== before.iscState ||
    (seen.accessRequestId !== undefined && seen.accessRequestId !== before.accessRequestId)
  );
}

/** Looks at the watches that are due, within the budget; queues news for those whose items moved. */
export async function pollDue(
  state: TrackerState,
  settings: TrackerSettings,
  activities: ReturnType<typeof trackerActivities>,
): Promise<void> {
  const now = nowMs();
  const due = Object.entries(state.watches)
    .filter(([, w]) => dueAt(w) <= now)
    .sort(([, a], [, b]) => dueAt(a) - dueAt(b));
  if (due.length === 0) return;
  const allowance = statusCallAllowance({
    budgetPer10s: settings.budgetPer10s,
    roundMs: ROUND_MS,
    shards: settings.shards,
    submissionsWaiting: state.queue.length > 0,
  });
  const chunks = chunkForStatus(due.map(([key, w]) => ({ id: key, rows: w.items.length }))).slice(0, allowance);
  const results = await Promise.all(
    chunks.map(async (keys) => {
      const watches = keys.flatMap((key) => (state.watches[key] ? [[key, state.watches[key]] as const] : []));
      try {
        const { results } = await activities.checkStatusBatch({
          requests: watches.map(([, w]) => ({
            requestKey: w.requestKey,
            requestType: w.requestType,
            items: w.items,
            missingRowGraceMs: w.missingRowGraceMs,
            failWhenUnchanged: false,
          })),
        });
        return { watches, results };
      } catch (error) {
        // ISC could not be read for a day: those watches wait for the next turn, nothing is lost.
        log.warn('Status look-up failed', { watches: watches.length, error: String(error) });
        return { watches, results: undefined };
      }
    }),
  );
  for (const { watches, results: observed } of results) {
    state.counts.statusCalls += 1;
    watches.forEach(([key, watch], n) => {
      watch.lastPolledAt = workflowNow();
      const seen = observed?.[n];
      if (!seen) return;
      const moved = seen.filter((o) => {
        const before = watch.items.find((i) => sameItem(i, o));
        return before !== undefined && changed(before, o);
      });
      if (moved.length === 0) return;
      watch.lastChangeAt = workflowNow();
      for (const o of moved) {
        const item = watch.items.find((i) => sameItem(i, o));
        if (!item) continue;
        if (o.accessRequestId) item.accessRequestId = o.accessRequestId;
        if (o.iscState) item.iscState = o.iscState;
      }
      watch.items = watch.items.filter((i) => !moved.some((o) => o.outcome !== undefined && sameItem(i, o)));
      state.outbox.push({
        workflowId: watch.requester,
        news: { observations: [{ requestKey: watch.requestKey, chain: watch.chain, items: moved }] },
      });
      if (watch.items.length === 0) delete state.watches[key];
    });
  }
}
