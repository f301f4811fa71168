/**
 * The shared tracker's activities against an in-memory ISC and a recording Temporal client: coalesced
 * submissions (what a lost answer created, pending twins on older tenants, what the round found
 * satisfied), look-ups for many requests at once, reads of the status feed, and the signals between
 * access changes and their tracker. Each test says which ISC calls were made, in order.
 */
import { ApplicationFailure } from '@temporalio/common';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import pino, { type Logger } from 'pino';
import type {
  CheckStatusBatchInput,
  EnlistInput,
  ReadStatusChangesInput,
  SubmitBatchInput,
  TrackerNews,
} from '../../../src/activities/contracts';
import { PHASES_ACTING_WITH_ISC } from '../../../src/common';
import type { FeedAnswer, StatusFeed } from '../../../src/activities/status-feed';
import { createTrackingActivities } from '../../../src/activities/tracking';
import { trackerShardOf, type SubmitBatch } from '../../../src/domain';
import { IscError, type RequestedItemStatus } from '../../../src/isc';
import { RecordingMeter } from '../../support/recording-meter';
import { ALICE, FakeIsc, ITEM, NOW, activityEnv, row, type IscCall } from '../../support/fake-isc-client';

const BOB = 'c'.repeat(32);
const CAROL = 'd'.repeat(32);
const OTHER_ITEM = 'e'.repeat(32);
const BATCH = 'batch-1';

/** Log lines written through the activities' logger, parsed. */
function capturingLogger(): { logger: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino(
    { level: 'info' },
    { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) },
  );
  return { logger, lines };
}

/** A Temporal client that records signals, starts and visibility queries; `gone` ids are no longer running. */
function fakeTemporal(running: string[] = [], gone: string[] = []) {
  const signals: Array<{ workflowId: string; signal: string; args: unknown[] }> = [];
  const started: unknown[] = [];
  const queries: string[] = [];
  const client = {
    workflow: {
      async signalWithStart(workflowType: string, options: object) {
        started.push({ workflowType, ...options });
      },
      async *list({ query }: { query: string }) {
        queries.push(query);
        for (const workflowId of running) yield { workflowId };
      },
      getHandle(workflowId: string) {
        return {
          async signal(signal: string, ...args: unknown[]) {
            if (gone.includes(workflowId)) throw new WorkflowNotFoundError('not found', workflowId, undefined);
            signals.push({ workflowId, signal, args });
          },
        };
      },
    },
  } as unknown as Client;
  return { client, signals, started, queries };
}

function setup(
  options: {
    tenantProfile?: 'current' | 'legacy';
    info?: Record<string, number>;
    temporal?: Client;
    feed?: StatusFeed;
  } = {},
) {
  const isc = new FakeIsc();
  const meter = new RecordingMeter();
  const { logger, lines } = capturingLogger();
  const activities = createTrackingActivities({
    isc,
    logger,
    tenantProfile: options.tenantProfile ?? 'current',
    now: () => NOW,
    ...(options.temporal ? { temporal: options.temporal } : {}),
    ...(options.feed ? { feed: options.feed } : {}),
  });
  return { isc, activities, meter, lines, env: activityEnv(options.info ?? {}, meter) };
}

const describeCall = ({ method, arg }: IscCall): string =>
  method === 'submitAccessRequest'
    ? `${method} for ${(arg as { requestedFor: string[] }).requestedFor.join(',')}`
    : method;

function batchOf(members: Record<string, string[]>, fields: Partial<SubmitBatch> = {}): SubmitBatch {
  return {
    batchId: BATCH,
    attempt: 1,
    requestType: 'GRANT_ACCESS',
    items: [{ type: 'ENTITLEMENT', id: ITEM }],
    members: Object.entries(members).map(([ticket, identityIds]) => ({ ticket, identityIds })),
    ...fields,
  };
}

const tracking = (identityId: string, accessRequestId: string) => ({
  requestedFor: identityId,
  requestedItemsDetails: [{ type: 'ENTITLEMENT', id: ITEM }],
  attributesHash: 1,
  accessRequestIds: [accessRequestId],
});

describe('submitBatch', () => {
  it('sends one request for every identity left, with the batch id on every item, and answers per ticket', async () => {
    const { isc, activities, env, meter, lines } = setup();
    isc.response = {
      kind: 'tracked',
      newRequests: [tracking(ALICE, 'ar1')],
      existingRequests: [tracking(BOB, 'ar2')],
    };
    const input: SubmitBatchInput = { batch: batchOf({ t1: [ALICE], t2: [BOB, CAROL] }), satisfied: [] };
    const result = await env.run(activities.submitBatch, input);

    expect(isc.calls.map(describeCall)).toEqual([`submitAccessRequest for ${ALICE},${BOB},${CAROL}`]);
    expect(isc.submitted[0]!.requestedItems).toEqual([
      { type: 'ENTITLEMENT', id: ITEM, clientMetadata: { iscflowBatch: BATCH, iscflowAttempt: '1' } },
    ]);
    const ref = { itemType: 'ENTITLEMENT', itemId: ITEM, batch: BATCH };
    expect(result).toEqual({
      submittedAt: new Date(NOW).toISOString(),
      items: [
        { ticket: 't1', identityId: ALICE, ...ref, disposition: 'SUBMITTED', accessRequestId: 'ar1' },
        { ticket: 't2', identityId: BOB, ...ref, disposition: 'ADOPTED', accessRequestId: 'ar2' },
        { ticket: 't2', identityId: CAROL, ...ref, disposition: 'SUBMITTED', accessRequestId: undefined },
      ],
    });
    expect(meter.total('iscflow_submitted_items', { disposition: 'SUBMITTED' })).toBe(2);
    expect(meter.total('iscflow_submitted_items', { disposition: 'ADOPTED' })).toBe(1);
    expect(lines).toEqual([
      expect.objectContaining({ batch: BATCH, identities: 3, items: 1, msg: 'coalesced access request submitted' }),
    ]);
  });

  it('leaves out what the round found satisfied, and an identity with nothing left to send', async () => {
    const { isc, activities, env } = setup();
    const input: SubmitBatchInput = {
      batch: batchOf({ t1: [ALICE], t2: [BOB] }),
      satisfied: [`${BOB}|ENTITLEMENT|${ITEM}`],
    };
    const { items } = await env.run(activities.submitBatch, input);
    expect(isc.calls.map(describeCall)).toEqual([`submitAccessRequest for ${ALICE}`]);
    expect(items).toEqual([
      {
        ticket: 't1',
        identityId: ALICE,
        itemType: 'ENTITLEMENT',
        itemId: ITEM,
        disposition: 'SUBMITTED',
        batch: BATCH,
      },
      { ticket: 't2', identityId: BOB, itemType: 'ENTITLEMENT', itemId: ITEM, disposition: 'ALREADY_SATISFIED' },
    ]);
  });

  it('sends nothing and logs nothing when every item is satisfied', async () => {
    const { isc, activities, env, lines, meter } = setup();
    const input: SubmitBatchInput = { batch: batchOf({ t1: [ALICE] }), satisfied: [`${ALICE}|ENTITLEMENT|${ITEM}`] };
    const { items } = await env.run(activities.submitBatch, input);
    expect(isc.calls).toEqual([]);
    expect(lines).toEqual([]);
    expect(items.map((i) => i.disposition)).toEqual(['ALREADY_SATISFIED']);
    expect(meter.total('iscflow_submitted_items', { disposition: 'ALREADY_SATISFIED' })).toBe(1);
  });

  it('on a retry, adopts what its lost answer created (found by the batch id) and sends only the rest', async () => {
    const { isc, activities, env } = setup({ info: { attempt: 2 } });
    isc.rows = [
      row({ accessRequestId: 'lost', created: '2026-11-22T11:58:00Z', clientMetadata: { iscflowBatch: BATCH } }),
      row({ requestedFor: { type: 'IDENTITY', id: BOB, name: 'Bob' }, clientMetadata: { iscflowBatch: 'another' } }),
    ];
    const result = await env.run(activities.submitBatch, { batch: batchOf({ t1: [ALICE, BOB] }), satisfied: [] });
    expect(isc.calls.map(describeCall)).toEqual(['listAllAccessRequestStatus', `submitAccessRequest for ${BOB}`]);
    expect(isc.calls[0]!.arg).toEqual({
      requestedBy: 'me',
      filters: `created ge ${new Date(NOW - 1000 - 5 * 60_000).toISOString()}`,
    });
    expect(result.items[0]).toMatchObject({ identityId: ALICE, disposition: 'ADOPTED', accessRequestId: 'lost' });
    expect(result.items[1]).toMatchObject({ identityId: BOB, disposition: 'SUBMITTED', batch: BATCH });
    // Status look-ups start where the adopted request began.
    expect(result.submittedAt).toBe('2026-11-22T11:58:00.000Z');
  });

  it('legacy: looks for pending twins of each identity with something left, then sends the rest untracked', async () => {
    const { isc, activities, env } = setup({ tenantProfile: 'legacy' });
    isc.rows = [row({ state: 'EXECUTING', accessRequestId: 'twin' })];
    const input: SubmitBatchInput = {
      batch: batchOf({ t1: [ALICE], t2: [BOB], t3: [CAROL] }),
      satisfied: [`${CAROL}|ENTITLEMENT|${ITEM}`],
    };
    const { items } = await env.run(activities.submitBatch, input);
    expect(isc.calls.map(describeCall)).toEqual([
      'listAllAccessRequestStatus',
      'listAllAccessRequestStatus',
      `submitAccessRequest for ${BOB}`,
    ]);
    expect(isc.calls.slice(0, 2).map((c) => c.arg)).toEqual([
      { requestedFor: ALICE, requestState: 'EXECUTING' },
      { requestedFor: BOB, requestState: 'EXECUTING' },
    ]);
    expect(items).toEqual([
      {
        ticket: 't1',
        identityId: ALICE,
        itemType: 'ENTITLEMENT',
        itemId: ITEM,
        disposition: 'ADOPTED',
        accessRequestId: 'twin',
      },
      { ticket: 't2', identityId: BOB, itemType: 'ENTITLEMENT', itemId: ITEM, disposition: 'SUBMITTED', batch: BATCH },
      { ticket: 't3', identityId: CAROL, itemType: 'ENTITLEMENT', itemId: ITEM, disposition: 'ALREADY_SATISFIED' },
    ]);
  });

  it('legacy: a pending twin from long ago moves submittedAt back, so look-ups by time still find it', async () => {
    const { isc, activities, env } = setup({ tenantProfile: 'legacy' });
    // Made two days before the batch, still waiting for its approver.
    isc.rows = [row({ state: 'EXECUTING', accessRequestId: 'twin', created: '2026-11-20T09:00:00Z' })];
    const submitted = await env.run(activities.submitBatch, { batch: batchOf({ t1: [ALICE] }), satisfied: [] });
    expect(submitted.items[0]).toMatchObject({ disposition: 'ADOPTED', accessRequestId: 'twin' });
    expect(submitted.submittedAt).toBe('2026-11-20T09:00:00.000Z');

    const { results } = await env.run(activities.checkStatusBatch, {
      requests: [
        {
          requestKey: 'key',
          requestType: 'GRANT_ACCESS',
          items: [{ ...submitted.items[0]!, attempt: 1, submittedAt: submitted.submittedAt, batch: BATCH }],
          missingRowGraceMs: 30_000,
          failWhenUnchanged: false,
        },
      ],
    });
    expect(results[0]![0]).toMatchObject({ accessRequestId: 'twin', iscState: 'EXECUTING' });
  });

  it('legacy retry: reads each identity’s rows since the schedule (newest first) before looking for twins', async () => {
    const { isc, activities, env } = setup({ tenantProfile: 'legacy', info: { attempt: 2 } });
    isc.rows = [row({ state: 'EXECUTING', accessRequestId: 'lost', clientMetadata: { iscflowBatch: BATCH } })];
    const { items } = await env.run(activities.submitBatch, { batch: batchOf({ t1: [ALICE, BOB] }), satisfied: [] });
    expect(isc.calls.map(describeCall)).toEqual([
      'listAccessRequestStatus',
      'listAccessRequestStatus',
      'listAllAccessRequestStatus',
      `submitAccessRequest for ${BOB}`,
    ]);
    expect(isc.calls[1]!.arg).toEqual({ requestedFor: BOB, sorters: '-created', limit: 250, offset: 0 });
    expect(isc.calls[2]!.arg).toEqual({ requestedFor: BOB, requestState: 'EXECUTING' });
    expect(items[0]).toMatchObject({ disposition: 'ADOPTED', accessRequestId: 'lost', batch: BATCH });
  });

  it('sends a start date only while it is still ahead, and the item’s comment before the batch’s', async () => {
    const { isc, activities, env } = setup();
    const batch = batchOf(
      { t1: [ALICE] },
      {
        comment: 'for the team',
        items: [
          {
            type: 'ENTITLEMENT',
            id: ITEM,
            comment: 'for the project',
            startDate: new Date(NOW + 3600_000).toISOString(),
            removeDate: '2027-01-01T00:00:00Z',
          },
          { type: 'ENTITLEMENT', id: OTHER_ITEM, startDate: new Date(NOW + 1000).toISOString() },
        ],
      },
    );
    await env.run(activities.submitBatch, { batch, satisfied: [] });
    const metadata = { iscflowBatch: BATCH, iscflowAttempt: '1' };
    expect(isc.submitted[0]!.requestedItems).toEqual([
      {
        type: 'ENTITLEMENT',
        id: ITEM,
        comment: 'for the project',
        clientMetadata: metadata,
        removeDate: '2027-01-01T00:00:00Z',
        startDate: new Date(NOW + 3600_000).toISOString(),
      },
      { type: 'ENTITLEMENT', id: OTHER_ITEM, comment: 'for the team', clientMetadata: metadata },
    ]);
  });

  it('turns ISC errors into Temporal failures', async () => {
    const { isc, activities, env } = setup();
    isc.failWith = new IscError('ISC_BAD_REQUEST', 'POST /v3/access-requests answered 400', { status: 400 });
    const error = await env
      .run(activities.submitBatch, { batch: batchOf({ t1: [ALICE] }), satisfied: [] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApplicationFailure);
    expect(error).toMatchObject({ type: 'ISC_BAD_REQUEST', nonRetryable: true });
  });
});

describe('heldAccessOf', () => {
  it('answers TYPE:id per identity from one search', async () => {
    const { isc, activities, env } = setup();
    isc.heldBy = { [ALICE]: [{ type: 'ROLE', id: 'r1' }], [BOB]: [] };
    expect(await env.run(activities.heldAccessOf, { identityIds: [ALICE, BOB] })).toEqual({
      [ALICE]: ['ROLE:r1'],
      [BOB]: [],
    });
    expect(isc.calls).toEqual([{ method: 'getIdentitiesAccess', arg: [ALICE, BOB] }]);
  });
});

describe('checkStatusBatch', () => {
  const submittedAt = new Date(NOW - 60_000).toISOString();
  const request = (
    identityId: string,
    fields: { accessRequestId?: string } = {},
  ): CheckStatusBatchInput['requests'][number] => ({
    requestKey: `key-${identityId}`,
    requestType: 'GRANT_ACCESS',
    items: [{ identityId, itemType: 'ENTITLEMENT', itemId: ITEM, attempt: 1, submittedAt, ...fields }],
    missingRowGraceMs: 30_000,
    failWhenUnchanged: false,
  });

  it('reads requests with ids in one look-up, the others per identity, and held access once for all', async () => {
    const { isc, activities, env, meter } = setup();
    isc.held = [{ type: 'ENTITLEMENT', id: ITEM }];
    isc.rows = [row({ state: 'CANCELLED', accessRequestId: 'ar1', modified: new Date(NOW - 10_000).toISOString() })];
    const { results } = await env.run(activities.checkStatusBatch, {
      requests: [request(ALICE, { accessRequestId: 'ar1' }), request(BOB)],
    });
    expect(isc.calls.map((c) => [c.method, c.arg])).toEqual([
      ['listAllAccessRequestStatus', { filters: 'accessRequestId eq "ar1"' }],
      [
        'listAllAccessRequestStatus',
        { requestedFor: BOB, filters: `created ge ${new Date(NOW - 60_000 - 5 * 60_000).toISOString()}` },
      ],
      ['getIdentitiesAccess', [ALICE, BOB]],
    ]);
    expect(results).toEqual([
      [expect.objectContaining({ identityId: ALICE, iscState: 'CANCELLED', outcome: 'ALREADY_SATISFIED' })],
      [expect.objectContaining({ identityId: BOB, outcome: 'ALREADY_SATISFIED' })],
    ]);
    expect(meter.records.filter((r) => r.name === 'iscflow_tracker_batch_size').map((r) => r.value)).toEqual([2]);
    expect(meter.records.filter((r) => r.name === 'iscflow_tracker_detection_lag_seconds').map((r) => r.value)).toEqual(
      [10],
    );
  });

  it('asks nothing about held access when no item needs it', async () => {
    const { isc, activities, env } = setup();
    isc.rows = [row({ state: 'EXECUTING', accessRequestId: 'ar1' })];
    const { results } = await env.run(activities.checkStatusBatch, {
      requests: [request(ALICE, { accessRequestId: 'ar1' })],
    });
    expect(isc.calls.map((c) => c.method)).toEqual(['listAllAccessRequestStatus']);
    expect(results[0]![0]).toMatchObject({ iscState: 'EXECUTING' });
    expect(results[0]![0]!.outcome).toBeUndefined();
  });

  it('legacy: reads every identity by time, once, even for items with ids', async () => {
    const { isc, activities, env } = setup({ tenantProfile: 'legacy' });
    await env.run(activities.checkStatusBatch, {
      requests: [request(ALICE, { accessRequestId: 'ar1' }), request(ALICE), request(BOB)],
    });
    expect(isc.calls.map((c) => [c.method, (c.arg as { requestedFor?: string }).requestedFor])).toEqual([
      ['listAccessRequestStatus', ALICE],
      ['listAccessRequestStatus', BOB],
      ['getIdentitiesAccess', undefined],
    ]);
  });
});

describe('readStatusChanges', () => {
  const since = new Date(NOW - 30_000).toISOString();
  const feedOf = (rows: RequestedItemStatus[]): StatusFeed & { asked: Array<string | undefined> } => {
    const asked: Array<string | undefined> = [];
    return {
      asked,
      async changesSince(from): Promise<FeedAnswer> {
        asked.push(from);
        return { rows, watermark: new Date(NOW).toISOString(), complete: true, coversFrom: since };
      },
    };
  };

  it('observes the rows of watched requests, asking held access only for cancelled ones', async () => {
    const feed = feedOf([
      row({ state: 'CANCELLED', accessRequestId: 'ar1', modified: new Date(NOW - 5_000).toISOString() }),
      row({ state: 'REQUEST_COMPLETED', accessRequestId: 'ar2', modified: new Date(NOW - 60_000).toISOString() }),
      row({ state: 'EXECUTING', accessRequestId: 'unwatched' }),
    ]);
    const { isc, activities, env, meter } = setup({ feed });
    const input: ReadStatusChangesInput = { since, accessRequestIds: ['ar1', 'ar2'] };
    const answer = await env.run(activities.readStatusChanges, input);
    expect(feed.asked).toEqual([since]);
    expect(isc.calls).toEqual([{ method: 'getIdentitiesAccess', arg: [ALICE] }]);
    expect(answer).toEqual({
      watermark: new Date(NOW).toISOString(),
      complete: true,
      coversFrom: since,
      changes: [
        {
          requestType: 'GRANT_ACCESS',
          observation: expect.objectContaining({ accessRequestId: 'ar1', outcome: 'CANCELLED' }),
        },
        {
          requestType: 'GRANT_ACCESS',
          observation: expect.objectContaining({ accessRequestId: 'ar2', outcome: 'GRANTED' }),
        },
      ],
    });
    // The row modified before `since` came again for the overlap: its detection was measured already.
    expect(meter.records.filter((r) => r.name === 'iscflow_tracker_detection_lag_seconds').map((r) => r.value)).toEqual(
      [5],
    );
  });

  it('legacy: never reads the feed (rows may carry no ids)', async () => {
    const feed = feedOf([row({ accessRequestId: 'ar1' })]);
    const { isc, activities, env } = setup({ tenantProfile: 'legacy', feed });
    const answer = await env.run(activities.readStatusChanges, { since, accessRequestIds: ['ar1'] });
    expect(answer).toEqual({ watermark: since, complete: false, coversFrom: since, changes: [] });
    expect(feed.asked).toEqual([]);
    expect(isc.calls).toEqual([]);
  });
});

describe('signals between access changes and trackers', () => {
  it('enlist starts the shard’s tracker if needed and hands it the message', async () => {
    const temporal = fakeTemporal();
    const { activities } = setup({ temporal: temporal.client });
    const settings = {
      mode: 'shared' as const,
      taskQueue: 'q',
      iscTaskQueue: 'q-isc',
      shards: 4,
      budgetPer10s: 50,
      tenantProfile: 'current' as const,
    };
    const message: EnlistInput['message'] = { kind: 'hint', accessRequestIds: ['ar1'] };
    await activities.enlist({ shard: 2, settings, message });
    expect(temporal.started).toEqual([
      {
        workflowType: 'statusTrackerWorkflow',
        workflowId: expect.stringContaining('q'),
        taskQueue: 'q',
        args: [{ shard: 2, settings }],
        signal: 'trackerEnlist',
        signalArgs: [message],
        workflowIdConflictPolicy: 'USE_EXISTING',
      },
    ]);
  });

  it('deliverNews signals every change and names those that no longer run', async () => {
    const temporal = fakeTemporal([], ['gone-change']);
    const { activities } = setup({ temporal: temporal.client });
    const news: TrackerNews = { answers: [{ ticket: 't1' }] };
    const answer = await activities.deliverNews({
      deliveries: [
        { workflowId: 'change-1', news },
        { workflowId: 'gone-change', news },
      ],
    });
    expect(answer).toEqual({ gone: ['gone-change'] });
    expect(temporal.signals).toEqual([{ workflowId: 'change-1', signal: 'trackerNews', args: [news] }]);
  });

  it('askToReenlist asks the running changes of its own shard only, and says how many', async () => {
    const ids = Array.from({ length: 12 }, (_, i) => `change-${i}`);
    const mine = ids.filter((id) => trackerShardOf(id, 3) === 1);
    const temporal = fakeTemporal(ids, [mine[0]!]);
    const { activities, lines } = setup({ temporal: temporal.client });
    const answer = await activities.askToReenlist({ taskQueue: 'q', shard: 1, shards: 3 });
    expect(answer).toEqual({ asked: mine.length });
    expect(temporal.signals.map((s) => s.workflowId).sort()).toEqual(mine.slice(1).sort());
    expect(temporal.signals.every((s) => s.signal === 'trackerReenlist')).toBe(true);
    expect(temporal.queries).toHaveLength(1);
    const [, head, phases] = /^(.*) AND IscflowState IN \((.*)\)$/.exec(temporal.queries[0]!) ?? [];
    expect(head).toBe("WorkflowType = 'accessRequestWorkflow' AND ExecutionStatus = 'Running' AND TaskQueue = 'q'");
    expect(phases!.split(', ')).toEqual(PHASES_ACTING_WITH_ISC.map((phase) => `'${phase}'`));
    expect(lines).toEqual([
      expect.objectContaining({
        shard: 1,
        asked: mine.length,
        msg: 'tracker asked its access changes to enlist again',
      }),
    ]);
  });

  it('a worker without a Temporal client cannot signal', async () => {
    const { activities } = setup();
    await expect(activities.deliverNews({ deliveries: [] })).resolves.toEqual({ gone: [] });
    await expect(activities.askToReenlist({ taskQueue: 'q', shard: 0, shards: 1 })).rejects.toThrow(
      'this worker has no Temporal client for shared tracking',
    );
  });
});
