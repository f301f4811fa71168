/**
 * Day one on the time-skipping server: an identity adopted as ISC holds it (claimed access, the rest
 * granted), then HR events for it; access ISC will not let a request revoke; a drift repair; and a lifecycle
 * that ran before policy ownership (its PRESENT access forgotten on a move) following it after the upgrade.
 * The access changes run as real access-request workflows against the fake ISC.
 */
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { countActions } from '../../bench/support/billable-actions';
import { ACCESS_DIGEST, WORKFLOW_TYPES } from '../../src/common';
import { accessDigest, desiredAccess, expectationOf, type HrEvent, type PolicyItem } from '../../src/domain';
import type { identityLifecycleWorkflow } from '../../src/workflows';
import {
  hrEventSignal,
  lifecycleStatusQuery,
  repairDriftUpdate,
  type HeldItem,
  type LifecycleInput,
  type LifecycleView,
} from '../../src/workflows/identity-lifecycle/contracts';
import { adoptedLifecycleSearchAttributes } from '../../src/workflows/identity-lifecycle/search-attributes';
import { createTimeSkippingEnvironment, uniqueTaskQueue, withTestWorker, workflowBundle } from '../support/temporal';
import { createFakeIsc, type Submission } from '../support/workflows/fake-isc';
import { createLifecycleFakes, policyOf } from '../support/workflows/fake-lifecycle';

const DAY = 24 * 3600 * 1000;
const IDENTITY = 'b1'.repeat(16);
const R1 = '1'.repeat(32);
const E1 = 'e1'.repeat(16);
const E2 = 'e2'.repeat(16);
const ROLE: PolicyItem = { type: 'ROLE', id: R1 };
const ENGINEERING: PolicyItem = { type: 'ENTITLEMENT', id: E1 };
const ENGINEER = { workerType: 'employee', department: 'Engineering', email: 'someone@example.com' };

const POLICY = policyOf({
  version: 1,
  moverGrace: 'P7D',
  rules: [
    { name: 'everyone', when: { workerType: 'employee' }, grant: [`ROLE:${R1}`] },
    { name: 'engineering', when: { department: 'Engineering' }, grant: [`ENTITLEMENT:${E1}`] },
    { name: 'finance', when: { department: 'Finance' }, grant: [`ENTITLEMENT:${E2}`] },
  ],
});

const iso = (ms: number): string => new Date(ms).toISOString();
const grants = (subs: Submission[]) => subs.filter((s) => s.requestType === 'GRANT_ACCESS').map((s) => s.itemId);
const revokes = (subs: Submission[]) => subs.filter((s) => s.requestType === 'REVOKE_ACCESS').map((s) => s.itemId);
const held = (view: LifecycleView): string[] =>
  view.holdings.map((h) => `${h.item.id}:${h.state}${h.claimed ? ':claimed' : ''}`).sort();

describe('adoption and policy ownership (time-skipping)', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await createTimeSkippingEnvironment();
  });
  afterAll(async () => {
    await env?.teardown();
  });

  interface Adopted {
    handle: WorkflowHandle<typeof identityLifecycleWorkflow>;
    send(event: Pick<HrEvent, 'type' | 'effectiveAt'> & Partial<HrEvent>): Promise<void>;
    view(): Promise<LifecycleView>;
  }

  /** Starts the lifecycle `iscflow adopt` would, for E-number `employeeNumber`, as ISC holds it now. */
  async function adopt(taskQueue: string, employeeNumber: string, holdings: HeldItem[]): Promise<Adopted> {
    const ref = `ref-${employeeNumber}`;
    const workflowId = `adopted-${taskQueue}-${employeeNumber}`;
    const input: LifecycleInput = {
      identity: { kind: 'employeeNumber', value: employeeNumber },
      ref,
      options: { change: { statusPollSeconds: 600 } },
      adopt: { identityId: IDENTITY, attributes: ENGINEER, held: holdings, readAt: iso(await env.currentTimeMs()) },
    };
    const expectation = expectationOf({
      status: 'ACTIVE',
      desired: desiredAccess(POLICY, ENGINEER),
      ledger: [],
      ownership: 'policy',
    });
    const handle = await env.client.workflow.start<typeof identityLifecycleWorkflow>(WORKFLOW_TYPES.identityLifecycle, {
      workflowId,
      taskQueue,
      args: [input],
      typedSearchAttributes: adoptedLifecycleSearchAttributes(ref, IDENTITY, accessDigest(POLICY, expectation)),
    });
    let seq = 0;
    return {
      handle,
      async send(spec) {
        seq += 1;
        const event: HrEvent = { id: `ev-${seq}`, source: 'workday', identity: { employeeNumber }, ...spec };
        await handle.signal(hrEventSignal, {
          event,
          delivery: { channel: 'api' },
          receivedAt: iso(await env.currentTimeMs()),
        });
      },
      view: () => handle.query(lifecycleStatusQuery),
    };
  }

  it('claims what the identity holds without a word to ISC, grants the rest, then follows HR events', async () => {
    const isc = createFakeIsc({ approvalMs: 3600_000 });
    const life = createLifecycleFakes({ policy: POLICY });
    await withTestWorker(env, { ...isc.activities, ...life.activities }, async (taskQueue) => {
      const me = await adopt(taskQueue, 'E7001', [
        { ...ROLE, revocable: true },
        { type: 'ENTITLEMENT', id: 'f'.repeat(32), revocable: true },
      ]);
      await env.sleep(DAY);
      let view = await me.view();
      expect(view).toMatchObject({ state: 'ACTIVE', iscIdentityId: IDENTITY, adoptedAt: expect.any(String) });
      expect(view.attributes).toMatchObject({ department: 'Engineering', workerType: 'employee' });
      expect(held(view)).toEqual([`${E1}:HELD`, `${R1}:HELD:claimed`].sort());
      // Only what was missing went to ISC, as a change caused by the adoption; nobody searched for the identity.
      expect(grants(isc.submissions)).toEqual([E1]);
      expect(view.changes.map((c) => c.cause)).toEqual(['adopt']);
      expect(life.searches).toEqual([]);

      // A move to Finance: Finance granted, the engineering grant revoked after the grace.
      await me.send({
        type: 'update',
        effectiveAt: iso(await env.currentTimeMs()),
        attributes: { department: 'Finance' },
      });
      await env.sleep(8 * DAY);
      expect(grants(isc.submissions)).toEqual([E1, E2]);
      expect(revokes(isc.submissions)).toEqual([E1]);

      // A leaver: the claimed role goes too (ISC said at adoption that a request may revoke it).
      await me.send({ type: 'terminate', effectiveAt: iso(await env.currentTimeMs()) });
      await env.sleep(DAY);
      view = await me.view();
      expect(view.state).toBe('TERMINATED');
      expect(revokes(isc.submissions).sort()).toEqual([E1, E2, R1].sort());
      expect(view.holdings).toEqual([]);
      expect(life.heldAsked).toEqual([]);
      // The entitlement the policy never desired for this identity was never touched.
      expect(isc.submissions.map((s) => s.itemId)).not.toContain('f'.repeat(32));
      await me.handle.terminate('test done');
    });
  });

  it('leaves access ISC will not let a request revoke, asks again only on news, and repairs drift on request', async () => {
    const isc = createFakeIsc({ approvalMs: 3600_000 });
    const life = createLifecycleFakes({
      policy: POLICY,
      held: {
        [IDENTITY]: [
          { ...ROLE, revocable: true },
          { ...ENGINEERING, revocable: false },
        ],
      },
    });
    await withTestWorker(env, { ...isc.activities, ...life.activities }, async (taskQueue) => {
      // The engineering entitlement came with a role; ISC did not say how the role was granted.
      const me = await adopt(taskQueue, 'E7002', [ROLE, { ...ENGINEERING, revocable: false }]);
      await env.sleep(DAY);
      expect(held(await me.view())).toEqual([`${E1}:HELD:claimed`, `${R1}:HELD:claimed`].sort());
      expect(isc.submissions).toEqual([]);
      // Nothing changed: the attributes it started with still stand, and it wrote none (only the patch's version).
      const history = await me.handle.fetchHistory();
      expect(countActions(history.events ?? []).upserts).toBe(0);

      // Drift: ISC lost the role behind iscflow's back; the repair asks for it again.
      const repaired = await me.handle.executeUpdate(repairDriftUpdate, {
        args: [{ missing: [ROLE], unexpected: [], reason: 'drift sweep' }],
      });
      expect(repaired.changes.map((c) => c.cause)).toEqual(['drift']);
      await env.sleep(DAY);
      expect(grants(isc.submissions)).toEqual([R1]);

      await me.send({
        type: 'update',
        effectiveAt: iso(await env.currentTimeMs()),
        attributes: { department: 'Finance' },
      });
      await env.sleep(10 * DAY);
      let view = await me.view();
      // At once, grace or not, and never sent to ISC to be refused.
      expect(view.holdings.find((h) => h.item.id === E1)).toMatchObject({ state: 'UNREVOCABLE', revocable: false });
      expect(revokes(isc.submissions)).toEqual([]);
      const digest = (await me.handle.describe()).typedSearchAttributes.get(ACCESS_DIGEST);
      expect(digest).toMatch(new RegExp(`^d1:${POLICY.hash}:`));

      // News: ISC is asked again (it still says no) and the role, now the lifecycle's own grant, goes.
      await me.send({ type: 'terminate', effectiveAt: iso(await env.currentTimeMs()) });
      await env.sleep(DAY);
      view = await me.view();
      expect(life.heldAsked).toEqual([IDENTITY]);
      expect(revokes(isc.submissions).sort()).toEqual([E2, R1].sort());
      expect(held(view)).toEqual([`${E1}:UNREVOCABLE:claimed`]);
      await me.handle.terminate('test done');
    });
  });

  it('a lifecycle from before policy ownership follows it from its first event after the upgrade', async () => {
    const isc = createFakeIsc({
      approvalMs: 3600_000,
      preheld: [{ identityId: IDENTITY, itemType: 'ENTITLEMENT', itemId: E1 }],
    });
    const life = createLifecycleFakes({
      policy: POLICY,
      identities: { E7003: { id: IDENTITY } },
      held: { [IDENTITY]: [{ ...ENGINEERING, revocable: true }] },
    });
    const taskQueue = uniqueTaskQueue();
    const workflowId = `upgrade-${taskQueue}`;
    const handle = env.client.workflow.getHandle<typeof identityLifecycleWorkflow>(workflowId);
    const send = async (spec: Pick<HrEvent, 'id' | 'type' | 'effectiveAt'> & Partial<HrEvent>) => {
      const event: HrEvent = { source: 'workday', identity: { employeeNumber: 'E7003' }, ...spec };
      await env.client.workflow.signalWithStart<typeof identityLifecycleWorkflow, [unknown]>(
        WORKFLOW_TYPES.identityLifecycle,
        {
          workflowId,
          taskQueue,
          args: [
            {
              identity: { kind: 'employeeNumber', value: 'E7003' },
              ref: 'ref-E7003',
              options: { change: { statusPollSeconds: 600 } },
            },
          ],
          signal: hrEventSignal,
          signalArgs: [{ event, delivery: { channel: 'api' }, receivedAt: iso(await env.currentTimeMs()) }],
        },
      );
    };
    // The code of before: the patch never activates, as in a worker that did not have it.
    const before = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: await workflowBundle(),
      activities: { ...isc.activities, ...life.activities },
      patchActivationCallback: () => false,
      // No sticky queue: the next task goes to the task queue, where the upgraded worker takes it.
      maxCachedWorkflows: 0,
    });
    await before.runUntil(async () => {
      await send({ id: 'hire', type: 'hire', effectiveAt: iso(await env.currentTimeMs()), attributes: ENGINEER });
      await env.sleep(DAY);
      expect(held(await handle.query(lifecycleStatusQuery))).toEqual([`${E1}:PRESENT`, `${R1}:HELD`].sort());
    });
    // The upgrade: a worker with today's code takes over the running lifecycle.
    await withTestWorker(
      env,
      { ...isc.activities, ...life.activities },
      async () => {
        await send({
          id: 'move',
          type: 'update',
          effectiveAt: iso(await env.currentTimeMs()),
          attributes: { department: 'Sales' },
        });
        await env.sleep(DAY);
        const view = await handle.query(lifecycleStatusQuery);
        // Before the upgrade a move forgot PRESENT access; now it is the lifecycle's, revoked after the grace.
        expect(view.holdings.find((h) => h.item.id === E1)).toMatchObject({ state: 'REVOKE_SCHEDULED', claimed: true });
        await env.sleep(7 * DAY);
        expect(revokes(isc.submissions)).toEqual([E1]);
        expect(life.heldAsked).toEqual([IDENTITY]);
        await handle.terminate('test done');
      },
      taskQueue,
    );
  });
});
