/**
 * The shared tracker's activities. Those that call ISC run on the ISC task queue, paced there by
 * Temporal for every worker together, and each makes about one ISC call: a coalesced submission, or one
 * status look-up for many requests. The others only talk to Temporal: an access change handing its
 * tracker a message, the tracker signalling news back, a tracker that starts empty asking again.
 *
 * Exactly once still holds for coalesced submissions: every item of a batch carries the batch id in its
 * `clientMetadata`, so a retry whose first answer was lost finds the request it made instead of making a
 * second; on current tenants ISC itself answers a pending twin (`existingRequests`) and cancels a request
 * for access already held, so no look-up is needed before submitting.
 */
import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { Logger } from 'pino';
import { PHASES_ACTING_WITH_ISC, STATE, TRACKER_SIGNALS, WORKFLOW_TYPES, trackerWorkflowId } from '../common';
import { classifyIscState, trackerShardOf } from '../domain';
import type { AccessRequestBody, IscClient, RequestedItemStatus } from '../isc';
import type {
  CheckStatusBatchInput,
  CheckStatusBatchResult,
  EnlistInput,
  ItemRef,
  ReadStatusChangesInput,
  ReadStatusChangesResult,
  SubmitBatchInput,
  SubmitBatchResult,
  SubmittedItem,
  TrackerNews,
  TrackingActivities,
} from './contracts';
import { batchMetadata, isFromBatch } from './correlation';
import { activityMetrics } from '../metrics/activity';
import { withIscFailures } from './failures';
import { whileBeating } from './heartbeat';
import { createStatusFeed, type StatusFeed } from './status-feed';
import {
  CREATED_SKEW_MS,
  createStatusReader,
  matchesTracking,
  newestFirst,
  observeRow,
  rowIsFor,
  unique,
} from './status-reader';

export interface TrackingDependencies {
  isc: IscClient;
  logger: Logger;
  tenantProfile?: 'current' | 'legacy';
  apiVersion?: 'v3' | 'v2025';
  /** The worker's client: signals to and from trackers. */
  temporal?: Client;
  now?: () => number;
  /** ISC's recently modified rows, shared by the shards whose activities run in this process. */
  feed?: StatusFeed;
}

/** Whether an item is held, from one search of what its identities hold (`getIdentitiesAccess`). */
function holdsIn(
  held: ReadonlyMap<string, ReadonlyArray<{ type: string; id: string }>>,
): (ref: ItemRef) => Promise<boolean> {
  return async (ref) => (held.get(ref.identityId) ?? []).some((a) => a.type === ref.itemType && a.id === ref.itemId);
}

/** Signals sent at once by one `deliverNews`: enough to drain a wave quickly, gentle on the frontend. */
const DELIVERY_CONCURRENCY = 16;

async function inParallel<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    for (let i = next++; i < items.length; i = next++) await work(items[i] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}

export function createTrackingActivities({
  isc,
  logger,
  tenantProfile = 'current',
  apiVersion = 'v3',
  temporal,
  now = Date.now,
  feed = createStatusFeed({ isc, now }),
}: TrackingDependencies): TrackingActivities {
  const reader = createStatusReader({ isc, tenantProfile, apiVersion, now });
  const client = (): Client => {
    if (!temporal) throw new Error('this worker has no Temporal client for shared tracking');
    return temporal;
  };

  async function enlist({ shard, settings, message }: EnlistInput): Promise<void> {
    await client().workflow.signalWithStart(WORKFLOW_TYPES.statusTracker, {
      workflowId: trackerWorkflowId(settings.taskQueue, shard),
      taskQueue: settings.taskQueue,
      args: [{ shard, settings }],
      signal: TRACKER_SIGNALS.enlist,
      signalArgs: [message],
      // A tracker is a long-lived entity: joined while it runs, started again if it ever ended.
      workflowIdConflictPolicy: 'USE_EXISTING',
    });
  }

  /** The rows a batch's earlier attempt created, when its answer was lost (found by the batch id). */
  async function rowsOfEarlierAttempt(input: SubmitBatchInput, identityIds: string[]): Promise<RequestedItemStatus[]> {
    const since = new Date(Context.current().info.scheduledTimestampMs - CREATED_SKEW_MS).toISOString();
    if (tenantProfile === 'current') {
      const rows = await isc.listAllAccessRequestStatus({ requestedBy: 'me', filters: `created ge ${since}` });
      return rows.filter((r) => isFromBatch(r, input.batch.batchId));
    }
    const rows: RequestedItemStatus[] = [];
    for (const identityId of identityIds) rows.push(...(await reader.rowsSince(identityId, since)));
    return rows.filter((r) => isFromBatch(r, input.batch.batchId));
  }

  async function submitBatch(input: SubmitBatchInput): Promise<SubmitBatchResult> {
    const { batch } = input;
    const info = Context.current().info;
    const refs = batch.members.flatMap((m) =>
      m.identityIds.flatMap((identityId) =>
        batch.items.map((item) => ({ ticket: m.ticket, identityId, itemType: item.type, itemId: item.id })),
      ),
    );
    const identityIds = unique(refs.map((r) => r.identityId));
    const decided = new Map<string, SubmittedItem & { ticket: string }>();
    const keyOf = (ref: ItemRef): string => `${ref.identityId}|${ref.itemType}|${ref.itemId}`;
    let submittedAtMs = now();
    return withIscFailures(async () => {
      if (info.attempt > 1) {
        const rows = await rowsOfEarlierAttempt(input, identityIds);
        for (const ref of refs) {
          const row = rows.filter((r) => rowIsFor(r, ref, batch.requestType)).sort(newestFirst)[0];
          if (!row) continue;
          decided.set(keyOf(ref), {
            ...ref,
            disposition: 'ADOPTED',
            batch: batch.batchId,
            accessRequestId: row.accessRequestId ?? undefined,
          });
          submittedAtMs = Math.min(submittedAtMs, Date.parse(row.created ?? '') || submittedAtMs);
        }
      }
      for (const ref of refs) {
        if (!decided.has(keyOf(ref)) && input.satisfied.includes(keyOf(ref))) {
          decided.set(keyOf(ref), { ...ref, disposition: 'ALREADY_SATISFIED' });
        }
      }
      if (tenantProfile === 'legacy') {
        // Older tenants answer no pending twins (current ones return them in `existingRequests`): look first.
        for (const identityId of identityIds) {
          if (refs.every((r) => r.identityId !== identityId || decided.has(keyOf(r)))) continue;
          const pending = await isc.listAllAccessRequestStatus({ requestedFor: identityId, requestState: 'EXECUTING' });
          for (const ref of refs.filter((r) => r.identityId === identityId && !decided.has(keyOf(r)))) {
            const row = pending
              .filter((r) => rowIsFor(r, ref, batch.requestType) && classifyIscState(r.state ?? '') === 'IN_PROGRESS')
              .sort(newestFirst)[0];
            if (row)
              decided.set(keyOf(ref), {
                ...ref,
                disposition: 'ADOPTED',
                accessRequestId: row.accessRequestId ?? undefined,
              });
          }
        }
      }
      // Whoever still has an item to submit goes in the one request; the rest was decided above.
      const submitFor = unique(refs.filter((r) => !decided.has(keyOf(r))).map((r) => r.identityId));
      if (submitFor.length > 0) {
        const body: AccessRequestBody = {
          requestedFor: submitFor,
          requestType: batch.requestType,
          requestedItems: batch.items.map((item) => ({
            type: item.type,
            id: item.id,
            ...((item.comment ?? batch.comment) ? { comment: item.comment ?? batch.comment } : {}),
            clientMetadata: batchMetadata(batch.batchId, batch.attempt),
            ...(item.removeDate ? { removeDate: item.removeDate } : {}),
            ...(item.startDate && Date.parse(item.startDate) - now() > 2000 ? { startDate: item.startDate } : {}),
          })),
        };
        const response = await isc.submitAccessRequest(body);
        for (const ref of refs.filter((r) => submitFor.includes(r.identityId) && !decided.has(keyOf(r)))) {
          if (response.kind === 'untracked') {
            decided.set(keyOf(ref), { ...ref, disposition: 'SUBMITTED', batch: batch.batchId });
            continue;
          }
          const created = response.newRequests.find((t) => matchesTracking(t, ref));
          const existing = response.existingRequests.find((t) => matchesTracking(t, ref));
          decided.set(keyOf(ref), {
            ...ref,
            disposition: created ? 'SUBMITTED' : existing ? 'ADOPTED' : 'SUBMITTED',
            batch: batch.batchId,
            accessRequestId: (created ?? existing)?.accessRequestIds?.[0],
          });
        }
        logger.info(
          { batch: batch.batchId, identities: submitFor.length, items: batch.items.length },
          'coalesced access request submitted',
        );
      }
      const items = refs.map(
        (ref) => decided.get(keyOf(ref)) ?? { ...ref, disposition: 'SUBMITTED' as const, batch: batch.batchId },
      );
      activityMetrics().submitted(
        batch.requestType,
        items.map((item) => item.disposition),
      );
      return { submittedAt: new Date(submittedAtMs).toISOString(), items };
    });
  }

  async function heldAccessOf({ identityIds }: { identityIds: string[] }): Promise<Record<string, string[]>> {
    return withIscFailures(async () => {
      const held = await isc.getIdentitiesAccess(identityIds);
      return Object.fromEntries([...held].map(([id, access]) => [id, access.map((a) => `${a.type}:${a.id}`)]));
    });
  }

  async function checkStatusBatch({ requests }: CheckStatusBatchInput): Promise<CheckStatusBatchResult> {
    return withIscFailures(async () => {
      const withIds = tenantProfile === 'current';
      const ids = withIds
        ? unique(requests.flatMap((r) => r.items.flatMap((i) => (i.accessRequestId ? [i.accessRequestId] : []))))
        : [];
      const byRequest = await reader.rowsOfRequests(ids);
      // Items ISC gave no id for (older tenants, a lost answer): read per identity.
      const lookups = new Map<string, RequestedItemStatus[]>();
      for (const request of requests) {
        for (const item of request.items) {
          if (withIds && item.accessRequestId) continue;
          if (!lookups.has(item.identityId)) {
            lookups.set(
              item.identityId,
              await reader.rowsFor(
                item.identityId,
                request.items.filter((i) => i.identityId === item.identityId),
              ),
            );
          }
        }
      }
      const rows = [...byRequest, ...[...lookups.values()].flat()];
      // What identities hold is asked once for all the items that need it (a duplicate ISC cancelled, or
      // no row after the grace), in one search.
      const needHolds = new Set<string>();
      for (const request of requests) {
        for (const item of request.items) {
          const mine = rows.filter((r) => rowIsFor(r, item, request.requestType));
          const waited = now() - Date.parse(item.submittedAt);
          if (mine.some((r) => r.state === 'CANCELLED') || (mine.length === 0 && waited >= request.missingRowGraceMs)) {
            needHolds.add(item.identityId);
          }
        }
      }
      const held = needHolds.size > 0 ? await isc.getIdentitiesAccess([...needHolds]) : new Map<string, never[]>();
      const holds = holdsIn(held);
      const metrics = activityMetrics();
      metrics.trackerBatch(requests.reduce((total, r) => total + r.items.length, 0));
      const results = [];
      for (const request of requests) {
        const observations = [];
        for (const item of request.items) {
          const seen = await reader.observe(request, item, rows, holds);
          observations.push(seen);
          // First sight of a final state: how long after ISC reached it (its `modified`) the tracker saw it.
          const row = seen.outcome
            ? rows.find((r) => rowIsFor(r, item, request.requestType) && r.state === seen.iscState)
            : undefined;
          const modified = Date.parse(row?.modified ?? '');
          if (!Number.isNaN(modified)) metrics.detectionLag(Math.max(0, (now() - modified) / 1000));
        }
        results.push(observations);
      }
      return { results };
    });
  }

  async function readStatusChanges({
    since,
    accessRequestIds,
  }: ReadStatusChangesInput): Promise<ReadStatusChangesResult> {
    return withIscFailures(async () => {
      // Older tenants may give no ids at all: their trackers read per identity, never from the feed.
      if (tenantProfile !== 'current')
        return { watermark: since ?? '', complete: false, coversFrom: since ?? '', changes: [] };
      const answer = await feed.changesSince(since);
      const watched = new Set(accessRequestIds);
      const rows = answer.rows.filter((r) => r.accessRequestId && watched.has(r.accessRequestId));
      // Only a duplicate ISC cancelled needs to know what its identity holds: one search for all of them.
      const cancelled = unique(rows.filter((r) => r.state === 'CANCELLED').flatMap((r) => r.requestedFor?.id ?? []));
      const held = cancelled.length > 0 ? await isc.getIdentitiesAccess(cancelled) : new Map<string, never[]>();
      const holds = holdsIn(held);
      const metrics = activityMetrics();
      const changes: ReadStatusChangesResult['changes'] = [];
      for (const row of rows) {
        const requestType = row.requestType === 'REVOKE_ACCESS' ? 'REVOKE_ACCESS' : 'GRANT_ACCESS';
        const ref = {
          identityId: row.requestedFor?.id ?? '',
          itemType: row.type ?? 'ENTITLEMENT',
          itemId: row.id ?? '',
        };
        const observation = await observeRow(requestType, ref, row, holds);
        changes.push({ requestType, observation });
        // Rows modified before `since` came again for the overlap: their detection was measured already.
        const modified = Date.parse(row.modified ?? '');
        if (observation.outcome && since && modified >= Date.parse(since))
          metrics.detectionLag(Math.max(0, (now() - modified) / 1000));
      }
      return { watermark: answer.watermark, complete: answer.complete, coversFrom: answer.coversFrom, changes };
    });
  }

  async function deliverNews({
    deliveries,
  }: {
    deliveries: Array<{ workflowId: string; news: TrackerNews }>;
  }): Promise<{ gone: string[] }> {
    const gone: string[] = [];
    await inParallel(deliveries, DELIVERY_CONCURRENCY, async ({ workflowId, news }) => {
      try {
        await client().workflow.getHandle(workflowId).signal(TRACKER_SIGNALS.news, news);
      } catch (error) {
        // Completed or terminated meanwhile: nobody waits for this news any more.
        if (error instanceof WorkflowNotFoundError) gone.push(workflowId);
        else throw error;
      }
    });
    return { gone };
  }

  async function askToReenlist({
    taskQueue,
    shard,
    shards,
  }: {
    taskQueue: string;
    shard: number;
    shards: number;
  }): Promise<{ asked: number }> {
    const query = [
      `WorkflowType = '${WORKFLOW_TYPES.accessRequest}'`,
      `ExecutionStatus = 'Running'`,
      `TaskQueue = '${taskQueue}'`,
      `${STATE.name} IN (${PHASES_ACTING_WITH_ISC.map((phase) => `'${phase}'`).join(', ')})`,
    ].join(' AND ');
    const mine: string[] = [];
    for await (const wf of client().workflow.list({ query })) {
      if (trackerShardOf(wf.workflowId, shards) === shard) mine.push(wf.workflowId);
    }
    await inParallel(mine, DELIVERY_CONCURRENCY, async (workflowId) => {
      await client()
        .workflow.getHandle(workflowId)
        .signal(TRACKER_SIGNALS.reenlist)
        .catch((error: unknown) => {
          if (!(error instanceof WorkflowNotFoundError)) throw error;
        });
    });
    if (mine.length > 0) logger.info({ shard, asked: mine.length }, 'tracker asked its access changes to enlist again');
    return { asked: mine.length };
  }

  // Long calls tell Temporal they are alive: a killed worker's batch is retried in seconds, not minutes.
  const beating =
    <I, O>(fn: (input: I) => Promise<O>) =>
    (input: I): Promise<O> =>
      whileBeating(() => fn(input));
  return {
    enlist,
    heldAccessOf: beating(heldAccessOf),
    submitBatch: beating(submitBatch),
    checkStatusBatch: beating(checkStatusBatch),
    readStatusChanges: beating(readStatusChanges),
    deliverNews: beating(deliverNews),
    askToReenlist: beating(askToReenlist),
  };
}
