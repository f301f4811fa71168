/**
 * How ISC client failures become Temporal activity failures: final 4xx answers are non-retryable
 * `ApplicationFailure`s typed with the stable ISC code; 429 carries Retry-After as the next retry delay, and
 * so does `ISC_UNAVAILABLE` the circuit's time to the next probe (so retries while ISC is down follow the
 * circuit instead of each activity's own backoff); 5xx, timeouts and resets stay retryable under the
 * activity's capped exponential backoff.
 */
import { ApplicationFailure } from '@temporalio/common';
import { IscError } from '../isc';

export function toActivityFailure(error: unknown): unknown {
  if (!(error instanceof IscError)) return error;
  const detail = [error.detailCode, ...error.messages].filter(Boolean).join(' | ');
  const message = detail ? `${error.message} (${detail})` : error.message;
  return ApplicationFailure.create({
    type: error.code,
    message,
    nonRetryable: !error.retryable,
    details: [{ status: error.status, detailCode: error.detailCode, messages: error.messages }],
    ...(error.retryable && error.retryAfterMs !== undefined ? { nextRetryDelay: error.retryAfterMs } : {}),
  });
}

/** Runs an activity body, translating ISC errors on the way out. */
export async function withIscFailures<T>(body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (error) {
    throw toActivityFailure(error);
  }
}
