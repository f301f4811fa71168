/**
 * The one seam through which a workflow learns how its ISC items move.
 *
 * Today it polls with Temporal's infrequent-polling pattern: one activity whose retries (backoff
 * coefficient 1) are the polling loop, so a wait of weeks adds a handful of history events instead of a
 * timer loop's ~11 per tick. Later a shared poller or ISC event triggers can push observations through the
 * same interface without touching the workflow's logic.
 */
import { ActivityFailure, ApplicationFailure, TimeoutFailure, patched, proxyActivities } from '@temporalio/workflow';
import type { CheckStatusInput, AccessRequestActivities, ItemObservation } from '../../activities/contracts';
import { FINAL_ISC_ERROR_CODES, STATUS_UNCHANGED } from '../../common';
import { failureType } from '../failures';

/**
 * One activity execution polls for at most a week; the workflow then starts another. Each execution costs
 * about six history events however many times it polled, so a month of waiting stays near thirty.
 */
const MAX_POLL_WINDOW_SECONDS = 7 * 24 * 3600;

/**
 * Right after a submission or a change, ISC often moves within seconds (auto-approval, fast connectors):
 * check every couple of seconds for the first half-minute, then fall back to the configured interval.
 * Costs at most one extra activity execution per wait.
 */
const QUICK_POLL_SECONDS = 2;
const QUICK_POLL_ATTEMPTS = 15;

/**
 * Whether a polling execution ended without news: its attempts ran out, or its window closed. Servers
 * report the latter either as a timeout or with the last attempt's STATUS_UNCHANGED failure.
 */
function isNoNews(error: unknown): boolean {
  if (!(error instanceof ActivityFailure)) return false;
  if (error.cause instanceof TimeoutFailure) return true;
  return error.cause instanceof ApplicationFailure && error.cause.type === STATUS_UNCHANGED;
}

/** Runs whose polling ends on an ISC outage poll on; before, such a run asked an operator. */
const OUTAGE_TOLERANT_POLLING_PATCH = 'outage-tolerant-polling';

/**
 * Whether the polling ended because ISC is down (the worker's circuit held the last attempt back): ISC
 * said nothing, so there is no news, and the wait goes on. Only an outage past the escalation setting
 * (the final `ISC_OUTAGE`) is put to a person; the quick checks' attempts running out is not.
 */
function heldBackByOutage(error: unknown): boolean {
  return failureType(error) === 'ISC_UNAVAILABLE' && patched(OUTAGE_TOLERANT_POLLING_PATCH);
}

export interface Tracker {
  /**
   * Resolves with fresh observations once at least one item changed (state, id, or outcome), or with null
   * when nothing changed within `maxWaitSeconds` (capped at a week). Rejects only when ISC cannot be asked.
   */
  waitForChange(
    input: Omit<CheckStatusInput, 'failWhenUnchanged'>,
    maxWaitSeconds?: number,
  ): Promise<ItemObservation[] | null>;
}

export function pollingTracker(pollSeconds: number, attemptTimeoutSeconds: number): Tracker {
  const poller = (intervalSeconds: number, windowSeconds: number, maximumAttempts?: number) =>
    proxyActivities<AccessRequestActivities>({
      startToCloseTimeout: `${attemptTimeoutSeconds}s`,
      scheduleToCloseTimeout: `${windowSeconds}s`,
      retry: {
        initialInterval: `${intervalSeconds}s`,
        backoffCoefficient: 1,
        maximumInterval: `${intervalSeconds}s`,
        maximumAttempts,
        nonRetryableErrorTypes: [...FINAL_ISC_ERROR_CODES],
      },
    }).checkStatus;

  // Quick checks only right after news (or at the start): a wait that is already long stays infrequent.
  let afterNews = true;
  return {
    async waitForChange(input, maxWaitSeconds = MAX_POLL_WINDOW_SECONDS) {
      const window = Math.max(1, Math.min(MAX_POLL_WINDOW_SECONDS, Math.ceil(maxWaitSeconds)));
      const request = { ...input, failWhenUnchanged: true };
      if (afterNews && pollSeconds > QUICK_POLL_SECONDS && window > QUICK_POLL_SECONDS * QUICK_POLL_ATTEMPTS) {
        try {
          // News keeps the next wait quick too: a request moving through its phases is watched closely.
          return (await poller(QUICK_POLL_SECONDS, window, QUICK_POLL_ATTEMPTS)(request)).items;
        } catch (error) {
          afterNews = false;
          if (!isNoNews(error) && !heldBackByOutage(error)) throw error;
        }
      }
      try {
        const { items } = await poller(pollSeconds, window)(request);
        afterNews = true;
        return items;
      } catch (error) {
        if (isNoNews(error) || heldBackByOutage(error)) return null;
        throw error;
      }
    },
  };
}
