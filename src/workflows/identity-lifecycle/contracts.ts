/**
 * The versioned contract of `identityLifecycleWorkflow`: one entity workflow per identity key, living for
 * years. HR events arrive as signals; operators and the CLI read it through queries and act through
 * Updates. Clients import this file; it holds only types and message definitions.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { TenantSettings } from '../../activities/contracts';
import type { AccessRequestOptions, DEPLOYMENT_ISC_ERROR_CODES } from '../../common';
import type {
  Attributes,
  DesiredItem,
  EmploymentStatus,
  EventOutcome,
  HrEventType,
  Holding,
  IdentityKey,
  ItemOutcome,
  LifecycleAction,
  ItemType,
  Ownership,
  PolicyItem,
  ReceivedEvent,
  ResolvedPolicy,
  TimelineEvent,
} from '../../domain';

/** Where an identity stands; mirrored in the `IscflowLifecycleState` (and `IscflowState`) search attributes. */
export const LIFECYCLE_STATES = [
  'NOT_HIRED',
  'PENDING_HIRE',
  'WAITING_FOR_IDENTITY',
  'ACTIVE',
  'TERMINATED',
  'AWAITING_OPERATOR',
] as const;
export type LifecycleState = (typeof LIFECYCLE_STATES)[number];

export interface LifecycleOptions {
  /** How often ISC is searched for an identity HR knows and ISC does not yet (`ISCFLOW_IDENTITY_POLL_SECONDS`). */
  identityPollSeconds: number;
  /** How long after the hire an identity may be missing from ISC before a person is asked (`ISCFLOW_IDENTITY_WAIT_SECONDS`). */
  identityWaitSeconds: number;
  /** How long an operator decision is awaited before the lifecycle stops waiting; null = forever. */
  escalationTimeoutSeconds: number | null;
  /** Tuning of the access changes the lifecycle starts. */
  change: Partial<AccessRequestOptions>;
  /** Continue-as-new past this many history events, carrying the timeline (bounds the history). */
  maxHistoryEvents: number;
  /** Events kept in the timeline; older ones are folded into its baseline (their keys remembered). */
  timelineLimit: number;
  /** How many event keys folded out of the timeline are remembered, to recognise late duplicates. */
  seenMemory: number;
}

export const LIFECYCLE_DEFAULTS: LifecycleOptions = {
  identityPollSeconds: 300,
  identityWaitSeconds: 3 * 24 * 3600,
  escalationTimeoutSeconds: null,
  change: {},
  maxHistoryEvents: 2000,
  timelineLimit: 100,
  seenMemory: 1000,
};

export type { EventDelivery, ReceivedEvent } from '../../domain';

/** One change the lifecycle started, for `identity show` and the audit report. */
export interface ChangeRecord {
  changeId: string;
  kind: 'grant' | 'revoke';
  items: PolicyItem[];
  /** The event (or `policy-apply`, `timer`) that made it. */
  cause: string;
  startedAt: string;
  startDate?: string;
  settledAt?: string;
  withdrawn?: boolean;
  outcomes?: Array<{ itemType: string; itemId: string; outcome: ItemOutcome | null; accessRequestId?: string }>;
}

export interface OperatorWait {
  since: string;
  /** Stable code (also in `IscflowOperatorReason`); a lookup stopped by refused credentials or an outage says so. */
  code: 'IDENTITY_NOT_FOUND' | 'IDENTITY_LOOKUP_FAILED' | (typeof DEPLOYMENT_ISC_ERROR_CODES)[number];
  reason: string;
}

/** What the timeline starts from once old events are folded away. */
export interface TimelineBaseline {
  at: string;
  status: 'NONE' | 'ACTIVE' | 'TERMINATED';
  attributes: Attributes;
  hiredAt?: string;
  terminatedAt?: string;
}

/** Everything the lifecycle carries across continue-as-new. JSON-safe; HR data, so encrypted at rest. */
export interface LifecycleSnapshot {
  iscIdentityId?: string;
  baseline?: TimelineBaseline;
  timeline: TimelineEvent[];
  /** Keys of events folded into the baseline, newest last (bounded by `seenMemory`). */
  seen: string[];
  /** Deliveries of an event after the first, by event key. */
  duplicates: Record<string, number>;
  ledger: Holding[];
  changes: ChangeRecord[];
  nextChangeSeq: number;
  policyHash?: string;
  operator?: OperatorWait;
  identityWait?: { since: string; deadline: string; skippedUntilEvent?: boolean };
  /** The termination whose `leaver.revokeAll` sweep has run. */
  revokeAllDoneFor?: string;
  /** Events received but not yet taken in when the run continued as new. */
  inbox: ReceivedEvent[];
  /** What the worker said about the tenant and its tracking, asked once. */
  tenant?: TenantSettings;
  lastReconciledAt?: string;
  /** When ISC was read for the adoption this lifecycle started from (see `AdoptionInput`). */
  adoptedAt?: string;
}

/** One item an identity holds, as ISC's search index said when it was read. */
export interface HeldItem {
  type: ItemType;
  id: string;
  /** False when an access request may not revoke it (it came with a role or by birthright); absent: not said. */
  revocable?: boolean;
}

/**
 * An identity ISC already has, taken under management as it stands (`iscflow adopt`): the lifecycle starts
 * ACTIVE from these attributes, claims the desired access the identity holds (no ISC call) and grants the
 * rest. Its ISC id is known, so it never searches ISC for the identity.
 */
export interface AdoptionInput {
  identityId: string;
  /** The identity's ISC attributes (text, numbers, flags); the policy's `attributes:` maps their names. */
  attributes: Attributes;
  held: HeldItem[];
  /** When ISC was read: the baseline of the timeline (an HR event dated before it applies at it). */
  readAt: string;
}

export interface LifecycleInput {
  /** HR's key of the identity (employee number) or its ISC id. Personal data: encrypted in history. */
  identity: IdentityKey;
  /** The pseudonym of the key: the workflow id's suffix and the `IscflowIdentityRef` search attribute. */
  ref: string;
  options?: Partial<LifecycleOptions>;
  /** Set by `iscflow adopt`: the identity as ISC holds it now. */
  adopt?: AdoptionInput;
  /** Carried across continue-as-new; never set by callers. */
  resume?: LifecycleSnapshot;
}

export interface TimelineEntryView {
  key: string;
  type: HrEventType;
  effectiveAt: string;
  receivedAt: string;
  channel?: string;
  outcome: EventOutcome;
  duplicates: number;
}

/** `iscflow identity show`: the lifecycle as it stands now. */
export interface LifecycleView {
  ref: string;
  identity: IdentityKey;
  iscIdentityId?: string;
  state: LifecycleState;
  attributes: Attributes;
  hiredAt?: string;
  terminatedAt?: string;
  timeline: TimelineEntryView[];
  desired: DesiredItem[];
  holdings: Holding[];
  scheduled: Array<{ at: string; action: string; item?: PolicyItem }>;
  changes: ChangeRecord[];
  operator?: OperatorWait;
  policyHash?: string;
  /** Employment now (the timeline's projection): what drift is judged by. */
  employment: EmploymentStatus;
  /** Whose access the lifecycle may revoke, as its policy says. */
  ownership: Ownership;
  /** When it was adopted from ISC, if it was. */
  adoptedAt?: string;
}

/** Where one event stands, for `GET /v1/events/{source}/{id}`. */
export interface EventStanding {
  source: string;
  id: string;
  state: 'applied' | 'pending' | 'rescinded' | 'ignored';
  pendingUntil?: string;
  detail?: string;
  /** Deliveries after the first. */
  duplicates: number;
  identity: { key: string; ref: string };
}

export interface ReconcileRequest {
  /** The policy the caller planned with; refused when the workers run another one. */
  policyHash?: string;
  reason?: string;
}

export interface OperatorDecision {
  reason?: string;
}

/** What a drift sweep found for this identity, to put right (`iscflow drift --repair`). */
export interface DriftRepairRequest {
  /** Desired (or held by the lifecycle) but not held in ISC: asked for again. */
  missing: PolicyItem[];
  /** Held in ISC, the lifecycle's own, no longer desired: revoked. */
  unexpected: PolicyItem[];
  reason?: string;
}

/** An HR event for this identity. Fire-and-forget: durable once the signal call returns, applied in effective order. */
export const hrEventSignal = defineSignal<[ReceivedEvent]>('hrEvent');
/** The lifecycle as it stands; adds nothing to history. */
export const lifecycleStatusQuery = defineQuery<LifecycleView>('status');
export const eventStandingQuery = defineQuery<EventStanding | null, [{ source: string; id: string }]>('eventStanding');
/** What a policy would change for this identity now, nothing sent (`iscflow policy plan`). */
export interface PolicyPlanView {
  state: LifecycleState;
  iscIdentityId?: string;
  actions: LifecycleAction[];
  /** Revokes of access the lifecycle did not grant, made only if ISC says a request may revoke it. */
  check?: PolicyItem[];
}
export const policyPlanQuery = defineQuery<PolicyPlanView, [ResolvedPolicy]>('policyPlan');
/** `iscflow policy apply`: reconcile now with the workers' current policy (failed grants are asked again). */
export const reconcileUpdate = defineUpdate<LifecycleView, [ReconcileRequest]>('reconcile');
/**
 * A drift sweep's findings: the lifecycle forgets that it holds what is missing and reconciles at once
 * (cause `drift`), so missing access is requested again and unexpected access revoked; failed grants and
 * revokes are tried again too, as on any news.
 */
export const repairDriftUpdate = defineUpdate<LifecycleView, [DriftRepairRequest]>('repairDrift');
/** Search ISC for the missing identity again (another `identityWaitSeconds`). `{"reason": "..."}` */
export const lifecycleRetryUpdate = defineUpdate<LifecycleView, [OperatorDecision]>('retry');
/** Stop waiting for the identity until the next HR event; nothing is granted meanwhile. `{"reason": "..."}` required. */
export const lifecycleSkipUpdate = defineUpdate<LifecycleView, [OperatorDecision]>('skip');
