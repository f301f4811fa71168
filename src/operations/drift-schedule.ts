/**
 * The Temporal Schedule of drift sweeps (`ISCFLOW_DRIFT_SCHEDULE`, an ISO interval such as `P1D`): every
 * worker that has the setting creates it at start, or updates it to its interval and task queue, so a
 * deploy that changes the interval changes the schedule. A sweep still running when the next is due makes
 * that one skip. Without the setting the worker leaves an existing schedule alone
 * (`temporal schedule delete --schedule-id iscflow-drift-sweep` removes it).
 */
import {
  ScheduleAlreadyRunning,
  ScheduleOverlapPolicy,
  type Client,
  type ScheduleOptionsAction,
  type ScheduleSpec,
} from '@temporalio/client';
import { WORKFLOW_TYPES } from '../common';
import type { driftSweepWorkflow } from '../workflows';
import { DRIFT_SCHEDULE_ID } from '../workflows/drift-sweep/contracts';

export interface DriftScheduleOptions {
  taskQueue: string;
  /** Between two sweeps. */
  everyMs: number;
}

/** Creates the schedule, or brings an existing one to this interval and task queue. */
export async function ensureDriftSchedule(
  client: Client,
  { taskQueue, everyMs }: DriftScheduleOptions,
): Promise<'created' | 'updated'> {
  const spec: ScheduleSpec = { intervals: [{ every: everyMs }] };
  const action: ScheduleOptionsAction = {
    type: 'startWorkflow',
    workflowType: WORKFLOW_TYPES.driftSweep,
    taskQueue,
    args: [{}] satisfies Parameters<typeof driftSweepWorkflow>,
    workflowId: DRIFT_SCHEDULE_ID,
    staticSummary: 'Drift sweep: what ISC holds against what each identity lifecycle expects',
  };
  try {
    await client.schedule.create({
      scheduleId: DRIFT_SCHEDULE_ID,
      spec,
      action,
      policies: { overlap: ScheduleOverlapPolicy.SKIP },
    });
    return 'created';
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
  }
  await client.schedule.getHandle(DRIFT_SCHEDULE_ID).update((previous) => ({ ...previous, spec, action }));
  return 'updated';
}
