/**
 * What access changes enlist with the tracker, taken in at the top of each round: a ticket to submit joins
 * the queue (one already answered is answered again); a request to watch is watched, keeping what the
 * tracker already saw of it and telling the change what it missed; a hint that requests moved makes them
 * due on this round.
 */
import type { TrackedItem, TrackerMessage, TrackerNews } from '../../activities/contracts';
import { workflowNow } from '../clock';
import type { TrackerState, Watch } from './contracts';
import { watchKey } from './submissions';

type Enlistment<K extends TrackerMessage['kind']> = Extract<TrackerMessage, { kind: K }>;

/** Takes in one message from an access change. */
export function takeEnlistment(state: TrackerState, message: TrackerMessage): void {
  switch (message.kind) {
    case 'submit':
      queueTicket(state, message);
      break;
    case 'watch':
      watchRequest(state, message);
      break;
    case 'hint':
      lookAtHinted(state, message);
      break;
  }
}

function queueTicket(state: TrackerState, { ticket, missingRowGraceMs }: Enlistment<'submit'>): void {
  const answered = state.answered[ticket.ticket];
  if (answered) {
    state.outbox.push({ workflowId: ticket.requester, news: { answers: [answered.answer] } });
  } else if (!state.queue.some((q) => q.ticket.ticket === ticket.ticket)) {
    state.queue.push({ ticket, missingRowGraceMs, at: workflowNow() });
  }
}

function watchRequest(state: TrackerState, message: Enlistment<'watch'>): void {
  const key = watchKey(message.requester, message.chain, message.requestKey);
  const known = state.watches[key];
  const { items, news } = withWhatIsKnown(message, known);
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
}

/**
 * The change's view of its items, each overlaid with what the tracker already saw of it; where the change
 * knows less (news lost in its continue-as-new), the tracker says it again.
 */
function withWhatIsKnown(
  message: Enlistment<'watch'>,
  known: Watch | undefined,
): { items: TrackedItem[]; news: TrackerNews } {
  const news: TrackerNews = {};
  const items = message.items.map((item) => {
    const mine = known?.items.find(
      (k) => k.identityId === item.identityId && k.itemType === item.itemType && k.itemId === item.itemId,
    );
    if (!mine) return item;
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
  return { items, news };
}

/** ISC says these moved: look at them on this round (polling stays the source of truth). */
function lookAtHinted(state: TrackerState, { accessRequestIds }: Enlistment<'hint'>): void {
  for (const watch of Object.values(state.watches)) {
    if (watch.items.some((i) => i.accessRequestId && accessRequestIds.includes(i.accessRequestId))) {
      delete watch.lastPolledAt;
      // Read by id, not from the feed: the hint may be ahead of the feed's last read.
      delete watch.lastReadAt;
      watch.lastChangeAt = workflowNow();
      state.counts.hintsMatched = (state.counts.hintsMatched ?? 0) + 1;
    }
  }
}
