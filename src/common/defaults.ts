/**
 * Tuning of one access-request workflow, and its defaults: the one place both the workflow (for fields a
 * starter left out) and the configuration (for `ISCFLOW_*` defaults) read them from. Workflow-safe.
 */

export type RemovalMode = 'isc' | 'exact';
export type TenantProfile = 'current' | 'legacy';

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
  /** `isc`: removeDate goes to ISC; `exact`: the workflow revokes at the date itself. Default: the worker's. */
  removalMode: RemovalMode;
  /**
   * What the tenant accepts: `legacy` takes no removeDate on entitlements and no startDate at all. Default:
   * the worker's `SAIL_TENANT_PROFILE`; set here only to override it.
   */
  tenantProfile: TenantProfile;
  /**
   * Longest one ISC activity attempt may run before Temporal retries it elsewhere; bounds how long a
   * crashed worker holds up a request.
   */
  activityTimeoutSeconds: number;
  /** In `isc` mode, how long after removeDate ISC gets before iscflow checks and revokes itself (ISC's SLA: 24 h). */
  removalVerificationSeconds: number;
  /** A request still in progress in ISC after this long is put to an operator (null: never). */
  stuckAfterSeconds: number | null;
  /** What happens to a stuck request: `ask` an operator, or `cancel` it (before approval) / close it (after). */
  stuckAction: 'ask' | 'cancel';
}

export const ACCESS_REQUEST_DEFAULTS: Readonly<AccessRequestOptions> = Object.freeze({
  statusPollSeconds: 30,
  outcomeRetries: 2,
  outcomeRetryBackoffSeconds: 60,
  operatorOnRejected: false,
  operatorOnTerminated: false,
  escalationTimeoutSeconds: 7 * 24 * 3600,
  missingRowGraceSeconds: 600,
  removalMode: 'isc',
  tenantProfile: 'current',
  activityTimeoutSeconds: 120,
  removalVerificationSeconds: 24 * 3600,
  stuckAfterSeconds: null,
  stuckAction: 'ask',
});

/** The default task queue every iscflow worker and starter uses (`ISCFLOW_TASK_QUEUE`). */
export const DEFAULT_TASK_QUEUE = 'iscflow';

/**
 * How access changes learn about ISC: `shared` (one tracker per shard watches every request in flight and
 * asks ISC in batches; submissions of the same items for different identities are coalesced) or `poll`
 * (each workflow polls ISC on its own, as before the tracker existed).
 */
export type TrackingMode = 'shared' | 'poll';

/** The worker's default tracking, and ISC's call budget the deployment paces itself under. */
export const TRACKING_DEFAULTS = Object.freeze({
  mode: 'shared',
  /** ISC allows 100 calls per 10 s per client and API version; stay under it with a margin. */
  iscCallsPer10s: 90,
  trackerShards: 4,
});

/** The task queue of every ISC-calling activity in shared mode: rate-limited to the ISC budget. */
export function iscTaskQueue(taskQueue: string): string {
  return `${taskQueue}-isc`;
}

/**
 * The workflow id of a tracker shard. Per task queue: deployments (or test stacks) that share a namespace
 * but not workers must not share trackers, which run on their task queue's workers and call their ISC.
 */
export function trackerWorkflowId(taskQueue: string, shard: number): string {
  return `iscflow-tracker-${taskQueue}-${shard}`;
}
