/**
 * The rules over one (identity, item)'s state that settling, tracking and withdrawing share: how an item
 * starts, what a submission's answer and a status observation change in it, how it is readied for a
 * resubmission, and how the items are handed to a status look-up.
 */
import type { ItemObservation, SubmittedItem, TrackedItem } from '../../activities/contracts';
import { workflowNow } from '../clock';
import type { ItemState } from './contracts';

const sameRef = (a: { identityId: string; itemType: string; itemId: string }, b: typeof a): boolean =>
  a.identityId === b.identityId && a.itemType === b.itemType && a.itemId === b.itemId;

export function newItemState(
  key: string,
  identityId: string,
  itemType: ItemState['itemType'],
  itemId: string,
): ItemState {
  return { key, identityId, itemType, itemId, errorMessages: [], attempts: 0 };
}

export function applySubmission(items: ItemState[], submitted: SubmittedItem, submittedAt: string): void {
  const item = items.find((i) => sameRef(i, submitted));
  if (!item) return;
  item.submittedAt = submittedAt;
  item.waitingSince = submittedAt;
  item.accessRequestId = submitted.accessRequestId;
  if (submitted.batch) item.batch = submitted.batch;
  if (submitted.disposition === 'ALREADY_SATISFIED') item.outcome = 'ALREADY_SATISFIED';
}

export function applyObservation(items: ItemState[], seen: ItemObservation): void {
  const item = items.find((i) => sameRef(i, seen));
  if (!item) return;
  item.accessRequestId = seen.accessRequestId ?? item.accessRequestId;
  item.iscState = seen.iscState ?? item.iscState;
  item.errorMessages = seen.errorMessages;
  if (seen.outcome) item.outcome = seen.outcome;
}

export function resetForResubmission(item: ItemState): void {
  item.outcome = undefined;
  item.batch = undefined;
  item.iscState = undefined;
  item.accessRequestId = undefined;
  item.submittedAt = undefined;
  item.waitingSince = undefined;
  item.errorMessages = [];
  item.errorCode = undefined;
}

/**
 * The items as a status look-up takes them: what is known of each in ISC so far. A coalesced request's rows
 * are found by its batch id when ISC's answer named no ids.
 */
export function trackedItems(items: ItemState[]): TrackedItem[] {
  return items.map((i) => ({
    identityId: i.identityId,
    itemType: i.itemType,
    itemId: i.itemId,
    accessRequestId: i.accessRequestId,
    iscState: i.iscState,
    attempt: i.attempts,
    submittedAt: i.submittedAt ?? workflowNow(),
    ...(i.batch ? { batch: i.batch } : {}),
  }));
}
