/**
 * ISC's `idn:access-request-post-approval` trigger says a request moved. The shared trackers poll anyway
 * (ISC never resends a trigger, so polling stays the source of truth); a hint only makes the tracker that
 * watches the request look at it on its next round instead of at its usual cadence. The ingress does not
 * know which shard watches a request, so every running tracker of the task queue hears the hint and the
 * others ignore ids they do not watch. With per-workflow polling there is no tracker and a hint changes
 * nothing.
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { TRACKER_SIGNALS, WORKFLOW_TYPES } from '../common';
import type { TrackerMessage } from '../activities/contracts';

/** Passes the hint to every running tracker of `taskQueue`; answers how many heard it. */
export async function hintTrackers(client: Client, taskQueue: string, accessRequestIds: string[]): Promise<number> {
  if (accessRequestIds.length === 0) return 0;
  const query = [
    `WorkflowType = '${WORKFLOW_TYPES.statusTracker}'`,
    `ExecutionStatus = 'Running'`,
    `TaskQueue = '${taskQueue}'`,
  ].join(' AND ');
  const message: TrackerMessage = { kind: 'hint', accessRequestIds };
  let heard = 0;
  for await (const tracker of client.workflow.list({ query })) {
    try {
      await client.workflow.getHandle(tracker.workflowId).signal(TRACKER_SIGNALS.enlist, message);
      heard += 1;
    } catch (error) {
      // It continued as new or ended between the list and the signal: the next hint finds its successor.
      if (!(error instanceof WorkflowNotFoundError)) throw error;
    }
  }
  return heard;
}
