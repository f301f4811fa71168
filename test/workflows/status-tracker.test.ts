/**
 * statusTrackerWorkflow on the time-skipping server, with fakes behind its activities: a hint from ISC makes
 * an old request be looked at on the next round instead of minutes later; thousands of watched requests
 * survive continue-as-new and are all answered; a tracker that starts empty asks its changes to enlist again,
 * once.
 */
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
import { environmentPerFile, withTestWorker } from '../support/temporal';

/** A fake ISC behind the tracker's activities: requests stay EXECUTING until the test approves them. */
function fakeTracking() {
  /** Approved requests, and when: the feed, like ISC's, answers only what was modified since its watermark. */
  const approvedAt = new Map<string, number>();
  const approved = {
    add: (id: string) => approvedAt.set(id, Date.now()),
    has: (id: string) => approvedAt.has(id),
  };
  const checks: number[] = [];
  const delivered: Array<{ workflowId: string; news: TrackerNews }> = [];
  const reenlistAsks: number[] = [];
  const twiceInOneCall: string[] = [];
  const feedReads: Array<{ since?: string; ids: number }> = [];
  /** Whether the feed vouches for everything since the last read (a real one cannot when it pages too far). */
  const feed = { complete: true };
  const observation = (id: string, identityId: string, itemId: string): ItemObservation => {
    const done = approved.has(id);
    return {
      identityId,
      itemType: 'ENTITLEMENT',
      itemId,
      accessRequestId: id,
      iscState: done ? 'REQUEST_COMPLETED' : 'EXECUTING',
      ...(done ? { outcome: 'GRANTED' as const } : {}),
      errorMessages: [],
    };
  };
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
    async readStatusChanges({ since, accessRequestIds }) {
      feedReads.push({ ...(since ? { since } : {}), ids: accessRequestIds.length });
      // The fake's requests are `ar-<n>` for `identity-<n>`; only approvals change a row.
      const sinceMs = since ? Date.parse(since) : Infinity;
      const changes = accessRequestIds
        .filter((id) => (approvedAt.get(id) ?? -Infinity) >= sinceMs)
        .map((id) => ({
          requestType: 'GRANT_ACCESS' as const,
          observation: observation(id, `identity-${id.slice(3)}`, 'e'.repeat(32)),
        }));
      return {
        watermark: new Date().toISOString(),
        complete: feed.complete,
        coversFrom: since ?? new Date().toISOString(),
        changes,
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
  return { activities, approved, checks, delivered, reenlistAsks, twiceInOneCall, feedReads, feed };
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

/** The access changes that have heard GRANTED for an item. */
const grantedChanges = (delivered: Array<{ workflowId: string; news: TrackerNews }>): number =>
  new Set(
    delivered
      .filter((d) => (d.news.observations ?? []).some((o) => o.items.some((i) => i.outcome === 'GRANTED')))
      .map((d) => d.workflowId),
  ).size;

async function until(check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return true;
}

describe('statusTrackerWorkflow', () => {
  const env = environmentPerFile();

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
    await withTestWorker(env(), fake.activities, async (taskQueue) => {
      const handle = await env().client.workflow.start<typeof statusTrackerWorkflow>('statusTrackerWorkflow', {
        workflowId: `tracker-hint-${taskQueue}`,
        taskQueue,
        args: [inputFor(taskQueue)],
      });
      await handle.signal(TRACKER_SIGNALS.enlist, watchOf(1, new Date(Date.now()).toISOString()));
      expect(await until(() => fake.checks.length > 0, 10_000)).toBe(true);
      // Two hours without a change: the tracker now looks at the request every five minutes.
      await env().sleep('2 hours');
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

  it('follows requests through the status feed: each read by id once, then now and then, and whenever the feed cannot vouch', async () => {
    const fake = fakeTracking();
    const watched = 200;
    await withTestWorker(env(), fake.activities, async (taskQueue) => {
      const handle = await env().client.workflow.start<typeof statusTrackerWorkflow>('statusTrackerWorkflow', {
        workflowId: `tracker-feed-${taskQueue}`,
        taskQueue,
        args: [inputFor(taskQueue)],
      });
      const submittedAt = new Date().toISOString();
      await Promise.all(
        Array.from({ length: watched }, (_, n) => handle.signal(TRACKER_SIGNALS.enlist, watchOf(n, submittedAt))),
      );
      // Enlisted (not submitted here), so each is read by id first; from then on the feed follows it.
      expect(await until(() => fake.feedReads.some((r) => r.since !== undefined && r.ids === watched), 30_000)).toBe(
        true,
      );
      const byIdFirst = fake.checks.length;
      expect(byIdFirst).toBeGreaterThanOrEqual(watched / 50);

      for (let n = 0; n < watched - 1; n += 1) fake.approved.add(`ar-${n}`);
      await env().sleep('1 minute');
      const granted = (): number => grantedChanges(fake.delivered);
      expect(await until(() => granted() === watched - 1, 30_000)).toBe(true);
      // Every approval came from the feed: no request was read by id again.
      expect(fake.checks.length).toBe(byIdFirst);
      expect((await handle.query(trackerViewQuery)).counts.feedReads).toBeGreaterThan(1);

      // The one still waiting is read by id at least every ten minutes, however well the feed follows it.
      await env().sleep('11 minutes');
      expect(await until(() => fake.checks.length > byIdFirst, 10_000)).toBe(true);

      // A feed that cannot vouch for everything since its last read: the request is read by id on its turn.
      fake.feed.complete = false;
      const beforeGap = fake.checks.length;
      await env().sleep('20 minutes');
      expect(await until(() => fake.checks.length > beforeGap, 10_000)).toBe(true);
      fake.feed.complete = true;
      fake.approved.add(`ar-${watched - 1}`);
      await env().sleep('10 minutes');
      expect(await until(() => granted() === watched, 10_000)).toBe(true);
      expect(fake.twiceInOneCall).toEqual([]);
      await handle.terminate('test over');
    });
  }, 120_000);

  it('hears of a change the feed saw while its request was not due', async () => {
    const fake = fakeTracking();
    await withTestWorker(env(), fake.activities, async (taskQueue) => {
      const handle = await env().client.workflow.start<typeof statusTrackerWorkflow>('statusTrackerWorkflow', {
        workflowId: `tracker-not-due-${taskQueue}`,
        taskQueue,
        args: [inputFor(taskQueue)],
      });
      await handle.signal(TRACKER_SIGNALS.enlist, watchOf(1, new Date().toISOString()));
      expect(await until(() => fake.checks.length > 0, 10_000)).toBe(true);
      // Three quiet minutes: request 1 is now looked at every 15 s. A fresh request keeps the feed read every
      // few seconds in between.
      await env().sleep('3 minutes');
      await handle.signal(TRACKER_SIGNALS.enlist, watchOf(2, new Date().toISOString()));
      expect(await until(() => fake.feedReads.filter((r) => r.since !== undefined).length >= 2, 20_000)).toBe(true);
      const checksBefore = fake.checks.length;
      fake.approved.add('ar-1');
      // Request 1 is not due when the next read sees it approved: the read asks about it all the same.
      expect(
        await until(() => observed(fake.delivered, 'iscflow-grant-1').some((o) => o.outcome === 'GRANTED'), 10_000),
      ).toBe(true);
      expect(fake.checks.length - checksBefore).toBeLessThanOrEqual(1);
      await handle.terminate('test over');
    });
  }, 60_000);

  it('carries thousands of watched requests across continue-as-new and answers every one', async () => {
    const fake = fakeTracking();
    const watched = 1500;
    await withTestWorker(env(), fake.activities, async (taskQueue) => {
      const handle = await env().client.workflow.start<typeof statusTrackerWorkflow>('statusTrackerWorkflow', {
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
      const latest = env().client.workflow.getHandle<typeof statusTrackerWorkflow>(handle.workflowId);
      // Every watch taken in, and the history long enough that the tracker continued as new.
      const continuedWithAll = async (): Promise<boolean> => {
        const view = await latest.query(trackerViewQuery).catch(() => undefined);
        const { runId } = await latest.describe();
        return view?.watched.requests === watched && runId !== handle.firstExecutionRunId;
      };
      // Rounds that read the feed are short: let workflow time pass until the history is long.
      const advanced = async (): Promise<boolean> =>
        (await continuedWithAll()) || (await env().sleep('2 minutes'), false);
      expect(await until(advanced, 60_000)).toBe(true);
      expect(fake.reenlistAsks).toHaveLength(1);

      for (let n = 0; n < watched; n += 1) fake.approved.add(`ar-${n}`);
      await env().sleep('10 minutes');
      const answered = (): number => grantedChanges(fake.delivered);
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
