/**
 * The state of one access-request run and the small rules over it that several steps share.
 */
import { planItemKey, type ItemType, type PlannedRequest } from '../../domain';
import type { AccessRequestOptions, AccessRequestState, ItemState, RemovalMode } from './contracts';
import { newItemState } from './items';

/** Key of one (identity, item) in `removeDates`. */
export const refKey = (identityId: string, itemType: string, itemId: string): string =>
  `${identityId}|${itemType}|${itemId}`;

export function initialState(request: PlannedRequest): AccessRequestState {
  const items: ItemState[] = request.identityIds.flatMap((identityId) =>
    request.items.map((item) =>
      newItemState(planItemKey(request.key, identityId, item.type, item.id), identityId, item.type, item.id),
    ),
  );
  const removeDates: Record<string, string | null> = {};
  for (const item of items) {
    const removeDate = request.items.find((i) => i.type === item.itemType && i.id === item.itemId)?.removeDate;
    removeDates[refKey(item.identityId, item.itemType, item.itemId)] = removeDate ?? null;
  }
  return {
    requestKey: request.key,
    requestType: request.requestType,
    phase: 'SUBMITTING',
    items,
    automaticRetriesUsed: 0,
    removeDates,
    removals: [],
  };
}

/** Where removeDate cannot go to ISC (older tenants: not on entitlements), the workflow removes exactly. */
export function removalModeFor(options: AccessRequestOptions, itemType: ItemType): RemovalMode {
  if (options.removalMode === 'exact') return 'exact';
  return options.tenantProfile === 'legacy' && itemType === 'ENTITLEMENT' ? 'exact' : 'isc';
}
