/**
 * Settling one ISC request: submit what has not been submitted, track it to final states, resubmit
 * failed provisioning with backoff, and put whatever is still wrong to an operator. The grant of a
 * request and each removal's revoke (or re-dated grant) go through the same loop, whose steps are the
 * functions below, each over one `Settling`.
 */
import { ActivityFailure, CancellationScope, isCancellation, log, sleep } from '@temporalio/workflow';
import { isRetryableFailureState, type PlannedRequest } from '../../domain';
import type { AccessRequestActivities, SubmitItemsInput, SubmitItemsResult } from '../../activities/contracts';
import type { AccessRequestOptions, AccessRequestState, ItemState, Phase } from './contracts';
import { msUntil, workflowNow } from '../clock';
import { failureType } from '../failures';
import { applyObservation, applySubmission, resetForResubmission, trackedItems } from './items';
import type { Tracker } from './tracker';

export type OperatorVerdict = 'retry' | 'skip' | 'cancel' | 'timeout';

/** What a person is asked: why, as a stable code (`IscflowOperatorReason`), and in words. */
export interface OperatorQuestion {
  code: string;
  reason: string;
}

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
  askOperator(question: OperatorQuestion, items: ItemState[], allowCancel: boolean): Promise<OperatorVerdict>;
  /** TRACKING, or SCHEDULED while ISC holds the request until its start date. */
  trackingPhase(): Phase;
  /** Continues as new when the history asks for it (never returns in that case). */
  checkpoint(): Promise<void>;
}

export interface SubmitFlags {
  omitRemoveDate: boolean;
  omitStartDate: boolean;
}

/**
 * What settling works on: the items, and the automatic resubmissions used so far. The grant passes its
 * workflow state, so that both are carried across continue-as-new; a removal's follow-up starts afresh.
 */
export type SettleWork = Pick<AccessRequestState, 'items' | 'automaticRetriesUsed'>;

/** One settle run: what every step reads (the context, the request, how it is submitted) and its work. */
interface Settling {
  readonly ctx: SettleContext;
  readonly request: PlannedRequest;
  readonly flags: SubmitFlags;
  readonly work: SettleWork;
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

/** Settles the work's items to final outcomes: submit, track, resubmit after a backoff, then escalate. */
export async function settle(
  ctx: SettleContext,
  request: PlannedRequest,
  work: SettleWork,
  flags: SubmitFlags,
): Promise<void> {
  const s: Settling = { ctx, request, flags, work };
  for (;;) {
    await submitFresh(s);
    await trackInFlight(s);
    if (await resubmitAfterBackoff(s)) continue;
    if ((await escalate(s)) === 'settled') return;
  }
}

/** Submits the items never submitted (or readied for resubmission); a failed submission fails them. */
async function submitFresh({ ctx, request, flags, work }: Settling): Promise<void> {
  const fresh = work.items.filter((i) => i.outcome === undefined && i.submittedAt === undefined);
  if (fresh.length === 0) return;
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
    for (const submitted of result.items) applySubmission(work.items, submitted, result.submittedAt);
  } catch (error) {
    const messages = failureMessages(error);
    const errorCode = failureType(error) ?? 'SUBMISSION_FAILED';
    log.warn('Submission failed', { requestKey: request.key, errorCode, messages });
    for (const item of fresh) Object.assign(item, { outcome: 'FAILED', errorMessages: messages, errorCode });
  }
}

const inFlight = (items: ItemState[]): ItemState[] =>
  items.filter((i) => i.outcome === undefined && i.submittedAt !== undefined);

/** Tracks what is in ISC until every item has an outcome, handling requests stuck past their age. */
async function trackInFlight(s: Settling): Promise<void> {
  const { ctx, work } = s;
  while (inFlight(work.items).length > 0) {
    ctx.enter(ctx.trackingPhase());
    await ctx.checkpoint();
    const tracked = inFlight(work.items);
    const maxWait = secondsUntilStuck(ctx.options, tracked);
    if (maxWait !== undefined && maxWait <= 0) {
      await handleStuck(ctx, tracked);
      continue;
    }
    await waitForNews(s, tracked, maxWait);
  }
}

/** How long until the oldest tracked request counts as stuck; undefined when none ever does. */
function secondsUntilStuck(options: AccessRequestOptions, tracked: ItemState[]): number | undefined {
  if (options.stuckAfterSeconds === null) return undefined;
  const oldest = tracked.map((i) => i.waitingSince ?? i.submittedAt ?? workflowNow()).sort()[0] ?? workflowNow();
  return options.stuckAfterSeconds + msUntil(oldest) / 1000;
}

async function handleStuck(ctx: SettleContext, stuck: ItemState[]): Promise<void> {
  const { options } = ctx;
  const reason = `in progress in ISC for more than ${options.stuckAfterSeconds} s`;
  const verdict =
    options.stuckAction === 'cancel'
      ? 'cancel'
      : await ctx.askOperator({ code: 'REQUEST_STUCK', reason: `Stuck: ${reason}` }, stuck, true);
  if (verdict === 'cancel') {
    await cancelInIsc(ctx.activities, stuck, reason);
  } else if (verdict === 'skip') {
    for (const item of stuck) item.outcome = 'FAILED';
  }
  // retry or timeout: keep waiting, with the age counted afresh.
  for (const item of stuck) item.waitingSince = workflowNow();
}

/** One wait for the tracker's news (at most until a request would be stuck); a failed wait asks a person. */
async function waitForNews(
  { ctx, request, work }: Settling,
  tracked: ItemState[],
  maxWait: number | undefined,
): Promise<void> {
  try {
    const observations = await ctx.tracker.waitForChange(
      {
        requestKey: request.key,
        requestType: request.requestType,
        items: trackedItems(tracked),
        missingRowGraceMs: ctx.options.missingRowGraceSeconds * 1000,
      },
      maxWait,
    );
    // null: no news within the window; poll on (a stuck request is handled at the top of the loop).
    observations?.forEach((seen) => applyObservation(work.items, seen));
  } catch (error) {
    // A withdrawal (the workflow cancelled) is not a tracking failure: it ends the wait.
    if (isCancellation(error)) throw error;
    const messages = failureMessages(error);
    log.warn('Status tracking failed', { requestKey: request.key, messages });
    const code = failureType(error) ?? 'TRACKING_FAILED';
    await ctx.askOperator({ code, reason: `Status tracking failed: ${messages.join('; ')}` }, tracked, false);
  }
}

/** Failed provisioning is resubmitted after a doubling backoff, while automatic retries remain. */
async function resubmitAfterBackoff({ ctx, work }: Settling): Promise<boolean> {
  const { options } = ctx;
  const failed = work.items.filter(
    (i) =>
      i.outcome === 'FAILED' &&
      i.iscState !== undefined &&
      isRetryableFailureState(i.iscState) &&
      !i.skippedReason &&
      !i.escalationTimedOut,
  );
  if (failed.length === 0 || work.automaticRetriesUsed >= options.outcomeRetries) return false;
  ctx.enter('RETRY_BACKOFF');
  await sleep(options.outcomeRetryBackoffSeconds * 1000 * 2 ** work.automaticRetriesUsed);
  work.automaticRetriesUsed += 1;
  failed.forEach(resetForResubmission);
  return true;
}

/** The code a person is asked under: the failure that stopped a submission, else how the item ended in ISC. */
function operatorCodeOf(stuck: ItemState[]): string {
  const stopped = stuck.find((i) => i.errorCode !== undefined)?.errorCode;
  if (stopped) return stopped;
  if (stuck.some((i) => i.outcome === 'REJECTED')) return 'ITEM_REJECTED';
  if (stuck.some((i) => i.iscState === 'TERMINATED')) return 'ITEM_TERMINATED';
  return 'ITEM_FAILED';
}

function needsOperator(options: AccessRequestOptions, item: ItemState): boolean {
  if (item.skippedReason !== undefined || item.escalationTimedOut) return false;
  if (item.outcome === 'FAILED') return true;
  if (item.outcome === 'REJECTED') return options.operatorOnRejected;
  if (item.iscState === 'TERMINATED') return options.operatorOnTerminated;
  return false;
}

/** Puts what ended wrong to an operator: `resubmit` when they ask for a retry, else `settled`. */
async function escalate({ ctx, work }: Settling): Promise<'resubmit' | 'settled'> {
  const stuck = work.items.filter((i) => needsOperator(ctx.options, i));
  if (stuck.length === 0) return 'settled';
  const reason = stuck
    .map((i) => `${i.itemType}:${i.itemId} for ${i.identityId} ended ${i.errorCode ?? i.iscState ?? i.outcome}`)
    .join('; ');
  const verdict = await ctx.askOperator({ code: operatorCodeOf(stuck), reason }, stuck, false);
  if (verdict === 'retry') {
    stuck.forEach(resetForResubmission);
    return 'resubmit';
  }
  if (verdict === 'timeout') {
    // Recorded so that a resumed run (continue-as-new) does not ask again; nobody skipped it.
    for (const item of stuck) {
      item.escalationTimedOut = true;
      item.errorMessages = [...item.errorMessages, 'No operator decision before the escalation timeout'];
    }
  }
  return 'settled';
}
