/**
 * iscflow's metrics as instruments on a Temporal `MetricMeter`: the runtime's (the worker process), an
 * activity's or a workflow's. Every meter reaches the same Prometheus endpoint the SDK serves its own
 * metrics on, so one scrape gets both. Label values are typed as the closed sets they are.
 * Workflow-safe: it only creates instruments on the meter it is given.
 */
import type { MetricCounter, MetricGauge, MetricHistogram, MetricMeter } from '@temporalio/common';
import type { DriftFinding, HrEventType, ItemOutcome, RequestType } from '../domain';
import {
  ISCFLOW_METRICS as M,
  type LifecycleEventResult,
  type MetricDefinition,
  type OperatorWorkflowType,
} from './catalog';

/** One finished call to ISC. `status` is the HTTP status, or `timeout` / `network_error` when none came. */
export interface IscCallRecord {
  method: string;
  /** The templated path: no ids, no query (see `endpointOf`). */
  endpoint: string;
  status: string;
  seconds: number;
}

/** The dispositions a submit gives its items (see `SubmitDisposition` in the activities' contracts). */
export type SubmittedDisposition = 'SUBMITTED' | 'ADOPTED' | 'ALREADY_SATISFIED';

export interface IscflowMetrics {
  iscCall(call: IscCallRecord): void;
  /** Whether ISC answers (the worker's circuit closed) or not. */
  iscUp(up: boolean): void;
  submitted(requestType: RequestType, dispositions: readonly SubmittedDisposition[]): void;
  outcomes(requestType: RequestType, outcomes: readonly ItemOutcome[]): void;
  lifecycleEvent(type: HrEventType, result: LifecycleEventResult): void;
  /** How many items one look of the status tracker covered. */
  trackerBatch(size: number): void;
  /** Seconds from an item's change in ISC to the tracker noticing it. */
  detectionLag(seconds: number): void;
  awaitingOperator(workflowType: OperatorWorkflowType, count: number): void;
  /** What the last drift sweep found, of one kind. */
  driftItems(finding: DriftFinding, count: number): void;
}

/** Created on first use: a workflow's meter may only create instruments inside the workflow. */
function lazy<T>(make: () => T): () => T {
  let made: T | undefined;
  return () => (made ??= make());
}

export function createIscflowMetrics(meter: MetricMeter): IscflowMetrics {
  const counter = (m: MetricDefinition) => lazy<MetricCounter>(() => meter.createCounter(m.name, undefined, m.help));
  const histogram = (m: MetricDefinition, unit?: string) =>
    lazy<MetricHistogram>(() => meter.createHistogram(m.name, m.valueType, unit, m.help));
  const gauge = (m: MetricDefinition) =>
    lazy<MetricGauge>(() => meter.createGauge(m.name, m.valueType, undefined, m.help));

  const iscCalls = counter(M.iscCalls);
  const iscCallDuration = histogram(M.iscCallDuration, 's');
  const iscRateLimited = counter(M.iscRateLimited);
  const iscUp = gauge(M.iscUp);
  const submittedItems = counter(M.submittedItems);
  const outcomes = counter(M.outcomes);
  const lifecycleEvents = counter(M.lifecycleEvents);
  const awaitingOperator = gauge(M.awaitingOperator);
  const driftItems = gauge(M.driftItems);
  const trackerBatchSize = histogram(M.trackerBatchSize);
  const trackerDetectionLag = histogram(M.trackerDetectionLag, 's');

  /** Adds one per distinct label value, so a batch of ten items is one call per value, not ten. */
  const countEach = <V extends string>(values: readonly V[], add: (value: V, n: number) => void): void => {
    const counts = new Map<V, number>();
    for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
    for (const [value, n] of counts) add(value, n);
  };

  return {
    iscCall({ method, endpoint, status, seconds }) {
      iscCalls().add(1, { method, endpoint, status });
      iscCallDuration().record(Math.max(0, seconds), { method, endpoint });
      if (status === '429') iscRateLimited().add(1, { endpoint });
    },
    iscUp(up) {
      iscUp().set(up ? 1 : 0);
    },
    submitted(requestType, dispositions) {
      countEach(dispositions, (disposition, n) => submittedItems().add(n, { request_type: requestType, disposition }));
    },
    outcomes(requestType, kinds) {
      countEach(kinds, (outcome, n) => outcomes().add(n, { request_type: requestType, outcome }));
    },
    lifecycleEvent(type, result) {
      lifecycleEvents().add(1, { type, result });
    },
    trackerBatch(size) {
      trackerBatchSize().record(Math.max(0, Math.round(size)));
    },
    detectionLag(seconds) {
      trackerDetectionLag().record(Math.max(0, seconds));
    },
    awaitingOperator(workflowType, count) {
      awaitingOperator().set(Math.max(0, count), { workflow_type: workflowType });
    },
    driftItems(finding, count) {
      driftItems().set(Math.max(0, count), { finding });
    },
  };
}
