/**
 * The contract of `statusTrackerWorkflow`: one per shard of the deployment's access changes. It coalesces
 * their submissions into as few ISC requests as ISC allows and watches every request in flight, asking ISC
 * in batches, then tells exactly the changes whose items moved. Access changes reach it through the
 * `enlist` activity (which starts it if needed); it answers them with `trackerNews` signals.
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type {
  TicketAnswer,
  TrackedItem,
  TrackerMessage,
  TrackerNews,
  TrackingSettings,
} from '../../activities/contracts';
import { TRACKER_SIGNALS } from '../../common';
import type { RequestType, SubmitTicket } from '../../domain';

export interface TrackerSettings extends TrackingSettings {
  tenantProfile: 'current' | 'legacy';
}

/** One access change's request being watched: its items not final yet. */
export interface Watch {
  requester: string;
  chain: string;
  requestKey: string;
  requestType: RequestType;
  missingRowGraceMs: number;
  items: TrackedItem[];
  lastChangeAt: string;
  lastPolledAt?: string;
  /** When its rows were last read by id, or it was submitted: from then on the status feed may vouch for it. */
  lastReadAt?: string;
  /** The feed epoch that has followed it since then (see `TrackerState.feed`). */
  feedEpoch?: number;
}

export interface QueuedTicket {
  ticket: SubmitTicket;
  missingRowGraceMs: number;
  at: string;
}

/** What a tracker carries across continue-as-new. */
export interface TrackerState {
  queue: QueuedTicket[];
  /** Recent answers by ticket, so an access change that asks again gets the same answer. */
  answered: Record<string, { requester: string; answer: TicketAnswer; at: string }>;
  watches: Record<string, Watch>;
  /** News not yet delivered. */
  outbox: Array<{ workflowId: string; news: TrackerNews }>;
  /** When the last submission round began (rounds are spaced: see `submissionRound`). */
  lastSubmitRoundAt?: string;
  /** Messages received but not yet taken in. */
  inbox: TrackerMessage[];
  /** The status feed: the watermark of its last read (absent when the next read must start afresh) and its
   * epoch, which changes whenever a read could not vouch for everything since the one before. */
  feed?: { watermark?: string; epoch: number };
  /** Whether this shard has asked its access changes to enlist again since it started empty. */
  rebuilt: boolean;
  counts: {
    batches: number;
    ticketsSubmitted: number;
    statusCalls: number;
    newsDelivered: number;
    /** Hints (ISC triggers) that matched a watched request; absent in states from before hints counted. */
    hintsMatched?: number;
    /** Status feed reads (each at most one ISC call, often none: shards share them). */
    feedReads?: number;
  };
}

export interface TrackerInput {
  shard: number;
  settings: TrackerSettings;
  resume?: TrackerState;
}

export interface TrackerView {
  shard: number;
  queued: number;
  watched: { requests: number; items: number };
  counts: TrackerState['counts'];
}

export const enlistSignal = defineSignal<[TrackerMessage]>(TRACKER_SIGNALS.enlist);
export const trackerViewQuery = defineQuery<TrackerView>('status');

/** Received by access changes; defined here, next to what sends it. */
export const trackerNewsSignal = defineSignal<[TrackerNews]>(TRACKER_SIGNALS.news);
export const trackerReenlistSignal = defineSignal(TRACKER_SIGNALS.reenlist);
