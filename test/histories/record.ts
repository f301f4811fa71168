/**
 * Records the histories that test/workflows/replay.test.ts replays: representative runs of every
 * long-lived workflow type on the time-skipping server (days pass in milliseconds), with the access
 * changes run as real accessRequestWorkflow children against the fake ISC and the lifecycle's own
 * activities (policy, identity search) faked as in test/workflows/lifecycle.test.ts.
 *
 * Re-record after a deliberate, versioned change to a workflow (a `patched` branch, a new message):
 *
 *   npm run histories:record                 # every history in test/histories/manifest.ts
 *   npm run histories:record -- lifecycle-   # only the scenarios whose name starts with the prefix
 *
 * then commit the JSON. An accidental non-deterministic change makes the replay test fail instead; never
 * re-record to make it pass. Keep the recorded versions of a changed workflow beside the new ones while
 * runs of the old code can still be open. The identities are synthetic (employee numbers `E9xxx`, ISC ids
 * of repeated hex digits) and no secret is recorded: the pseudonym key below is a fixed test value.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import type { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { WORKFLOW_TYPES } from '../../src/common';
import { planAccessRequests, type AccessChange, type HrEvent } from '../../src/domain';
import { identityTarget, sendHrEvent } from '../../src/operations/hr-events';
import type { accessRequestWorkflow, hrEventWorkflow, identityLifecycleWorkflow } from '../../src/workflows';
import { setRemoveDateUpdate, type AccessRequestOptions } from '../../src/workflows/access-request/contracts';
import {
  hrEventSignal,
  lifecycleStatusQuery,
  repairDriftUpdate,
  type LifecycleInput,
  type LifecycleView,
} from '../../src/workflows/identity-lifecycle/contracts';
import type { HeldItemAnswer } from '../../src/activities/contracts';
import { createTimeSkippingEnvironment, workflowBundle } from '../support/temporal';
import { DAY, iso } from '../support/time';
import { createFakeIsc, type Submission } from '../support/workflows/fake-isc';
import { BIRTHRIGHT, BIRTHRIGHT_POLICY, createLifecycleFakes } from '../support/workflows/fake-lifecycle';
import { HISTORY_FILES } from './manifest';

type History = temporal.api.history.v1.IHistory;


/** A run to save: its history and the workflow id it ran under. */
interface Recorded {
  workflowId: string;
  history: History;
}

/** One recording: a worker of its own, a run, and the histories it leaves (file name -> run). */
interface Scenario {
  name: string;
  fake?: Parameters<typeof createFakeIsc>[0];
  /** What ISC says an identity holds when the lifecycle asks before revoking access it did not grant. */
  held?: Record<string, HeldItemAnswer[]>;
  /**
   * Run first by a worker of the code of before a patch (none activates), then `record` by today's: the
   * history of a run that a deploy carried over.
   */
  beforeUpgrade?: (context: ScenarioContext) => Promise<void>;
  record: (context: ScenarioContext) => Promise<Record<string, Recorded>>;
}

interface ScenarioContext {
  env: TestWorkflowEnvironment;
  taskQueue: string;
  submissions: Submission[];
}

// ---------------------------------------------------------------------------------------------------------
// accessRequestWorkflow

const IDENTITY = 'e'.repeat(32);
const ITEM = 'f'.repeat(32);
const grant = (extra: Partial<AccessChange> = {}): AccessChange => ({
  requestType: 'GRANT_ACCESS',
  identityIds: [IDENTITY],
  items: [{ type: 'ENTITLEMENT', id: ITEM }],
  ...extra,
});

type AccessHandle = WorkflowHandle<typeof accessRequestWorkflow>;

function accessScenario(
  name: string,
  change: (t0: number) => AccessChange,
  options: Partial<AccessRequestOptions>,
  extra: {
    fake?: Scenario['fake'];
    /** Something to do while it runs (time moves only while the recorder waits). */
    during?: (handle: AccessHandle, t0: number, sleep: (ms: number) => Promise<void>) => Promise<void>;
  } = {},
): Scenario {
  return {
    name,
    ...(extra.fake ? { fake: extra.fake } : {}),
    record: async ({ env, taskQueue }) => {
      const t0 = await env.currentTimeMs();
      const [request] = planAccessRequests(change(t0));
      if (!request) throw new Error(`${name}: nothing planned`);
      const handle = await env.client.workflow.start<typeof accessRequestWorkflow>(WORKFLOW_TYPES.accessRequest, {
        taskQueue,
        workflowId: `replay-${name}`,
        args: [{ request, options }],
      });
      await extra.during?.(handle, t0, (ms) => env.sleep(ms));
      await handle.result();
      return { [name]: { workflowId: handle.workflowId, history: await handle.fetchHistory() } };
    },
  };
}

const ACCESS_SCENARIOS: Scenario[] = [
  accessScenario('grant-30-day-approval', () => grant(), { statusPollSeconds: 6 * 3600 }, { fake: { approvalMs: 30 * DAY } }),
  accessScenario(
    'grant-exact-removal-extended',
    (t0) => grant({ removeDate: iso(t0 + 90 * DAY) }),
    { removalMode: 'exact', statusPollSeconds: 3600 },
    {
      during: async (handle, t0, sleep) => {
        await sleep(60 * DAY);
        await handle.executeUpdate(setRemoveDateUpdate, { args: [{ removeDate: iso(t0 + 120 * DAY) }] });
      },
    },
  ),
  accessScenario(
    'grant-isc-removal-verified',
    (t0) => grant({ removeDate: iso(t0 + 30 * DAY) }),
    { statusPollSeconds: 3600 },
    { fake: { removesAtRemoveDate: false } },
  ),
  accessScenario('grant-legacy-start-date', (t0) => grant({ startDate: iso(t0 + 21 * DAY) }), {
    tenantProfile: 'legacy',
  }),
];

// ---------------------------------------------------------------------------------------------------------
// identityLifecycleWorkflow and hrEventWorkflow

const { role: ROLE, engineering: ENGINEERING, finance: FINANCE } = BIRTHRIGHT;
/** A fixed test value: refs in the recordings are stable across re-recordings. Not a deployment's key. */
const PSEUDONYM_KEY = 'iscflow-replay-recordings';
/** Synthetic employee numbers and the ISC ids the fake knows them by. */
const PEOPLE: Record<string, { id: string }> = {
  E9001: { id: 'a1'.repeat(16) },
  E9002: { id: 'a2'.repeat(16) },
  E9003: { id: 'a3'.repeat(16) },
  E9004: { id: 'a4'.repeat(16) },
  E9005: { id: 'a5'.repeat(16) },
  E9006: { id: 'a6'.repeat(16) },
  E9007: { id: 'a7'.repeat(16) },
  E9008: { id: 'a8'.repeat(16) },
};
const ENGINEER = { workerType: 'employee', department: 'Engineering' };

type EventSpec = Pick<HrEvent, 'id' | 'type' | 'effectiveAt'> & Partial<Pick<HrEvent, 'attributes' | 'rescinds'>>;
type LifecycleHandle = WorkflowHandle<typeof identityLifecycleWorkflow>;

interface Person {
  handle: LifecycleHandle;
  /** The run the first event started (signal-with-start), for a history that continued as new. */
  firstRunId: () => string;
  send: (event: EventSpec) => Promise<void>;
  view: () => Promise<LifecycleView>;
}

function person(
  { env, taskQueue }: ScenarioContext,
  employeeNumber: string,
  options: LifecycleInput['options'] = {},
): Person {
  const target = identityTarget({ kind: 'employeeNumber', value: employeeNumber }, PSEUDONYM_KEY);
  const input: LifecycleInput = {
    identity: target.key,
    ref: target.ref,
    options: { change: { statusPollSeconds: 600 }, ...options },
  };
  let firstRunId: string | undefined;
  const handle = env.client.workflow.getHandle<typeof identityLifecycleWorkflow>(target.workflowId);
  return {
    handle,
    firstRunId: () => {
      if (!firstRunId) throw new Error(`${employeeNumber}: no event sent yet`);
      return firstRunId;
    },
    send: async (spec) => {
      const event: HrEvent = { source: 'workday', identity: { employeeNumber }, ...spec };
      const started = await env.client.workflow.signalWithStart<typeof identityLifecycleWorkflow, [unknown]>(
        WORKFLOW_TYPES.identityLifecycle,
        {
          workflowId: target.workflowId,
          taskQueue,
          args: [input],
          signal: hrEventSignal,
          signalArgs: [{ event, delivery: { channel: 'api' }, receivedAt: iso(await env.currentTimeMs()) }],
        },
      );
      firstRunId ??= started.signaledRunId;
    },
    view: () => handle.query(lifecycleStatusQuery),
  };
}

/** Ends a lifecycle (it would otherwise live for years) and returns its history, ending in the termination. */
async function finish(handle: LifecycleHandle): Promise<Recorded> {
  await handle.terminate('recorded');
  return { workflowId: handle.workflowId, history: await handle.fetchHistory() };
}

function expectThat(condition: boolean, scenario: string, what: string): void {
  if (!condition) throw new Error(`${scenario}: ${what}; the recording would not show what it is named for`);
}

const requested = (subs: Submission[], type: Submission['requestType']): string[] =>
  subs
    .filter((s) => s.requestType === type)
    .map((s) => s.itemId)
    .sort();

const LIFECYCLE_SCENARIOS: Scenario[] = [
  {
    // A hire two weeks ahead: a timer until submitAhead, then the birthright as child access changes
    // carrying the hire as their start date, the identity found in ISC on the way.
    name: 'lifecycle-joiner-future-hire',
    record: async (context) => {
      const { env, submissions } = context;
      const me = person(context, 'E9001');
      const hireAt = (await env.currentTimeMs()) + 14 * DAY;
      await me.send({ id: 'hire-9001', type: 'hire', effectiveAt: iso(hireAt), attributes: ENGINEER });
      await env.sleep(15 * DAY);
      const view = await me.view();
      expectThat(view.state === 'ACTIVE', 'joiner', `state ${view.state}`);
      expectThat(submissions.length === 2 && submissions.every((s) => s.startDate === iso(hireAt)), 'joiner', 'grants');
      return { 'lifecycle-joiner-future-hire': await finish(me.handle) };
    },
  },
  {
    // A move from Engineering to Finance: Finance granted at once, Engineering revoked after the P7D grace.
    name: 'lifecycle-mover-grace',
    record: async (context) => {
      const { env, submissions } = context;
      const me = person(context, 'E9002');
      await me.send({ id: 'hire-9002', type: 'hire', effectiveAt: iso(await env.currentTimeMs()), attributes: ENGINEER });
      await env.sleep(2 * DAY);
      const movedAt = await env.currentTimeMs();
      await me.send({ id: 'move-9002', type: 'update', effectiveAt: iso(movedAt), attributes: { department: 'Finance' } });
      await env.sleep(DAY);
      expectThat(requested(submissions, 'REVOKE_ACCESS').length === 0, 'mover', 'revoked inside the grace');
      await env.sleep(8 * DAY);
      expectThat(requested(submissions, 'GRANT_ACCESS').includes(FINANCE), 'mover', 'finance not granted');
      const revokes = submissions.filter((s) => s.requestType === 'REVOKE_ACCESS');
      expectThat(revokes.length === 1 && revokes[0]?.itemId === ENGINEERING, 'mover', 'engineering not revoked');
      expectThat((revokes[0]?.at ?? 0) >= movedAt + 7 * DAY, 'mover', 'revoked before the grace ended');
      return { 'lifecycle-mover-grace': await finish(me.handle) };
    },
  },
  {
    // A termination dated ten days ahead: a timer, then every grant of the lifecycle revoked with no grace.
    name: 'lifecycle-leaver',
    record: async (context) => {
      const { env, submissions } = context;
      const me = person(context, 'E9003');
      await me.send({ id: 'hire-9003', type: 'hire', effectiveAt: iso(await env.currentTimeMs()), attributes: ENGINEER });
      await env.sleep(2 * DAY);
      const leaveAt = (await env.currentTimeMs()) + 10 * DAY;
      await me.send({ id: 'term-9003', type: 'terminate', effectiveAt: iso(leaveAt) });
      await env.sleep(11 * DAY);
      const view = await me.view();
      expectThat(view.state === 'TERMINATED', 'leaver', `state ${view.state}`);
      const revoked = requested(submissions, 'REVOKE_ACCESS');
      expectThat(revoked.join() === [ENGINEERING, ROLE].sort().join(), 'leaver', `revoked ${revoked.join()}`);
      return { 'lifecycle-leaver': await finish(me.handle) };
    },
  },
  {
    // A hire a month ahead, rescinded after five days (a no-show): nothing ever reaches ISC.
    name: 'lifecycle-rescinded-hire',
    record: async (context) => {
      const { env, submissions } = context;
      const me = person(context, 'E9004');
      const hireAt = (await env.currentTimeMs()) + 30 * DAY;
      await me.send({ id: 'hire-9004', type: 'hire', effectiveAt: iso(hireAt), attributes: ENGINEER });
      await env.sleep(5 * DAY);
      await me.send({
        id: 'rescind-9004',
        type: 'rescind',
        rescinds: 'hire-9004',
        effectiveAt: iso(await env.currentTimeMs()),
      });
      await env.sleep(30 * DAY);
      const view = await me.view();
      expectThat(view.state === 'NOT_HIRED', 'rescinded hire', `state ${view.state}`);
      expectThat(submissions.length === 0, 'rescinded hire', 'something was submitted');
      return { 'lifecycle-rescinded-hire': await finish(me.handle) };
    },
  },
  {
    // Monthly moves until the history passes maxHistoryEvents: the first run ends in continue-as-new
    // carrying the timeline and ledger; the next run starts from that snapshot and goes on moving.
    name: 'lifecycle-continued-as-new',
    record: async (context) => {
      const { env } = context;
      const me = person(context, 'E9005', { maxHistoryEvents: 150, timelineLimit: 4 });
      await me.send({ id: 'hire-9005', type: 'hire', effectiveAt: iso(await env.currentTimeMs()), attributes: ENGINEER });
      let month = 0;
      while ((await me.handle.describe()).runId === me.firstRunId()) {
        month += 1;
        if (month > 24) throw new Error('continued-as-new: two years of moves and still the first run');
        await env.sleep(30 * DAY);
        await me.send({
          id: `move-9005-${month}`,
          type: 'update',
          effectiveAt: iso(await env.currentTimeMs()),
          attributes: { department: month % 2 === 1 ? 'Finance' : 'Engineering' },
        });
      }
      await env.sleep(10 * DAY);
      const view = await me.view();
      expectThat(view.state === 'ACTIVE', 'continued-as-new', `state ${view.state}`);
      const first = env.client.workflow.getHandle(me.handle.workflowId, me.firstRunId());
      return {
        'lifecycle-continued-as-new': { workflowId: first.workflowId, history: await first.fetchHistory() },
        'lifecycle-resumed-after-continue': await finish(me.handle),
      };
    },
  },
  {
    // Adopted as ISC holds it: the role claimed (no ISC call), the engineering entitlement granted (cause
    // adopt); a drift repair asks for engineering again; a move revokes it after the grace; the leave revokes
    // the claimed role once ISC has said a request may.
    name: 'lifecycle-adopted',
    held: { [PEOPLE.E9007!.id]: [{ type: 'ROLE', id: ROLE, revocable: true }] },
    record: async (context) => {
      const { env, taskQueue, submissions } = context;
      const target = identityTarget({ kind: 'employeeNumber', value: 'E9007' }, PSEUDONYM_KEY);
      const handle = await env.client.workflow.start<typeof identityLifecycleWorkflow>(WORKFLOW_TYPES.identityLifecycle, {
        workflowId: target.workflowId,
        taskQueue,
        args: [
          {
            identity: target.key,
            ref: target.ref,
            options: { change: { statusPollSeconds: 600 } },
            adopt: {
              identityId: PEOPLE.E9007!.id,
              attributes: ENGINEER,
              held: [{ type: 'ROLE', id: ROLE }],
              readAt: iso(await env.currentTimeMs()),
            },
          },
        ],
      });
      const me = person(context, 'E9007');
      await env.sleep(DAY);
      await handle.executeUpdate(repairDriftUpdate, {
        args: [{ missing: [{ type: 'ENTITLEMENT', id: ENGINEERING }], unexpected: [] }],
      });
      await env.sleep(DAY);
      await me.send({ id: 'move-9007', type: 'update', effectiveAt: iso(await env.currentTimeMs()), attributes: { department: 'Finance' } });
      await env.sleep(8 * DAY);
      await me.send({ id: 'term-9007', type: 'terminate', effectiveAt: iso(await env.currentTimeMs()) });
      await env.sleep(DAY);
      const view = await me.view();
      expectThat(view.state === 'TERMINATED' && view.holdings.length === 0, 'adopted', `state ${view.state}`);
      const granted = requested(submissions, 'GRANT_ACCESS').join();
      expectThat(granted === [ENGINEERING, ENGINEERING, FINANCE].sort().join(), 'adopted', `granted ${granted}`);
      expectThat(requested(submissions, 'REVOKE_ACCESS').join() === [ENGINEERING, FINANCE, ROLE].sort().join(), 'adopted', 'revokes');
      return { 'lifecycle-adopted': await finish(handle) };
    },
  },
  {
    // Hired under the code of before: the engineering entitlement was already held (PRESENT, not its own).
    // After the upgrade a move to Finance revokes it after the grace, as policy ownership says.
    name: 'lifecycle-ownership-upgrade',
    fake: { preheld: [{ identityId: PEOPLE.E9008!.id, itemType: 'ENTITLEMENT', itemId: ENGINEERING }] },
    held: { [PEOPLE.E9008!.id]: [{ type: 'ENTITLEMENT', id: ENGINEERING, revocable: true }] },
    beforeUpgrade: async (context) => {
      const me = person(context, 'E9008');
      await me.send({ id: 'hire-9008', type: 'hire', effectiveAt: iso(await context.env.currentTimeMs()), attributes: ENGINEER });
      await context.env.sleep(DAY);
      const view = await me.view();
      expectThat(view.holdings.some((h) => h.state === 'PRESENT'), 'upgrade', 'nothing was found held');
    },
    record: async (context) => {
      const { env, submissions } = context;
      const me = person(context, 'E9008');
      await me.send({ id: 'move-9008', type: 'update', effectiveAt: iso(await env.currentTimeMs()), attributes: { department: 'Finance' } });
      await env.sleep(8 * DAY);
      expectThat(requested(submissions, 'REVOKE_ACCESS').join() === ENGINEERING, 'upgrade', 'engineering not revoked');
      return { 'lifecycle-ownership-upgrade': await finish(me.handle) };
    },
  },
  {
    // The front door's receipt: recorded under an id from the event's source and id, it starts the
    // identity's lifecycle (a child it abandons) and hands it the event.
    name: 'hr-event-receipt',
    record: async ({ env, taskQueue }) => {
      const event: HrEvent = {
        id: 'hire-9006',
        source: 'workday',
        type: 'hire',
        identity: { employeeNumber: 'E9006' },
        effectiveAt: iso((await env.currentTimeMs()) + 7 * DAY),
        attributes: ENGINEER,
      };
      const sent = await sendHrEvent(env.client, taskQueue, event, { channel: 'cli', deliveryId: 'replay:1' }, {
        pseudonymKey: PSEUDONYM_KEY,
        identityPollSeconds: 300,
        identityWaitSeconds: 3 * DAY / 1000,
        change: { statusPollSeconds: 600 },
      });
      const receipt = env.client.workflow.getHandle<typeof hrEventWorkflow>(sent.receiptWorkflowId);
      await receipt.result();
      await env.client.workflow.getHandle(sent.lifecycleWorkflowId).terminate('recorded');
      return { 'hr-event-receipt': { workflowId: receipt.workflowId, history: await receipt.fetchHistory() } };
    },
  },
];

const SCENARIOS = [...ACCESS_SCENARIOS, ...LIFECYCLE_SCENARIOS];

async function main(prefix = ''): Promise<void> {
  const chosen = SCENARIOS.filter((s) => s.name.startsWith(prefix));
  if (chosen.length === 0) throw new Error(`no scenario starts with "${prefix}": ${SCENARIOS.map((s) => s.name).join(', ')}`);
  const env = await createTimeSkippingEnvironment();
  try {
    for (const scenario of chosen) {
      const isc = createFakeIsc(scenario.fake);
      const lifecycle = createLifecycleFakes({
        policy: BIRTHRIGHT_POLICY,
        identities: PEOPLE,
        client: env.client,
        ...(scenario.held ? { held: scenario.held } : {}),
      });
      const taskQueue = `record-${scenario.name}`;
      const context = { env, taskQueue, submissions: isc.submissions };
      const options = {
        connection: env.nativeConnection,
        taskQueue,
        workflowBundle: await workflowBundle(),
        activities: { ...isc.activities, ...lifecycle.activities },
      };
      if (scenario.beforeUpgrade) {
        // No patch activates, and nothing stays cached on a sticky queue for the upgraded worker to miss.
        const before = await Worker.create({ ...options, patchActivationCallback: () => false, maxCachedWorkflows: 0 });
        await before.runUntil(scenario.beforeUpgrade(context));
      }
      const worker = await Worker.create(options);
      const histories = await worker.runUntil(scenario.record(context));
      for (const [name, { workflowId, history }] of Object.entries(histories)) {
        const listed = HISTORY_FILES[name];
        if (listed?.workflowId !== workflowId) {
          throw new Error(`${name} ran as ${workflowId}: list it so in test/histories/manifest.ts`);
        }
        const file = join(__dirname, `${name}.json`);
        writeFileSync(file, `${historyToJSON(history)}\n`);
        console.log(`${file}: ${history.events?.length ?? 0} events`);
      }
    }
  } finally {
    await env.teardown();
  }
}

main(process.argv[2]).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
