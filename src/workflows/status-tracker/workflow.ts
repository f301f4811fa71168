/**
 * statusTrackerWorkflow: one shard of the deployment's access changes, watched together.
 *
 * The loop:
 * 1. take in what access changes enlist (enlistments.ts): tickets to submit (a ticket already answered is
 *    answered again), requests to watch (the access change's view of its items is compared with the
 *    tracker's, and any difference is news), hints that requests moved (looked at at once);
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
import type { TrackerNews } from '../../activities/contracts';
import { nowMs } from '../clock';
import { trackerActivities } from './activities';
import { takeEnlistment } from './enlistments';
import { enlistSignal, trackerViewQuery, type TrackerInput, type TrackerState } from './contracts';
import { nextPollAt, pollDue, ROUND_MS } from './polling';
import { forgetOldAnswers, queueDueAt, submitQueue, ticketsDue } from './submissions';

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

/** Step 1: messages from access changes (enlistments.ts). */
function takeIn(state: TrackerState): void {
  for (const message of state.inbox.splice(0)) takeEnlistment(state, message);
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
