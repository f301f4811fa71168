/**
 * accessRequestWorkflow: one planned ISC access request, from its start date to its removal.
 *
 * Every handler is registered before the first await, so a query or Update that arrives with the start
 * (a CLI `--wait`, an operator in the UI) always finds it. Then, step by step:
 * 1. learn the tenant from the worker (once; kept across continue-as-new);
 * 2. wait for a start date the tenant cannot take itself (SCHEDULED);
 * 3. submit and track every (identity, item) to a final outcome (settle.ts);
 * 4. schedule and carry out removals of what was granted (removals.ts);
 * 5. complete with one outcome per item, and tell the workflow that asked for the change, if any.
 * Whatever cannot be finished waits for an operator's `retry`, `skip` or `cancel` (operator.ts). A
 * cancelled workflow withdraws the change from ISC instead of leaving it behind (withdraw.ts).
 */
import {
  allHandlersFinished,
  CancellationScope,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  isCancellation,
  log,
  patched,
  setHandler,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import type { TrackingSettings } from '../../activities/contracts';
import { ACCESS_REQUEST_DEFAULTS } from '../../common';

/** Marks runs that may use the shared tracker; older histories replay without it. */
const SHARED_TRACKING_PATCH = 'shared-tracking';
import { msUntil, workflowNow } from '../clock';
import { askWorkerForTenant, iscActivities } from './activities';
import { changeSettledSignal, statusQuery, type AccessRequestInput, type AccessRequestResult } from './contracts';
import { openOperatorDesk } from './operator';
import { registerRemovalUpdates } from './removal-updates';
import { runRemovals, scheduleRemovals } from './removals';
import { itemResults } from './results';
import type { AccessRequestRun } from './run';
import { createSearchAttributeSync } from './search-attributes';
import { settle, type SettleContext } from './settle';
import { initialState, removalModeFor } from './state';
import { openTrackerMailbox, sharedSubmitter, sharedTracker, type TrackerMailbox } from './shared-tracking';
import { pollingTracker } from './tracker';
import { withdraw } from './withdraw';

export async function accessRequestWorkflow(input: AccessRequestInput): Promise<AccessRequestResult> {
  const run = openRun(input);
  const askOperator = openOperatorDesk(run);
  registerRemovalUpdates(run);
  const mailbox = openTrackerMailbox(run.state);
  setHandler(statusQuery, () => run.state);

  try {
    await learnTenant(run);
    const ctx = settleContext(run, askOperator, mailbox);
    try {
      await waitForStartDate(run);
      await settleRequest(run, ctx);
      scheduleRemovals(run);
      await runRemovals(run, ctx);
    } catch (error) {
      if (!isCancellation(error)) throw error;
      await CancellationScope.nonCancellable(() => withdraw(run, ctx));
    }
  } catch (error) {
    // Cancelled before the tenant was known: nothing has reached ISC yet.
    if (!isCancellation(error) || run.state.items.some((i) => i.attempts > 0)) throw error;
    for (const item of run.state.items) item.outcome = 'CANCELLED';
    run.state.withdrawnAt ??= workflowNow();
  }
  return CancellationScope.nonCancellable(() => complete(run));
}

function openRun(input: AccessRequestInput): AccessRequestRun {
  const { request } = input;
  const state = input.resume ?? initialState(request);
  const searchAttributes = createSearchAttributeSync(request);
  return {
    input,
    request,
    state,
    isGrant: request.requestType === 'GRANT_ACCESS',
    options: { ...ACCESS_REQUEST_DEFAULTS, ...state.tenant, ...input.options },
    removalChanges: { pending: false },
    enter(phase) {
      state.phase = phase;
      searchAttributes.sync(state);
    },
  };
}

/** Asked once and kept across continue-as-new; a starter's explicit choice (`--removal exact`) still wins. */
async function learnTenant(run: AccessRequestRun): Promise<void> {
  run.state.tenant ??= await askWorkerForTenant(run.input.options);
  run.options = { ...ACCESS_REQUEST_DEFAULTS, ...run.state.tenant, ...run.input.options };
}

function startDateOf(run: AccessRequestRun): string | undefined {
  return run.request.items.find((i) => i.startDate)?.startDate;
}

/** Older tenants take no startDate at all: the workflow waits for it and submits then. */
function waitsForStart(run: AccessRequestRun): boolean {
  return startDateOf(run) !== undefined && run.options.tenantProfile === 'legacy';
}

/**
 * Shared tracking when the worker runs it; runs that started before it existed keep polling on their own
 * (the patch marks the difference in history, so old histories replay as they ran).
 */
function sharedTracking(run: AccessRequestRun): TrackingSettings | undefined {
  const tracking = run.state.tenant?.tracking;
  if (tracking?.mode !== 'shared') return undefined;
  return patched(SHARED_TRACKING_PATCH) ? tracking : undefined;
}

function settleContext(
  run: AccessRequestRun,
  askOperator: SettleContext['askOperator'],
  mailbox: TrackerMailbox,
): SettleContext {
  const { options, input, state } = run;
  const startDate = startDateOf(run);
  const activities = iscActivities(options, state.tenant?.tracking);
  const shared = sharedTracking(run);
  const missingRowGraceMs = options.missingRowGraceSeconds * 1000;
  return {
    options,
    tracker: shared
      ? sharedTracker(mailbox, shared, options.tenantProfile)
      : pollingTracker(options.statusPollSeconds, options.activityTimeoutSeconds),
    submitter: shared
      ? sharedSubmitter(mailbox, shared, options.tenantProfile, missingRowGraceMs)
      : { submit: (submission) => activities.submitItems(submission) },
    activities,
    enter: (phase) => run.enter(phase),
    askOperator,
    trackingPhase: () => (startDate !== undefined && msUntil(startDate) > 0 ? 'SCHEDULED' : 'TRACKING'),
    async checkpoint() {
      if (!workflowInfo().continueAsNewSuggested) return;
      await condition(allHandlersFinished);
      await continueAsNew<typeof accessRequestWorkflow>({ ...input, resume: state });
    },
  };
}

async function waitForStartDate(run: AccessRequestRun): Promise<void> {
  const startDate = startDateOf(run);
  const notSubmitted = run.state.items.every((i) => i.attempts === 0);
  if (!waitsForStart(run) || !startDate || !notSubmitted || msUntil(startDate) <= 0) return;
  run.enter('SCHEDULED');
  await sleep(msUntil(startDate));
}

async function settleRequest(run: AccessRequestRun, ctx: SettleContext): Promise<void> {
  const { state, request, options } = run;
  const omitRemoveDate = request.items.some((i) => removalModeFor(options, i.type) === 'exact');
  // The run's own state: the items and the grant's automatic retries are carried across continue-as-new.
  await settle(ctx, request, state, { omitRemoveDate, omitStartDate: waitsForStart(run) });
}

async function complete(run: AccessRequestRun): Promise<AccessRequestResult> {
  run.enter('COMPLETED');
  await condition(allHandlersFinished);
  const result: AccessRequestResult = {
    requestKey: run.request.key,
    requestType: run.request.requestType,
    items: itemResults(run.state, { final: true }),
    ...(run.state.withdrawnAt ? { withdrawnAt: run.state.withdrawnAt } : {}),
  };
  const notify = run.input.notify;
  if (notify) {
    try {
      await getExternalWorkflowHandle(notify.workflowId).signal(changeSettledSignal, {
        changeId: workflowInfo().workflowId,
        result,
      });
    } catch (error) {
      // The asker is gone (terminated by hand); the result stays on this workflow for anyone to read.
      log.warn('Could not tell the asker that the change settled', { notify: notify.workflowId, error: String(error) });
    }
  }
  return result;
}
