/**
 * The access change's side of shared tracking: its submissions go to its shard's tracker as tickets (to be
 * coalesced with others' into as few ISC requests as ISC allows), and news about its items comes back as
 * signals. Both are behind the same seams as the per-workflow activities (`Submitter`, `Tracker`), so the
 * settle loop does not know which it runs with.
 *
 * Nothing waits on a tracker that is not there: a message is handed over by an activity that starts the
 * tracker if needed, and a tracker that starts empty asks every waiting change to say again what it waits
 * for (`trackerReenlist`). News not yet taken in is part of the state, so a continue-as-new drops none.
 */
import { ApplicationFailure, condition, proxyLocalActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type {
  ItemObservation,
  SubmitItemsInput,
  TrackerMessage,
  TrackerNews,
  TrackingActivities,
  TrackingSettings,
} from '../../activities/contracts';
import { trackerShardOf, type SubmitTicket } from '../../domain';
import { trackerNewsSignal, trackerReenlistSignal } from '../status-tracker/contracts';
import type { AccessRequestState } from './contracts';
import type { Submitter } from './settle';
import type { Tracker } from './tracker';

/** The mailbox of news from the tracker, and whether it asked to hear everything again. */
export interface TrackerMailbox {
  readonly state: AccessRequestState;
  reenlist: boolean;
  /** Request keys the tracker is known to watch in this run (it watches what it submitted). */
  watched: Set<string>;
}

/** Registers the news and re-enlist handlers; synchronous, so they exist before the first await. */
export function openTrackerMailbox(state: AccessRequestState): TrackerMailbox {
  const mailbox: TrackerMailbox = { state, reenlist: false, watched: new Set() };
  setHandler(trackerNewsSignal, (news: TrackerNews) => {
    state.trackerNews = [...(state.trackerNews ?? []), news];
  });
  setHandler(trackerReenlistSignal, () => {
    mailbox.reenlist = true;
    mailbox.watched.clear();
  });
  return mailbox;
}

function sharedParts(settings: TrackingSettings, tenantProfile: 'current' | 'legacy') {
  const { enlist } = proxyLocalActivities<TrackingActivities>({
    startToCloseTimeout: '30s',
    retry: { initialInterval: '1s', maximumInterval: '30s' },
  });
  const requester = workflowInfo().workflowId;
  // A new run of the same change (asked again after it completed) is a new intent: its tickets and watches
  // must not be taken for the old run's. The chain's first run id tells them apart and survives continue-as-new.
  const chain = workflowInfo().firstExecutionRunId;
  const shard = trackerShardOf(requester, settings.shards);
  const send = (message: TrackerMessage): Promise<void> =>
    enlist({ shard, settings: { ...settings, tenantProfile }, message });
  return { requester, chain, send };
}

function ticketOf(requester: string, chain: string, input: SubmitItemsInput): SubmitTicket {
  const { request, items, attempt } = input;
  const wanted = new Set(items.map((i) => `${i.itemType}:${i.itemId}`));
  return {
    ticket: `${requester}/${chain}/${request.key}/${attempt}`,
    requester,
    chain,
    requestKey: request.key,
    attempt,
    requestType: request.requestType,
    identityIds: [...new Set(items.map((i) => i.identityId))].sort(),
    items: request.items
      .filter((i) => wanted.has(`${i.type}:${i.id}`))
      .map(({ removeDate, startDate, ...item }) => ({
        ...item,
        ...(item.comment === undefined && request.comment !== undefined ? { comment: request.comment } : {}),
        ...(removeDate && !input.omitRemoveDate ? { removeDate } : {}),
        ...(startDate && !input.omitStartDate ? { startDate } : {}),
      })),
  };
}

export function sharedSubmitter(
  mailbox: TrackerMailbox,
  settings: TrackingSettings,
  tenantProfile: 'current' | 'legacy',
  missingRowGraceMs: number,
): Submitter {
  const { requester, chain, send } = sharedParts(settings, tenantProfile);
  return {
    async submit(input) {
      const ticket = ticketOf(requester, chain, input);
      const message: TrackerMessage = { kind: 'submit', ticket, missingRowGraceMs };
      const answerOf = () =>
        mailbox.state.trackerNews?.flatMap((n) => n.answers ?? []).find((a) => a.ticket === ticket.ticket);
      await send(message);
      for (;;) {
        await condition(() => answerOf() !== undefined || mailbox.reenlist);
        const answer = answerOf();
        if (answer) {
          mailbox.state.trackerNews = (mailbox.state.trackerNews ?? [])
            .map((n) => ({ ...n, answers: (n.answers ?? []).filter((a) => a.ticket !== ticket.ticket) }))
            .filter((n) => (n.answers?.length ?? 0) > 0 || (n.observations?.length ?? 0) > 0);
          if (!answer.result) {
            throw ApplicationFailure.create({
              type: answer.failureType ?? 'SUBMISSION_FAILED',
              message: (answer.failure ?? ['submission failed']).join('; '),
              nonRetryable: true,
            });
          }
          mailbox.watched.add(input.request.key);
          return answer.result;
        }
        // The tracker started empty: it may never have seen the ticket (or answered it already: it says again).
        mailbox.reenlist = false;
        await send(message);
      }
    },
  };
}

export function sharedTracker(
  mailbox: TrackerMailbox,
  settings: TrackingSettings,
  tenantProfile: 'current' | 'legacy',
): Tracker {
  const { requester, chain, send } = sharedParts(settings, tenantProfile);
  const isMine = (o: { requestKey: string; chain: string }, requestKey: string): boolean =>
    o.requestKey === requestKey && o.chain === chain;
  const takeNews = (requestKey: string): ItemObservation[] => {
    const news = mailbox.state.trackerNews ?? [];
    const mine = news.flatMap((n) => (n.observations ?? []).filter((o) => isMine(o, requestKey)));
    if (mine.length === 0) return [];
    mailbox.state.trackerNews = news
      .map((n) => ({ ...n, observations: (n.observations ?? []).filter((o) => !isMine(o, requestKey)) }))
      .filter((n) => (n.answers?.length ?? 0) > 0 || (n.observations?.length ?? 0) > 0);
    // The latest word on each item wins, except that a final word is never taken back (ISC's final states
    // are final; a later "still executing" is an older view that arrived late).
    const byItem = new Map<string, ItemObservation>();
    for (const o of mine.flatMap((m) => m.items)) {
      const key = `${o.identityId}|${o.itemType}|${o.itemId}`;
      if (byItem.get(key)?.outcome !== undefined && o.outcome === undefined) continue;
      byItem.set(key, o);
    }
    return [...byItem.values()];
  };
  return {
    async waitForChange(input, maxWaitSeconds) {
      for (;;) {
        if (!mailbox.watched.has(input.requestKey) || mailbox.reenlist) {
          mailbox.reenlist = false;
          await send({
            kind: 'watch',
            requester,
            chain,
            requestKey: input.requestKey,
            requestType: input.requestType,
            items: input.items,
            missingRowGraceMs: input.missingRowGraceMs,
          });
          mailbox.watched.add(input.requestKey);
        }
        const news = (): boolean =>
          mailbox.reenlist ||
          (mailbox.state.trackerNews ?? []).some((n) =>
            (n.observations ?? []).some((o) => isMine(o, input.requestKey)),
          );
        const got =
          maxWaitSeconds === undefined
            ? await condition(news).then(() => true)
            : await condition(news, maxWaitSeconds * 1000);
        if (mailbox.reenlist) continue;
        if (!got) return null;
        return takeNews(input.requestKey);
      }
    },
  };
}
