/**
 * The activity proxies of an access-request workflow: ISC calls under one retry policy, and the worker's
 * answer about the tenant.
 */
import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { AccessRequestActivities, TenantSettings, TrackingSettings } from '../../activities/contracts';
import { FINAL_ISC_ERROR_CODES, type AccessRequestOptions } from '../../common';

/**
 * ISC calls under one retry policy. In shared tracking they run on the ISC task queue, where Temporal paces
 * every ISC call of the deployment under one budget.
 */
export function iscActivities(options: AccessRequestOptions, tracking?: TrackingSettings): AccessRequestActivities {
  return proxyActivities<AccessRequestActivities>({
    ...(tracking?.mode === 'shared' ? { taskQueue: tracking.iscTaskQueue } : {}),
    startToCloseTimeout: `${options.activityTimeoutSeconds}s`,
    // An ISC outage is ridden out with capped backoff for a day; after that a person should look.
    scheduleToCloseTimeout: '1 day',
    // Capped at a minute: every 429 counts as an attempt, so a longer cap made one later 5xx wait minutes.
    retry: {
      initialInterval: '2s',
      backoffCoefficient: 2,
      maximumInterval: '1 minute',
      nonRetryableErrorTypes: [...FINAL_ISC_ERROR_CODES],
    },
  });
}

/**
 * What the tenant takes and the default removal mode are the worker's to know; a starter's explicit
 * choice (`--removal exact` with a profile) needs no question.
 */
export async function askWorkerForTenant(explicit: Partial<AccessRequestOptions> | undefined): Promise<TenantSettings> {
  if (explicit?.tenantProfile && explicit.removalMode) {
    return { tenantProfile: explicit.tenantProfile, removalMode: explicit.removalMode };
  }
  const { tenantSettings } = proxyLocalActivities<AccessRequestActivities>({ startToCloseTimeout: '10s' });
  return tenantSettings();
}
