/**
 * Carrying out a reconcile plan: each grant and revoke is an access change run by the access-request
 * workflow (started as a child that outlives this run, and tells it when it settles), so dedup, tracking,
 * retries, dates and operator decisions work exactly as for any other change. Withdrawals cancel a change
 * still in flight; scheduled revokes are ledger entries with a time.
 */
import { ParentClosePolicy, getExternalWorkflowHandle, log, startChild, workflowInfo } from '@temporalio/workflow';
import { IDENTITY_REF, WORKFLOW_TYPES } from '../../common';
import {
  itemKey,
  planAccessRequests,
  type AccessChange,
  type Holding,
  type LifecycleAction,
  type PlannedRequest,
  type PolicyItem,
  type ReconcilePlan,
  type Trigger,
} from '../../domain';
import { msUntil, workflowNow } from '../clock';
import type { accessRequestWorkflow } from '../access-request/workflow';
import type { ChangeCause } from '../access-request/contracts';
import { changeDetails, changeSummary, initialSearchAttributes } from '../access-request/search-attributes';
import type { ChangeRecord } from './contracts';
import type { Lifecycle } from './lifecycle';

/** How many change records `identity show` keeps (the changes themselves stay in Temporal). */
const CHANGE_RECORDS_KEPT = 200;

function causeOf(life: Lifecycle, trigger: Trigger): ChangeCause {
  if (trigger === 'apply') return { kind: 'policy-apply' };
  if (trigger === 'adopt') return { kind: 'adopt' };
  if (trigger === 'drift') return { kind: 'drift' };
  if (life.cause.includes('/')) return { kind: 'hr-event', ref: life.cause };
  return { kind: 'lifecycle', ref: life.cause };
}

async function startChange(
  life: Lifecycle,
  kind: 'grant' | 'revoke',
  request: PlannedRequest,
  trigger: Trigger,
  startDate?: string,
): Promise<string> {
  const { s, input } = life;
  const changeId = `${life.workflowId}-change-${s.nextChangeSeq}`;
  s.nextChangeSeq += 1;
  await startChild<typeof accessRequestWorkflow>(WORKFLOW_TYPES.accessRequest, {
    workflowId: changeId,
    args: [
      {
        request,
        options: life.options.change,
        cause: causeOf(life, trigger),
        notify: { workflowId: life.workflowId },
      },
    ],
    // The change outlives this run (continue-as-new) and tells the lifecycle by signal when it settles.
    parentClosePolicy: ParentClosePolicy.ABANDON,
    taskQueue: workflowInfo().taskQueue,
    typedSearchAttributes: [...initialSearchAttributes(request), { key: IDENTITY_REF, value: input.ref }],
    staticSummary: changeSummary(request),
    staticDetails: changeDetails(request, { cause: causeOf(life, trigger) }),
  });
  const record: ChangeRecord = {
    changeId,
    kind,
    items: request.items.map((i) => ({ type: i.type, id: i.id })),
    cause: life.cause,
    startedAt: workflowNow(),
    ...(startDate ? { startDate } : {}),
  };
  s.changes = [...s.changes, record].slice(-CHANGE_RECORDS_KEPT);
  return changeId;
}

function setHolding(life: Lifecycle, item: PolicyItem, update: Partial<Holding> & Pick<Holding, 'state'>): void {
  const { s } = life;
  const key = itemKey(item);
  const existing = s.ledger.find((h) => itemKey(h.item) === key);
  const base: Holding = existing ?? { item, state: update.state, graceMs: 0, since: workflowNow() };
  const next: Holding = { ...base, ...update, since: workflowNow() };
  if (update.state !== 'REVOKE_SCHEDULED') delete next.revokeAt;
  s.ledger = existing ? s.ledger.map((h) => (h === existing ? next : h)) : [...s.ledger, next];
}

/** Carries out a reconcile plan's actions, in order. */
export async function carryOut(life: Lifecycle, plan: ReconcilePlan, trigger: Trigger): Promise<void> {
  keepGraceCurrent(life, plan);
  const withdrawn = new Set<string>();
  for (const action of plan.actions) {
    switch (action.kind) {
      case 'grant':
        await startGrants(life, action, trigger);
        break;
      case 'withdraw':
        await withdrawChange(life, action, withdrawn);
        break;
      case 'schedule-revoke':
        setHolding(life, action.item, {
          state: 'REVOKE_SCHEDULED',
          revokeAt: action.at,
          ...claimedIfPresent(life, action.item),
        });
        break;
      case 'keep':
        setHolding(life, action.item, { state: 'HELD', note: 'kept: desired again within its grace' });
        break;
      case 'revoke':
        await startRevoke(life, action, plan.immediate, trigger);
        break;
      case 'unrevocable':
        setHolding(life, action.item, {
          state: 'UNREVOCABLE',
          note: 'no longer desired, and ISC will not let a request revoke it (it came with a role or by birthright)',
          ...claimedIfPresent(life, action.item),
        });
        break;
      case 'forget':
        life.s.ledger = life.s.ledger.filter((h) => itemKey(h.item) !== itemKey(action.item));
        break;
    }
  }
}

/** Access the lifecycle found held (PRESENT) that it now acts on as its own, under policy ownership, is claimed. */
function claimedIfPresent(life: Lifecycle, item: PolicyItem): Pick<Holding, 'claimed'> {
  const holding = life.s.ledger.find((h) => itemKey(h.item) === itemKey(item));
  return holding?.state === 'PRESENT' ? { claimed: true } : {};
}

/** Keeps each held item's grace current with the policy, for the day a move takes it away. */
function keepGraceCurrent(life: Lifecycle, plan: ReconcilePlan): void {
  for (const want of plan.desired) {
    const holding = life.s.ledger.find((h) => itemKey(h.item) === itemKey(want));
    if (holding) holding.graceMs = want.graceMs;
  }
}

type Action<K extends LifecycleAction['kind']> = Extract<LifecycleAction, { kind: K }>;

/** One grant change per ISC-legal request of the action's items; each item is GRANTING from then on. */
async function startGrants(life: Lifecycle, action: Action<'grant'>, trigger: Trigger): Promise<void> {
  const identityId = life.s.iscIdentityId;
  if (!identityId) return;
  // A start date that has passed only delays nothing; the submit itself drops one that passes in flight.
  const startDate = action.startDate && msUntil(action.startDate) > 0 ? action.startDate : undefined;
  const change: AccessChange = {
    requestType: 'GRANT_ACCESS',
    identityIds: [identityId],
    items: action.items.map(({ type, id }) => ({ type, id })),
    // The same words for everyone the same rules grant to, so that a wave's grants share ISC requests
    // (ISC takes one comment per item for all recipients); the event is in the change's own details.
    comment: `Birthright (${[...new Set(action.items.flatMap((i) => i.rules))].join(', ')}), iscflow identity lifecycle`,
    ...(startDate ? { startDate } : {}),
  };
  for (const request of planAccessRequests(change)) {
    const changeId = await startChange(life, 'grant', request, trigger, startDate);
    for (const item of request.items) {
      const want = action.items.find((d) => d.type === item.type && d.id === item.id);
      setHolding(
        life,
        { type: item.type, id: item.id },
        {
          state: 'GRANTING',
          changeId,
          graceMs: want?.graceMs ?? 0,
          ...(startDate ? { startDate } : {}),
          note: undefined,
        },
      );
    }
  }
}

/** Cancels a grant change still in flight (once per change, however many of its items go). */
async function withdrawChange(life: Lifecycle, action: Action<'withdraw'>, withdrawn: Set<string>): Promise<void> {
  if (!withdrawn.has(action.changeId)) {
    withdrawn.add(action.changeId);
    try {
      await getExternalWorkflowHandle(action.changeId).cancel();
    } catch (error) {
      // It closed meanwhile: its settled signal tells the ledger how it ended.
      log.info('A change to withdraw had already closed', { changeId: action.changeId, error: String(error) });
    }
  }
  setHolding(life, action.item, { state: 'WITHDRAWING', changeId: action.changeId });
}

/** A revoke change for one item: at once for a leaver, after the grace for a mover. */
async function startRevoke(
  life: Lifecycle,
  action: Action<'revoke'>,
  immediate: boolean,
  trigger: Trigger,
): Promise<void> {
  const identityId = life.s.iscIdentityId;
  if (!identityId) return;
  const reason = immediate ? 'leaver' : 'mover, after the grace period';
  const [request] = planAccessRequests({
    requestType: 'REVOKE_ACCESS',
    identityIds: [identityId],
    items: [action.item],
    comment: `Lifecycle (${reason}) for ${life.cause}`,
  });
  if (!request) return;
  const changeId = await startChange(life, 'revoke', request, trigger);
  setHolding(life, action.item, { state: 'REVOKING', changeId, ...claimedIfPresent(life, action.item) });
}

/** Whether carrying out the plan needs the identity's ISC id (to ask ISC, or to change access). */
export function needsIdentity(plan: ReconcilePlan): boolean {
  return plan.check.length > 0 || plan.actions.some((a) => a.kind === 'grant' || a.kind === 'revoke');
}
