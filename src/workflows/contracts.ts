/**
 * The versioned contract of `accessRequestWorkflow`: its input, state, result and messages. Clients (the
 * CLI, ingress, tests) import this file; it holds only types and message definitions.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { ItemOutcome, ItemType, PlannedRequest, RequestType } from '../domain';

/** Where a request stands; mirrored in the `IscflowState` search attribute. */
export const PHASES = [
  'SCHEDULED',
  'SUBMITTING',
  'TRACKING',
  'RETRY_BACKOFF',
  'AWAITING_OPERATOR',
  'REMOVAL_SCHEDULED',
  'REMOVING',
  'COMPLETED',
] as const;
export type Phase = (typeof PHASES)[number];

export type RemovalMode = 'isc' | 'exact';

/** Tuning of one workflow. Every field has a default; tests shorten the waits. */
export interface AccessRequestOptions {
  /** How often the tracker asks ISC for news. */
  statusPollSeconds: number;
  /** Automatic resubmissions of items that ended PROVISIONING_FAILED, ERROR or NOT_ALL_ITEMS_PROVISIONED. */
  outcomeRetries: number;
  /** Wait before the first resubmission; doubles each time. */
  outcomeRetryBackoffSeconds: number;
  /** Whether a REJECTED item waits for an operator instead of being final (default: final). */
  operatorOnRejected: boolean;
  /** Whether a TERMINATED (closed by an admin) item waits for an operator (default: final, CANCELLED). */
  operatorOnTerminated: boolean;
  /** How long an operator decision is awaited before the workflow ends with the failure; null = forever. */
  escalationTimeoutSeconds: number | null;
  /** How long an item may lack a status row before iscflow checks whether ISC ignored it as already held. */
  missingRowGraceSeconds: number;
  /** `isc`: removeDate goes to ISC; `exact`: the workflow revokes at the date itself. */
  removalMode: RemovalMode;
  /** What the tenant accepts: `legacy` takes no removeDate on entitlements and no startDate at all. */
  tenantProfile: 'current' | 'legacy';
  /**
   * Longest one ISC activity attempt may run before Temporal retries it elsewhere; bounds how long a
   * crashed worker holds up a request.
   */
  activityTimeoutSeconds: number;
}

export interface AccessRequestInput {
  request: PlannedRequest;
  options?: Partial<AccessRequestOptions>;
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
  /** Submission rounds so far (automatic and operator retries). */
  attempts: number;
  submittedAt?: string;
  /** Why an operator skipped this item, when one did. */
  skippedReason?: string;
}

export interface OperatorWait {
  since: string;
  reason: string;
  keys: string[];
}

export interface AccessRequestState {
  requestKey: string;
  requestType: RequestType;
  phase: Phase;
  items: ItemState[];
  automaticRetriesUsed: number;
  operator?: OperatorWait;
}

export interface ItemResult {
  identityId: string;
  itemType: ItemType;
  itemId: string;
  outcome: ItemOutcome;
  iscState?: string;
  accessRequestId?: string;
  errorMessages: string[];
  skippedReason?: string;
}

export interface AccessRequestResult {
  requestKey: string;
  requestType: RequestType;
  items: ItemResult[];
}

export interface OperatorDecision {
  reason?: string;
}

/** Where each item stands, at any time; adds nothing to history. */
export const statusQuery = defineQuery<AccessRequestState>('status');
/** Resubmit the items an operator is being asked about. Sendable from the Temporal UI as `{"reason": "..."}`. */
export const retryUpdate = defineUpdate<AccessRequestState, [OperatorDecision]>('retry');
/** Accept the items an operator is being asked about as they are. `{"reason": "..."}` is required. */
export const skipUpdate = defineUpdate<AccessRequestState, [OperatorDecision]>('skip');
