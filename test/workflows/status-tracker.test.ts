/**
 * statusTrackerWorkflow on the time-skipping server, with fakes behind its activities: a hint from ISC makes
 * an old request be looked at on the next round instead of minutes later; thousands of watched requests
 * survive continue-as-new and are all answered; a tracker that starts empty asks its changes to enlist again,
 * once.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type {
  CheckStatusBatchInput,
  ItemObservation,
  TrackedItem,
  TrackerMessage,
  TrackerNews,
  TrackingActivities,
} from '../../src/activities/contracts';
import { TRACKER_SIGNALS } from '../../src/common';
import { trackerViewQuery, type TrackerInput } from '../../src/workflows/status-tracker/contracts';
import type { statusTrackerWorkflow } from '../../src/workflows';
import { createTimeSkippingEnvironment, withTestWorker } from '../support/temporal';

/** A fake ISC behind the tracker's activities: requests stay EXECUTING until the test approves them. */
function fakeTracking() {
  const approved = new Set<string>();
  const checks: number[] = [];
  const delivered: Array<{ workflowId: string; news: TrackerNews }> = [];
  const reenlistAsks: number[] = [];
  const twiceInOneCall: string[] = [];
  const activities: TrackingActivities = {
    async enlist() {
      throw new Error('the tracker never enlists');
    },
    async heldAccessOf() {
      return {};
    },
    async submitBatch() {
      throw new Error('no submissions in these tests');
    },
    async checkStatusBatch({ requests }: CheckStatusBatchInput) {
      checks.push(Date.now());
      return {
        results: requests.map((request) =>
          request.items.map((item): ItemObservation => {
            const done = item.accessRequestId !== undefined && approved.has(item.accessRequestId);
            return {
              identityId: item.identityId,
              itemType: item.itemType,
              itemId: item.itemId,
              accessRequestId: item.accessRequestId,
              iscState: done ? 'REQUEST_COMPLETED' : 'EXECUTING',
              ...(done ? { outcome: 'GRANTED' as const } : {}),
              errorMessages: [],
            };
          }),
        ),
      };
    },
    async deliverNews({ deliveries }) {
      // Signals of one call go out side by side and may arrive in any order: one per change, never two.
      const ids = deliveries.map((d) => d.workflowId);
      if (new Set(ids).size !== ids.length) twiceInOneCall.push(ids.join(','));
      delivered.push(...deliveries);
      return { gone: [] };
    },
    async askToReenlist() {
      reenlistAsks.push(Date.now());
      return { asked: 0 };
    },
  };
  return { activities, approved, checks, delivered, reenlistAsks, twiceInOneCall };
}

const observed = (delivered: Array<{ workflowId: string; news: TrackerNews }>, requester: string): ItemObservation[] =>
  delivered
    .filter((d) => d.workflowId === requester)
    .flatMap((d) => d.news.observations ?? [])
    .flatMap((o) => o.items);

function watchOf(n: number, submittedAt: string): TrackerMessage {
  const item: TrackedItem = {
    identityId: `identity-${n}`,
    itemType: 'ENTITLEMENT',
    itemId: 'e'.repeat(32),
    accessRequestId: `ar-${n}`,
    iscState: 'EXECUTING',
    attempt: 1,
    submittedAt,
  };
  return {
    kind: 'watch',
    requester: `iscflow-grant-${n}`,
    chain: `chain-${n}`,
    requestKey: `key-${n}`,
    requestType: 'GRANT_ACCESS',
    items: [item],
    missingRowGraceMs: 60_000,
  };
}

async function until(check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return true;
}

describe('statusTrackerWorkflow', () => {
  let env: TestWorkflowEnvironment;

  beforeAll(async () => {
    env = await createTimeSkippingEnvironment();
  }, 120_000);

  afterAll(async () => {
    await env?.teardown();
  });

  const inputFor = (taskQueue: string): TrackerInput => ({
    shard: 0,
    settings: {
      mode: 'shared',
      taskQueue,
      iscTaskQueue: taskQueue,
      shards: 1,
      budgetPer10s: 90,
      tenantProfile: 'current',
    },
  });

  it('looks at an old request on the next round when ISC hints that it moved', async () => {
    const fake = fakeTracking();
    await withTestWorker(env, fake.activities, async (taskQueue) => {
      const handle = await env.client.workflow.start<typeof statusTrackerWorkflow>('statusTrackerWorkflow', {
        workflowId: `tracker-hint-${taskQueue}`,
        taskQueue,
        args: [inputFor(taskQueue)],
      });
      await handle.signal(TRACKER_SIGNALS.enlist, watchOf(1, new Date(Date.now()).toISOString()));
      expect(await until(() => fake.checks.length > 0, 10_000)).toBe(true);
      // Two hours without a change: the tracker now looks at the request every five minutes.
      await env.sleep('2 hours');
      fake.approved.add('ar-1');
      const checksBefore = fake.checks.length;
      // Approved, but not looked at for a while: nobody hears of it yet.
      await new Promise((resolve) => setTimeout(resolve, 3000));
      expect(observed(fake.delivered, 'iscflow-grant-1').some((o) => o.outcome === 'GRANTED')).toBe(false);

      await handle.signal(TRACKER_SIGNALS.enlist, {
        kind: 'hint',
        accessRequestIds: ['ar-1'],
      } satisfies TrackerMessage);
      expect(
        await until(() => observed(fake.delivered, 'iscflow-grant-1').some((o) => o.outcome === 'GRANTED'), 10_000),
      ).toBe(true);
      expect(fake.checks.length).toBeGreaterThan(checksBefore);
      expect((await handle.query(trackerViewQuery)).counts.hintsMatched).toBe(1);
      // A hint for a request it does not watch changes nothing.
      await handle.signal(TRACKER_SIGNALS.enlist, {
        kind: 'hint',
        accessRequestIds: ['ar-x'],
      } satisfies TrackerMessage);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect((await handle.query(trackerViewQuery)).counts.hintsMatched).toBe(1);
      await handle.terminate('test over');
    });
  }, 60_000);

  it('carries thousands of watched requests across continue-as-new and answers every one', async () => {
    const fake = fakeTracking();
    const watched = 1500;
    await withTestWorker(env, fake.activities, async (taskQueue) => {
      const handle = await env.client.workflow.start<typeof statusTrackerWorkflow>('statusTrackerWorkflow', {
        workflowId: `tracker-can-${taskQueue}`,
        taskQueue,
        args: [inputFor(taskQueue)],
      });
      const submittedAt = new Date().toISOString();
      for (let n = 0; n < watched; n += 50) {
        await Promise.all(
          Array.from({ length: Math.min(50, watched - n) }, (_, k) =>
            handle.signal(TRACKER_SIGNALS.enlist, watchOf(n + k, submittedAt)),
          ),
        );
      }
      const latest = env.client.workflow.getHandle<typeof statusTrackerWorkflow>(handle.workflowId);
      // Every watch taken in, and the history long enough that the tracker continued as new.
      const continuedWithAll = async (): Promise<boolean> => {
        const view = await latest.query(trackerViewQuery).catch(() => undefined);
        const { runId } = await latest.describe();
        return view?.watched.requests === watched && runId !== handle.firstExecutionRunId;
      };
      expect(await until(continuedWithAll, 30_000)).toBe(true);
      expect(fake.reenlistAsks).toHaveLength(1);

      for (let n = 0; n < watched; n += 1) fake.approved.add(`ar-${n}`);
      await env.sleep('10 minutes');
      const answered = (): number =>
        new Set(
          fake.delivered
            .filter((d) => (d.news.observations ?? []).some((o) => o.items.some((i) => i.outcome === 'GRANTED')))
            .map((d) => d.workflowId),
        ).size;
      expect(await until(() => answered() === watched, 60_000)).toBe(true);
      expect((await latest.query(trackerViewQuery)).watched.requests).toBe(0);
      // One status call reads many requests: far fewer calls than requests.
      expect(fake.checks.length).toBeLessThan(watched / 5);
      // A tracker that resumed its state does not ask its changes to enlist again.
      expect(fake.reenlistAsks).toHaveLength(1);
      expect(fake.twiceInOneCall).toEqual([]);
      await latest.terminate('test over');
    });
  }, 180_000);
});
