/** The activity proxies of a lifecycle. */
import type { RetryPolicy } from '@temporalio/common';
import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { AccessRequestActivities, LifecycleActivities, TrackingSettings } from '../../activities/contracts';
import { FINAL_ISC_ERROR_CODES } from '../../common';

const retry: RetryPolicy = {
  initialInterval: '2s',
  backoffCoefficient: 2,
  maximumInterval: '1 minute',
  nonRetryableErrorTypes: [...FINAL_ISC_ERROR_CODES],
};

/** In shared tracking ISC calls run on the ISC task queue, paced with every other ISC call. */
const queueOf = (tracking?: TrackingSettings) =>
  tracking?.mode === 'shared' ? { taskQueue: tracking.iscTaskQueue } : {};

/** ISC look-ups, ridden through an outage for a day like the access changes' calls. */
export function lifecycleIsc(tracking?: TrackingSettings) {
  return proxyActivities<LifecycleActivities>({
    ...queueOf(tracking),
    startToCloseTimeout: '2 minutes',
    scheduleToCloseTimeout: '1 day',
    retry,
  });
}

/** How a change ended, asked of Temporal (no ISC call). */
export const { closedChanges } = proxyActivities<LifecycleActivities>({
  startToCloseTimeout: '2 minutes',
  scheduleToCloseTimeout: '1 day',
  retry,
});

/** The workers' policy and what the tenant takes: in memory, so local activities (recorded, replay-safe). */
export const { lifecyclePolicy } = proxyLocalActivities<LifecycleActivities>({ startToCloseTimeout: '10s' });
export const { tenantSettings } = proxyLocalActivities<AccessRequestActivities>({ startToCloseTimeout: '10s' });

/**
 * Searching ISC for an identity HR knows and ISC does not yet, with Temporal's infrequent-polling
 * pattern: the activity fails (retryably) while the identity is missing, and its retries, one every
 * `pollSeconds`, are the loop: a wait of days adds a handful of history events.
 */
export function identityPoller(
  pollSeconds: number,
  windowSeconds: number,
  tracking?: TrackingSettings,
): LifecycleActivities['findIdentity'] {
  return proxyActivities<LifecycleActivities>({
    ...queueOf(tracking),
    startToCloseTimeout: '2 minutes',
    scheduleToCloseTimeout: `${Math.max(1, Math.ceil(windowSeconds))}s`,
    retry: {
      initialInterval: `${pollSeconds}s`,
      backoffCoefficient: 1,
      maximumInterval: `${pollSeconds}s`,
      nonRetryableErrorTypes: [...FINAL_ISC_ERROR_CODES],
    },
  }).findIdentity;
}
