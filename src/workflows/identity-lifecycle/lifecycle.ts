/**
 * What every step of one lifecycle run shares: its input and options, the state it carries across
 * continue-as-new, what arrived since the loop last looked (events, settled changes, apply requests, drift
 * repairs, an operator's decision), and the policy in force.
 */
import { workflowInfo } from '@temporalio/workflow';
import type { ResolvedPolicy } from '../../domain';
import type { ChangeSettled } from '../access-request/contracts';
import {
  LIFECYCLE_DEFAULTS,
  type LifecycleInput,
  type LifecycleOptions,
  type DriftRepairRequest,
  type LifecycleSnapshot,
  type ReconcileRequest,
} from './contracts';

export interface ApplyTicket {
  seq: number;
  request: ReconcileRequest;
  /** Set by the loop when it refused the request (another policy than the caller planned with). */
  refused?: string;
  done: boolean;
}

export interface RepairTicket {
  request: DriftRepairRequest;
  /** Taken in by the loop; done once the round it started has been carried out. */
  taken: boolean;
  done: boolean;
}

export interface Lifecycle {
  readonly input: LifecycleInput;
  readonly options: LifecycleOptions;
  readonly workflowId: string;
  readonly s: LifecycleSnapshot;
  policy?: ResolvedPolicy;
  /** Signals not yet taken in by the loop. */
  settled: ChangeSettled[];
  applies: ApplyTicket[];
  nextApplySeq: number;
  repairs: RepairTicket[];
  decision?: { kind: 'retry' | 'skip'; reason?: string };
  /** The event (or `policy-apply`, `timer`, `adopt`, `drift`) the changes being started now are for. */
  cause: string;
  /** Set when the run has just adopted the identity: its first round grants what is missing, cause `adopt`. */
  adopting?: boolean;
}

export function openLifecycle(input: LifecycleInput): Lifecycle {
  const s: LifecycleSnapshot = input.resume ?? {
    timeline: [],
    seen: [],
    duplicates: {},
    ledger: [],
    changes: [],
    nextChangeSeq: 1,
    inbox: [],
  };
  if (input.identity.kind === 'id') s.iscIdentityId ??= input.identity.value;
  // Adopted: ISC's id is known; the identity is never searched for.
  if (input.adopt) s.iscIdentityId ??= input.adopt.identityId;
  return {
    input,
    options: { ...LIFECYCLE_DEFAULTS, ...input.options },
    workflowId: workflowInfo().workflowId,
    s,
    settled: [],
    applies: [],
    nextApplySeq: 1,
    repairs: [],
    cause: 'timer',
  };
}

/** Whether anything arrived that the loop has not taken in yet. */
export function hasNews(life: Lifecycle): boolean {
  return (
    life.s.inbox.length > 0 ||
    life.settled.length > 0 ||
    life.applies.some((a) => !a.done) ||
    life.repairs.some((r) => !r.taken)
  );
}
