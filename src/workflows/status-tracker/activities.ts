/** The tracker's activity proxies: ISC calls on the rate-limited ISC queue, messages on its own queue. */
import type { RetryPolicy } from '@temporalio/common';
import { proxyActivities } from '@temporalio/workflow';
import type { TrackingActivities } from '../../activities/contracts';
import { FINAL_ISC_ERROR_CODES } from '../../common';
import type { TrackerSettings } from './contracts';

const retry: RetryPolicy = {
  initialInterval: '2s',
  backoffCoefficient: 2,
  maximumInterval: '1 minute',
  nonRetryableErrorTypes: [...FINAL_ISC_ERROR_CODES],
};

export function trackerActivities(settings: TrackerSettings) {
  const isc = proxyActivities<TrackingActivities>({
    taskQueue: settings.iscTaskQueue,
    startToCloseTimeout: '2 minutes',
    // The activities heartbeat while they work: a worker that dies mid-batch is noticed in seconds.
    heartbeatTimeout: '15s',
    // An ISC outage is ridden out for a day, as for any access change; then the tickets fail visibly.
    scheduleToCloseTimeout: '1 day',
    retry,
  });
  const temporal = proxyActivities<TrackingActivities>({
    startToCloseTimeout: '2 minutes',
    heartbeatTimeout: '15s',
    retry: { initialInterval: '1s', maximumInterval: '30s' },
  });
  // A feed read that fails is not waited out: the tracker reads by id instead on the same round.
  const feed = proxyActivities<TrackingActivities>({
    taskQueue: settings.iscTaskQueue,
    startToCloseTimeout: '30s',
    heartbeatTimeout: '15s',
    scheduleToCloseTimeout: '1 minute',
    retry: { ...retry, maximumAttempts: 2 },
  });
  return {
    readStatusChanges: feed.readStatusChanges,
    heldAccessOf: isc.heldAccessOf,
    submitBatch: isc.submitBatch,
    checkStatusBatch: isc.checkStatusBatch,
    deliverNews: temporal.deliverNews,
    askToReenlist: temporal.askToReenlist,
  };
}
