/**
 * The per-item view of a request, from its state: what the workflow returns when it completes and what the
 * CLI shows while it runs. Pure, so both the workflow sandbox and clients use it.
 */
import type { AccessRequestState, ItemResult } from './contracts';

export function itemResults(state: AccessRequestState): ItemResult[] {
  return state.items.map((i) => {
    const removal = state.removals.find(
      (r) => r.identityId === i.identityId && r.itemType === i.itemType && r.itemId === i.itemId,
    );
    return {
      identityId: i.identityId,
      itemType: i.itemType,
      itemId: i.itemId,
      // Only a workflow still at work has items without an outcome; at completion every item has one.
      outcome: i.outcome ?? 'FAILED',
      iscState: i.iscState,
      accessRequestId: i.accessRequestId,
      errorMessages: i.errorMessages,
      skippedReason: i.skippedReason,
      ...(removal
        ? {
            removal: { removeDate: removal.removeDate, mode: removal.mode, status: removal.status, note: removal.note },
          }
        : {}),
    };
  });
}
