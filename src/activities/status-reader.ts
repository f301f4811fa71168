/**
 * Reading ISC's status rows and what an identity holds, and turning a row into an item's observation.
 * Shared by the access changes' own activities (one workflow, one identity at a time) and the shared
 * tracker's (many requests per call): both must read ISC the same way.
 */
import { classifyIscState, outcomeForFinalState, type ItemOutcome, type RequestType } from '../domain';
import type { IscClient, RequestedItemStatus } from '../isc';
import type { CheckStatusInput, ItemObservation, ItemRef, TrackedItem } from './contracts';
import { isFromBatch, isFromSubmission } from './correlation';

/** Rows per page where the reader pages itself (older tenants, newest first). */
const STATUS_PAGE = 250;

/** Clock skew allowed between this worker and ISC when filtering status rows by `created`. */
export const CREATED_SKEW_MS = 5 * 60 * 1000;

export const sameItem = (a: ItemRef, b: ItemRef): boolean =>
  a.identityId === b.identityId && a.itemType === b.itemType && a.itemId === b.itemId;

export const rowIsFor = (row: RequestedItemStatus, ref: ItemRef, requestType: RequestType): boolean =>
  row.requestedFor?.id === ref.identityId &&
  row.id === ref.itemId &&
  (row.requestType ?? 'GRANT_ACCESS') === requestType;

export const newestFirst = (a: RequestedItemStatus, b: RequestedItemStatus): number =>
  (b.created ?? '').localeCompare(a.created ?? '');

/** The newest row (by `created`) for this (identity, item) and request type that also `matches`. */
export function newestRowFor(
  rows: readonly RequestedItemStatus[],
  ref: ItemRef,
  requestType: RequestType,
  matches: (row: RequestedItemStatus) => boolean = () => true,
): RequestedItemStatus | undefined {
  return rows.filter((r) => rowIsFor(r, ref, requestType) && matches(r)).sort(newestFirst)[0];
}

function flattenErrors(row: RequestedItemStatus): string[] {
  return (row.errorMessages ?? []).flatMap((list) => (list ?? []).map((m) => m?.text ?? '')).filter(Boolean);
}

export function unique<T>(values: T[]): T[] {
  return [...new Set(values)];
}

/** Whether an item already is where a change wants it: held for a grant, absent for a revoke. */
export type Holds = (ref: ItemRef) => Promise<boolean>;

/** An item's observation from its status row: ISC's state, its errors, and the outcome once final. */
export async function observeRow(
  requestType: RequestType,
  ref: ItemRef & { accessRequestId?: string },
  row: RequestedItemStatus,
  holds: Holds,
): Promise<ItemObservation> {
  const state = row.state ?? 'UNKNOWN';
  const observation: ItemObservation = {
    identityId: ref.identityId,
    itemType: ref.itemType,
    itemId: ref.itemId,
    accessRequestId: row.accessRequestId ?? ref.accessRequestId,
    iscState: state,
    errorMessages: flattenErrors(row),
  };
  if (classifyIscState(state) !== 'FINAL') return observation;
  let outcome: ItemOutcome = outcomeForFinalState(requestType, state);
  // ISC cancels a request for access already held as a duplicate: the change is satisfied, not lost.
  if (state === 'CANCELLED' && (await holds(observation)) === (requestType === 'GRANT_ACCESS'))
    outcome = 'ALREADY_SATISFIED';
  return { ...observation, outcome };
}

export interface StatusReader {
  /** Status rows for one identity created at or after `since`. */
  rowsSince: (identityId: string, since: string) => Promise<RequestedItemStatus[]>;
  /** Rows for one identity's items: by access request id when all are known, else by time since submission. */
  rowsFor: (identityId: string, items: TrackedItem[]) => Promise<RequestedItemStatus[]>;
  /** Rows of these access requests, in as few calls as ISC allows (current tenants only). */
  rowsOfRequests: (accessRequestIds: string[]) => Promise<RequestedItemStatus[]>;
  heldItems: (identityId: string) => Promise<Set<string>>;
  /** An item's observation from the rows read for it. */
  observe: (
    input: CheckStatusInput,
    item: TrackedItem,
    rows: RequestedItemStatus[],
    holds: Holds,
  ) => Promise<ItemObservation>;
}

/** No `created` filter on older tenants: read newest first and stop at the first page that reaches back past `since`. */
async function rowsSinceByPages(isc: IscClient, identityId: string, since: string): Promise<RequestedItemStatus[]> {
  // Instants, not strings: ISC's timestamps may come with or without milliseconds.
  const sinceMs = Date.parse(since);
  const createdMs = (r: RequestedItemStatus): number => Date.parse(r.created ?? '') || 0;
  const rows: RequestedItemStatus[] = [];
  for (let offset = 0; ; offset += STATUS_PAGE) {
    const page = await isc.listAccessRequestStatus({
      requestedFor: identityId,
      sorters: '-created',
      limit: STATUS_PAGE,
      offset,
    });
    rows.push(...page.filter((r) => createdMs(r) >= sinceMs));
    if (page.length < STATUS_PAGE || page.some((r) => createdMs(r) < sinceMs)) return rows;
  }
}

/** `eq` joined by `or` on v2025, which documents no `in` for accessRequestId; `in` on v3. */
function idFilter(apiVersion: 'v3' | 'v2025', ids: string[]): string {
  return apiVersion === 'v3' && ids.length > 1
    ? `accessRequestId in (${ids.map((id) => JSON.stringify(id)).join(',')})`
    : ids.map((id) => `accessRequestId eq ${JSON.stringify(id)}`).join(' or ');
}

/** The row an item is observed from: of its own access request, its submission round, or its batch. */
function rowOfItem(
  rows: RequestedItemStatus[],
  input: CheckStatusInput,
  item: TrackedItem,
): RequestedItemStatus | undefined {
  return newestRowFor(
    rows,
    item,
    input.requestType,
    (r) =>
      (item.accessRequestId !== undefined && r.accessRequestId === item.accessRequestId) ||
      isFromSubmission(r, input.requestKey, item.attempt) ||
      (item.batch !== undefined && isFromBatch(r, item.batch)),
  );
}

/** An item with no row yet: older tenants silently ignore a request for access already held, so none ever appears. */
async function observeWithoutRow(
  input: CheckStatusInput,
  item: TrackedItem,
  holds: Holds,
  nowMs: number,
): Promise<ItemObservation> {
  const ref: ItemRef = { identityId: item.identityId, itemType: item.itemType, itemId: item.itemId };
  const waited = nowMs - Date.parse(item.submittedAt);
  const ignoredAsHeld =
    waited >= input.missingRowGraceMs && (await holds(ref)) === (input.requestType === 'GRANT_ACCESS');
  return {
    ...ref,
    accessRequestId: item.accessRequestId,
    errorMessages: [],
    ...(ignoredAsHeld ? { outcome: 'ALREADY_SATISFIED' as const } : {}),
  };
}

export function createStatusReader({
  isc,
  tenantProfile,
  apiVersion = 'v3',
  now,
}: {
  isc: IscClient;
  tenantProfile: 'current' | 'legacy';
  apiVersion?: 'v3' | 'v2025';
  now: () => number;
}): StatusReader {
  const rowsSince = async (identityId: string, since: string): Promise<RequestedItemStatus[]> =>
    tenantProfile === 'current'
      ? isc.listAllAccessRequestStatus({ requestedFor: identityId, filters: `created ge ${since}` })
      : rowsSinceByPages(isc, identityId, since);

  const rowsFor = async (identityId: string, items: TrackedItem[]): Promise<RequestedItemStatus[]> => {
    const ids = unique(items.flatMap((i) => (i.accessRequestId ? [i.accessRequestId] : [])));
    if (tenantProfile === 'current' && items.every((i) => i.accessRequestId)) {
      return isc.listAllAccessRequestStatus({ requestedFor: identityId, filters: idFilter(apiVersion, ids) });
    }
    const earliest = Math.min(...items.map((i) => Date.parse(i.submittedAt)));
    return rowsSince(identityId, new Date(earliest - CREATED_SKEW_MS).toISOString());
  };

  const rowsOfRequests = async (accessRequestIds: string[]): Promise<RequestedItemStatus[]> => {
    const ids = unique(accessRequestIds);
    if (ids.length === 0) return [];
    return isc.listAllAccessRequestStatus({ filters: idFilter(apiVersion, ids) });
  };

  const heldItems = async (identityId: string): Promise<Set<string>> => {
    const access = await isc.getIdentityAccess(identityId);
    return new Set(access.map((a) => `${a.type}:${a.id}`));
  };

  const observe: StatusReader['observe'] = async (input, item, rows, holds) => {
    const row = rowOfItem(rows, input, item);
    if (!row) return observeWithoutRow(input, item, holds, now());
    const ref = { identityId: item.identityId, itemType: item.itemType, itemId: item.itemId };
    return observeRow(input.requestType, { ...ref, accessRequestId: item.accessRequestId }, row, holds);
  };

  return { rowsSince, rowsFor, rowsOfRequests, heldItems, observe };
}
