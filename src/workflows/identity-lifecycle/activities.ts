/** The activity proxies of a lifecycle. */
import type { RetryPolicy } from '@temporalio/common';
import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { LifecycleActivities } from '../../activities/contracts';
import { FINAL_ISC_ERROR_CODES } from '../../common';

const retry: RetryPolicy = {
  initialInterval: '2s',
  backoffCoefficient: 2,
  maximumInterval: '1 minute',
  nonRetryableErrorTypes: [...FINAL_ISC_ERROR_CODES],
};

/** ISC look-ups, ridden through an outage for a day like the access changes' calls. */
export const { findIdentity, revocableAccess, closedChanges } = proxyActivities<LifecycleActivities>({
  startToCloseTimeout: '2 minutes',
  scheduleToCloseTimeout: '1 day',
  retry,
});

/** The workers' policy: in memory, so a local activity (recorded, replay-safe, cheap). */
export const { lifecyclePolicy } = proxyLocalActivities<LifecycleActivities>({ startToCloseTimeout: '10s' });

/**
 * Searching ISC for an identity HR knows and ISC does not yet, with Temporal's infrequent-polling
 * pattern: the activity fails (retryably) while the identity is missing, and its retries, one every
 * `pollSeconds`, are the loop: a wait of days adds a handful of history events.
 */
export function identityPoller(pollSeconds: number, windowSeconds: number): LifecycleActivities['findIdentity'] {
  return proxyActivities<LifecycleActivities>({
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
