/**
 * The tracker's status look-ups: requests whose turn has come (fresh ones every few seconds, old ones
 * rarely) are grouped so that one ISC call reads many of them, within the share of ISC's budget polling may
 * use; only the access changes whose items moved hear about it.
 *
 * On current tenants most of them are not read by id at all: one read of ISC's status feed (the rows
 * modified since the last round, newest first) says which moved, and a request the feed has followed since
 * it was last read by id, and that is not among the rows, has not moved. Each request is still read by id
 * now and then, and whenever the feed cannot vouch for it.
 */
import { log, patched } from '@temporalio/workflow';
import type { ItemObservation, TrackedItem } from '../../activities/contracts';
import { chunkForStatus, pollIntervalMs, statusCallAllowance } from '../../domain';
import { epochMs, nowMs, workflowNow } from '../clock';
import type { trackerActivities } from './activities';
import type { TrackerSettings, TrackerState, Watch } from './contracts';

/** A round of the tracker's loop: how much of ISC's budget a round may use is scaled to it. */
export const ROUND_MS = 2000;

/** Trackers that started before the status feed existed read every request by id until they continue as new. */
export const STATUS_FEED_PATCH = 'status-feed';

/** However well the feed follows a request, it is read by id at least this often: ISC's rows are the truth. */
export const READ_BY_ID_AT_LEAST_EVERY_MS = 10 * 60_000;

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

type Keyed = readonly [string, Watch];

/** The observations of a watch's items that differ from what it knew: its access change hears of them. */
function note(state: TrackerState, key: string, watch: Watch, seen: ItemObservation[]): void {
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
}

/** Whether the feed could speak for a watch: every item has its request id and a row (or is young), and it
 * was read by id (or submitted) lately. */
function feedCandidate(watch: Watch): boolean {
  if (!watch.lastReadAt || nowMs() - epochMs(watch.lastReadAt) >= READ_BY_ID_AT_LEAST_EVERY_MS) return false;
  return watch.items.every(
    (i) =>
      i.accessRequestId !== undefined &&
      (i.iscState !== undefined || nowMs() - epochMs(i.submittedAt) < watch.missingRowGraceMs),
  );
}

/**
 * One read of the status feed, on a round where a watch it may speak for is due. The read asks about every
 * such watch, due or not: the watermark moves for the whole shard, so a change the feed saw while a watch
 * was not due would otherwise be passed over for good. Returns the due watches still to be read by id: all
 * of them when the feed starts afresh, failed, or could not vouch for everything since its last read.
 */
async function readFeed(
  state: TrackerState,
  due: Keyed[],
  activities: ReturnType<typeof trackerActivities>,
): Promise<Keyed[]> {
  const followable = Object.entries(state.watches).filter(([, w]) => feedCandidate(w));
  const feed = state.feed ?? { epoch: 0 };
  const followableKeys = new Set(followable.map(([key]) => key));
  if (feed.watermark !== undefined && !due.some(([key]) => followableKeys.has(key))) return due;
  // A watch left out of this read is not followed past it.
  for (const [key, watch] of Object.entries(state.watches)) if (!followableKeys.has(key)) delete watch.feedEpoch;
  const accessRequestIds = [
    ...new Set(followable.flatMap(([, w]) => w.items.flatMap((i) => (i.accessRequestId ? [i.accessRequestId] : [])))),
  ];
  let answer: Awaited<ReturnType<typeof activities.readStatusChanges>>;
  try {
    answer = await activities.readStatusChanges({
      ...(feed.watermark !== undefined ? { since: feed.watermark } : {}),
      accessRequestIds: feed.watermark !== undefined ? accessRequestIds : [],
    });
  } catch (error) {
    log.warn('Status feed could not be read; reading by id', { error: String(error) });
    state.feed = { epoch: feed.epoch + 1 };
    return due;
  }
  state.counts.feedReads = (state.counts.feedReads ?? 0) + 1;
  if (feed.watermark === undefined || !answer.complete) {
    // A new epoch starts from this read: nothing the feed followed before counts.
    state.feed = { watermark: answer.watermark, epoch: feed.epoch + 1 };
    return due;
  }
  state.feed = { watermark: answer.watermark, epoch: feed.epoch };
  const byRequest = new Map<string, Array<(typeof answer.changes)[number]>>();
  for (const change of answer.changes) {
    const id = change.observation.accessRequestId ?? '';
    byRequest.set(id, [...(byRequest.get(id) ?? []), change]);
  }
  const vouched = new Set<string>();
  for (const [key, watch] of followable) {
    // Followed by this epoch, or read by id (or submitted) within what this answer covers.
    const followed = watch.feedEpoch === feed.epoch || epochMs(watch.lastReadAt ?? '') >= epochMs(answer.coversFrom);
    if (!followed) {
      delete watch.feedEpoch;
      continue;
    }
    vouched.add(key);
    watch.feedEpoch = feed.epoch;
    watch.lastPolledAt = workflowNow();
    const seen = [...new Set(watch.items.map((i) => i.accessRequestId ?? ''))]
      .flatMap((id) => byRequest.get(id) ?? [])
      .filter((c) => c.requestType === watch.requestType)
      .map((c) => c.observation);
    if (seen.length > 0) note(state, key, watch, seen);
  }
  return due.filter(([key]) => !vouched.has(key));
}

/** Looks at the watches that are due, within the budget; queues news for those whose items moved. */
export async function pollDue(
  state: TrackerState,
  settings: TrackerSettings,
  activities: ReturnType<typeof trackerActivities>,
): Promise<void> {
  const now = nowMs();
  const due: Keyed[] = Object.entries(state.watches)
    .filter(([, w]) => dueAt(w) <= now)
    .sort(([, a], [, b]) => dueAt(a) - dueAt(b));
  if (due.length === 0) return;
  const byId =
    settings.tenantProfile === 'current' && patched(STATUS_FEED_PATCH) ? await readFeed(state, due, activities) : due;
  if (byId.length === 0) return;
  const allowance = statusCallAllowance({
    budgetPer10s: settings.budgetPer10s,
    roundMs: ROUND_MS,
    shards: settings.shards,
    submissionsWaiting: state.queue.length > 0,
  });
  const chunks = chunkForStatus(byId.map(([key, w]) => ({ id: key, rows: w.items.length }))).slice(0, allowance);
  // Rows read now show every change before this instant (a read's own moment is later still).
  const readAt = workflowNow();
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
      watch.lastReadAt = readAt;
      note(state, key, watch, seen);
    });
  }
}
