/**
 * The tracker's submissions: tickets wait a moment in the queue so that grants of the same items for
 * different identities go to ISC as one request, then each ticket is answered with its own items, and
 * what went to ISC is watched from then on.
 */
import { log, patched } from '@temporalio/workflow';
import type { SubmittedItem, TicketAnswer, TrackedItem } from '../../activities/contracts';
import { coalesce, MAX_IDENTITIES_PER_BATCH, submissionRound, type SubmitBatch } from '../../domain';
import { epochMs, nowMs, workflowNow } from '../clock';
import { failureType } from '../failures';
import type { trackerActivities } from './activities';
import type { QueuedTicket, TrackerState, Watch } from './contracts';

/** How long the first ticket of a burst waits for others to share its request (trackers from before rounds). */
export const COALESCE_WINDOW_MS = 1000;

/** Trackers that started before submission rounds were spaced send the whole queue once its oldest waited. */
export const SUBMISSION_ROUNDS_PATCH = 'submission-rounds';

export const watchKey = (requester: string, chain: string, requestKey: string): string =>
  `${requester}|${chain}|${requestKey}`;

function plan(state: TrackerState): { send: string[]; nextAtMs?: number } {
  const lastRound = state.lastSubmitRoundAt ? epochMs(state.lastSubmitRoundAt) : undefined;
  return submissionRound(
    state.queue.map((q) => ({ ticket: q.ticket, atMs: epochMs(q.at) })),
    nowMs(),
    lastRound,
  );
}

function oldestAt(queue: readonly QueuedTicket[]): number {
  return Math.min(...queue.map((q) => epochMs(q.at)));
}

/** The tickets that go to ISC on this round (none when the queue should wait). */
export function ticketsDue(state: TrackerState): string[] {
  const { queue } = state;
  if (queue.length === 0) return [];
  if (patched(SUBMISSION_ROUNDS_PATCH)) return plan(state).send;
  const due = nowMs() - oldestAt(queue) >= COALESCE_WINDOW_MS || queue.length >= MAX_IDENTITIES_PER_BATCH * 4;
  return due ? queue.map((q) => q.ticket.ticket) : [];
}

/** When the queue falls due, if it has not yet. */
export function queueDueAt(state: TrackerState): number | undefined {
  if (state.queue.length === 0) return undefined;
  if (patched(SUBMISSION_ROUNDS_PATCH)) return plan(state).nextAtMs ?? nowMs();
  return oldestAt(state.queue) + COALESCE_WINDOW_MS;
}

function failureMessages(error: unknown): string[] {
  const messages: string[] = [];
  let current: unknown = error;
  while (current instanceof Error) {
    messages.push(current.message);
    current = current.cause;
  }
  return messages.length > 0 ? messages : ['submission failed'];
}

/**
 * What is already where the tickets want it (held for a grant, absent for a revoke): looked up for the
 * whole round at once, a hundred identities per call, so ISC gets no request (not even one it would cancel
 * as a duplicate) for a change that is already done. A grant that sets a removal date still goes: it
 * changes the sunset.
 */
async function alreadySatisfied(
  queued: QueuedTicket[],
  activities: ReturnType<typeof trackerActivities>,
): Promise<string[]> {
  const identityIds = [...new Set(queued.flatMap((q) => q.ticket.identityIds))];
  if (identityIds.length === 0) return [];
  let held: Record<string, string[]>;
  try {
    held = await activities.heldAccessOf({ identityIds });
  } catch (error) {
    // Not known: everything goes to ISC, which answers duplicates itself (cancelled, then seen as held).
    log.warn('Could not read held access before submitting', { error: String(error) });
    return [];
  }
  const satisfied: string[] = [];
  for (const { ticket } of queued) {
    for (const identityId of ticket.identityIds) {
      for (const item of ticket.items) {
        if (ticket.requestType === 'GRANT_ACCESS' && item.removeDate !== undefined) continue;
        const holds = (held[identityId] ?? []).includes(`${item.type}:${item.id}`);
        if (holds === (ticket.requestType === 'GRANT_ACCESS')) satisfied.push(`${identityId}|${item.type}|${item.id}`);
      }
    }
  }
  return satisfied;
}

/** Submits these tickets of the queue, coalesced, and answers each of them. */
export async function submitQueue(
  state: TrackerState,
  tickets: string[],
  activities: ReturnType<typeof trackerActivities>,
): Promise<void> {
  const going = new Set(tickets);
  const queued = state.queue.filter((q) => going.has(q.ticket.ticket));
  state.queue = state.queue.filter((q) => !going.has(q.ticket.ticket));
  state.lastSubmitRoundAt = workflowNow();
  const byTicket = new Map(queued.map((q) => [q.ticket.ticket, q]));
  const batches = coalesce(queued.map((q) => q.ticket));
  const satisfied = await alreadySatisfied(queued, activities);
  const outcomes = await Promise.all(
    batches.map((batch) =>
      activities.submitBatch({ batch, satisfied }).then(
        (result) => ({ batch, result, failure: undefined, failureType: undefined }),
        (error: unknown) => ({
          batch,
          result: undefined,
          failure: failureMessages(error),
          failureType: failureType(error),
        }),
      ),
    ),
  );
  for (const { batch, result, failure, failureType } of outcomes) {
    state.counts.batches += 1;
    for (const member of batch.members) {
      const queuedTicket = byTicket.get(member.ticket);
      if (!queuedTicket) continue;
      const { ticket } = queuedTicket;
      let answer: TicketAnswer;
      if (result) {
        const items: SubmittedItem[] = result.items
          .filter((i) => i.ticket === member.ticket)
          .map(({ ticket: _ticket, ...item }) => item);
        answer = { ticket: ticket.ticket, result: { items, submittedAt: result.submittedAt } };
        watchSubmitted(state, queuedTicket, items, result.submittedAt, batch);
        state.counts.ticketsSubmitted += 1;
      } else {
        answer = {
          ticket: ticket.ticket,
          failure: failure ?? ['submission failed'],
          ...(failureType ? { failureType } : {}),
        };
        log.warn('Coalesced submission failed', { batch: batch.batchId, messages: failure });
      }
      state.answered[ticket.ticket] = { requester: ticket.requester, answer, at: workflowNow() };
      state.outbox.push({ workflowId: ticket.requester, news: { answers: [answer] } });
    }
  }
}

/** What went to ISC is watched from now on (what was already satisfied is final at once). */
function watchSubmitted(
  state: TrackerState,
  queued: QueuedTicket,
  items: SubmittedItem[],
  submittedAt: string,
  batch: SubmitBatch,
): void {
  const { ticket } = queued;
  const tracked: TrackedItem[] = items
    .filter((i) => i.disposition !== 'ALREADY_SATISFIED')
    .map((i) => ({
      identityId: i.identityId,
      itemType: i.itemType,
      itemId: i.itemId,
      ...(i.accessRequestId ? { accessRequestId: i.accessRequestId } : {}),
      attempt: ticket.attempt,
      submittedAt,
      batch: i.batch ?? batch.batchId,
    }));
  if (tracked.length === 0) return;
  const key = watchKey(ticket.requester, ticket.chain, ticket.requestKey);
  const existing = state.watches[key];
  const others = (existing?.items ?? []).filter(
    (e) => !tracked.some((t) => t.identityId === e.identityId && t.itemType === e.itemType && t.itemId === e.itemId),
  );
  const watch: Watch = {
    requester: ticket.requester,
    chain: ticket.chain,
    requestKey: ticket.requestKey,
    requestType: ticket.requestType,
    missingRowGraceMs: queued.missingRowGraceMs,
    items: [...others, ...tracked],
    lastChangeAt: workflowNow(),
    // A request this tracker created has no change before its submission: the feed may follow it from there.
    // One it adopted (ISC's pending twin) may have moved before; it is read by id first.
    ...(others.length === 0 && items.every((i) => i.disposition !== 'ADOPTED') ? { lastReadAt: submittedAt } : {}),
  };
  state.watches[key] = watch;
}

/** Answers older than this are forgotten; an access change asks again within seconds, not hours. */
const ANSWER_MEMORY_MS = 6 * 3600 * 1000;

export function forgetOldAnswers(state: TrackerState): void {
  for (const [ticket, { at }] of Object.entries(state.answered)) {
    if (nowMs() - epochMs(at) > ANSWER_MEMORY_MS) delete state.answered[ticket];
  }
}
