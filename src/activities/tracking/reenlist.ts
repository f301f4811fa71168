/**
 * A tracker that starts empty (never before, or after it was terminated) asks the running access changes
 * of its shard that may be waiting on it to say again what they wait for. Which phases count lives with
 * the phases themselves (`PHASES_ACTING_WITH_ISC`), so a new phase cannot silently drop out of the query.
 */
import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { Logger } from 'pino';
import { PHASES_ACTING_WITH_ISC, STATE, TRACKER_SIGNALS, WORKFLOW_TYPES } from '../../common';
import { trackerShardOf } from '../../domain';
import type { TrackingActivities } from '../contracts';
import { DELIVERY_CONCURRENCY, inParallel } from './signals';

/** The visibility query for the running access changes of a task queue that may wait on their tracker. */
function waitingChangesQuery(taskQueue: string): string {
  return [
    `WorkflowType = '${WORKFLOW_TYPES.accessRequest}'`,
    `ExecutionStatus = 'Running'`,
    `TaskQueue = '${taskQueue}'`,
    `${STATE.name} IN (${PHASES_ACTING_WITH_ISC.map((phase) => `'${phase}'`).join(', ')})`,
  ].join(' AND ');
}

export function createReenlistActivity(client: () => Client, logger: Logger): TrackingActivities['askToReenlist'] {
  return async function askToReenlist({ taskQueue, shard, shards }) {
    const mine: string[] = [];
    for await (const wf of client().workflow.list({ query: waitingChangesQuery(taskQueue) })) {
      if (trackerShardOf(wf.workflowId, shards) === shard) mine.push(wf.workflowId);
    }
    await inParallel(mine, DELIVERY_CONCURRENCY, async (workflowId) => {
      await client()
        .workflow.getHandle(workflowId)
        .signal(TRACKER_SIGNALS.reenlist)
        .catch((error: unknown) => {
          if (!(error instanceof WorkflowNotFoundError)) throw error;
        });
    });
    if (mine.length > 0) logger.info({ shard, asked: mine.length }, 'tracker asked its access changes to enlist again');
    return { asked: mine.length };
  };
}
