/**
 * accessRequestWorkflow: one planned ISC access request, from its start date to its removal.
 *
 * 1. Start date: passed to ISC where the tenant takes it; otherwise the workflow waits for it (SCHEDULED).
 * 2. The request is submitted and every (identity, item) tracked to a final outcome (see settle.ts).
 * 3. Removal dates: `isc` mode lets ISC remove at removeDate and verifies after its SLA, revoking itself
 *    when ISC did not; `exact` mode revokes at the moment itself. Dates change through `setRemoveDate`.
 * Whatever cannot be finished waits for an operator's `retry`, `skip` or `cancel` instead of failing.
 */
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  log,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import { parseIsoDateTime, planAccessRequests, planItemKey, type ItemType, type PlannedRequest } from '../domain';
import type { IscflowActivities, TenantSettings } from '../activities/contracts';
import {
  cancelUpdate,
  removeNowUpdate,
  retryUpdate,
  setRemoveDateUpdate,
  skipUpdate,
  statusQuery,
  type AccessRequestInput,
  type AccessRequestOptions,
  type AccessRequestResult,
  type AccessRequestState,
  type ItemState,
  type OperatorDecision,
  type Phase,
  type RemovalMode,
  type RemovalState,
  type RemoveNowInput,
  type SetRemoveDateInput,
} from './contracts';
import { msUntil, waitFor, workflowNow } from './clock';
import { createSearchAttributeSync } from './search-attribute-sync';
import { newItemState, settle, type OperatorVerdict, type SettleContext } from './settle';
import { itemResults } from './results';
import { pollingTracker } from './tracker';

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
  removalVerificationSeconds: 24 * 3600,
  stuckAfterSeconds: null,
  stuckAction: 'ask',
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
    // Capped at a minute: every 429 counts as an attempt, so a longer cap made one later 5xx wait minutes.
    retry: {
      initialInterval: '2s',
      backoffCoefficient: 2,
      maximumInterval: '1 minute',
      nonRetryableErrorTypes: FINAL_ISC_ERRORS,
    },
  });
}

type Decision = { kind: 'retry' | 'skip' | 'cancel'; reason?: string };

const refKey = (identityId: string, itemType: string, itemId: string): string => `${identityId}|${itemType}|${itemId}`;

function initialState(request: PlannedRequest): AccessRequestState {
  const items: ItemState[] = request.identityIds.flatMap((identityId) =>
    request.items.map((item) =>
      newItemState(planItemKey(request.key, identityId, item.type, item.id), identityId, item.type, item.id),
    ),
  );
  const removeDates: Record<string, string | null> = {};
  for (const item of items) {
    const removeDate = request.items.find((i) => i.type === item.itemType && i.id === item.itemId)?.removeDate;
    removeDates[refKey(item.identityId, item.itemType, item.itemId)] = removeDate ?? null;
  }
  return {
    requestKey: request.key,
    requestType: request.requestType,
    phase: 'SUBMITTING',
    items,
    automaticRetriesUsed: 0,
    removeDates,
    removals: [],
  };
}

/** Where removeDate cannot go to ISC (older tenants: not on entitlements), the workflow removes exactly. */
function removalModeFor(options: AccessRequestOptions, itemType: ItemType): RemovalMode {
  if (options.removalMode === 'exact') return 'exact';
  return options.tenantProfile === 'legacy' && itemType === 'ENTITLEMENT' ? 'exact' : 'isc';
}

async function askWorker(explicit: Partial<AccessRequestOptions> | undefined): Promise<TenantSettings> {
  if (explicit?.tenantProfile && explicit.removalMode) {
    return { tenantProfile: explicit.tenantProfile, removalMode: explicit.removalMode };
  }
  const { tenantSettings } = proxyLocalActivities<IscflowActivities>({ startToCloseTimeout: '10s' });
  return tenantSettings();
}

function validateFutureDate(value: string, field: string): void {
  const parsed = parseIsoDateTime(value);
  if (parsed.kind === 'malformed') throw new Error(`${field} must be an ISO-8601 date-time, e.g. 2027-01-31T17:00:00Z`);
  if (parsed.kind === 'not-utc') throw new Error(`${field} must be in UTC (Z or +00:00)`);
  if (msUntil(value) <= 0) throw new Error(`${field} must be in the future`);
}

export async function accessRequestWorkflow(input: AccessRequestInput): Promise<AccessRequestResult> {
  const { request } = input;
  const state = input.resume ?? initialState(request);
  // What the tenant takes and the default removal mode are the worker's to know, asked once and kept
  // across continue-as-new; a starter's explicit choice (`--removal exact`) still wins.
  state.tenant ??= await askWorker(input.options);
  const options: AccessRequestOptions = { ...DEFAULT_OPTIONS, ...state.tenant, ...input.options };
  const searchAttributes = createSearchAttributeSync(request);
  const activities = iscActivities(options);
  const isGrant = request.requestType === 'GRANT_ACCESS';
  const startDate = request.items.find((i) => i.startDate)?.startDate;
  // Older tenants take no startDate at all: the workflow waits for it and submits then.
  const waitsForStart = startDate !== undefined && options.tenantProfile === 'legacy';
  const grantRemovalModes = request.items.map((i) => removalModeFor(options, i.type));
  let decision: Decision | undefined;
  // Read through a function: the compiler cannot see that an Update handler sets it during the wait.
  const takeDecision = (): Decision | undefined => decision;
  // Set by date-changing Updates; wakes the removal wait.
  const removalChanges: RemovalChanges = { pending: false };

  const enter = (phase: Phase): void => {
    state.phase = phase;
    searchAttributes.sync(state);
  };

  // Operator decisions: valid only while one is awaited; the Update answers once the workflow moved on.
  const awaitingOperator = (): void => {
    if (state.phase !== 'AWAITING_OPERATOR')
      throw new Error(`No operator decision is awaited: this request is ${state.phase}`);
  };
  const needsReason = (d: OperatorDecision, name: string): void => {
    awaitingOperator();
    if (typeof d?.reason !== 'string' || d.reason.trim() === '')
      throw new Error(`${name} needs a reason: {"reason": "..."}`);
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
    validator: (d: OperatorDecision) => needsReason(d, 'skip'),
  });
  setHandler(cancelUpdate, (d) => decide({ kind: 'cancel', reason: d.reason }), {
    validator: (d: OperatorDecision) => {
      needsReason(d, 'cancel');
      if (!state.operator?.cancellable)
        throw new Error('cancel applies to requests stuck in ISC only; use retry or skip');
    },
  });

  const pendingRemovals = (d: { identityId?: string; itemId?: string }): RemovalState[] =>
    state.removals.filter(
      (r) =>
        r.status === 'SCHEDULED' &&
        (!d.identityId || r.identityId === d.identityId) &&
        (!d.itemId || r.itemId === d.itemId),
    );
  setHandler(
    setRemoveDateUpdate,
    (d) => {
      for (const [key, current] of Object.entries(state.removeDates)) {
        const [identityId, , itemId] = key.split('|');
        if ((d.identityId && identityId !== d.identityId) || (d.itemId && itemId !== d.itemId)) continue;
        if (current !== undefined) state.removeDates[key] = d.removeDate;
      }
      for (const removal of pendingRemovals(d)) {
        if (d.removeDate === null) removal.status = removal.mode === 'isc' ? 'SCHEDULED' : 'KEPT';
        else removal.removeDate = d.removeDate;
        // ISC holds the sunset itself in isc mode: it must hear the new date (or its removal) too.
        if (removal.mode === 'isc') removal.resendGrant = true;
      }
      removalChanges.pending = true;
      log.info('Removal date changed', { requestKey: request.key, removeDate: d.removeDate });
      return state;
    },
    {
      validator: (d: SetRemoveDateInput) => {
        if (!isGrant) throw new Error('setRemoveDate applies to grants only');
        if (state.phase === 'COMPLETED') throw new Error('This request has completed; there is no removal to change');
        if (d === null || typeof d !== 'object' || !('removeDate' in d))
          throw new Error('Send {"removeDate": "<ISO date-time>" | null}');
        if (d.removeDate !== null) validateFutureDate(d.removeDate, 'removeDate');
        const targets = Object.keys(state.removeDates).filter((key) => {
          const [identityId, , itemId] = key.split('|');
          return (!d.identityId || identityId === d.identityId) && (!d.itemId || itemId === d.itemId);
        });
        if (targets.length === 0) throw new Error('No item of this request matches identityId/itemId');
        const settled = state.removals.filter(
          (r) => r.status !== 'SCHEDULED' && targets.includes(refKey(r.identityId, r.itemType, r.itemId)),
        );
        if (settled.length === targets.length && settled.length > 0)
          throw new Error('That removal has already been carried out');
      },
    },
  );
  setHandler(
    removeNowUpdate,
    (d) => {
      for (const removal of pendingRemovals(d)) {
        removal.removeDate = workflowNow();
        removal.mode = 'exact';
        removal.note = d.comment ? `Removed on request: ${d.comment}` : 'Removed on request';
      }
      removalChanges.pending = true;
      return state;
    },
    {
      validator: (d: RemoveNowInput) => {
        if (pendingRemovals(d ?? {}).length === 0 || !d?.identityId || !d?.itemId) {
          throw new Error('No scheduled removal for that identityId and itemId');
        }
      },
    },
  );

  const askOperator = async (reason: string, items: ItemState[], allowCancel: boolean): Promise<OperatorVerdict> => {
    const previous = state.phase;
    state.operator = { since: workflowNow(), reason, keys: items.map((i) => i.key), cancellable: allowCancel };
    decision = undefined;
    enter('AWAITING_OPERATOR');
    const decided = await waitFor(() => decision !== undefined, options.escalationTimeoutSeconds);
    state.operator = undefined;
    const made = takeDecision();
    enter(previous === 'AWAITING_OPERATOR' ? 'TRACKING' : previous);
    if (!decided || !made) return 'timeout';
    log.info('Operator decision', { requestKey: request.key, decision: made.kind, reason: made.reason });
    if (made.kind === 'skip') for (const item of items) item.skippedReason = made.reason;
    return made.kind;
  };

  const checkpoint = async (): Promise<void> => {
    if (!workflowInfo().continueAsNewSuggested) return;
    await condition(allHandlersFinished);
    await continueAsNew<typeof accessRequestWorkflow>({ ...input, resume: state });
  };

  const ctx: SettleContext = {
    options,
    tracker: pollingTracker(options.statusPollSeconds, options.activityTimeoutSeconds),
    activities,
    enter,
    askOperator,
    trackingPhase: () => (startDate !== undefined && msUntil(startDate) > 0 ? 'SCHEDULED' : 'TRACKING'),
    checkpoint,
  };

  // 1. Start date the tenant cannot take: wait for it here.
  if (waitsForStart && startDate && state.items.every((i) => i.attempts === 0) && msUntil(startDate) > 0) {
    enter('SCHEDULED');
    await sleep(msUntil(startDate));
  }

  // 2. The request itself.
  const grantBudget = {
    get used() {
      return state.automaticRetriesUsed;
    },
    set used(value: number) {
      state.automaticRetriesUsed = value;
    },
  };
  await settle(
    ctx,
    request,
    state.items,
    { omitRemoveDate: grantRemovalModes.includes('exact'), omitStartDate: waitsForStart },
    grantBudget,
  );

  // 3. Removals of what was granted.
  if (isGrant && state.removals.length === 0) {
    for (const item of state.items) {
      const removeDate = state.removeDates[refKey(item.identityId, item.itemType, item.itemId)];
      if (!removeDate || (item.outcome !== 'GRANTED' && item.outcome !== 'ALREADY_SATISFIED')) continue;
      const mode = grantRemovalModes.includes('exact') ? 'exact' : 'isc';
      const submittedDate = request.items.find((i) => i.type === item.itemType && i.id === item.itemId)?.removeDate;
      state.removals.push({
        identityId: item.identityId,
        itemType: item.itemType,
        itemId: item.itemId,
        removeDate,
        mode,
        status: 'SCHEDULED',
        // The date changed while the grant was in flight: ISC holds the old one until told.
        resendGrant: mode === 'isc' && removeDate !== submittedDate,
        requests: [],
      });
    }
  }
  await runRemovals(ctx, state, removalChanges, request, options);

  enter('COMPLETED');
  await condition(allHandlersFinished);
  return {
    requestKey: request.key,
    requestType: request.requestType,
    items: itemResults(state, { final: true }),
  };
}

/**
 * Waits for each removal to fall due and carries it out; any number of date changes can arrive while
 * waiting. One durable timer per wait: a removal a year away costs a handful of history events.
 */
interface RemovalChanges {
  pending: boolean;
}

async function runRemovals(
  ctx: SettleContext,
  state: AccessRequestState,
  changes: RemovalChanges,
  request: PlannedRequest,
  options: AccessRequestOptions,
): Promise<void> {
  const { holdsAccess } = iscActivities(options);
  const dueAt = (r: RemovalState): number =>
    msUntil(r.removeDate) + (r.mode === 'isc' ? options.removalVerificationSeconds * 1000 : 0);

  /** Settles one follow-up ISC request (a revoke, or the grant with a new date) for a removal. */
  const follow = async (r: RemovalState, planned: PlannedRequest): Promise<ItemState> => {
    const item = newItemState(
      planItemKey(planned.key, r.identityId, r.itemType, r.itemId),
      r.identityId,
      r.itemType,
      r.itemId,
    );
    r.requests.push(item);
    await settle(ctx, planned, [item], { omitRemoveDate: false, omitStartDate: true }, { used: 0 });
    return item;
  };

  const resendGrant = async (r: RemovalState): Promise<void> => {
    const wanted = state.removeDates[refKey(r.identityId, r.itemType, r.itemId)] ?? null;
    // Sent without removeDate only when the removal was cancelled on purpose: that is how ISC clears a sunset.
    const [planned] = planAccessRequests({
      requestType: 'GRANT_ACCESS',
      identityIds: [r.identityId],
      items: [{ type: r.itemType, id: r.itemId }],
      ...(wanted ? { removeDate: wanted } : {}),
      ...(request.comment ? { comment: request.comment } : {}),
    });
    r.resendGrant = false;
    if (!planned) return;
    const item = await follow(r, planned);
    if (item.outcome !== 'GRANTED' && item.outcome !== 'ALREADY_SATISFIED') {
      r.note = `ISC did not take the new date: ${item.outcome ?? 'unknown'}`;
    } else if (wanted === null) {
      r.status = 'KEPT';
    }
  };

  const remove = async (r: RemovalState): Promise<void> => {
    r.status = 'REMOVING';
    ctx.enter('REMOVING');
    const ref = { identityId: r.identityId, itemType: r.itemType, itemId: r.itemId };
    for (;;) {
      // In isc mode ISC should have removed it by now; only what is still held needs a revoke.
      if (r.mode === 'isc' && r.requests.every((q) => q.outcome !== 'REVOKED') && !(await holdsAccess(ref))) break;
      const [planned] = planAccessRequests({
        requestType: 'REVOKE_ACCESS',
        identityIds: [r.identityId],
        items: [{ type: r.itemType, id: r.itemId }],
        comment: `Scheduled removal by iscflow (removeDate ${r.removeDate})`,
      });
      if (!planned) return;
      const item = await follow(r, planned);
      if (item.outcome !== 'REVOKED' && item.outcome !== 'ALREADY_SATISFIED') {
        r.status = 'FAILED';
        r.note = `Revoke ended ${item.iscState ?? item.outcome ?? 'unknown'}${item.skippedReason ? ` (skipped: ${item.skippedReason})` : ''}`;
        return;
      }
      if (!(await holdsAccess(ref))) break;
      const verdict = await ctx.askOperator(
        `${r.itemType}:${r.itemId} is still held by ${r.identityId} after its revoke`,
        [item],
        false,
      );
      if (verdict !== 'retry') {
        r.status = 'FAILED';
        r.note = 'Still held after the revoke';
        return;
      }
    }
    r.status = 'REMOVED';
  };

  for (;;) {
    changes.pending = false;
    for (const r of state.removals.filter((x) => x.resendGrant)) await resendGrant(r);
    const pending = state.removals.filter((r) => r.status === 'SCHEDULED');
    if (pending.length === 0) return;
    ctx.enter('REMOVAL_SCHEDULED');
    await ctx.checkpoint();
    const next = Math.min(...pending.map(dueAt));
    if (next > 0) {
      await condition(() => changes.pending, next);
      if (changes.pending) continue;
    }
    for (const r of pending.filter((x) => dueAt(x) <= 0 && x.status === 'SCHEDULED')) await remove(r);
  }
}
