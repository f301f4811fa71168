/** Shapes of the simulator's in-memory records, shared by the engine, renderers and routes. */
import { ISC_IN_PROGRESS_STATES, type IscRequestState } from '../common/isc-states';
import { type ItemType } from './catalog';
import { type ErrorMessage } from './errors';

/** The states in which ISC is still working on a row: ISC's published list (src/common/isc-states.ts). */
export const IN_PROGRESS_STATES: ReadonlySet<IscRequestState> = new Set(ISC_IN_PROGRESS_STATES);

export type RequestType = 'GRANT_ACCESS' | 'REVOKE_ACCESS';

/** Where a row is in its life: waiting for approval, waiting for its startDate, provisioning, or done. */
export const STAGES = ['APPROVAL', 'SCHEDULED', 'PROVISIONING', 'DONE'] as const;
export type Stage = (typeof STAGES)[number];

export const PROVISIONING_OUTCOMES = ['SUCCESS', 'PROVISIONING_FAILED', 'ERROR'] as const;
export type ProvisioningOutcome = (typeof PROVISIONING_OUTCOMES)[number];

export interface Phase {
  name: 'APPROVAL_PHASE' | 'PROVISIONING_PHASE';
  state: 'PENDING' | 'EXECUTING' | 'COMPLETED' | 'CANCELLED' | 'NOT_EXECUTED';
  result: 'SUCCESSFUL' | 'FAILED' | null;
  started: string;
  finished: string | null;
  phaseReference: string | null;
}

export interface Approval {
  id: string;
  status: 'PENDING' | 'APPROVED' | 'REJECTED' | 'CANCELLED';
  ownerId: string;
  comment: string | null;
  created: number;
  modified: number;
}

/** One requested (identity, item) row: what ISC shows as a RequestedItemStatus. */
export interface RequestItem {
  seq: number;
  accessRequestId: string;
  accountActivityItemId: string;
  requestType: RequestType;
  identityId: string;
  itemType: ItemType;
  itemId: string;
  itemName: string;
  requesterId: string;
  comment: string | null;
  clientMetadata: Record<string, string> | null;
  created: number;
  modified: number;
  removeDate: string | null;
  startDate: string | null;
  state: IscRequestState;
  stage: Stage;
  approval: Approval | null;
  phases: Phase[];
  errorMessages: ErrorMessage[][] | null;
  cancelled: { comment: string; ownerId: string; modified: number } | null;
  /** Drawn at submission so sibling rows can tell whether the request will partly succeed. */
  outcome: ProvisioningOutcome;
  /** Legacy profile: a request for access already held, which ISC never shows. */
  ignored: boolean;
  /** Cached JSON of the status row; cleared on every change. */
  json: string | null;
}
