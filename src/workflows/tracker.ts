/**
 * The one seam through which a workflow learns how its ISC items move.
 *
 * Today it polls with Temporal's infrequent-polling pattern: one activity whose retries (backoff
 * coefficient 1) are the polling loop, so a wait of weeks adds a handful of history events instead of a
 * timer loop's ~11 per tick. Later a shared poller or ISC event triggers can push observations through the
 * same interface without touching the workflow's logic.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { CheckStatusInput, IscflowActivities, ItemObservation } from '../activities/contracts';

/** One activity execution polls for at most a day; the workflow then starts another (a few events a day). */
const MAX_POLL_WINDOW_SECONDS = 24 * 3600;

export interface Tracker {
  /**
   * Resolves with fresh observations once at least one item changed (state, id, or outcome). Rejects with
   * an activity timeout when nothing changed within `maxWaitSeconds` (capped at a day).
   */
  waitForChange(
    input: Omit<CheckStatusInput, 'failWhenUnchanged'>,
    maxWaitSeconds?: number,
  ): Promise<ItemObservation[]>;
}

export function pollingTracker(pollSeconds: number, attemptTimeoutSeconds: number): Tracker {
  return {
    async waitForChange(input, maxWaitSeconds = MAX_POLL_WINDOW_SECONDS) {
      const window = Math.max(1, Math.min(MAX_POLL_WINDOW_SECONDS, Math.ceil(maxWaitSeconds)));
      const { checkStatus } = proxyActivities<IscflowActivities>({
        startToCloseTimeout: `${attemptTimeoutSeconds}s`,
        scheduleToCloseTimeout: `${window}s`,
        retry: {
          initialInterval: `${pollSeconds}s`,
          backoffCoefficient: 1,
          maximumInterval: `${pollSeconds}s`,
          nonRetryableErrorTypes: ['ISC_BAD_REQUEST', 'ISC_FORBIDDEN', 'ISC_NOT_FOUND', 'ISC_AUTH_FAILED'],
        },
      });
      const result = await checkStatus({ ...input, failWhenUnchanged: true });
      return result.items;
    },
  };
}
