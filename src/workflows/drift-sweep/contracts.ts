/**
 * The versioned contract of `driftSweepWorkflow`: one drift sweep, started by the worker's schedule
 * (`ISCFLOW_DRIFT_SCHEDULE`). Its result is the record of what the sweep found and did.
 */
export type { DriftSweepInput, DriftSweepSummary } from '../../activities/contracts';

/** The schedule that starts sweeps, and the id prefix of the sweeps it starts. */
export const DRIFT_SCHEDULE_ID = 'iscflow-drift-sweep';
