/**
 * Failure types that cross the activity/workflow boundary. Workflows branch on them, activities throw
 * them, the ISC client produces them and the worker's log filter knows them: one list, imported by all.
 * Workflow-safe: no Node modules.
 */

/** Stable codes of ISC client failures; never rename one (workflows and operators match on them). */
export const ISC_ERROR_CODES = [
  'ISC_BAD_REQUEST',
  'ISC_FORBIDDEN',
  'ISC_NOT_FOUND',
  'ISC_AUTH_FAILED',
  'ISC_RATE_LIMITED',
  'ISC_SERVER_ERROR',
  'ISC_TIMEOUT',
  'ISC_NETWORK_ERROR',
  'ISC_INVALID_RESPONSE',
  'ISC_UNAVAILABLE',
  'ISC_OUTAGE',
] as const;
export type IscErrorCode = (typeof ISC_ERROR_CODES)[number];

/**
 * Codes for which the same call may succeed later. The others cannot: a 400, 403 or 404 will answer the
 * same again, bad credentials need a person, a body that fails the schema means a contract mismatch, and
 * an outage that outlasted `ISCFLOW_OUTAGE_ESCALATE_AFTER` is put to a person on purpose (`ISC_OUTAGE`).
 * `ISC_UNAVAILABLE` is the worker's own answer while ISC is down: the call was not sent (or was the one
 * probe and failed), and it carries when to try again.
 */
export const RETRYABLE_ISC_ERROR_CODES: readonly IscErrorCode[] = [
  'ISC_RATE_LIMITED',
  'ISC_SERVER_ERROR',
  'ISC_TIMEOUT',
  'ISC_NETWORK_ERROR',
  'ISC_UNAVAILABLE',
];

/**
 * Failures that say ISC is not answering as a service (5xx, timeouts, connections refused or dropped), as
 * opposed to answering "no": what the worker's circuit counts towards declaring ISC down.
 */
export const OUTAGE_ISC_ERROR_CODES: readonly IscErrorCode[] = ['ISC_SERVER_ERROR', 'ISC_TIMEOUT', 'ISC_NETWORK_ERROR'];

/** What no retry can fix: the activity's retry policy stops at once and the item goes to an operator. */
export const FINAL_ISC_ERROR_CODES: readonly IscErrorCode[] = ISC_ERROR_CODES.filter(
  (code) => !RETRYABLE_ISC_ERROR_CODES.includes(code),
);

/**
 * Failures that stop every change alike until the deployment is fixed or ISC is back (credentials refused,
 * an outage past `ISCFLOW_OUTAGE_ESCALATE_AFTER`): a workflow stopped by one waits for a person under that
 * very code (`IscflowOperatorReason`), so that one bulk decision resumes them all.
 */
export const DEPLOYMENT_ISC_ERROR_CODES = ['ISC_AUTH_FAILED', 'ISC_OUTAGE'] as const satisfies readonly IscErrorCode[];

/**
 * Thrown (retryable) by a status check that saw nothing new: with a backoff coefficient of 1 the
 * activity's retries are the polling loop (Temporal's infrequent-polling pattern), without history events.
 * Expected, so the worker does not log it as a failure.
 */
export const STATUS_UNCHANGED = 'STATUS_UNCHANGED';

/** Thrown (retryable) while ISC does not know an identity HR knows: the retries are the polling loop. */
export const IDENTITY_NOT_FOUND = 'IDENTITY_NOT_FOUND';

/** A lifecycle refused `policy apply`: the workers run another policy than the one planned with. */
export const POLICY_MISMATCH = 'POLICY_MISMATCH';
