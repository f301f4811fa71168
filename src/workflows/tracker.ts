/**
 * The one seam through which a workflow learns how its ISC items move.
 *
 * Today it polls with Temporal's infrequent-polling pattern: one activity whose retries (backoff
 * coefficient 1) are the polling loop, so a wait of weeks adds a handful of history events instead of a
 * timer loop's ~11 per tick. Later a shared poller or ISC event triggers can push observations through the
 * same interface without touching the workflow's logic.
 */
import { ActivityFailure, ApplicationFailure, proxyActivities } from '@temporalio/workflow';
import type { CheckStatusInput, IscflowActivities, ItemObservation } from '../activities/contracts';

/** One activity execution polls for at most a day; the workflow then starts another (a few events a day). */
const MAX_POLL_WINDOW_SECONDS = 24 * 3600;

/**
 * Right after a submission or a change, ISC often moves within seconds (auto-approval, fast connectors):
 * check every couple of seconds for the first half-minute, then fall back to the configured interval.
 * Costs at most one extra activity execution per wait.
 */
const QUICK_POLL_SECONDS = 2;
const QUICK_POLL_ATTEMPTS = 15;

const FINAL_ERRORS = ['ISC_BAD_REQUEST', 'ISC_FORBIDDEN', 'ISC_NOT_FOUND', 'ISC_AUTH_FAILED'];

function isUnchanged(error: unknown): boolean {
  return (
    error instanceof ActivityFailure &&
    error.cause instanceof ApplicationFailure &&
    error.cause.type === 'STATUS_UNCHANGED'
  );
}

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
  const poller = (intervalSeconds: number, windowSeconds: number, maximumAttempts?: number) =>
    proxyActivities<IscflowActivities>({
      startToCloseTimeout: `${attemptTimeoutSeconds}s`,
      scheduleToCloseTimeout: `${windowSeconds}s`,
      retry: {
        initialInterval: `${intervalSeconds}s`,
        backoffCoefficient: 1,
        maximumInterval: `${intervalSeconds}s`,
        maximumAttempts,
        nonRetryableErrorTypes: FINAL_ERRORS,
      },
    }).checkStatus;

  return {
    async waitForChange(input, maxWaitSeconds = MAX_POLL_WINDOW_SECONDS) {
      const window = Math.max(1, Math.min(MAX_POLL_WINDOW_SECONDS, Math.ceil(maxWaitSeconds)));
      const request = { ...input, failWhenUnchanged: true };
      if (pollSeconds > QUICK_POLL_SECONDS && window > QUICK_POLL_SECONDS * QUICK_POLL_ATTEMPTS) {
        try {
          return (await poller(QUICK_POLL_SECONDS, window, QUICK_POLL_ATTEMPTS)(request)).items;
        } catch (error) {
          if (!isUnchanged(error)) throw error;
        }
      }
      return (await poller(pollSeconds, window)(request)).items;
    },
  };
}
