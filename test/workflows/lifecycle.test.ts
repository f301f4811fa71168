/**
 * identityLifecycleWorkflow over long timelines on the time-skipping server: the access changes run as
 * real access-request workflows against the fake ISC, so every grant and revoke that "reached ISC" is a
 * submission the fake recorded, at the instant it was made.
 */
import type { WorkflowHandle } from '@temporalio/client';
import { WORKFLOW_TYPES } from '../../src/common';
import type { HrEvent } from '../../src/domain';
import type { identityLifecycleWorkflow } from '../../src/workflows';
import {
  hrEventSignal,
  lifecycleSkipUpdate,
  lifecycleStatusQuery,
  type LifecycleInput,
  type LifecycleView,
} from '../../src/workflows/identity-lifecycle/contracts';
import { environmentPerFile, withTestWorker } from '../support/temporal';
import { createFakeIsc, type Submission } from '../support/workflows/fake-isc';
import { DAY, iso } from '../support/time';
import { BIRTHRIGHT, BIRTHRIGHT_POLICY, createLifecycleFakes } from '../support/workflows/fake-lifecycle';

const IDENTITY = 'a1'.repeat(16);
const { role: R1, engineering: E1, finance: E2 } = BIRTHRIGHT;
const POLICY = BIRTHRIGHT_POLICY;

type EventSpec = Pick<HrEvent, 'type' | 'effectiveAt'> & Partial<Pick<HrEvent, 'attributes' | 'rescinds' | 'id'>>;

interface Subject {
  handle: WorkflowHandle<typeof identityLifecycleWorkflow>;
  send(event: EventSpec): Promise<void>;
  view(): Promise<LifecycleView>;
}

describe('identity lifecycle (time-skipping)', () => {
  const env = environmentPerFile();

  async function subject(
    taskQueue: string,
    employeeNumber: string,
    options: LifecycleInput['options'] = {},
  ): Promise<Subject> {
    const input: LifecycleInput = {
      identity: { kind: 'employeeNumber', value: employeeNumber },
      ref: `ref-${employeeNumber}`,
      options: { change: { statusPollSeconds: 600 }, ...options },
    };
    const workflowId = `lifecycle-${taskQueue}-${employeeNumber}`;
    let seq = 0;
    const send = async (spec: EventSpec): Promise<void> => {
      seq += 1;
      const event: HrEvent = {
        id: spec.id ?? `ev-${seq}`,
        source: 'workday',
        identity: { employeeNumber },
        ...spec,
      };
      await env().client.workflow.signalWithStart<typeof identityLifecycleWorkflow, [unknown]>(
        WORKFLOW_TYPES.identityLifecycle,
        {
          workflowId,
          taskQueue,
          args: [input],
          signal: hrEventSignal,
          signalArgs: [{ event, delivery: { channel: 'api' }, receivedAt: iso(await env().currentTimeMs()) }],
        },
      );
    };
    const handle = env().client.workflow.getHandle<typeof identityLifecycleWorkflow>(workflowId);
    return { handle, send, view: () => handle.query(lifecycleStatusQuery) };
  }

  const held = (view: LifecycleView): string[] => view.holdings.map((h) => `${h.item.id}:${h.state}`).sort();
  const grants = (subs: Submission[]) => subs.filter((s) => s.requestType === 'GRANT_ACCESS').map((s) => s.itemId);
  const revokes = (subs: Submission[]) => subs.filter((s) => s.requestType === 'REVOKE_ACCESS').map((s) => s.itemId);

  it('joiner 30 days ahead, mover, mover back inside the grace, leaver after a year, rehire', async () => {
    const isc = createFakeIsc({ approvalMs: 3600_000 });
    const life = createLifecycleFakes({ policy: POLICY, identities: { E1042: { id: IDENTITY } } });
    await withTestWorker(env(), { ...isc.activities, ...life.activities }, async (taskQueue) => {
      const t0 = await env().currentTimeMs();
      const hireAt = t0 + 30 * DAY;
      const me = await subject(taskQueue, 'E1042');
      await me.send({
        type: 'hire',
        effectiveAt: iso(hireAt),
        attributes: { department: 'Engineering', workerType: 'employee' },
      });

      await env().sleep(28 * DAY);
      expect(isc.submissions).toHaveLength(0);
      expect((await me.view()).state).toBe('PENDING_HIRE');

      // submitAhead P1D: the grants go out a day early, with the hire as their start date.
      await env().sleep(1.5 * DAY);
      expect(grants(isc.submissions).sort()).toEqual([R1, E1].sort());
      expect(isc.submissions.every((s) => s.startDate === iso(hireAt))).toBe(true);
      expect(Math.min(...isc.submissions.map((s) => s.at))).toBeGreaterThanOrEqual(hireAt - DAY);

      await env().sleep(1 * DAY);
      let view = await me.view();
      expect(view.state).toBe('ACTIVE');
      expect(held(view)).toEqual([`${E1}:HELD`, `${R1}:HELD`].sort());

      // A move 90 days after the hire: Finance granted now, Engineering kept for the 7-day grace.
      await env().sleep(90 * DAY - 1.5 * DAY);
      await me.send({
        type: 'update',
        effectiveAt: iso(await env().currentTimeMs()),
        attributes: { department: 'Finance' },
      });
      await env().sleep(DAY);
      view = await me.view();
      expect(grants(isc.submissions)).toContain(E2);
      expect(view.holdings.find((h) => h.item.id === E1)?.state).toBe('REVOKE_SCHEDULED');

      // Back to Engineering after 3 days: the pending revoke is cancelled, ISC never hears of it.
      await env().sleep(2 * DAY);
      await me.send({
        type: 'update',
        effectiveAt: iso(await env().currentTimeMs()),
        attributes: { department: 'Engineering' },
      });
      await env().sleep(10 * DAY);
      view = await me.view();
      expect(revokes(isc.submissions)).toEqual([E2]);
      expect(held(view)).toEqual([`${E1}:HELD`, `${R1}:HELD`].sort());

      // Leaver a year after the hire: everything the lifecycle granted is revoked at once.
      await env().sleep(hireAt + 365 * DAY - (await env().currentTimeMs()));
      await me.send({ type: 'terminate', effectiveAt: iso(await env().currentTimeMs()) });
      await env().sleep(DAY);
      view = await me.view();
      expect(view.state).toBe('TERMINATED');
      expect(revokes(isc.submissions).sort()).toEqual([E2, R1, E1].sort());
      expect(view.holdings).toEqual([]);

      // Rehire: a joiner again, and its grants reach ISC as fresh changes.
      const before = grants(isc.submissions).length;
      await me.send({
        type: 'hire',
        effectiveAt: iso(await env().currentTimeMs()),
        attributes: { department: 'Finance', workerType: 'employee' },
      });
      await env().sleep(DAY);
      view = await me.view();
      expect(view.state).toBe('ACTIVE');
      expect(grants(isc.submissions).slice(before).sort()).toEqual([R1, E2].sort());
      expect(held(view)).toEqual([`${E2}:HELD`, `${R1}:HELD`].sort());
      await me.handle.terminate('test done');
    });
  });

  it('a hire rescinded before it takes effect: nothing ever reaches ISC', async () => {
    const isc = createFakeIsc({ approvalMs: 3600_000 });
    const life = createLifecycleFakes({ policy: POLICY, identities: { E2001: { id: IDENTITY } } });
    await withTestWorker(env(), { ...isc.activities, ...life.activities }, async (taskQueue) => {
      const t0 = await env().currentTimeMs();
      const me = await subject(taskQueue, 'E2001');
      await me.send({
        id: 'hire-1',
        type: 'hire',
        effectiveAt: iso(t0 + 10 * DAY),
        attributes: { workerType: 'employee' },
      });
      await env().sleep(2 * DAY);
      await me.send({ type: 'rescind', rescinds: 'hire-1', effectiveAt: iso(await env().currentTimeMs()) });
      await env().sleep(20 * DAY);
      const view = await me.view();
      expect(isc.submissions).toEqual([]);
      expect(view.state).toBe('NOT_HIRED');
      expect(view.timeline.find((e) => e.key === 'workday/hire-1')?.outcome).toMatchObject({ state: 'rescinded' });
      await me.handle.terminate('test done');
    });
  });

  it('a hire rescinded after its grants went out ahead: the grants in flight are withdrawn in ISC', async () => {
    // Approval takes two days: the grants submitted a day ahead are still open when the no-show is known.
    const isc = createFakeIsc({ approvalMs: 2 * DAY });
    const life = createLifecycleFakes({ policy: POLICY, identities: { E2002: { id: IDENTITY } } });
    await withTestWorker(env(), { ...isc.activities, ...life.activities }, async (taskQueue) => {
      const t0 = await env().currentTimeMs();
      const me = await subject(taskQueue, 'E2002');
      await me.send({
        id: 'hire-1',
        type: 'hire',
        effectiveAt: iso(t0 + 5 * DAY),
        attributes: { workerType: 'employee' },
      });
      await env().sleep(4.5 * DAY);
      expect(grants(isc.submissions)).toEqual([R1]);
      await me.send({ type: 'rescind', rescinds: 'hire-1', effectiveAt: iso(await env().currentTimeMs()) });
      await env().sleep(DAY);
      const view = await me.view();
      expect(isc.cancels.map((c) => c.accessRequestId)).toEqual([isc.submissions[0]!.id]);
      expect(view.holdings).toEqual([]);
      expect(view.state).toBe('NOT_HIRED');
      expect(revokes(isc.submissions)).toEqual([]);
      await me.handle.terminate('test done');
    });
  });

  it('a termination rescinded before its date: nothing is revoked', async () => {
    const isc = createFakeIsc({ approvalMs: 3600_000 });
    const life = createLifecycleFakes({ policy: POLICY, identities: { E2003: { id: IDENTITY } } });
    await withTestWorker(env(), { ...isc.activities, ...life.activities }, async (taskQueue) => {
      const t0 = await env().currentTimeMs();
      const me = await subject(taskQueue, 'E2003');
      await me.send({
        type: 'hire',
        effectiveAt: iso(t0),
        attributes: { workerType: 'employee', department: 'Engineering' },
      });
      await env().sleep(DAY);
      await me.send({ id: 'leave', type: 'terminate', effectiveAt: iso(t0 + 10 * DAY) });
      await env().sleep(3 * DAY);
      await me.send({ type: 'rescind', rescinds: 'leave', effectiveAt: iso(await env().currentTimeMs()) });
      await env().sleep(15 * DAY);
      const view = await me.view();
      expect(revokes(isc.submissions)).toEqual([]);
      expect(view.state).toBe('ACTIVE');
      expect(held(view)).toEqual([`${E1}:HELD`, `${R1}:HELD`].sort());
      await me.handle.terminate('test done');
    });
  });

  it('an identity ISC only knows after two days is waited for; one it never knows goes to a person, who skips', async () => {
    const isc = createFakeIsc({ approvalMs: 3600_000 });
    const t0 = await env().currentTimeMs();
    const late = 'b2'.repeat(16);
    const life = createLifecycleFakes({ policy: POLICY, identities: { E3001: { id: late, from: t0 + 2 * DAY } } });
    await withTestWorker(env(), { ...isc.activities, ...life.activities }, async (taskQueue) => {
      const known = await subject(taskQueue, 'E3001');
      const never = await subject(taskQueue, 'E3002');
      for (const me of [known, never]) {
        await me.send({ type: 'hire', effectiveAt: iso(t0), attributes: { workerType: 'employee' } });
      }
      await env().sleep(DAY);
      expect((await known.view()).state).toBe('WAITING_FOR_IDENTITY');
      expect(isc.submissions).toEqual([]);
      await env().sleep(2 * DAY);
      expect((await known.view()).state).toBe('ACTIVE');
      expect(isc.submissions.map((s) => s.identityId)).toEqual([late]);
      // Three days (ISCFLOW_IDENTITY_WAIT_SECONDS' default) after the hire, a person is asked.
      await env().sleep(DAY);
      const waiting = await never.view();
      expect(waiting.state).toBe('AWAITING_OPERATOR');
      expect(waiting.operator?.code).toBe('IDENTITY_NOT_FOUND');
      const after = await never.handle.executeUpdate(lifecycleSkipUpdate, { args: [{ reason: 'never joined ISC' }] });
      expect(after.state).toBe('ACTIVE');
      expect(after.operator).toBeUndefined();
      await known.handle.terminate('test done');
      await never.handle.terminate('test done');
    });
  });

  it('a duplicate storm changes nothing: one grant per item, every repeat counted', async () => {
    const isc = createFakeIsc({ approvalMs: 3600_000 });
    const life = createLifecycleFakes({ policy: POLICY, identities: { E4001: { id: IDENTITY } } });
    await withTestWorker(env(), { ...isc.activities, ...life.activities }, async (taskQueue) => {
      const t0 = await env().currentTimeMs();
      const me = await subject(taskQueue, 'E4001');
      const hire: EventSpec = {
        id: 'hire-1',
        type: 'hire',
        effectiveAt: iso(t0),
        attributes: { workerType: 'employee', department: 'Finance' },
      };
      await Promise.all(Array.from({ length: 200 }, () => me.send(hire)));
      await env().sleep(DAY);
      const view = await me.view();
      expect(grants(isc.submissions).sort()).toEqual([R1, E2].sort());
      expect(view.timeline).toEqual([expect.objectContaining({ key: 'workday/hire-1', duplicates: 199 })]);
      await me.handle.terminate('test done');
    });
  });

  it('reaches the same end state whatever order the events arrive in', async () => {
    const isc = createFakeIsc({ approvalMs: 3600_000 });
    const orders = [
      [0, 1, 2, 3],
      [3, 2, 1, 0],
      [1, 3, 0, 2],
      [2, 0, 3, 1],
      [3, 0, 2, 1],
    ];
    const identities = Object.fromEntries(orders.map((_, n) => [`E50${n}`, { id: `${n}`.repeat(32) }]));
    const life = createLifecycleFakes({ policy: POLICY, identities });
    await withTestWorker(env(), { ...isc.activities, ...life.activities }, async (taskQueue) => {
      const t0 = await env().currentTimeMs();
      const events: EventSpec[] = [
        {
          id: 'hire',
          type: 'hire',
          effectiveAt: iso(t0 - 20 * DAY),
          attributes: { workerType: 'employee', department: 'Engineering' },
        },
        { id: 'to-finance', type: 'update', effectiveAt: iso(t0 - 10 * DAY), attributes: { department: 'Finance' } },
        { id: 'back', type: 'update', effectiveAt: iso(t0 - 5 * DAY), attributes: { department: 'Engineering' } },
        { id: 'contract', type: 'update', effectiveAt: iso(t0 - 2 * DAY), attributes: { workerType: 'contractor' } },
      ];
      const subjects = await Promise.all(orders.map((_, n) => subject(taskQueue, `E50${n}`)));
      // Delivered an hour apart, each identity in its own order.
      for (let step = 0; step < events.length; step++) {
        for (const [n, order] of orders.entries()) await subjects[n]!.send(events[order[step]!]!);
        await env().sleep(3600_000);
      }
      await env().sleep(10 * DAY);
      const views = await Promise.all(subjects.map((me) => me.view()));
      // In force: Engineering, contractor. Policy: the engineering entitlement only.
      for (const view of views) {
        expect(view.state).toBe('ACTIVE');
        expect(held(view)).toEqual([`${E1}:HELD`]);
      }
      for (const me of subjects) await me.handle.terminate('test done');
    });
  });

  it('lives two years of monthly moves with a bounded history, continuing as new with its state', async () => {
    const isc = createFakeIsc({ approvalMs: 3600_000 });
    const life = createLifecycleFakes({ policy: POLICY, identities: { E6001: { id: IDENTITY } } });
    await withTestWorker(env(), { ...isc.activities, ...life.activities }, async (taskQueue) => {
      const t0 = await env().currentTimeMs();
      const me = await subject(taskQueue, 'E6001', { maxHistoryEvents: 300, timelineLimit: 10 });
      await me.send({
        type: 'hire',
        effectiveAt: iso(t0),
        attributes: { workerType: 'employee', department: 'Engineering' },
      });
      for (let month = 1; month <= 24; month++) {
        await env().sleep(30 * DAY);
        const department = month % 2 === 1 ? 'Finance' : 'Engineering';
        await me.send({
          id: `move-${month}`,
          type: 'update',
          effectiveAt: iso(await env().currentTimeMs()),
          attributes: { department },
        });
      }
      await env().sleep(10 * DAY);
      const view = await me.view();
      expect(view.state).toBe('ACTIVE');
      expect(held(view)).toEqual([`${E1}:HELD`, `${R1}:HELD`].sort());
      // Every move granted the new department and revoked the old after its grace: 12 + 12 finance moves.
      expect(revokes(isc.submissions).filter((i) => i === E2)).toHaveLength(12);
      expect(revokes(isc.submissions).filter((i) => i === E1)).toHaveLength(12);
      // The timeline kept ten events; older ones were folded into the baseline and remembered as seen.
      expect(view.timeline.length).toBeLessThanOrEqual(10);
      const history = await me.handle.fetchHistory();
      const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
      const current = (await me.handle.describe()).historyLength;
      console.log(`two years of monthly moves: the current run has ${current} history events`);
      // It continued as new (the current run follows another) and its history stays small.
      expect(started?.continuedExecutionRunId).toEqual(expect.any(String));
      expect(current).toBeLessThan(400);
      // A late duplicate of a move folded away long ago is still recognised.
      await me.send({
        id: 'move-1',
        type: 'update',
        effectiveAt: iso(t0 + 30 * DAY),
        attributes: { department: 'Finance' },
      });
      await env().sleep(DAY);
      expect(held(await me.view())).toEqual([`${E1}:HELD`, `${R1}:HELD`].sort());
      await me.handle.terminate('test done');
    });
  });
});
