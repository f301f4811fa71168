/**
 * accessRequestWorkflow: submits one planned ISC access request and sees every (identity, item) row of it
 * to a final outcome. Failed provisioning is resubmitted automatically; what cannot be finished waits for
 * an operator's `retry` or `skip` instead of failing the workflow.
 */
import {
  ActivityFailure,
  TimeoutFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  log,
  proxyActivities,
  setHandler,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import { isRetryableFailureState, planItemKey, type PlannedRequest } from '../domain';
import type { IscflowActivities, ItemObservation, SubmittedItem } from '../activities/contracts';
import {
  retryUpdate,
  skipUpdate,
  statusQuery,
  type AccessRequestInput,
  type AccessRequestOptions,
  type AccessRequestResult,
  type AccessRequestState,
  type ItemState,
  type OperatorDecision,
  type Phase,
} from './contracts';
import { pollingTracker } from './tracker';
import { createSearchAttributeSync } from './search-attribute-sync';
import { waitFor, workflowNow } from './clock';

export const DEFAULT_OPTIONS: AccessRequestOptions = {
  statusPollSeconds: 30,
  outcomeRetries: 2,
  outcomeRetryBackoffSeconds: 60,
  operatorOnRejected: false,
  operatorOnTerminated: false,
  escalationTimeoutSeconds: 7 * 24 * 3600,
  missingRowGraceSeconds: 600,
  removalMode: 'isc',
  tenantProfile: 'current',
  activityTimeoutSeconds: 120,
};

/** Failures of an activity that retrying cannot fix; the item then waits for an operator. */
const FINAL_ISC_ERRORS = [
  'ISC_BAD_REQUEST',
  'ISC_FORBIDDEN',
  'ISC_NOT_FOUND',
  'ISC_AUTH_FAILED',
  'ISC_INVALID_RESPONSE',
];

function iscActivities(options: AccessRequestOptions): IscflowActivities {
  return proxyActivities<IscflowActivities>({
    startToCloseTimeout: `${options.activityTimeoutSeconds}s`,
    // An ISC outage is ridden out with capped backoff for a day; after that a person should look.
    scheduleToCloseTimeout: '1 day',
    retry: {
      initialInterval: '2s',
      backoffCoefficient: 2,
      maximumInterval: '5 minutes',
      nonRetryableErrorTypes: FINAL_ISC_ERRORS,
    },
  });
}

type Decision = { kind: 'retry' | 'skip'; reason?: string };

function initialState(request: PlannedRequest): AccessRequestState {
  const items: ItemState[] = request.identityIds.flatMap((identityId) =>
    request.items.map((item) => ({
      key: planItemKey(request.key, identityId, item.type, item.id),
      identityId,
      itemType: item.type,
      itemId: item.id,
      errorMessages: [],
      attempts: 0,
    })),
  );
  return {
    requestKey: request.key,
    requestType: request.requestType,
    phase: 'SUBMITTING',
    items,
    automaticRetriesUsed: 0,
  };
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

function isActivityTimeout(error: unknown): boolean {
  return error instanceof ActivityFailure && error.cause instanceof TimeoutFailure;
}

function resetForResubmission(item: ItemState): void {
  item.outcome = undefined;
  item.iscState = undefined;
  item.accessRequestId = undefined;
  item.submittedAt = undefined;
  item.errorMessages = [];
}

export async function accessRequestWorkflow(input: AccessRequestInput): Promise<AccessRequestResult> {
  const options: AccessRequestOptions = { ...DEFAULT_OPTIONS, ...input.options };
  const { request } = input;
  const state = input.resume ?? initialState(request);
  const searchAttributes = createSearchAttributeSync(request);
  const tracker = pollingTracker(options.statusPollSeconds, options.activityTimeoutSeconds);
  const { submitItems } = iscActivities(options);
  let decision: Decision | undefined;

  const enter = (phase: Phase): void => {
    state.phase = phase;
    searchAttributes.sync(state);
  };

  const awaitingOperator = (): void => {
    if (state.phase !== 'AWAITING_OPERATOR') {
      throw new Error(`No operator decision is awaited: this request is ${state.phase}`);
    }
  };
  const decide = async (next: Decision): Promise<AccessRequestState> => {
    decision = next;
    await condition(() => state.phase !== 'AWAITING_OPERATOR');
    return state;
  };
  setHandler(statusQuery, () => state);
  setHandler(retryUpdate, (d) => decide({ kind: 'retry', reason: d?.reason }), {
    validator: (_d: OperatorDecision) => awaitingOperator(),
  });
  setHandler(skipUpdate, (d) => decide({ kind: 'skip', reason: d.reason }), {
    validator: (d: OperatorDecision) => {
      awaitingOperator();
      if (typeof d?.reason !== 'string' || d.reason.trim() === '')
        throw new Error('skip needs a reason: {"reason": "..."}');
    },
  });

  const submit = async (items: ItemState[]): Promise<void> => {
    enter('SUBMITTING');
    for (const item of items) item.attempts += 1;
    const attempt = Math.max(...items.map((i) => i.attempts));
    try {
      const result = await submitItems({
        request,
        items: items.map(({ identityId, itemType, itemId }) => ({ identityId, itemType, itemId })),
        attempt,
        omitRemoveDate: false,
        omitStartDate: false,
      });
      for (const submitted of result.items) applySubmission(submitted, result.submittedAt);
    } catch (error) {
      const messages = failureMessages(error);
      log.warn('Submission failed', { requestKey: request.key, messages });
      for (const item of items) Object.assign(item, { outcome: 'FAILED', errorMessages: messages });
    }
  };

  const applySubmission = (submitted: SubmittedItem, submittedAt: string): void => {
    const item = state.items.find(
      (i) =>
        i.identityId === submitted.identityId && i.itemType === submitted.itemType && i.itemId === submitted.itemId,
    );
    if (!item) return;
    item.submittedAt = submittedAt;
    item.accessRequestId = submitted.accessRequestId;
    if (submitted.disposition === 'ALREADY_SATISFIED') item.outcome = 'ALREADY_SATISFIED';
  };

  const applyObservation = (seen: ItemObservation): void => {
    const item = state.items.find(
      (i) => i.identityId === seen.identityId && i.itemType === seen.itemType && i.itemId === seen.itemId,
    );
    if (!item) return;
    item.accessRequestId = seen.accessRequestId ?? item.accessRequestId;
    item.iscState = seen.iscState ?? item.iscState;
    item.errorMessages = seen.errorMessages;
    if (seen.outcome) item.outcome = seen.outcome;
  };

  const inFlight = (): ItemState[] => state.items.filter((i) => i.outcome === undefined && i.submittedAt !== undefined);

  const track = async (): Promise<void> => {
    while (inFlight().length > 0) {
      enter('TRACKING');
      if (workflowInfo().continueAsNewSuggested) {
        await condition(allHandlersFinished);
        await continueAsNew<typeof accessRequestWorkflow>({ ...input, resume: state });
      }
      const items = inFlight().map((i) => ({
        identityId: i.identityId,
        itemType: i.itemType,
        itemId: i.itemId,
        accessRequestId: i.accessRequestId,
        iscState: i.iscState,
        attempt: i.attempts,
        submittedAt: i.submittedAt ?? '',
      }));
      try {
        const observations = await tracker.waitForChange({
          requestKey: request.key,
          requestType: request.requestType,
          items,
          missingRowGraceMs: options.missingRowGraceSeconds * 1000,
        });
        observations.forEach(applyObservation);
      } catch (error) {
        if (isActivityTimeout(error)) continue; // a day of polling without news: poll on
        const messages = failureMessages(error);
        log.warn('Status tracking failed', { requestKey: request.key, messages });
        await askOperator(`Status tracking failed: ${messages.join('; ')}`, inFlight());
      }
    }
  };

  const askOperator = async (reason: string, items: ItemState[]): Promise<Decision['kind'] | 'timeout'> => {
    state.operator = { since: workflowNow(), reason, keys: items.map((i) => i.key) };
    decision = undefined;
    enter('AWAITING_OPERATOR');
    const decided = await waitFor(() => decision !== undefined, options.escalationTimeoutSeconds);
    state.operator = undefined;
    if (!decided || !decision) {
      for (const item of items)
        item.errorMessages = [...item.errorMessages, 'No operator decision before the escalation timeout'];
      enter('TRACKING');
      return 'timeout';
    }
    const made: Decision = decision;
    log.info('Operator decision', { requestKey: request.key, decision: made.kind, reason: made.reason });
    if (made.kind === 'skip') {
      for (const item of items) item.skippedReason = made.reason;
    }
    enter('TRACKING');
    return made.kind;
  };

  const needsOperator = (item: ItemState): boolean => {
    if (item.skippedReason !== undefined) return false;
    if (item.outcome === 'FAILED') return true;
    if (item.outcome === 'REJECTED') return options.operatorOnRejected;
    if (item.iscState === 'TERMINATED') return options.operatorOnTerminated;
    return false;
  };

  // The main loop: submit what has not been submitted, track it, retry failures, ask a person when stuck.
  for (;;) {
    const fresh = state.items.filter((i) => i.outcome === undefined && i.submittedAt === undefined);
    if (fresh.length > 0) await submit(fresh);
    await track();

    const failed = state.items.filter(
      (i) =>
        i.outcome === 'FAILED' && i.iscState !== undefined && isRetryableFailureState(i.iscState) && !i.skippedReason,
    );
    if (failed.length > 0 && state.automaticRetriesUsed < options.outcomeRetries) {
      enter('RETRY_BACKOFF');
      await sleep(options.outcomeRetryBackoffSeconds * 1000 * 2 ** state.automaticRetriesUsed);
      state.automaticRetriesUsed += 1;
      failed.forEach(resetForResubmission);
      continue;
    }

    const stuck = state.items.filter(needsOperator);
    if (stuck.length === 0) break;
    const reason = stuck
      .map((i) => `${i.itemType}:${i.itemId} for ${i.identityId} ended ${i.iscState ?? i.outcome}`)
      .join('; ');
    const made = await askOperator(reason, stuck);
    if (made === 'retry') {
      stuck.forEach(resetForResubmission);
      continue;
    }
    if (made === 'timeout') break;
  }

  enter('COMPLETED');
  await condition(allHandlersFinished);
  return {
    requestKey: request.key,
    requestType: request.requestType,
    items: state.items.map((i) => ({
      identityId: i.identityId,
      itemType: i.itemType,
      itemId: i.itemId,
      outcome: i.outcome ?? 'FAILED',
      iscState: i.iscState,
      accessRequestId: i.accessRequestId,
      errorMessages: i.errorMessages,
      skippedReason: i.skippedReason,
    })),
  };
}
