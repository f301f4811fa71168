/**
 * The tracker's coalesced submissions: one ISC request for the same items of many access changes, and
 * what their identities already hold (asked for the whole round before it is submitted).
 *
 * Exactly once still holds for coalesced submissions: every item of a batch carries the batch id in its
 * `clientMetadata`, so a retry whose first answer was lost finds the request it made instead of making a
 * second; on current tenants ISC itself answers a pending twin (`existingRequests`) and cancels a request
 * for access already held, so no look-up is needed before submitting. `submitBatch` decides each
 * (ticket, identity, item) in steps, each deciding only what the ones before left open:
 * 1. on a retry, what the earlier attempt created is adopted;
 * 2. what the round found already satisfied is not sent;
 * 3. on older tenants, a pending twin is adopted;
 * 4. the rest goes to ISC in one request.
 */
import { Context } from '@temporalio/activity';
import type { Logger } from 'pino';
import type { SubmitBatch } from '../../domain';
import type { AccessRequestBody, IscClient, RequestedItemStatus } from '../../isc';
import type { ItemRef, SubmitBatchInput, SubmitBatchResult, TrackingActivities } from '../contracts';
import { batchMetadata, isFromBatch } from '../correlation';
import { withIscFailures } from '../failures';
import { CREATED_SKEW_MS, newestRowFor, unique, type StatusReader } from '../status-reader';
import { answerFor, countSubmitted, itemKey, pendingTwin, requestedItem } from '../submission';

export interface SubmitDependencies {
  isc: IscClient;
  logger: Logger;
  tenantProfile: 'current' | 'legacy';
  reader: Pick<StatusReader, 'rowsSince'>;
  now: () => number;
}

type BatchRef = ItemRef & { ticket: string };
type BatchItem = SubmitBatchResult['items'][number];

/** What one `submitBatch` has decided so far, keyed by `itemKey`. */
interface BatchSubmission {
  readonly batch: SubmitBatch;
  /** Every (ticket, identity, item) of the batch, in the order the answer lists them. */
  readonly refs: readonly BatchRef[];
  readonly decided: Map<string, BatchItem>;
  /** When ISC took the batch, or the oldest request of it adopted: where status look-ups start. */
  submittedAtMs: number;
}

function refsOf(batch: SubmitBatch): BatchRef[] {
  return batch.members.flatMap((m) =>
    m.identityIds.flatMap((identityId) =>
      batch.items.map((item) => ({ ticket: m.ticket, identityId, itemType: item.type, itemId: item.id })),
    ),
  );
}

const undecided = (s: BatchSubmission): BatchRef[] => s.refs.filter((r) => !s.decided.has(itemKey(r)));

/** The rows a batch's earlier attempt created, when its answer was lost (found by the batch id). */
async function rowsOfEarlierAttempt(
  deps: SubmitDependencies,
  s: BatchSubmission,
  scheduledMs: number,
): Promise<RequestedItemStatus[]> {
  const since = new Date(scheduledMs - CREATED_SKEW_MS).toISOString();
  if (deps.tenantProfile === 'current') {
    const rows = await deps.isc.listAllAccessRequestStatus({ requestedBy: 'me', filters: `created ge ${since}` });
    return rows.filter((r) => isFromBatch(r, s.batch.batchId));
  }
  const rows: RequestedItemStatus[] = [];
  for (const identityId of unique(s.refs.map((r) => r.identityId))) {
    rows.push(...(await deps.reader.rowsSince(identityId, since)));
  }
  return rows.filter((r) => isFromBatch(r, s.batch.batchId));
}

/**
 * Adopts a request ISC already has for this item. Status look-ups start from submittedAt, and an adopted
 * request may be much older than the batch (days, while it waits for a manager): older tenants, which
 * cannot look rows up by id, would never find it again unless submittedAt reaches back to it.
 */
function adopt(s: BatchSubmission, ref: BatchRef, row: RequestedItemStatus, batch?: string): void {
  const accessRequestId = row.accessRequestId ?? undefined;
  s.decided.set(itemKey(ref), { ...ref, disposition: 'ADOPTED', ...(batch ? { batch } : {}), accessRequestId });
  s.submittedAtMs = Math.min(s.submittedAtMs, Date.parse(row.created ?? '') || s.submittedAtMs);
}

/** Step 1: what the earlier attempt created is adopted (its rows carry the batch id). */
function adoptEarlierAttempt(s: BatchSubmission, rows: RequestedItemStatus[]): void {
  for (const ref of s.refs) {
    const row = newestRowFor(rows, ref, s.batch.requestType);
    if (row) adopt(s, ref, row, s.batch.batchId);
  }
}

/** Step 2: what the round found already where the batch wants it (`identity|TYPE|id`). */
function markSatisfied(s: BatchSubmission, satisfied: readonly string[]): void {
  for (const ref of undecided(s)) {
    if (satisfied.includes(itemKey(ref))) s.decided.set(itemKey(ref), { ...ref, disposition: 'ALREADY_SATISFIED' });
  }
}

/**
 * Step 3, older tenants only: they answer no pending twins (current ones return them in
 * `existingRequests`), so each identity with something left is looked up first.
 */
async function adoptPendingTwins(isc: IscClient, s: BatchSubmission): Promise<void> {
  for (const identityId of unique(undecided(s).map((r) => r.identityId))) {
    const pending = await isc.listAllAccessRequestStatus({ requestedFor: identityId, requestState: 'EXECUTING' });
    for (const ref of undecided(s).filter((r) => r.identityId === identityId)) {
      const row = pendingTwin(pending, ref, s.batch.requestType);
      if (row) adopt(s, ref, row);
    }
  }
}

/** ISC's body for the batch: all its items, for every identity that still has one to submit. */
function batchBody(batch: SubmitBatch, requestedFor: string[], nowMs: number): AccessRequestBody {
  const extras = {
    comment: batch.comment,
    clientMetadata: batchMetadata(batch.batchId, batch.attempt),
    withRemoveDate: true,
    withStartDate: true,
  };
  return {
    requestedFor,
    requestType: batch.requestType,
    requestedItems: batch.items.map((item) => requestedItem(item, extras, nowMs)),
  };
}

/** Step 4: whoever still has an item to submit goes in the one request, answered per item from ISC's answer. */
async function submitRest(deps: SubmitDependencies, s: BatchSubmission): Promise<void> {
  const submitFor = unique(undecided(s).map((r) => r.identityId));
  if (submitFor.length === 0) return;
  const response = await deps.isc.submitAccessRequest(batchBody(s.batch, submitFor, deps.now()));
  for (const ref of undecided(s)) {
    s.decided.set(itemKey(ref), { ...ref, ...answerFor(response, ref), batch: s.batch.batchId });
  }
  deps.logger.info(
    { batch: s.batch.batchId, identities: submitFor.length, items: s.batch.items.length },
    'coalesced access request submitted',
  );
}

export function createSubmitActivities(
  deps: SubmitDependencies,
): Pick<TrackingActivities, 'submitBatch' | 'heldAccessOf'> {
  async function submitBatch({ batch, satisfied }: SubmitBatchInput): Promise<SubmitBatchResult> {
    const info = Context.current().info;
    const s: BatchSubmission = { batch, refs: refsOf(batch), decided: new Map(), submittedAtMs: deps.now() };
    return withIscFailures(async () => {
      if (info.attempt > 1) adoptEarlierAttempt(s, await rowsOfEarlierAttempt(deps, s, info.scheduledTimestampMs));
      markSatisfied(s, satisfied);
      if (deps.tenantProfile === 'legacy') await adoptPendingTwins(deps.isc, s);
      await submitRest(deps, s);
      const items = s.refs.map(
        (ref) => s.decided.get(itemKey(ref)) ?? { ...ref, disposition: 'SUBMITTED' as const, batch: batch.batchId },
      );
      countSubmitted(batch.requestType, items);
      return { submittedAt: new Date(s.submittedAtMs).toISOString(), items };
    });
  }

  async function heldAccessOf({ identityIds }: { identityIds: string[] }): Promise<Record<string, string[]>> {
    return withIscFailures(async () => {
      const held = await deps.isc.getIdentitiesAccess(identityIds);
      return Object.fromEntries([...held].map(([id, access]) => [id, access.map((a) => `${a.type}:${a.id}`)]));
    });
  }

  return { submitBatch, heldAccessOf };
}
