/**
 * The versioned contract of `accessRequestWorkflow`: its input, state, result and messages. Clients (the
 * CLI, ingress, tests) import this file; it holds only types and message definitions.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { TenantSettings, TrackerNews } from '../../activities/contracts';
import type { AccessRequestOptions, Phase, RemovalMode } from '../../common';
import type { ItemOutcome, ItemType, PlannedRequest, RequestType } from '../../domain';

/** Where a request stands (written once in src/common); mirrored in the `IscflowState` search attribute. */
export { PHASES, type Phase } from '../../common';
export type { AccessRequestOptions, RemovalMode } from '../../common';

/**
 * What made a change, for the audit trail: the CLI, an HR event (and which), a policy apply, or the
 * identity lifecycle acting on its own timers. Never personal data: references only.
 */
export interface ChangeCause {
  kind: 'cli' | 'hr-event' | 'policy-apply' | 'lifecycle' | 'api' | 'adopt' | 'drift';
  /** The event id, ticket or lifecycle reference behind it, when there is one. */
  ref?: string;
}

export interface AccessRequestInput {
  request: PlannedRequest;
  options?: Partial<AccessRequestOptions>;
  /** The caller's idempotency key, when the change has one (see docs/reliability.md). */
  idempotencyKey?: string;
  cause?: ChangeCause;
  /** The workflow to signal (`changeSettledSignal`) when this change settles. */
  notify?: ChangeNotify;
  /** Carried across continue-as-new; never set by callers. */
  resume?: AccessRequestState;
}

export interface ItemState {
  key: string;
  identityId: string;
  itemType: ItemType;
  itemId: string;
  accessRequestId?: string;
  iscState?: string;
  outcome?: ItemOutcome;
  errorMessages: string[];
  /**
   * The failure type that stopped its submission, when one did: an ISC code (`ISC_AUTH_FAILED`,
   * `ISC_OUTAGE`, `ISC_BAD_REQUEST`, ...) or `SUBMISSION_FAILED`. What the operator is asked about.
   */
  errorCode?: string;
  /** Submission rounds so far (automatic and operator retries). */
  attempts: number;
  submittedAt?: string;
  /** Why an operator skipped this item, when one did. */
  skippedReason?: string;
  /** No operator decided before the escalation timeout; the item is left as it is and not asked about again. */
  escalationTimedOut?: boolean;
  /** Since when ISC has been working on it; the age that makes a request stuck. */
  waitingSince?: string;
  /** The coalesced request it went to ISC in (shared tracking): its rows carry this batch id. */
  batch?: string;
}

export type RemovalStatus = 'SCHEDULED' | 'REMOVING' | 'REMOVED' | 'KEPT' | 'FAILED';

/** A removal the workflow owns: the removeDate of one granted (identity, item). */
export interface RemovalState {
  identityId: string;
  itemType: ItemType;
  itemId: string;
  removeDate: string;
  mode: RemovalMode;
  status: RemovalStatus;
  /** In `isc` mode after a date change: the grant must go to ISC again with the new date (or none). */
  resendGrant?: boolean;
  /** The ISC requests the removal needed (a revoke, or a grant carrying the new date). */
  requests: ItemState[];
  note?: string;
}

export interface OperatorWait {
  since: string;
  /**
   * Why, as a stable code (also in `IscflowOperatorReason`): the ISC failure that stopped a submission or
   * the tracking (`ISC_AUTH_FAILED`, `ISC_OUTAGE`, ...), or `ITEM_FAILED`, `ITEM_REJECTED`,
   * `ITEM_TERMINATED`, `REQUEST_STUCK`, `TRACKING_FAILED`, `STILL_HELD`. Absent in waits from before codes.
   */
  code?: string;
  reason: string;
  keys: string[];
  /** Whether `cancel` is on offer (a request stuck in ISC), besides `retry` and `skip`. */
  cancellable: boolean;
}

export interface AccessRequestState {
  requestKey: string;
  requestType: RequestType;
  phase: Phase;
  items: ItemState[];
  automaticRetriesUsed: number;
  operator?: OperatorWait;
  /** Removal date wanted per (identity, item) key, changed by `setRemoveDate` until the removal is done. */
  removeDates: Record<string, string | null>;
  removals: RemovalState[];
  /** What the worker said about the tenant at the start (kept so a continued run behaves the same). */
  tenant?: TenantSettings;
  /** Set when the change was cancelled (withdrawn) before it completed. */
  withdrawnAt?: string;
  /** News from the shared tracker not yet taken in (carried across continue-as-new, never dropped). */
  trackerNews?: TrackerNews[];
}

export interface ItemResult {
  identityId: string;
  itemType: ItemType;
  itemId: string;
  /** Final outcome; null only in views of a running workflow, for items still in progress. */
  outcome: ItemOutcome | null;
  iscState?: string;
  accessRequestId?: string;
  errorMessages: string[];
  skippedReason?: string;
  /** Left as it was because no operator decided before the escalation timeout. */
  escalationTimedOut?: boolean;
  removal?: { removeDate: string; mode: RemovalMode; status: RemovalStatus; note?: string };
}

export interface AccessRequestResult {
  requestKey: string;
  requestType: RequestType;
  items: ItemResult[];
  /** When the change was withdrawn (its workflow cancelled) before it completed. */
  withdrawnAt?: string;
}

export interface OperatorDecision {
  reason?: string;
}

/** `{"removeDate": "2027-01-31T17:00:00Z"}` moves every removal of the request; `null` cancels them. */
export interface SetRemoveDateInput {
  removeDate: string | null;
  /** Narrow the change to one identity and/or item. */
  identityId?: string;
  itemId?: string;
}

/** Removes a scheduled (identity, item) now: a revoke arriving for access whose removal is scheduled. */
export interface RemoveNowInput {
  identityId: string;
  itemId: string;
  comment?: string;
}

/** Where each item stands, at any time; adds nothing to history. */
export const statusQuery = defineQuery<AccessRequestState>('status');
/** Resubmit the items an operator is being asked about. Sendable from the Temporal UI as `{"reason": "..."}`. */
export const retryUpdate = defineUpdate<AccessRequestState, [OperatorDecision]>('retry');
/** Accept the items an operator is being asked about as they are. `{"reason": "..."}` is required. */
export const skipUpdate = defineUpdate<AccessRequestState, [OperatorDecision]>('skip');
/** Cancel (before approval) or close (after) the ISC requests an operator is asked about. `{"reason": "..."}`. */
export const cancelUpdate = defineUpdate<AccessRequestState, [OperatorDecision]>('cancel');
/** Change or cancel the removal date; refused (history untouched) for past or malformed dates. */
export const setRemoveDateUpdate = defineUpdate<AccessRequestState, [SetRemoveDateInput]>('setRemoveDate');
export const removeNowUpdate = defineUpdate<AccessRequestState, [RemoveNowInput]>('removeNow');

/** Who to tell when the change settles: the workflow that asked for it (an identity's lifecycle). */
export interface ChangeNotify {
  workflowId: string;
}

/** What a change tells the workflow that asked for it once every item is final. */
export interface ChangeSettled {
  changeId: string;
  result: AccessRequestResult;
}

/**
 * Sent by a change to the workflow named in its input's `notify` when it completes (also when it was
 * withdrawn). By workflow id, so it reaches the asker's current run even after a continue-as-new.
 */
export const changeSettledSignal = defineSignal<[ChangeSettled]>('changeSettled');
