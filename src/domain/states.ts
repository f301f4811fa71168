/**
 * What ISC's `RequestedItemStatus.state` values mean for tracking: keep polling, or stop with an outcome.
 */
import { ISC_FINAL_STATES, type IscFinalState } from '../common/isc-states';
import { type ItemOutcome, type RequestType } from './model';

export { ISC_FINAL_STATES, ISC_IN_PROGRESS_STATES, type IscFinalState } from '../common/isc-states';

/** Final states worth resubmitting: provisioning went wrong, nobody decided against the access. */
export const ISC_RETRYABLE_FAILURE_STATES = ['PROVISIONING_FAILED', 'ERROR', 'NOT_ALL_ITEMS_PROVISIONED'] as const;

function isFinalState(state: string): state is IscFinalState {
  return (ISC_FINAL_STATES as readonly string[]).includes(state);
}

/**
 * Whether tracking can stop. Any state not known to be final counts as in progress: when ISC adds a
 * state, tracking keeps going (and an operator notices a long-running item) rather than ending early with
 * an outcome that may be wrong.
 */
export function classifyIscState(state: string): 'IN_PROGRESS' | 'FINAL' {
  return isFinalState(state) ? 'FINAL' : 'IN_PROGRESS';
}

/** The outcome a request type aims for. */
export function aimedOutcome(requestType: RequestType): 'GRANTED' | 'REVOKED' {
  return requestType === 'GRANT_ACCESS' ? 'GRANTED' : 'REVOKED';
}

/**
 * The outcome of an item that reached a final ISC state.
 *
 * TERMINATED maps to CANCELLED: it means an administrator closed the request, which is not a success,
 * and nothing failed in provisioning either, so resubmitting it automatically would override a person's
 * decision.
 *
 * @throws TypeError for a state that is not final (call `classifyIscState` first).
 */
export function outcomeForFinalState(requestType: RequestType, state: string): ItemOutcome {
  if (!isFinalState(state)) throw new TypeError(`ISC state ${state} is not final`);
  switch (state) {
    case 'REQUEST_COMPLETED':
      return aimedOutcome(requestType);
    case 'REJECTED':
      return 'REJECTED';
    case 'CANCELLED':
    case 'TERMINATED':
      return 'CANCELLED';
    case 'PROVISIONING_FAILED':
    case 'NOT_ALL_ITEMS_PROVISIONED':
    case 'ERROR':
      return 'FAILED';
  }
}

/** Whether an item that ended in this state may be resubmitted (provisioning failures only). */
export function isRetryableFailureState(state: string): boolean {
  return (ISC_RETRYABLE_FAILURE_STATES as readonly string[]).includes(state);
}

/** Whether an outcome means the access is now as the request wanted it. */
export function isSuccess(requestType: RequestType, outcome: ItemOutcome): boolean {
  return outcome === aimedOutcome(requestType) || outcome === 'ALREADY_SATISFIED';
}
