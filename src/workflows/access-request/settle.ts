/**
 * Settling one ISC request: submit what has not been submitted, track it to final states, resubmit
 * failed provisioning with backoff, and put whatever is still wrong to an operator. The grant of a
 * request and each removal's revoke (or re-dated grant) go through the same loop.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  isCancellation,
  log,
  sleep,
} from '@temporalio/workflow';
import { isRetryableFailureState, type PlannedRequest } from '../../domain';
import type {
  AccessRequestActivities,
  ItemObservation,
  SubmitItemsInput,
  SubmitItemsResult,
  SubmittedItem,
} from '../../activities/contracts';
import type { AccessRequestOptions, ItemState, Phase } from './contracts';
import { msUntil, workflowNow } from '../clock';
import type { Tracker } from './tracker';

export type OperatorVerdict = 'retry' | 'skip' | 'cancel' | 'timeout';

/** How a submission reaches ISC: its own activity, or a shared tracker that coalesces it with others. */
export interface Submitter {
  submit(input: SubmitItemsInput): Promise<SubmitItemsResult>;
}

export interface SettleContext {
  options: AccessRequestOptions;
  tracker: Tracker;
  submitter: Submitter;
  activities: Pick<AccessRequestActivities, 'submitItems' | 'cancelRequest' | 'checkStatus'>;
  enter(phase: Phase): void;
  /** Waits for a person; `allowCancel` offers cancelling the ISC requests (for stuck ones). */
  askOperator(reason: string, items: ItemState[], allowCancel: boolean): Promise<OperatorVerdict>;
  /** TRACKING, or SCHEDULED while ISC holds the request until its start date. */
  trackingPhase(): Phase;
  /** Continues as new when the history asks for it (never returns in that case). */
  checkpoint(): Promise<void>;
}

export interface SubmitFlags {
  omitRemoveDate: boolean;
  omitStartDate: boolean;
}

/** Automatic resubmissions used so far; the grant's counter lives in the workflow state. */
export interface RetryBudget {
  used: number;
}

const sameRef = (a: { identityId: string; itemType: string; itemId: string }, b: typeof a): boolean =>
  a.identityId === b.identityId && a.itemType === b.itemType && a.itemId === b.itemId;

export function newItemState(
  key: string,
  identityId: string,
  itemType: ItemState['itemType'],
  itemId: string,
): ItemState {
  return { key, identityId, itemType, itemId, errorMessages: [], attempts: 0 };
}

function failureMessages(error: unknown): string[] {
  const messages: string[] = [];
  let current: unknown = error;
  while (current instanceof Error) {
    if (!(current instanceof ActivityFailure)) messages.push(current.message);
    current = current.cause;
  }
  return messages.length > 0 ? messages : ['unknown failure'];
}

function failureType(error: unknown): string | undefined {
  return error instanceof ActivityFailure && error.cause instanceof ApplicationFailure
    ? (error.cause.type ?? undefined)
    : undefined;
}

/** Cancels (before approval) or closes (after) the ISC requests behind these items. */
export async function cancelInIsc(
  activities: Pick<AccessRequestActivities, 'cancelRequest'>,
  items: ItemState[],
  reason: string,
): Promise<void> {
  const comment = `Cancelled by iscflow: ${reason}`;
  for (const accessRequestId of new Set(items.flatMap((i) => (i.accessRequestId ? [i.accessRequestId] : [])))) {
    try {
      await activities.cancelRequest({ accessRequestId, comment, close: false });
    } catch (error) {
      if (failureType(error) !== 'ISC_BAD_REQUEST') throw error;
      // Past the approval step ISC no longer cancels; closing works at any stage.
      await activities.cancelRequest({ accessRequestId, comment, close: true });
    }
  }
}

function resetForResubmission(item: ItemState): void {
  item.outcome = undefined;
  item.batch = undefined;
  item.iscState = undefined;
  item.accessRequestId = undefined;
  item.submittedAt = undefined;
  item.waitingSince = undefined;
  item.errorMessages = [];
}

function applySubmission(items: ItemState[], submitted: SubmittedItem, submittedAt: string): void {
  const item = items.find((i) => sameRef(i, submitted));
  if (!item) return;
  item.submittedAt = submittedAt;
  item.waitingSince = submittedAt;
  item.accessRequestId = submitted.accessRequestId;
  if (submitted.batch) item.batch = submitted.batch;
  if (submitted.disposition === 'ALREADY_SATISFIED') item.outcome = 'ALREADY_SATISFIED';
}

export function applyObservation(items: ItemState[], seen: ItemObservation): void {
  const item = items.find((i) => sameRef(i, seen));
  if (!item) return;
  item.accessRequestId = seen.accessRequestId ?? item.accessRequestId;
  item.iscState = seen.iscState ?? item.iscState;
  item.errorMessages = seen.errorMessages;
  if (seen.outcome) item.outcome = seen.outcome;
}

export async function settle(
  ctx: SettleContext,
  request: PlannedRequest,
  items: ItemState[],
  flags: SubmitFlags,
  budget: RetryBudget,
): Promise<void> {
  const { options } = ctx;

  const submit = async (fresh: ItemState[]): Promise<void> => {
    ctx.enter('SUBMITTING');
    for (const item of fresh) item.attempts += 1;
    const attempt = Math.max(...fresh.map((i) => i.attempts));
    try {
      // Never cut short: a submit cancelled mid-call may still have reached ISC, and its answer (the ids)
      // is what a withdrawal needs to cancel it there.
      const result = await CancellationScope.nonCancellable(() =>
        ctx.submitter.submit({
          request,
          items: fresh.map(({ identityId, itemType, itemId }) => ({ identityId, itemType, itemId })),
          attempt,
          ...flags,
        }),
      );
      for (const submitted of result.items) applySubmission(items, submitted, result.submittedAt);
    } catch (error) {
      const messages = failureMessages(error);
      log.warn('Submission failed', { requestKey: request.key, messages });
      for (const item of fresh) Object.assign(item, { outcome: 'FAILED', errorMessages: messages });
    }
  };

  const inFlight = (): ItemState[] => items.filter((i) => i.outcome === undefined && i.submittedAt !== undefined);

  const handleStuck = async (stuck: ItemState[]): Promise<void> => {
    const reason = `in progress in ISC for more than ${options.stuckAfterSeconds} s`;
    const verdict =
      options.stuckAction === 'cancel' ? 'cancel' : await ctx.askOperator(`Stuck: ${reason}`, stuck, true);
    if (verdict === 'cancel') {
      await cancelInIsc(ctx.activities, stuck, reason);
    } else if (verdict === 'skip') {
      for (const item of stuck) item.outcome = 'FAILED';
    }
    // retry or timeout: keep waiting, with the age counted afresh.
    for (const item of stuck) item.waitingSince = workflowNow();
  };

  const track = async (): Promise<void> => {
    while (inFlight().length > 0) {
      ctx.enter(ctx.trackingPhase());
      await ctx.checkpoint();
      const tracked = inFlight();
      let maxWait: number | undefined;
      if (options.stuckAfterSeconds !== null) {
        const oldest = tracked.map((i) => i.waitingSince ?? i.submittedAt ?? workflowNow()).sort()[0] ?? workflowNow();
        maxWait = options.stuckAfterSeconds + msUntil(oldest) / 1000;
        if (maxWait <= 0) {
          await handleStuck(tracked);
          continue;
        }
      }
      try {
        const observations = await ctx.tracker.waitForChange(
          {
            requestKey: request.key,
            requestType: request.requestType,
            items: tracked.map((i) => ({
              identityId: i.identityId,
              itemType: i.itemType,
              itemId: i.itemId,
              accessRequestId: i.accessRequestId,
              iscState: i.iscState,
              attempt: i.attempts,
              submittedAt: i.submittedAt ?? workflowNow(),
              ...(i.batch ? { batch: i.batch } : {}),
            })),
            missingRowGraceMs: options.missingRowGraceSeconds * 1000,
          },
          maxWait,
        );
        // null: no news within the window; poll on (a stuck request is handled at the top of the loop).
        observations?.forEach((seen) => applyObservation(items, seen));
      } catch (error) {
        // A withdrawal (the workflow cancelled) is not a tracking failure: it ends the wait.
        if (isCancellation(error)) throw error;
        const messages = failureMessages(error);
        log.warn('Status tracking failed', { requestKey: request.key, messages });
        await ctx.askOperator(`Status tracking failed: ${messages.join('; ')}`, tracked, false);
      }
    }
  };

  const needsOperator = (item: ItemState): boolean => {
    if (item.skippedReason !== undefined || item.escalationTimedOut) return false;
    if (item.outcome === 'FAILED') return true;
    if (item.outcome === 'REJECTED') return options.operatorOnRejected;
    if (item.iscState === 'TERMINATED') return options.operatorOnTerminated;
    return false;
  };

  for (;;) {
    const fresh = items.filter((i) => i.outcome === undefined && i.submittedAt === undefined);
    if (fresh.length > 0) await submit(fresh);
    await track();

    const failed = items.filter(
      (i) =>
        i.outcome === 'FAILED' &&
        i.iscState !== undefined &&
        isRetryableFailureState(i.iscState) &&
        !i.skippedReason &&
        !i.escalationTimedOut,
    );
    if (failed.length > 0 && budget.used < options.outcomeRetries) {
      ctx.enter('RETRY_BACKOFF');
      await sleep(options.outcomeRetryBackoffSeconds * 1000 * 2 ** budget.used);
      budget.used += 1;
      failed.forEach(resetForResubmission);
      continue;
    }

    const stuck = items.filter(needsOperator);
    if (stuck.length === 0) return;
    const reason = stuck
      .map((i) => `${i.itemType}:${i.itemId} for ${i.identityId} ended ${i.iscState ?? i.outcome}`)
      .join('; ');
    const verdict = await ctx.askOperator(reason, stuck, false);
    if (verdict === 'retry') {
      stuck.forEach(resetForResubmission);
      continue;
    }
    if (verdict === 'timeout') {
      // Recorded so that a resumed run (continue-as-new) does not ask again; nobody skipped it.
      for (const item of stuck) {
        item.escalationTimedOut = true;
        item.errorMessages = [...item.errorMessages, 'No operator decision before the escalation timeout'];
      }
    }
    return;
  }
}
