/**
 * Every metric iscflow defines, once: name, kind, labels, help and histogram buckets. The instruments
 * (instruments.ts), the exporter's bucket settings (telemetry.ts), the Grafana dashboard's test and the
 * docs all read this list, so a metric cannot be renamed in one place and not in another.
 *
 * Labels are closed, low-cardinality sets (request types, outcomes, event types, HTTP statuses, templated
 * ISC paths): never an identity id, an item id, an employee number or anything else a person could be
 * found by. Workflow-safe: it imports types only.
 */
import type { WORKFLOW_TYPES } from '../common';

/** One metric as iscflow creates it on a Temporal `MetricMeter`. */
export interface MetricDefinition {
  /** The name it is created with; Prometheus shows counters with `_total` appended (see {@link exposedName}). */
  readonly name: string;
  readonly kind: 'counter' | 'histogram' | 'gauge';
  readonly help: string;
  /** Labels iscflow sets. The SDK adds its own on workflow and activity meters (namespace, task queue, type). */
  readonly labels: readonly string[];
  /** `float` for seconds, `int` for counts. */
  readonly valueType: 'int' | 'float';
  /** Histogram bucket boundaries, handed to the Prometheus exporter. */
  readonly buckets?: readonly number[];
}

export const ISCFLOW_METRICS = {
  iscCalls: {
    name: 'iscflow_isc_calls',
    kind: 'counter',
    help: 'Calls to ISC, by method, endpoint (the path without ids or query) and status (HTTP status, or timeout / network_error).',
    labels: ['method', 'endpoint', 'status'],
    valueType: 'int',
  },
  iscCallDuration: {
    name: 'iscflow_isc_call_duration_seconds',
    kind: 'histogram',
    help: 'Time from sending a call to ISC to having read its answer, by method and endpoint.',
    labels: ['method', 'endpoint'],
    valueType: 'float',
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  },
  iscRateLimited: {
    name: 'iscflow_isc_rate_limited',
    kind: 'counter',
    help: 'Calls ISC answered 429 (rate limit), by endpoint; the activity retries them after Retry-After.',
    labels: ['endpoint'],
    valueType: 'int',
  },
  iscUp: {
    name: 'iscflow_isc_up',
    kind: 'gauge',
    help: 'Whether ISC answers, as this worker sees it: 1, or 0 while its circuit holds calls back (one probe at a time) after ISC stopped answering.',
    labels: [],
    valueType: 'int',
  },
  submittedItems: {
    name: 'iscflow_submitted_items',
    kind: 'counter',
    help: 'Items of access changes handed to ISC by a submit, by request type and disposition (SUBMITTED: sent now; ADOPTED: a pending or earlier request found instead; ALREADY_SATISFIED: nothing to send).',
    labels: ['request_type', 'disposition'],
    valueType: 'int',
  },
  outcomes: {
    name: 'iscflow_outcomes',
    kind: 'counter',
    help: 'Final outcomes of items when their access change completes, by request type and outcome (GRANTED, REVOKED, ALREADY_SATISFIED, REJECTED, FAILED, CANCELLED).',
    labels: ['request_type', 'outcome'],
    valueType: 'int',
  },
  lifecycleEvents: {
    name: 'iscflow_lifecycle_events',
    kind: 'counter',
    help: 'HR events by type and result (accepted: delivered to the identity lifecycle by its receipt; duplicate: recognised by the lifecycle as one it had already taken in).',
    labels: ['type', 'result'],
    valueType: 'int',
  },
  awaitingOperator: {
    name: 'iscflow_awaiting_operator',
    kind: 'gauge',
    help: 'Running workflows waiting for an operator (IscflowState = "AWAITING_OPERATOR"), by workflow type; counted in visibility by every worker, so take the max across workers.',
    labels: ['workflow_type'],
    valueType: 'int',
  },
  driftItems: {
    name: 'iscflow_drift_items',
    kind: 'gauge',
    help: 'Items the last scheduled drift sweep found, by finding (missing: desired but not held in ISC; unexpected: held, the lifecycle’s own, no longer desired; unrevocable: held, no longer desired, and ISC will not let a request revoke it).',
    labels: ['finding'],
    valueType: 'int',
  },
  trackerBatchSize: {
    name: 'iscflow_tracker_batch_size',
    kind: 'histogram',
    help: 'Items the status tracker asked ISC about in one look.',
    labels: [],
    valueType: 'int',
    buckets: [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000],
  },
  trackerDetectionLag: {
    name: 'iscflow_tracker_detection_lag_seconds',
    kind: 'histogram',
    help: 'Time from a change of an item in ISC (its status row) to the status tracker noticing it.',
    labels: [],
    valueType: 'float',
    buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21600],
  },
} as const satisfies Record<string, MetricDefinition>;

export type IscflowMetricKey = keyof typeof ISCFLOW_METRICS;

/**
 * The name Prometheus shows: counters get `_total` (the exporter runs with `countersTotalSuffix`);
 * histograms show as `<name>_bucket`, `_sum` and `_count`.
 */
export function exposedName(metric: MetricDefinition): string {
  return metric.kind === 'counter' ? `${metric.name}_total` : metric.name;
}

/** Results of an HR event in `iscflow_lifecycle_events`. */
export type LifecycleEventResult = 'accepted' | 'duplicate';

/** The workflow types `iscflow_awaiting_operator` counts, as Temporal names them. */
export type OperatorWorkflowType = (typeof WORKFLOW_TYPES)['accessRequest' | 'identityLifecycle'];

/**
 * Temporal SDK metrics the Grafana dashboard reads (named as the worker's exporter shows them). Not
 * iscflow's to define: the worker's metrics test checks that a real worker exposes each of them.
 */
export const SDK_METRICS_ON_DASHBOARD = [
  'temporal_workflow_task_schedule_to_start_latency',
  'temporal_workflow_task_execution_latency',
  'temporal_activity_schedule_to_start_latency',
  'temporal_activity_execution_latency',
  'temporal_activity_execution_failed_total',
  'temporal_worker_task_slots_available',
] as const;
