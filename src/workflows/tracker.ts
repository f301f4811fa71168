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

export interface Tracker {
  /** Resolves with fresh observations once at least one item changed (state, id, or outcome). */
  waitForChange(input: Omit<CheckStatusInput, 'failWhenUnchanged'>): Promise<ItemObservation[]>;
}

/** Polls every `pollSeconds`; one activity execution covers up to a day of polling. */
export function pollingTracker(pollSeconds: number, attemptTimeoutSeconds: number): Tracker {
  const { checkStatus } = proxyActivities<IscflowActivities>({
    startToCloseTimeout: `${attemptTimeoutSeconds}s`,
    scheduleToCloseTimeout: '1 day',
    retry: {
      initialInterval: `${pollSeconds}s`,
      backoffCoefficient: 1,
      maximumInterval: `${pollSeconds}s`,
      nonRetryableErrorTypes: ['ISC_BAD_REQUEST', 'ISC_FORBIDDEN', 'ISC_NOT_FOUND', 'ISC_AUTH_FAILED'],
    },
  });
  return {
    async waitForChange(input) {
      const result = await checkStatus({ ...input, failWhenUnchanged: true });
      return result.items;
    },
  };
}
