/**
 * iscflow's metrics from workflow code, on the workflow's own meter: nothing is emitted while a workflow
 * replays, so a worker that rebuilds a workflow from its history counts nothing twice. Workflow-safe.
 */
import { metricMeter } from '@temporalio/workflow';
import type { HrEventType, ItemOutcome, RequestType } from '../domain';
import type { LifecycleEventResult } from './catalog';
import { createIscflowMetrics, type IscflowMetrics } from './instruments';

/** The instruments on the current workflow's meter (call inside a workflow only). */
export function workflowMetrics(): IscflowMetrics {
  return createIscflowMetrics(metricMeter);
}

/**
 * Counts the final outcome of each item of an access change (`iscflow_outcomes_total`). Call once, where
 * the workflow's result is built; an item without an outcome counts as FAILED, as the result reports it.
 */
export function recordOutcomes(result: {
  requestType: RequestType;
  items: ReadonlyArray<{ outcome?: ItemOutcome | null }>;
}): void {
  workflowMetrics().outcomes(
    result.requestType,
    result.items.map((item) => item.outcome ?? 'FAILED'),
  );
}

/** Counts an HR event reaching (`accepted`) or recognised again by (`duplicate`) its lifecycle. */
export function recordLifecycleEvent(type: HrEventType, result: LifecycleEventResult): void {
  workflowMetrics().lifecycleEvent(type, result);
}

/** For a status tracker that runs as a workflow: one look at ISC covering `size` items. */
export function recordTrackerBatch(size: number): void {
  workflowMetrics().trackerBatch(size);
}

/** For a status tracker that runs as a workflow: an item's change in ISC noticed `seconds` after it happened. */
export function recordDetectionLag(seconds: number): void {
  workflowMetrics().detectionLag(seconds);
}
