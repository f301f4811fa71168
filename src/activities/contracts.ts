/**
 * What workflows may ask of the outside world. Workflows import these as types only; the implementations
 * live in activities built by `createActivities`.
 */
import type { TrackingMode } from '../common';
import type {
  DriftFinding,
  ItemFinding,
  ItemOutcome,
  ItemType,
  PlannedRequest,
  PolicyItem,
  RequestType,
  ResolvedPolicy,
  SubmitBatch,
  SubmitTicket,
} from '../domain';

/** One (identity, item) row of a request: the unit ISC tracks and iscflow reports on. */
export interface ItemRef {
  identityId: string;
  itemType: ItemType;
  itemId: string;
}

export interface SubmitItemsInput {
  request: PlannedRequest;
  items: ItemRef[];
  /** Submission round of these items; goes into each item's clientMetadata so a lost response is found again. */
  attempt: number;
  /** Where a removeDate must not reach ISC (exact mode, or a tenant that cannot take it). */
  omitRemoveDate: boolean;
  /** Where ISC should not get the startDate because the workflow waited for it itself. */
  omitStartDate: boolean;
}

export type SubmitDisposition = 'SUBMITTED' | 'ADOPTED' | 'ALREADY_SATISFIED';

export interface SubmittedItem extends ItemRef {
  disposition: SubmitDisposition;
  accessRequestId?: string;
  /** Set when the item went to ISC in a coalesced request: the batch id its rows carry. */
  batch?: string;
}

export interface SubmitItemsResult {
  items: SubmittedItem[];
  /** When ISC accepted the request (or the adopted one was found): the lower bound for status lookups. */
  submittedAt: string;
}

export interface TrackedItem extends ItemRef {
  accessRequestId?: string;
  iscState?: string;
  attempt: number;
  submittedAt: string;
  /** The coalesced request it went in, when it did: its rows carry this batch id instead of the request key. */
  batch?: string;
}

export interface CheckStatusInput {
  requestKey: string;
  requestType: RequestType;
  items: TrackedItem[];
  /** How long an item may have no status row before iscflow checks whether ISC ignored it as already held. */
  missingRowGraceMs: number;
  /** Throw a retryable `STATUS_UNCHANGED` failure when nothing changed (the infrequent-polling pattern). */
  failWhenUnchanged: boolean;
}

export interface ItemObservation extends ItemRef {
  accessRequestId?: string;
  iscState?: string;
  /** Set when the item is final: from ISC's state, or ALREADY_SATISFIED for an ignored duplicate. */
  outcome?: ItemOutcome;
  errorMessages: string[];
}

export interface CheckStatusResult {
  items: ItemObservation[];
}

export type HoldsAccessInput = ItemRef;

export interface CancelRequestInput {
  accessRequestId: string;
  comment: string;
  /** Close (any stage, v2025) instead of cancel (only before approval completes). */
  close: boolean;
}

/** How the deployment tracks ISC (see `TrackingMode`); the same for every worker of a task queue. */
export interface TrackingSettings {
  mode: TrackingMode;
  /** The task queue of the workflows (where trackers run). */
  taskQueue: string;
  /** The task queue of ISC-calling activities in shared mode, rate-limited to `budgetPer10s`. */
  iscTaskQueue: string;
  shards: number;
  budgetPer10s: number;
}

/** What the worker knows about the tenant and the deployment, told to each workflow at its start. */
export interface TenantSettings {
  tenantProfile: 'current' | 'legacy';
  removalMode: 'isc' | 'exact';
  /** Absent in runs that started before shared tracking existed: they poll on their own. */
  tracking?: TrackingSettings;
}

/** A submission's answer as a tracker gives it to the access change that asked. */
export interface TicketAnswer {
  ticket: string;
  result?: SubmitItemsResult;
  /** The submission failed for good (ISC refused it, or was down past the escalation setting): ISC's words. */
  failure?: string[];
  /** The failure's type (`ISC_AUTH_FAILED`, `ISC_OUTAGE`, ...), which the access change asks a person under. */
  failureType?: string;
}

/** What a tracker tells an access change: answers to its submissions, and news about its items. */
export interface TrackerNews {
  answers?: TicketAnswer[];
  observations?: Array<{ requestKey: string; chain: string; items: ItemObservation[] }>;
}

/** What an access change (or the ingress's hint) tells its tracker. */
export type TrackerMessage =
  | { kind: 'submit'; ticket: SubmitTicket; missingRowGraceMs: number }
  | {
      kind: 'watch';
      requester: string;
      chain: string;
      requestKey: string;
      requestType: RequestType;
      items: TrackedItem[];
      missingRowGraceMs: number;
    }
  | { kind: 'hint'; accessRequestIds: string[] };

export interface EnlistInput {
  shard: number;
  settings: TrackingSettings & { tenantProfile: 'current' | 'legacy' };
  message: TrackerMessage;
}

export interface SubmitBatchInput {
  batch: SubmitBatch;
  /** `identity|TYPE|id` already where the batch wants them (looked up for the whole round): not submitted. */
  satisfied: string[];
}

export interface SubmitBatchResult {
  submittedAt: string;
  items: Array<SubmittedItem & { ticket: string }>;
}

export interface CheckStatusBatchInput {
  requests: CheckStatusInput[];
}

export interface CheckStatusBatchResult {
  /** Observations per request, in the order asked. */
  results: ItemObservation[][];
}

export interface ReadStatusChangesInput {
  /** The watermark of the tracker's last read; absent on its first, which only establishes one. */
  since?: string;
  /** The watched requests whose changes the tracker wants; rows of others are left out of the answer. */
  accessRequestIds: string[];
}

export interface ReadStatusChangesResult {
  /** The next read's `since`. */
  watermark: string;
  /** False when the feed cannot vouch that every change since `since` is in `changes`: read by id instead. */
  complete: boolean;
  /** The answer holds every change from this instant on: a request read by id before it is not vouched for. */
  coversFrom: string;
  /** Observations of the rows of those requests modified since `since` (a few seen before may come again). */
  changes: Array<{ requestType: RequestType; observation: ItemObservation }>;
}

/** Activities of shared tracking: the tracker's ISC calls (each about one call) and its messages. */
export interface TrackingActivities {
  /** From an access change: hands a message to its tracker, starting the tracker if it does not run. */
  enlist: (input: EnlistInput) => Promise<void>;
  /** What these identities hold (`TYPE:id` per identity), a hundred identities per ISC call. */
  heldAccessOf: (input: { identityIds: string[] }) => Promise<Record<string, string[]>>;
  submitBatch: (input: SubmitBatchInput) => Promise<SubmitBatchResult>;
  checkStatusBatch: (input: CheckStatusBatchInput) => Promise<CheckStatusBatchResult>;
  /** What moved among these requests since the last read, from ISC's newest-modified rows (current tenants). */
  readStatusChanges: (input: ReadStatusChangesInput) => Promise<ReadStatusChangesResult>;
  /** Signals news to many access changes at once; returns the ids that no longer run. */
  deliverNews: (input: { deliveries: Array<{ workflowId: string; news: TrackerNews }> }) => Promise<{ gone: string[] }>;
  /** A tracker that starts empty asks the access changes of its shard that are waiting to say so again. */
  askToReenlist: (input: { taskQueue: string; shard: number; shards: number }) => Promise<{ asked: number }>;
}

/** The activities of access changes; function properties, since they travel as values. */
export interface AccessRequestActivities {
  tenantSettings: () => Promise<TenantSettings>;
  submitItems: (input: SubmitItemsInput) => Promise<SubmitItemsResult>;
  checkStatus: (input: CheckStatusInput) => Promise<CheckStatusResult>;
  holdsAccess: (input: HoldsAccessInput) => Promise<boolean>;
  cancelRequest: (input: CancelRequestInput) => Promise<void>;
}

/** Every activity the worker registers. */
export type IscflowActivities = AccessRequestActivities & LifecycleActivities & TrackingActivities & DriftActivities;

/** A scheduled drift sweep: whether to repair what it finds (absent: as the workers' policy says). */
export interface DriftSweepInput {
  repair?: boolean;
}

/**
 * What a drift sweep found and did, as its workflow records it (and `iscflow report` shows): ids and refs
 * only, never an employee number.
 */
export interface DriftSweepSummary {
  policyHash: string;
  query: string;
  startedAt: string;
  finishedAt: string;
  /** Identities ISC answered with. */
  read: number;
  /** Running lifecycles in visibility, and how many of them were judged (their identity was read). */
  managed: number;
  judged: number;
  /** Lifecycles queried (a billed action each): the candidates the digests could not clear. */
  queried: number;
  /** Of those, the ones that did not answer (no worker, or gone meanwhile): not judged this time. */
  unanswered: number;
  iscCalls: number;
  /** Findings by kind. */
  counts: Record<DriftFinding, number>;
  drifted: Array<{ workflowId: string; ref: string; iscIdentityId: string; findings: ItemFinding[] }>;
  /** Set when the sweep repaired: lifecycles told to, and those that could not be. */
  repair?: { repaired: number; failed: number };
}

/** The drift sweep a schedule runs: the same sweep as `iscflow drift`, in the worker. */
export interface DriftActivities {
  sweepDrift: (input: DriftSweepInput) => Promise<DriftSweepSummary>;
}

/** The workers' policy; the answer leaves it out when the asker already holds that version. */
export interface PolicyAnswer {
  hash: string;
  policy?: ResolvedPolicy;
}

export interface FindIdentityInput {
  employeeNumber: string;
  /** Throw a retryable `IDENTITY_NOT_FOUND` when absent: the activity's retries are then the polling loop. */
  failWhenMissing: boolean;
}

/** One item an identity holds, and whether a request may revoke it (absent when ISC did not say). */
export interface HeldItemAnswer extends PolicyItem {
  revocable?: boolean;
}

/** A change (access-request workflow) that has closed, as the lifecycle needs to know it. */
export interface ClosedChange {
  changeId: string;
  /** Temporal's status: COMPLETED, TERMINATED, FAILED, ... */
  status: string;
  withdrawnAt?: string;
  items: Array<{ itemType: ItemType; itemId: string; outcome: ItemOutcome | null; accessRequestId?: string }>;
}

/** What an identity's lifecycle asks of the outside world, besides the access changes it starts. */
export interface LifecycleActivities {
  lifecyclePolicy: (input: { knownHash?: string }) => Promise<PolicyAnswer>;
  findIdentity: (input: FindIdentityInput) => Promise<{ id: string } | null>;
  /** Everything the identity holds that an access request may revoke (for `leaver.revokeAll`). */
  revocableAccess: (input: { identityId: string }) => Promise<PolicyItem[]>;
  /**
   * What the identity holds of these items and whether an access request may revoke each (one ISC call):
   * asked before revoking access the lifecycle did not grant itself. Items it does not hold are left out.
   */
  heldAccess: (input: { identityId: string; items: PolicyItem[] }) => Promise<HeldItemAnswer[]>;
  /** Which of these changes have closed, and how: for changes whose settled signal never came. */
  closedChanges: (input: { changeIds: string[] }) => Promise<ClosedChange[]>;
}
