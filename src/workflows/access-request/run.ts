/**
 * What every step of one access-request run shares: its input, its state, the options in force and the
 * phase it is in (mirrored to search attributes on every change).
 */
import type { PlannedRequest } from '../../domain';
import type { AccessRequestInput, AccessRequestOptions, AccessRequestState, Phase } from './contracts';

export interface AccessRequestRun {
  readonly input: AccessRequestInput;
  readonly request: PlannedRequest;
  readonly state: AccessRequestState;
  readonly isGrant: boolean;
  /** The options in force: defaults, the worker's tenant settings, then the starter's choices. */
  options: AccessRequestOptions;
  /** Set by date-changing Updates; wakes the removal wait. */
  readonly removalChanges: { pending: boolean };
  enter(phase: Phase): void;
}
