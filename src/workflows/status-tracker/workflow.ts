/**
 * statusTrackerWorkflow: one shard of the deployment's access changes, watched together.
 *
 * The loop:
 * 1. take in messages: tickets to submit (a ticket already answered is answered again), requests to watch
 *    (the access change's view of its items is compared with the tracker's, and any difference is news),
 *    hints that requests moved (looked at at once);
 * 2. submit what is ready of the queue, coalesced: full requests at once, partial ones once their burst is
 *    quiet, in rounds a moment apart (submissions.ts, `submissionRound`);
 * 3. look at the watches that are due: what moved from one read of ISC's status feed, the rest by id, within
 *    the budget (polling.ts);
 * 4. deliver the news, many signals per activity;
 * 5. continue as new when the history is long, carrying the state;
 * 6. sleep until a message, the queue falls due, or the next watch does.
 * A tracker that starts empty (never before, or after it was terminated) first asks the access changes of
 * its shard that are waiting to say so again: it rebuilds what it watches from the workflows.
 */
import { allHandlersFinished, condition, continueAsNew, setHandler, workflowInfo } from '@temporalio/workflow';
import type { TrackerMessage, TrackerNews } from '../../activities/contracts';
import { nowMs, workflowNow } from '../clock';
import { trackerActivities } from './activities';
import { enlistSignal, trackerViewQuery, type TrackerInput, type TrackerState, type Watch } from './contracts';
import { nextPollAt, pollDue, ROUND_MS } from './polling';
import { forgetOldAnswers, queueDueAt, submitQueue, ticketsDue, watchKey } from './submissions';

/** Past this many history events the tracker continues as new (its state is small; its history is not). */
const MAX_HISTORY_EVENTS = 4000;
/** Signals per `deliverNews` activity. */
const DELIVERIES_PER_CALL = 200;
/** The longest the tracker sleeps with nothing due: it looks at old requests at least this often. */
const MAX_SLEEP_MS = 5 * 60_000;

function initialState(): TrackerState {
  return {
    queue: [],
    answered: {},
    watches: {},
    outbox: [],
    inbox: [],
    rebuilt: false,
    counts: { batches: 0, ticketsSubmitted: 0, statusCalls: 0, newsDelivered: 0, hintsMatched: 0 },
  };
}

export async function statusTrackerWorkflow(input: TrackerInput): Promise<void> {
  const state = input.resume ?? initialState();
  const { settings } = input;
  setHandler(enlistSignal, (message) => {
    state.inbox.push(message);
  });
  setHandler(trackerViewQuery, () => ({
    shard: input.shard,
    queued: state.queue.length,
    watched: {
      requests: Object.keys(state.watches).length,
      items: Object.values(state.watches).reduce((sum, w) => sum + w.items.length, 0),
    },
    counts: state.counts,
  }));
  const activities = trackerActivities(settings);

  if (!state.rebuilt) {
    await activities.askToReenlist({ taskQueue: settings.taskQueue, shard: input.shard, shards: settings.shards });
    state.rebuilt = true;
  }
  for (;;) {
    takeIn(state);
    const tickets = ticketsDue(state);
    if (tickets.length > 0) await submitQueue(state, tickets, activities);
    await pollDue(state, settings, activities);
    await deliver(state, activities);
    forgetOldAnswers(state);
    await checkpoint(input, state);
    await sleepUntilDue(state);
  }
}

/** Step 1: messages from access changes. */
function takeIn(state: TrackerState): void {
  for (const message of state.inbox.splice(0)) absorb(state, message);
}

function absorb(state: TrackerState, message: TrackerMessage): void {
  switch (message.kind) {
    case 'submit': {
      const { ticket } = message;
      const answered = state.answered[ticket.ticket];
      if (answered) {
        state.outbox.push({ workflowId: ticket.requester, news: { answers: [answered.answer] } });
      } else if (!state.queue.some((q) => q.ticket.ticket === ticket.ticket)) {
        state.queue.push({ ticket, missingRowGraceMs: message.missingRowGraceMs, at: workflowNow() });
      }
      return;
    }
    case 'watch': {
      const key = watchKey(message.requester, message.chain, message.requestKey);
      const known = state.watches[key];
      const news: TrackerNews = {};
      const items = message.items.map((item) => {
        const mine = known?.items.find(
          (k) => k.identityId === item.identityId && k.itemType === item.itemType && k.itemId === item.itemId,
        );
        if (!mine) return item;
        // The tracker saw more than the access change knows (news lost in its continue-as-new): say it again.
        if (mine.iscState !== item.iscState || mine.accessRequestId !== item.accessRequestId) {
          news.observations = [
            ...(news.observations ?? []),
            {
              requestKey: message.requestKey,
              chain: message.chain,
              items: [{ ...item, accessRequestId: mine.accessRequestId, iscState: mine.iscState, errorMessages: [] }],
            },
          ];
        }
        return { ...item, ...mine };
      });
      const watch: Watch = {
        requester: message.requester,
        chain: message.chain,
        requestKey: message.requestKey,
        requestType: message.requestType,
        missingRowGraceMs: message.missingRowGraceMs,
        items,
        lastChangeAt: known?.lastChangeAt ?? workflowNow(),
        ...(known?.lastPolledAt ? { lastPolledAt: known.lastPolledAt } : {}),
        ...(known?.lastReadAt ? { lastReadAt: known.lastReadAt } : {}),
        ...(known?.feedEpoch !== undefined ? { feedEpoch: known.feedEpoch } : {}),
      };
      state.watches[key] = watch;
      if (news.observations) state.outbox.push({ workflowId: message.requester, news });
      return;
    }
    case 'hint':
      // ISC says these moved: look at them on this round (polling stays the source of truth).
      for (const watch of Object.values(state.watches)) {
        if (watch.items.some((i) => i.accessRequestId && message.accessRequestIds.includes(i.accessRequestId))) {
          delete watch.lastPolledAt;
          // Read by id, not from the feed: the hint may be ahead of the feed's last read.
          delete watch.lastReadAt;
          watch.lastChangeAt = workflowNow();
          state.counts.hintsMatched = (state.counts.hintsMatched ?? 0) + 1;
        }
      }
      return;
  }
}

/** Step 4: news out, many per activity; watches of changes that no longer run are dropped. */
async function deliver(state: TrackerState, activities: ReturnType<typeof trackerActivities>): Promise<void> {
  // One signal per change per round, its news in the order they arose: signals sent side by side may
  // arrive in any order, and a change must never hear "EXECUTING" after "GRANTED".
  state.outbox = mergeByWorkflow(state.outbox);
  while (state.outbox.length > 0) {
    const deliveries = state.outbox.splice(0, DELIVERIES_PER_CALL);
    const { gone } = await activities.deliverNews({ deliveries });
    state.counts.newsDelivered += deliveries.length - gone.length;
    for (const [key, watch] of Object.entries(state.watches))
      if (gone.includes(watch.requester)) delete state.watches[key];
  }
}

/** The outbox with one entry per workflow: its answers and observations concatenated, in order. */
export function mergeByWorkflow(outbox: TrackerState['outbox']): TrackerState['outbox'] {
  const merged = new Map<string, TrackerNews>();
  for (const { workflowId, news } of outbox) {
    const into = merged.get(workflowId) ?? {};
    merged.set(workflowId, {
      ...(into.answers || news.answers ? { answers: [...(into.answers ?? []), ...(news.answers ?? [])] } : {}),
      ...(into.observations || news.observations
        ? { observations: [...(into.observations ?? []), ...(news.observations ?? [])] }
        : {}),
    });
  }
  return [...merged].map(([workflowId, news]) => ({ workflowId, news }));
}

/** Step 5. */
async function checkpoint(input: TrackerInput, state: TrackerState): Promise<void> {
  const info = workflowInfo();
  if (!info.continueAsNewSuggested && info.historyLength < MAX_HISTORY_EVENTS) return;
  await condition(allHandlersFinished);
  await continueAsNew<typeof statusTrackerWorkflow>({ ...input, resume: state });
}

/** Step 6. */
async function sleepUntilDue(state: TrackerState): Promise<void> {
  const wakes = [queueDueAt(state), nextPollAt(state)].filter((w): w is number => w !== undefined);
  const until = wakes.length > 0 ? Math.min(...wakes) : nowMs() + MAX_SLEEP_MS;
  // Never spin: a round takes at least a fraction of ROUND_MS, never more than MAX_SLEEP_MS.
  const timeout = Math.min(MAX_SLEEP_MS, Math.max(ROUND_MS / 4, until - nowMs()));
  await condition(() => state.inbox.length > 0, timeout);
}
