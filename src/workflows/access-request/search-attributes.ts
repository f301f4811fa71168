/**
 * Keeps the custom search attributes in step with a request, upserting only what changed, so that
 * operators can filter by identity, item, type, state and ISC access request id in the Temporal UI.
 */
import type { SearchAttributePair } from '@temporalio/common';
import { upsertSearchAttributes } from '@temporalio/workflow';
import type { PlannedRequest } from '../../domain';
import { ACCESS_REQUEST_IDS, IDEMPOTENCY_KEY, IDENTITY_IDS, ITEM_IDS, REQUEST_TYPE, STATE } from '../../common';
import type { AccessRequestState } from './contracts';

export interface SearchAttributeSync {
  sync(state: AccessRequestState): void;
}

export function createSearchAttributeSync(request: PlannedRequest): SearchAttributeSync {
  let lastState: string | undefined;
  let lastIds = '';
  let staticDone = false;
  return {
    sync(state) {
      const ids = [...new Set(state.items.flatMap((i) => (i.accessRequestId ? [i.accessRequestId] : [])))].sort();
      const idsKey = ids.join(',');
      if (staticDone && lastState === state.phase && lastIds === idsKey) return;
      upsertSearchAttributes([
        ...(staticDone
          ? []
          : [
              { key: IDENTITY_IDS, value: [...request.identityIds].sort() },
              { key: ITEM_IDS, value: [...new Set(request.items.map((i) => i.id))].sort() },
              { key: REQUEST_TYPE, value: request.requestType },
            ]),
        { key: STATE, value: state.phase },
        { key: ACCESS_REQUEST_IDS, value: ids },
      ]);
      staticDone = true;
      lastState = state.phase;
      lastIds = idsKey;
    },
  };
}

/**
 * The search attributes a change starts with, so it can be found (and routed to) before its first task
 * runs. Used by every starter: the CLI and ingress (through src/operations) and the identity lifecycle.
 */
export function initialSearchAttributes(request: PlannedRequest, idempotencyKey?: string): SearchAttributePair[] {
  return [
    { key: IDENTITY_IDS, value: [...request.identityIds].sort() },
    { key: ITEM_IDS, value: [...new Set(request.items.map((i) => i.id))].sort() },
    { key: REQUEST_TYPE, value: request.requestType },
    { key: STATE, value: 'SUBMITTING' },
    ...(idempotencyKey ? [{ key: IDEMPOTENCY_KEY, value: idempotencyKey }] : []),
  ];
}
