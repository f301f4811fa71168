/**
 * Splits a validated access change into requests ISC accepts, each with a key derived from its content
 * alone so that the same change always plans to the same keys (and so to the same workflow ids).
 */
import { sha256Hex } from './hash';
import { type AccessChange, type AccessItem, type ItemType, type RequestType } from './model';

/** ISC's limits for a request that contains at least one entitlement. */
export const MAX_ENTITLEMENTS_PER_REQUEST = 25;
export const MAX_IDENTITIES_PER_ENTITLEMENT_REQUEST = 10;

/** One item of a planned request, with the fields ISC takes per item. */
export interface PlannedItem {
  type: ItemType;
  id: string;
  comment?: string;
  removeDate?: string;
  startDate?: string;
}

/** One ISC-legal access request. JSON-safe: it travels as workflow input. */
export interface PlannedRequest {
  /**
   * 32 lower-case hex characters derived only from the request type, the sorted identities and the
   * sorted items with their dates. The comment and the metadata are left out on purpose: rewording a
   * comment does not make a different access change.
   */
  key: string;
  requestType: RequestType;
  /** Sorted, so that the order a caller listed identities in never shows up in the request. */
  identityIds: string[];
  items: PlannedItem[];
  comment?: string;
  clientMetadata?: Record<string, string>;
}

const ITEM_TYPE_ORDER: Record<ItemType, number> = { ROLE: 0, ACCESS_PROFILE: 1, ENTITLEMENT: 2 };

function compareItems(a: AccessItem, b: AccessItem): number {
  return ITEM_TYPE_ORDER[a.type] - ITEM_TYPE_ORDER[b.type] || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

function chunk<T>(values: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < values.length; i += size) out.push(values.slice(i, i + size));
  return out;
}

function uniqueSorted(ids: readonly string[]): string[] {
  return [...new Set(ids.map((id) => id.toLowerCase()))].sort();
}

function uniqueSortedItems(items: readonly AccessItem[]): AccessItem[] {
  const byKey = new Map<string, AccessItem>();
  for (const item of items)
    byKey.set(`${item.type}:${item.id.toLowerCase()}`, { type: item.type, id: item.id.toLowerCase() });
  return [...byKey.values()].sort(compareItems);
}

function requestKey(requestType: RequestType, identityIds: readonly string[], items: readonly PlannedItem[]): string {
  const canonical = JSON.stringify([
    requestType,
    [...identityIds].sort(),
    [...items].sort(compareItems).map((i) => [i.type, i.id, i.startDate ?? null, i.removeDate ?? null]),
  ]);
  return sha256Hex(canonical).slice(0, 32);
}

function buildRequest(change: AccessChange, identityIds: string[], items: readonly AccessItem[]): PlannedRequest {
  const planned: PlannedItem[] = items.map((item) => ({
    type: item.type,
    id: item.id,
    ...(change.comment !== undefined && { comment: change.comment }),
    ...(change.removeDate !== undefined && { removeDate: change.removeDate }),
    ...(change.startDate !== undefined && { startDate: change.startDate }),
  }));
  return {
    key: requestKey(change.requestType, identityIds, planned),
    requestType: change.requestType,
    identityIds,
    items: planned,
    ...(change.comment !== undefined && { comment: change.comment }),
    ...(change.clientMetadata !== undefined && { clientMetadata: { ...change.clientMetadata } }),
  };
}

/**
 * Plans the ISC requests for a validated change (see `validateAccessChange`).
 *
 * - GRANT_ACCESS: roles and access profiles go together in one request for all identities, because ISC
 *   states no limit for requests without entitlements; entitlements go in their own requests, chunked
 *   by 25 entitlements x 10 identities. Keeping the two apart means adding or removing an entitlement
 *   never changes the key (and so the workflow) of the role request, and a role never pushes an
 *   entitlement chunk over ISC's identity limit.
 * - REVOKE_ACCESS: one request per (identity, item), which is the only shape ISC accepts for a revoke.
 *
 * Identities and items are deduplicated and sorted before chunking, so the same sets of identities and
 * items give the same requests and keys in any input order. Every item carries the change's comment
 * and dates.
 */
export function planAccessRequests(change: AccessChange): PlannedRequest[] {
  const identityIds = uniqueSorted(change.identityIds);
  const items = uniqueSortedItems(change.items);

  if (change.requestType === 'REVOKE_ACCESS') {
    return identityIds.flatMap((identityId) => items.map((item) => buildRequest(change, [identityId], [item])));
  }

  const bundles = items.filter((item) => item.type !== 'ENTITLEMENT');
  const entitlements = items.filter((item) => item.type === 'ENTITLEMENT');
  const requests: PlannedRequest[] = [];
  if (bundles.length > 0) requests.push(buildRequest(change, identityIds, bundles));
  for (const identityChunk of chunk(identityIds, MAX_IDENTITIES_PER_ENTITLEMENT_REQUEST)) {
    for (const entitlementChunk of chunk(entitlements, MAX_ENTITLEMENTS_PER_REQUEST)) {
      requests.push(buildRequest(change, identityChunk, entitlementChunk));
    }
  }
  return requests;
}

/**
 * Stable key of one tracked (identity, item) row of a planned request: 32 lower-case hex characters.
 * It goes into the item's ISC `clientMetadata` so that a status row can be matched to its request even
 * when ISC's 202 carried no id (legacy tenants) or the response was lost.
 */
export function planItemKey(requestKey: string, identityId: string, itemType: ItemType, itemId: string): string {
  return sha256Hex(JSON.stringify([requestKey, identityId.toLowerCase(), itemType, itemId.toLowerCase()])).slice(0, 32);
}

/**
 * Idempotency keys callers pass with a change (an HR event id, a ticket number). Restricted to characters
 * that need no escaping in ids, logs and visibility queries.
 */
export const IDEMPOTENCY_KEY_PATTERN = /^[A-Za-z0-9._:@/+=-]{1,200}$/;

/**
 * The workflow id of a planned request.
 *
 * Without an idempotency key it is derived from the content alone: the same change asked while it runs
 * lands on the running workflow. With a key it is derived from the key and the content, so a replay of
 * that key lands on the change it first started, however many other changes came in between.
 */
export function workflowIdFor(request: PlannedRequest, idempotencyKey?: string): string {
  const kind = request.requestType === 'GRANT_ACCESS' ? 'grant' : 'revoke';
  const id = idempotencyKey === undefined ? request.key : sha256Hex(`${idempotencyKey}\n${request.key}`).slice(0, 32);
  return `iscflow-${kind}-${id}`;
}
