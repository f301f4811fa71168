/**
 * The per-item view of a request, from its state: what the workflow returns when it completes and what the
 * CLI shows while it runs. Pure, so both the workflow sandbox and clients use it.
 */
import type { AccessRequestState, ItemResult } from './contracts';

/**
 * `final`: the workflow's result, where every item has an outcome (an item without one could only be a
 * defect, reported as FAILED rather than hidden). Otherwise a live view, where items in progress show null.
 */
export function itemResults(state: AccessRequestState, { final }: { final: boolean }): ItemResult[] {
  return state.items.map((i) => {
    const removal = state.removals.find(
      (r) => r.identityId === i.identityId && r.itemType === i.itemType && r.itemId === i.itemId,
    );
    return {
      identityId: i.identityId,
      itemType: i.itemType,
      itemId: i.itemId,
      outcome: i.outcome ?? (final ? 'FAILED' : null),
      iscState: i.iscState,
      accessRequestId: i.accessRequestId,
      errorMessages: i.errorMessages,
      skippedReason: i.skippedReason,
      ...(i.escalationTimedOut ? { escalationTimedOut: true } : {}),
      ...(removal
        ? {
            removal: { removeDate: removal.removeDate, mode: removal.mode, status: removal.status, note: removal.note },
          }
        : {}),
    };
  });
}
