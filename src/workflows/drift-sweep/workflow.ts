/**
 * driftSweepWorkflow: one drift sweep, run as a single activity (the sweep reads ISC a page at a time and
 * visibility once, and queries only the lifecycles it cannot clear; see src/operations/drift.ts). The
 * workflow is its durable record: the result says what was found and repaired, for `iscflow report`.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { DriftActivities } from '../../activities/contracts';
import { FINAL_ISC_ERROR_CODES } from '../../common';
import type { DriftSweepInput, DriftSweepSummary } from './contracts';

const { sweepDrift } = proxyActivities<DriftActivities>({
  // A large tenant takes minutes (a call per 250 identities, at a share of ISC's budget); a dead worker is
  // noticed by its missing heartbeat, not the whole timeout.
  startToCloseTimeout: '2 hours',
  heartbeatTimeout: '1 minute',
  retry: { maximumAttempts: 3, initialInterval: '1 minute', nonRetryableErrorTypes: [...FINAL_ISC_ERROR_CODES] },
});

export async function driftSweepWorkflow(input: DriftSweepInput = {}): Promise<DriftSweepSummary> {
  return sweepDrift(input);
}
