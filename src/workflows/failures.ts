/**
 * Reading failures in workflow code: the type of an activity's failure (an ISC code such as
 * `ISC_AUTH_FAILED`, or `STATUS_UNCHANGED`), which is what workflows branch on and ask people about.
 */
import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';

/** The type of an activity's failure, or of an `ApplicationFailure` thrown in the workflow itself. */
export function failureType(error: unknown): string | undefined {
  const failure = error instanceof ActivityFailure ? error.cause : error;
  return failure instanceof ApplicationFailure ? (failure.type ?? undefined) : undefined;
}

/** What a failure says, from its cause when an activity's failure wraps one (not "Activity task failed"). */
export function failureMessage(error: unknown): string {
  const failure = error instanceof ActivityFailure && error.cause ? error.cause : error;
  return failure instanceof Error ? failure.message : String(failure);
}
