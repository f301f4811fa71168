/**
 * ISC's published states of a requested item (the `state` enum of RequestedItemStatus in the
 * access-request-status API) and which of them ISC documents as final. Facts about ISC only, no
 * decision: iscflow's tracking rules (src/domain/states.ts) and the simulator that stands in for ISC
 * (src/simulator) both read them here, so the two cannot disagree about what ISC may answer, and the
 * simulator still depends on nothing of iscflow's own logic.
 */

/** States in which ISC is still working on the item (approval, provisioning, verification). */
export const ISC_IN_PROGRESS_STATES = ['EXECUTING', 'PROVISIONING_VERIFICATION_PENDING'] as const;

/** States after which ISC never changes the item again. */
export const ISC_FINAL_STATES = [
  'REQUEST_COMPLETED',
  'REJECTED',
  'CANCELLED',
  'TERMINATED',
  'PROVISIONING_FAILED',
  'NOT_ALL_ITEMS_PROVISIONED',
  'ERROR',
] as const;
export type IscFinalState = (typeof ISC_FINAL_STATES)[number];

/** Every state ISC documents for a requested item. */
export const ISC_REQUEST_STATES = [...ISC_IN_PROGRESS_STATES, ...ISC_FINAL_STATES] as const;
export type IscRequestState = (typeof ISC_REQUEST_STATES)[number];
