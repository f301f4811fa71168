/**
 * Reading where an access change stands, and waiting for it to settle. Shared by the CLI and the ingress.
 *
 * A view always says which run it describes and whether that run is still live: a completed run's items
 * are what ISC answered then, not a claim about ISC now, and nothing here passes one off as the other.
 */
import { QueryNotRegisteredError, WorkflowNotFoundError, type WorkflowHandle } from '@temporalio/client';
import type { accessRequestWorkflow } from '../workflows';
import {
  statusQuery,
  type AccessRequestResult,
  type AccessRequestState,
  type ItemResult,
  type OperatorWait,
} from '../workflows/access-request/contracts';
import { itemResults } from '../workflows/access-request/results';

export type AccessRequestHandle = WorkflowHandle<typeof accessRequestWorkflow>;
type Handle = AccessRequestHandle;

/** A run as Temporal records it. */
export interface RunInfo {
  workflowId: string;
  runId: string;
  /** Temporal's execution status: RUNNING, COMPLETED, FAILED, TERMINATED, ... */
  status: string;
  startedAt: string;
  closedAt?: string;
}

/** A run that has ended: what it ended with, and when. Its items describe ISC as it was then. */
export interface PastRun extends RunInfo {
  items: ItemResult[];
}

export interface ChangeView extends RunInfo {
  /** The workflow's phase: SUBMITTING ... COMPLETED (absent for runs that failed or were terminated). */
  phase?: string;
  operator?: OperatorWait;
  /**
   * True while the run is live: its items are being kept up to date with ISC. False for a run that has
   * ended: its items are that run's record, which ISC may no longer match.
   */
  live: boolean;
  items: ItemResult[];
}

/**
 * Started, scheduled, started and completed: a history shorter than this has not had its first workflow
 * task completed, so no handler can answer yet.
 */
const FIRST_TASK_COMPLETED_HISTORY_LENGTH = 4;

/** The phase a view shows for a run no worker has picked up yet. */
export const WAITING_FOR_WORKER = 'WAITING_FOR_WORKER';

const MISSING_HANDLER_RETRY_MS = 200;
const MISSING_HANDLER_PATIENCE_MS = 30_000;

/**
 * The `status` query, patient with a workflow that has not run its first task yet (a cold worker, a
 * backlog): until then the query may find no handler. Any other failure is passed on.
 */
export async function queryStatus(handle: Handle): Promise<AccessRequestState> {
  const deadline = Date.now() + MISSING_HANDLER_PATIENCE_MS;
  for (;;) {
    try {
      return await handle.query(statusQuery);
    } catch (error) {
      if (!(error instanceof QueryNotRegisteredError) || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, MISSING_HANDLER_RETRY_MS));
    }
  }
}

function runInfo(workflowId: string, description: Awaited<ReturnType<Handle['describe']>>): RunInfo {
  return {
    workflowId,
    runId: description.runId,
    status: description.status.name,
    startedAt: description.startTime.toISOString(),
    ...(description.closeTime ? { closedAt: description.closeTime.toISOString() } : {}),
  };
}

/** How a run that has ended ended; its result when it completed. */
export async function readPastRun(handle: Handle): Promise<PastRun> {
  const description = await handle.describe();
  const info = runInfo(handle.workflowId, description);
  if (description.status.name !== 'COMPLETED') return { ...info, items: [] };
  const run: Handle = handle.client.getHandle(handle.workflowId, description.runId);
  const result: AccessRequestResult = await run.result();
  return { ...info, items: result.items };
}

/** Where the latest run of a workflow stands now. */
export async function readChange(handle: Handle): Promise<ChangeView> {
  const description = await handle.describe();
  const info = runInfo(handle.workflowId, description);
  if (description.status.name === 'RUNNING') {
    // Started, but no worker has run its first task yet (a cold or stopped worker): nothing to ask yet.
    if (description.historyLength < FIRST_TASK_COMPLETED_HISTORY_LENGTH) {
      return { ...info, phase: WAITING_FOR_WORKER, live: true, items: [] };
    }
    const state = await queryStatus(handle);
    return {
      ...info,
      phase: state.phase,
      ...(state.operator ? { operator: state.operator } : {}),
      live: true,
      items: itemResults(state, { final: false }),
    };
  }
  const past = await readPastRun(handle);
  return { ...past, ...(past.status === 'COMPLETED' ? { phase: 'COMPLETED' } : {}), live: false };
}

const WAIT_POLL_MS = 500;

/** Waits until the run completes or asks an operator; returns it as it stands then. */
export async function waitForChange(handle: Handle): Promise<ChangeView> {
  for (;;) {
    const view = await readChange(handle);
    if (!view.live || view.phase === 'AWAITING_OPERATOR') return view;
    await new Promise((resolve) => setTimeout(resolve, WAIT_POLL_MS));
  }
}

/**
 * A routed change is about one (identity, item) of a grant workflow that may hold other removals: waits
 * until that removal is carried out (a revoke) or accepted (a new date), and reports only that item. A
 * routed revoke succeeded when the removal did.
 */
export async function waitForRoutedChange(
  handle: Handle,
  routed: { action: 'rescheduled' | 'removing'; identityId: string; itemId: string },
): Promise<ChangeView> {
  const isMine = (i: { identityId: string; itemId: string }): boolean =>
    i.identityId === routed.identityId && i.itemId === routed.itemId;
  const asOutcome = (item: ItemResult): ItemResult =>
    routed.action === 'rescheduled'
      ? item
      : { ...item, outcome: item.removal?.status === 'REMOVED' ? 'REVOKED' : 'FAILED' };
  for (;;) {
    const view = await readChange(handle);
    const removal = view.items.find(isMine)?.removal;
    const finished = removal && removal.status !== 'SCHEDULED' && removal.status !== 'REMOVING';
    if (!view.live || routed.action === 'rescheduled' || finished || view.phase === 'AWAITING_OPERATOR') {
      return { ...view, items: view.items.filter(isMine).map(asOutcome) };
    }
    await new Promise((resolve) => setTimeout(resolve, WAIT_POLL_MS));
  }
}

export { WorkflowNotFoundError };
