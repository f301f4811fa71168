/**
 * identityLifecycleWorkflow over long timelines on the time-skipping server: the access changes run as
 * real access-request workflows against the fake ISC, so every grant and revoke that "reached ISC" is a
 * submission the fake recorded, at the instant it was made.
 */
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { WORKFLOW_TYPES } from '../../src/common';
import type { HrEvent } from '../../src/domain';
import type { identityLifecycleWorkflow } from '../../src/workflows';
import {
  hrEventSignal,
  lifecycleStatusQuery,
  type LifecycleInput,
  type LifecycleView,
} from '../../src/workflows/identity-lifecycle/contracts';
import { createTimeSkippingEnvironment, withTestWorker } from '../support/temporal';
import { createFakeIsc, type Submission } from './fake-isc';
import { createLifecycleFakes, policyOf } from './fake-lifecycle';

const DAY = 24 * 3600 * 1000;
const IDENTITY = 'a1'.repeat(16);
const R1 = '1'.repeat(32);
const E1 = 'e1'.repeat(16);
const E2 = 'e2'.repeat(16);

const POLICY = policyOf({
  version: 1,
  moverGrace: 'P7D',
  submitAhead: 'P1D',
  rules: [
    { name: 'everyone', when: { workerType: 'employee' }, grant: [`ROLE:${R1}`] },
    { name: 'engineering', when: { department: 'Engineering' }, grant: [`ENTITLEMENT:${E1}`] },
    { name: 'finance', when: { department: 'Finance' }, grant: [`ENTITLEMENT:${E2}`] },
  ],
});

type EventSpec = Pick<HrEvent, 'type' | 'effectiveAt'> & Partial<Pick<HrEvent, 'attributes' | 'rescinds' | 'id'>>;

interface Subject {
  handle: WorkflowHandle<typeof identityLifecycleWorkflow>;
  send(event: EventSpec): Promise<void>;
  view(): Promise<LifecycleView>;
}

describe('identity lifecycle (time-skipping)', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await createTimeSkippingEnvironment();
  });
  afterAll(async () => {
    await env?.teardown();
  });

  const iso = (ms: number): string => new Date(ms).toISOString();

  async function subject(taskQueue: string, employeeNumber: string): Promise<Subject> {
    const input: LifecycleInput = {
      identity: { kind: 'employeeNumber', value: employeeNumber },
      ref: `ref-${employeeNumber}`,
      options: { change: { statusPollSeconds: 600 } },
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
      await env.client.workflow.signalWithStart<typeof identityLifecycleWorkflow, [unknown]>(
        WORKFLOW_TYPES.identityLifecycle,
        {
          workflowId,
          taskQueue,
          args: [input],
          signal: hrEventSignal,
          signalArgs: [{ event, delivery: { channel: 'api' }, receivedAt: iso(await env.currentTimeMs()) }],
        },
      );
    };
    const handle = env.client.workflow.getHandle<typeof identityLifecycleWorkflow>(workflowId);
    return { handle, send, view: () => handle.query(lifecycleStatusQuery) };
  }

  const held = (view: LifecycleView): string[] => view.holdings.map((h) => `${h.item.id}:${h.state}`).sort();
  const grants = (subs: Submission[]) => subs.filter((s) => s.requestType === 'GRANT_ACCESS').map((s) => s.itemId);
  const revokes = (subs: Submission[]) => subs.filter((s) => s.requestType === 'REVOKE_ACCESS').map((s) => s.itemId);

  it('joiner 30 days ahead, mover, mover back inside the grace, leaver after a year, rehire', async () => {
    const isc = createFakeIsc({ approvalMs: 3600_000 });
    const life = createLifecycleFakes({ policy: POLICY, identities: { E1042: { id: IDENTITY } } });
    await withTestWorker(env, { ...isc.activities, ...life.activities }, async (taskQueue) => {
      const t0 = await env.currentTimeMs();
      const hireAt = t0 + 30 * DAY;
      const me = await subject(taskQueue, 'E1042');
      await me.send({
        type: 'hire',
        effectiveAt: iso(hireAt),
        attributes: { department: 'Engineering', workerType: 'employee' },
      });

      await env.sleep(28 * DAY);
      expect(isc.submissions).toHaveLength(0);
      expect((await me.view()).state).toBe('PENDING_HIRE');

      // submitAhead P1D: the grants go out a day early, with the hire as their start date.
      await env.sleep(1.5 * DAY);
      expect(grants(isc.submissions).sort()).toEqual([R1, E1].sort());
      expect(isc.submissions.every((s) => s.startDate === iso(hireAt))).toBe(true);
      expect(Math.min(...isc.submissions.map((s) => s.at))).toBeGreaterThanOrEqual(hireAt - DAY);

      await env.sleep(1 * DAY);
      let view = await me.view();
      expect(view.state).toBe('ACTIVE');
      expect(held(view)).toEqual([`${E1}:HELD`, `${R1}:HELD`].sort());

      // A move 90 days after the hire: Finance granted now, Engineering kept for the 7-day grace.
      await env.sleep(90 * DAY - 1.5 * DAY);
      await me.send({
        type: 'update',
        effectiveAt: iso(await env.currentTimeMs()),
        attributes: { department: 'Finance' },
      });
      await env.sleep(DAY);
      view = await me.view();
      expect(grants(isc.submissions)).toContain(E2);
      expect(view.holdings.find((h) => h.item.id === E1)?.state).toBe('REVOKE_SCHEDULED');

      // Back to Engineering after 3 days: the pending revoke is cancelled, ISC never hears of it.
      await env.sleep(2 * DAY);
      await me.send({
        type: 'update',
        effectiveAt: iso(await env.currentTimeMs()),
        attributes: { department: 'Engineering' },
      });
      await env.sleep(10 * DAY);
      view = await me.view();
      expect(revokes(isc.submissions)).toEqual([E2]);
      expect(held(view)).toEqual([`${E1}:HELD`, `${R1}:HELD`].sort());

      // Leaver a year after the hire: everything the lifecycle granted is revoked at once.
      await env.sleep(hireAt + 365 * DAY - (await env.currentTimeMs()));
      await me.send({ type: 'terminate', effectiveAt: iso(await env.currentTimeMs()) });
      await env.sleep(DAY);
      view = await me.view();
      expect(view.state).toBe('TERMINATED');
      expect(revokes(isc.submissions).sort()).toEqual([E2, R1, E1].sort());
      expect(view.holdings).toEqual([]);

      // Rehire: a joiner again, and its grants reach ISC as fresh changes.
      const before = grants(isc.submissions).length;
      await me.send({
        type: 'hire',
        effectiveAt: iso(await env.currentTimeMs()),
        attributes: { department: 'Finance', workerType: 'employee' },
      });
      await env.sleep(DAY);
      view = await me.view();
      expect(view.state).toBe('ACTIVE');
      expect(grants(isc.submissions).slice(before).sort()).toEqual([R1, E2].sort());
      expect(held(view)).toEqual([`${E2}:HELD`, `${R1}:HELD`].sort());
      await me.handle.terminate('test done');
    });
  });
});
