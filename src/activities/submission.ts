/**
 * What submitting one access change and submitting a tracker's coalesced batch share: the key of an
 * (identity, item), the pending twin a submit adopts instead of queueing another request, an item of
 * ISC's request body, and what ISC's answer says about each (identity, item).
 */
import { classifyIscState, type PlannedItem, type RequestType } from '../domain';
import type { AccessRequestItem, RequestedItemStatus, SubmitResult } from '../isc';
import { activityMetrics } from '../metrics/activity';
import type { ItemRef, SubmitDisposition, SubmittedItem } from './contracts';
import { newestRowFor } from './status-reader';

/** How far ahead a start date must still be when the submit goes out, for ISC to take it as future. */
const START_DATE_MARGIN_MS = 2000;

/** `identity|TYPE|id`: one (identity, item) of a submission, as the tracker's round also names what is satisfied. */
export const itemKey = (ref: ItemRef): string => `${ref.identityId}|${ref.itemType}|${ref.itemId}`;

/** A pending request for the same change, made by anyone (the newest in progress): adopted, not queued twice. */
export function pendingTwin(
  pending: readonly RequestedItemStatus[],
  ref: ItemRef,
  requestType: RequestType,
): RequestedItemStatus | undefined {
  return newestRowFor(pending, ref, requestType, (r) => classifyIscState(r.state ?? '') === 'IN_PROGRESS');
}

/** What goes with an item besides its type and id. */
export interface ItemExtras {
  /** The request's comment, for items without their own. */
  comment: string | undefined;
  clientMetadata: Record<string, string>;
  /** Whether the item's removeDate may go to ISC. */
  withRemoveDate: boolean;
  /** Whether the item's startDate may go to ISC (when still ahead). */
  withStartDate: boolean;
}

/** One item of ISC's request body. */
export function requestedItem(item: PlannedItem, extras: ItemExtras, nowMs: number): AccessRequestItem {
  const comment = item.comment ?? extras.comment;
  // ISC refuses a start date that is not in the future. One that passed while the submit waited (a retry,
  // a slow queue) delays nothing any more: the grant simply goes now.
  const ahead = item.startDate !== undefined && Date.parse(item.startDate) - nowMs > START_DATE_MARGIN_MS;
  return {
    type: item.type,
    id: item.id,
    ...(comment ? { comment } : {}),
    clientMetadata: extras.clientMetadata,
    ...(item.removeDate && extras.withRemoveDate ? { removeDate: item.removeDate } : {}),
    ...(ahead && extras.withStartDate ? { startDate: item.startDate } : {}),
  };
}

/** Whether a tracking entry of ISC's 202 is for this (identity, item). */
function matchesTracking(
  tracking: {
    requestedFor?: string | null;
    requestedItemsDetails?: Array<{ type?: string | null; id?: string | null }> | null;
  },
  ref: ItemRef,
): boolean {
  return (
    tracking.requestedFor === ref.identityId &&
    (tracking.requestedItemsDetails ?? []).some((d) => d.id === ref.itemId && (d.type ?? ref.itemType) === ref.itemType)
  );
}

/**
 * What ISC's answer to a submit says about one (identity, item): a request it created, a pending one it
 * answered instead (adopted), or, from older tenants that answer `{}`, nothing but that it was sent.
 */
export function answerFor(
  response: SubmitResult,
  ref: ItemRef,
): { disposition: SubmitDisposition; accessRequestId?: string } {
  if (response.kind === 'untracked') return { disposition: 'SUBMITTED' };
  const created = response.newRequests.find((t) => matchesTracking(t, ref));
  const existing = response.existingRequests.find((t) => matchesTracking(t, ref));
  return {
    disposition: created ? 'SUBMITTED' : existing ? 'ADOPTED' : 'SUBMITTED',
    accessRequestId: (created ?? existing)?.accessRequestIds?.[0],
  };
}

/** Counts what a submit did with each item on the activity's meter (call inside an activity only). */
export function countSubmitted(requestType: RequestType, items: readonly SubmittedItem[]): void {
  activityMetrics().submitted(
    requestType,
    items.map((item) => item.disposition),
  );
}
