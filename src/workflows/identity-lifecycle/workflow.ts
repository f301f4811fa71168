/**
 * identityLifecycleWorkflow: one identity's whole life, for years. HR events (hire, update, terminate,
 * rescind) arrive as signals in any order; the workflow keeps the identity's timeline and reconciles what
 * the birthright policy wants it to hold now against what the lifecycle itself granted, starting access
 * changes for the difference, each on the right day. Every handler is registered before the first await.
 *
 * An identity taken under management by `iscflow adopt` starts ACTIVE from what ISC said of it, with the
 * desired access it already holds claimed (ownership.ts). Then the loop, step by step:
 * 1. take in what arrived: events (duplicates counted, not applied), settled changes, apply requests
 *    (intake.ts), drift repairs (drift.ts);
 * 2. on a termination with `leaver.revokeAll`, adopt everything revocable the identity holds;
 * 3. reconcile (pure, src/domain/lifecycle) and, when ISC must be asked, know the identity first; ask ISC
 *    whether access the lifecycle did not grant may be revoked before revoking it (drift.ts);
 * 4. carry out the plan: start grants and revokes, withdraw grants in flight, schedule revokes (changes.ts);
 * 5. publish where it stands and what it expects ISC to hold (search-attributes.ts);
 * 6. continue as new when the history is long, carrying the state;
 * 7. sleep until news or the next instant something falls due.
 */
import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  log,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import { POLICY_MISMATCH } from '../../common';
import {
  accessDigest,
  changeInFlight,
  desiredAccess,
  expectationOf,
  itemKey,
  ownershipOf,
  reconcile,
  type ReconcilePlan,
  type Trigger,
} from '../../domain';
import { changeSettledSignal } from '../access-request/contracts';
import { epochMs, nowMs, workflowNow } from '../clock';
import { closedChanges, lifecycleIsc, lifecyclePolicy, tenantSettings } from './activities';
import { compactTimeline, settleChange, takeEvents, takeSettled } from './intake';
import { carryOut, needsIdentity } from './changes';
import {
  eventStandingQuery,
  hrEventSignal,
  lifecycleRetryUpdate,
  lifecycleSkipUpdate,
  lifecycleStatusQuery,
  policyPlanQuery,
  reconcileUpdate,
  repairDriftUpdate,
  type LifecycleInput,
  type LifecycleView,
  type OperatorDecision,
} from './contracts';
import { finishRepairs, takeRepairs, withRevocability } from './drift';
import { ensureIdentity } from './identity';
import { hasNews, openLifecycle, type Lifecycle } from './lifecycle';
import { adoptOnce, ownershipNow, ownershipPatched } from './ownership';
import { createDigestPublisher, createLifecyclePublisher, type LifecyclePublisher } from './search-attributes';
import { validateReconcile, validateRepair, validateRetry, validateSkip } from './validators';
import { eventStanding, lifecycleState, lifecycleView, projectNow } from './view';

/** How often changes still running are checked on, in case one closed without telling (terminated by hand). */
const CHANGE_CHECK_MS = 24 * 3600 * 1000;

export async function identityLifecycleWorkflow(input: LifecycleInput): Promise<void> {
  const life = openLifecycle(input);
  const publishers = { legacy: createLifecyclePublisher(), digest: createDigestPublisher() };
  const publish = (): void => publishNow(life, publishers);
  registerHandlers(life);

  life.s.tenant ??= await tenantSettings();
  await refreshPolicy(life);
  if (life.policy && adoptOnce(life, life.policy)) life.adopting = true;
  for (;;) {
    const trigger = await takeIn(life);
    await sweepLeaver(life);
    let plan = planNow(life, trigger);
    const ready = !needsIdentity(plan) || (await ensureIdentity(life, hireOf(life), publish));
    if (ready) {
      plan = await withRevocability(life, plan, trigger);
      await carryOut(life, plan, trigger);
      life.s.lastReconciledAt = workflowNow();
    }
    publish();
    finishRepairs(life);
    await checkpoint(life);
    // Still waiting for ISC to know the identity: ensureIdentity did the waiting; look again at once.
    if (!ready && life.s.identityWait && !life.s.identityWait.skippedUntilEvent) continue;
    await sleepUntilNews(life, plan);
    if (hasNews(life) || !life.policy) await refreshPolicy(life);
  }
}

/**
 * Step 5: where the lifecycle stands, in search attributes. Runs from before policy ownership publish as
 * they always did; the others add the digest of what they expect ISC to hold.
 */
function publishNow(life: Lifecycle, publishers: { legacy: LifecyclePublisher; digest: LifecyclePublisher }): void {
  const { s, policy } = life;
  const projection = projectNow(life, nowMs());
  const view = {
    state: lifecycleState(life, projection),
    ...(s.iscIdentityId ? { iscIdentityId: s.iscIdentityId } : {}),
    ...(s.operator ? { operatorCode: s.operator.code } : {}),
  };
  if (!ownershipPatched() || !policy) {
    publishers.legacy.publish(view);
    return;
  }
  const expectation = expectationOf({
    status: projection.status,
    desired: projection.status === 'ACTIVE' ? desiredAccess(policy, projection.attributes) : [],
    ledger: s.ledger,
    ownership: ownershipNow(life),
  });
  publishers.digest.publish({ ...view, accessDigest: accessDigest(policy, expectation) });
}

function registerHandlers(life: Lifecycle): void {
  setHandler(hrEventSignal, (received) => {
    life.s.inbox.push(received);
  });
  setHandler(changeSettledSignal, (settled) => {
    life.settled.push(settled);
  });
  setHandler(lifecycleStatusQuery, () => lifecycleView(life, nowMs()));
  setHandler(eventStandingQuery, ({ source, id }) => eventStanding(life, nowMs(), source, id));
  setHandler(policyPlanQuery, (policy) => {
    const projection = projectNow(life, nowMs());
    const ownership = ownershipOf(policy);
    const plan = reconcile({ now: nowMs(), projection, policy, ledger: life.s.ledger, trigger: 'apply', ownership });
    return {
      state: lifecycleState(life, projection),
      ...(life.s.iscIdentityId ? { iscIdentityId: life.s.iscIdentityId } : {}),
      actions: plan.actions,
      ...(plan.check.length > 0 ? { check: plan.check } : {}),
    };
  });

  const view = (): LifecycleView => lifecycleView(life, nowMs());
  setHandler(
    reconcileUpdate,
    async (request) => {
      const ticket = { seq: life.nextApplySeq++, request, done: false, refused: undefined as string | undefined };
      life.applies.push(ticket);
      await condition(() => ticket.done);
      // An ApplicationFailure rejects the update; any other error would fail the workflow task, again and again.
      if (ticket.refused) throw ApplicationFailure.nonRetryable(ticket.refused, POLICY_MISMATCH);
      return view();
    },
    { validator: validateReconcile },
  );
  setHandler(
    repairDriftUpdate,
    async (request) => {
      const ticket = { request, taken: false, done: false };
      life.repairs.push(ticket);
      await condition(() => ticket.done);
      return view();
    },
    { validator: validateRepair },
  );
  const decide = async (kind: 'retry' | 'skip', decision: OperatorDecision): Promise<LifecycleView> => {
    life.decision = { kind, ...(decision?.reason ? { reason: decision.reason } : {}) };
    await condition(() => life.decision === undefined);
    return view();
  };
  setHandler(lifecycleRetryUpdate, (d) => decide('retry', d), {
    validator: (_d: OperatorDecision) => validateRetry(life),
  });
  setHandler(lifecycleSkipUpdate, (d) => decide('skip', d), {
    validator: (d: OperatorDecision) => validateSkip(life, d),
  });
}

async function refreshPolicy(life: Lifecycle): Promise<void> {
  const answer = await lifecyclePolicy({ knownHash: life.policy?.hash });
  if (answer.policy) life.policy = answer.policy;
  life.s.policyHash = answer.hash;
}

/** Step 1: what arrived since the loop last looked, and so what triggers this round. */
async function takeIn(life: Lifecycle): Promise<Trigger> {
  const now = workflowNow();
  const adopting = life.adopting === true;
  life.adopting = false;
  const fresh = takeEvents(life);
  if (fresh.length > 0) life.cause = fresh[fresh.length - 1] ?? life.cause;
  const settled = takeSettled(life, now, ownershipNow(life));
  const repaired = takeRepairs(life);
  const applies = life.applies.filter((a) => !a.done);
  let applied = false;
  for (const ticket of applies) {
    if (ticket.request.policyHash && ticket.request.policyHash !== life.policy?.hash) {
      ticket.refused = `The workers run policy ${life.policy?.hash ?? 'none'}, not ${ticket.request.policyHash}: restart them with the policy you planned with, then apply again`;
    } else {
      applied = true;
      life.cause = 'policy-apply';
    }
    ticket.done = true;
  }
  await checkOnChanges(life);
  compactTimeline(life, nowMs());
  if (fresh.length > 0) return 'event';
  if (applied) return 'apply';
  if (repaired) {
    life.cause = 'drift';
    return 'drift';
  }
  if (adopting) {
    life.cause = 'adopt';
    return 'adopt';
  }
  if (settled) return 'settled';
  life.cause = 'timer';
  return 'timer';
}

/** Changes running for longer than a day are asked about, in case one closed without a signal. */
async function checkOnChanges(life: Lifecycle): Promise<void> {
  const { s } = life;
  const inFlight = s.ledger.filter(changeInFlight);
  const stale = [
    ...new Set(inFlight.filter((h) => nowMs() - epochMs(h.since) >= CHANGE_CHECK_MS).map((h) => h.changeId)),
  ];
  const ids = stale.filter((id): id is string => id !== undefined);
  if (ids.length === 0) return;
  try {
    const ownership = ownershipNow(life);
    for (const closed of await closedChanges({ changeIds: ids })) settleChange(life, closed, workflowNow(), ownership);
  } catch (error) {
    // Temporal could not be asked: the signals still count, and the next check asks again.
    log.warn('Could not check on running changes', { error: String(error) });
    return;
  }
  // Checked: wait another day before asking about these again.
  for (const holding of s.ledger) if (holding.changeId && ids.includes(holding.changeId)) holding.since = workflowNow();
}

/** Step 2: `leaver.revokeAll` adopts everything revocable the identity holds, once per termination. */
async function sweepLeaver(life: Lifecycle): Promise<void> {
  const { s, policy } = life;
  const projection = projectNow(life, nowMs());
  if (!policy?.leaverRevokeAll || projection.status !== 'TERMINATED' || !projection.terminatedAt) return;
  if (s.revokeAllDoneFor === projection.terminatedAt || !s.iscIdentityId) return;
  let held;
  try {
    held = await lifecycleIsc(s.tenant?.tracking).revocableAccess({ identityId: s.iscIdentityId });
  } catch (error) {
    // ISC could not say (for a day): what the lifecycle granted is still revoked; the sweep is tried again.
    log.warn('Could not read what the leaver holds', { error: String(error) });
    return;
  }
  for (const item of held) {
    if (s.ledger.some((h) => itemKey(h.item) === itemKey(item))) continue;
    s.ledger.push({ item, state: 'HELD', graceMs: 0, since: workflowNow(), note: 'held at termination (revokeAll)' });
  }
  s.revokeAllDoneFor = projection.terminatedAt;
}

/** Step 3: the reconcile plan for now. */
function planNow(life: Lifecycle, trigger: Trigger): ReconcilePlan {
  const projection = projectNow(life, nowMs());
  if (!life.policy) return { desired: [], actions: [], immediate: projection.status !== 'ACTIVE', check: [] };
  const ownership = ownershipNow(life);
  return reconcile({ now: nowMs(), projection, policy: life.policy, ledger: life.s.ledger, trigger, ownership });
}

function hireOf(life: Lifecycle): string | undefined {
  const projection = projectNow(life, nowMs());
  return projection.upcomingHire?.at ?? projection.hiredAt;
}

/**
 * Step 6: a long history continues as new, carrying the state (handlers finished, nothing dropped). It
 * waits for a quiet moment, when no change it started is still running, so every change reports back to
 * the run that started it; only a history twice too long (or the server's suggestion) does not wait.
 */
async function checkpoint(life: Lifecycle): Promise<void> {
  const info = workflowInfo();
  const limit = life.options.maxHistoryEvents;
  if (!info.continueAsNewSuggested && info.historyLength < limit) return;
  const busy = life.s.ledger.some(changeInFlight);
  if (busy && !info.continueAsNewSuggested && info.historyLength < 2 * limit) return;
  await condition(allHandlersFinished);
  // Settled changes not yet taken in are applied now: the next run would not get them again.
  takeSettled(life, workflowNow(), ownershipNow(life));
  await continueAsNew<typeof identityLifecycleWorkflow>({ ...life.input, resume: life.s });
}

/** Step 7: sleep until news, the next instant something falls due, or the next check on running changes. */
async function sleepUntilNews(life: Lifecycle, plan: ReconcilePlan): Promise<void> {
  const wakes: number[] = [];
  if (plan.wakeAt) wakes.push(epochMs(plan.wakeAt) - nowMs());
  if (life.s.ledger.some(changeInFlight)) wakes.push(CHANGE_CHECK_MS);
  if (hasNews(life)) return;
  const timeout = wakes.length > 0 ? Math.max(1, Math.min(...wakes)) : undefined;
  if (timeout === undefined) await condition(() => hasNews(life));
  else await condition(() => hasNews(life), timeout);
}
