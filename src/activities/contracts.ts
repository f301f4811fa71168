/**
 * What workflows may ask of the outside world. Workflows import these as types only; the implementations
 * live in activities built by `createActivities`.
 */
import type { ItemOutcome, ItemType, PlannedRequest, PolicyItem, RequestType, ResolvedPolicy } from '../domain';

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

/** What the worker knows about the tenant and the deployment, told to each workflow at its start. */
export interface TenantSettings {
  tenantProfile: 'current' | 'legacy';
  removalMode: 'isc' | 'exact';
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
export type IscflowActivities = AccessRequestActivities & LifecycleActivities;

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
  /** Which of these changes have closed, and how: for changes whose settled signal never came. */
  closedChanges: (input: { changeIds: string[] }) => Promise<ClosedChange[]>;
}
