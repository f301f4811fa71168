/**
 * The messages between access changes and their tracker: an access change hands its tracker a message
 * (starting the tracker if it does not run), and the tracker signals news back to many changes at once.
 * Neither calls ISC.
 */
import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/client';
import { TRACKER_SIGNALS, WORKFLOW_TYPES, trackerWorkflowId } from '../../common';
import type { EnlistInput, TrackerNews, TrackingActivities } from '../contracts';
import { DELIVERY_CONCURRENCY, inParallel } from './signals';

export function createNewsActivities(client: () => Client): Pick<TrackingActivities, 'enlist' | 'deliverNews'> {
  async function enlist({ shard, settings, message }: EnlistInput): Promise<void> {
    await client().workflow.signalWithStart(WORKFLOW_TYPES.statusTracker, {
      workflowId: trackerWorkflowId(settings.taskQueue, shard),
      taskQueue: settings.taskQueue,
      args: [{ shard, settings }],
      signal: TRACKER_SIGNALS.enlist,
      signalArgs: [message],
      // A tracker is a long-lived entity: joined while it runs, started again if it ever ended.
      workflowIdConflictPolicy: 'USE_EXISTING',
    });
  }

  async function deliverNews({
    deliveries,
  }: {
    deliveries: Array<{ workflowId: string; news: TrackerNews }>;
  }): Promise<{ gone: string[] }> {
    const gone: string[] = [];
    await inParallel(deliveries, DELIVERY_CONCURRENCY, async ({ workflowId, news }) => {
      try {
        await client().workflow.getHandle(workflowId).signal(TRACKER_SIGNALS.news, news);
      } catch (error) {
        // Completed or terminated meanwhile: nobody waits for this news any more.
        if (error instanceof WorkflowNotFoundError) gone.push(workflowId);
        else throw error;
      }
    });
    return { gone };
  }

  return { enlist, deliverNews };
}
