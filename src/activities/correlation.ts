/**
 * Correlation keys in each requested item's `clientMetadata`. ISC echoes item metadata on every status
 * row, so a row can be tied to the iscflow request and submission round that created it even when the
 * 202 was lost or carried no id (older tenants answer `{}`).
 */
import type { RequestedItemStatus } from '../isc';

export const REQUEST_KEY_FIELD = 'iscflowRequest';
export const ATTEMPT_FIELD = 'iscflowAttempt';

export function correlationMetadata(requestKey: string, attempt: number): Record<string, string> {
  return { [REQUEST_KEY_FIELD]: requestKey, [ATTEMPT_FIELD]: String(attempt) };
}

export function isFromSubmission(row: RequestedItemStatus, requestKey: string, attempt: number): boolean {
  const metadata = row.clientMetadata ?? {};
  return metadata[REQUEST_KEY_FIELD] === requestKey && metadata[ATTEMPT_FIELD] === String(attempt);
}

/** Metadata of a coalesced request (many identities' changes in one ISC request): its batch id. */
export const BATCH_FIELD = 'iscflowBatch';

export function batchMetadata(batchId: string, attempt: number): Record<string, string> {
  return { [BATCH_FIELD]: batchId, [ATTEMPT_FIELD]: String(attempt) };
}

export function isFromBatch(row: RequestedItemStatus, batchId: string): boolean {
  return (row.clientMetadata ?? {})[BATCH_FIELD] === batchId;
}
