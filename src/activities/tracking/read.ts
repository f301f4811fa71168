/**
 * The tracker's reads of ISC: status look-ups for many requests in about one call, and what moved among
 * the watched requests from the worker's status feed. Both ask what identities hold only for the items
 * that need it (a duplicate ISC cancelled, or no row after the grace), in one search, and both measure
 * how long after ISC's change the tracker saw a final state.
 */
import type { RequestType } from '../../domain';
import type { IscClient, RequestedItemStatus } from '../../isc';
import { activityMetrics } from '../../metrics/activity';
import type { IscflowMetrics } from '../../metrics/instruments';
import type {
  CheckStatusBatchInput,
  CheckStatusBatchResult,
  CheckStatusInput,
  ItemObservation,
  ItemRef,
  ReadStatusChangesInput,
  ReadStatusChangesResult,
  TrackingActivities,
} from '../contracts';
import { withIscFailures } from '../failures';
import type { StatusFeed } from '../status-feed';
import { observeRow, rowIsFor, unique, type Holds, type StatusReader } from '../status-reader';

export interface ReadDependencies {
  isc: IscClient;
  tenantProfile: 'current' | 'legacy';
  reader: Pick<StatusReader, 'rowsOfRequests' | 'rowsFor' | 'observe'>;
  feed: StatusFeed;
  now: () => number;
}

/** Whether items are held, from one search of what their identities hold; no search when none is asked about. */
async function holdsOf(isc: IscClient, identityIds: string[]): Promise<Holds> {
  const held = identityIds.length > 0 ? await isc.getIdentitiesAccess(identityIds) : new Map<string, never[]>();
  return async (ref) => (held.get(ref.identityId) ?? []).some((a) => a.type === ref.itemType && a.id === ref.itemId);
}

/** Seconds from ISC's change of a row (its `modified`) to the tracker seeing it. */
const lagSeconds = (modifiedMs: number, nowMs: number): number => Math.max(0, (nowMs - modifiedMs) / 1000);

/** The rows of these requests: those with ids in one look-up (current tenants), the others per identity. */
async function rowsOfBatch(
  reader: ReadDependencies['reader'],
  requests: CheckStatusInput[],
  withIds: boolean,
): Promise<RequestedItemStatus[]> {
  const ids = withIds
    ? unique(requests.flatMap((r) => r.items.flatMap((i) => (i.accessRequestId ? [i.accessRequestId] : []))))
    : [];
  const byRequest = await reader.rowsOfRequests(ids);
  // Items ISC gave no id for (older tenants, a lost answer): read per identity.
  const lookups = new Map<string, RequestedItemStatus[]>();
  for (const request of requests) {
    for (const item of request.items) {
      if ((withIds && item.accessRequestId) || lookups.has(item.identityId)) continue;
      const itemsOfIdentity = request.items.filter((i) => i.identityId === item.identityId);
      lookups.set(item.identityId, await reader.rowsFor(item.identityId, itemsOfIdentity));
    }
  }
  return [...byRequest, ...[...lookups.values()].flat()];
}

/** The identities whose holdings decide an item: a duplicate ISC cancelled, or no row after the grace. */
function identitiesNeedingHolds(requests: CheckStatusInput[], rows: RequestedItemStatus[], nowMs: number): string[] {
  const need = new Set<string>();
  for (const request of requests) {
    for (const item of request.items) {
      const mine = rows.filter((r) => rowIsFor(r, item, request.requestType));
      const waited = nowMs - Date.parse(item.submittedAt);
      if (mine.some((r) => r.state === 'CANCELLED') || (mine.length === 0 && waited >= request.missingRowGraceMs)) {
        need.add(item.identityId);
      }
    }
  }
  return [...need];
}

/** The request type of a feed row, and its (identity, item). */
function refOfRow(row: RequestedItemStatus): { requestType: RequestType; ref: ItemRef } {
  return {
    requestType: row.requestType === 'REVOKE_ACCESS' ? 'REVOKE_ACCESS' : 'GRANT_ACCESS',
    ref: { identityId: row.requestedFor?.id ?? '', itemType: row.type ?? 'ENTITLEMENT', itemId: row.id ?? '' },
  };
}

/** One request's observations; a first sight of a final state is measured against ISC's `modified`. */
async function observeRequest(
  deps: ReadDependencies,
  request: CheckStatusInput,
  rows: RequestedItemStatus[],
  holds: Holds,
  metrics: IscflowMetrics,
): Promise<ItemObservation[]> {
  const observations: ItemObservation[] = [];
  for (const item of request.items) {
    const seen = await deps.reader.observe(request, item, rows, holds);
    observations.push(seen);
    const row = seen.outcome
      ? rows.find((r) => rowIsFor(r, item, request.requestType) && r.state === seen.iscState)
      : undefined;
    const modified = Date.parse(row?.modified ?? '');
    if (!Number.isNaN(modified)) metrics.detectionLag(lagSeconds(modified, deps.now()));
  }
  return observations;
}

export function createReadActivities(
  deps: ReadDependencies,
): Pick<TrackingActivities, 'checkStatusBatch' | 'readStatusChanges'> {
  const { isc, now } = deps;

  async function checkStatusBatch({ requests }: CheckStatusBatchInput): Promise<CheckStatusBatchResult> {
    return withIscFailures(async () => {
      const rows = await rowsOfBatch(deps.reader, requests, deps.tenantProfile === 'current');
      const holds = await holdsOf(isc, identitiesNeedingHolds(requests, rows, now()));
      const metrics = activityMetrics();
      metrics.trackerBatch(requests.reduce((total, r) => total + r.items.length, 0));
      const results: ItemObservation[][] = [];
      for (const request of requests) results.push(await observeRequest(deps, request, rows, holds, metrics));
      return { results };
    });
  }

  async function readStatusChanges({
    since,
    accessRequestIds,
  }: ReadStatusChangesInput): Promise<ReadStatusChangesResult> {
    return withIscFailures(async () => {
      // Older tenants may give no ids at all: their trackers read per identity, never from the feed.
      if (deps.tenantProfile !== 'current')
        return { watermark: since ?? '', complete: false, coversFrom: since ?? '', changes: [] };
      const answer = await deps.feed.changesSince(since);
      const watched = new Set(accessRequestIds);
      const rows = answer.rows.filter((r) => r.accessRequestId && watched.has(r.accessRequestId));
      // Only a duplicate ISC cancelled needs to know what its identity holds: one search for all of them.
      const holds = await holdsOf(
        isc,
        unique(rows.filter((r) => r.state === 'CANCELLED').flatMap((r) => r.requestedFor?.id ?? [])),
      );
      const metrics = activityMetrics();
      const changes: ReadStatusChangesResult['changes'] = [];
      for (const row of rows) {
        const { requestType, ref } = refOfRow(row);
        const observation = await observeRow(requestType, ref, row, holds);
        changes.push({ requestType, observation });
        // Rows modified before `since` came again for the overlap: their detection was measured already.
        const modified = Date.parse(row.modified ?? '');
        if (observation.outcome && since && modified >= Date.parse(since))
          metrics.detectionLag(lagSeconds(modified, now()));
      }
      return { watermark: answer.watermark, complete: answer.complete, coversFrom: answer.coversFrom, changes };
    });
  }

  return { checkStatusBatch, readStatusChanges };
}
