/**
 * The activities of access changes: every ISC call an access-request workflow makes, built once in the
 * worker over an injected ISC client.
 *
 * They are written to be retried: submitting looks first (held access, pending duplicates, rows of an
 * earlier attempt whose response was lost) and only then creates, so a retry never makes a second ISC
 * request for the same change.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { Logger } from 'pino';
import { STATUS_UNCHANGED } from '../common';
import { classifyIscState, type RequestType } from '../domain';
import type { AccessRequestBody, IscClient, RequestedItemStatus } from '../isc';
import { activityMetrics } from '../metrics/activity';
import type {
  CancelRequestInput,
  CheckStatusInput,
  CheckStatusResult,
  HoldsAccessInput,
  AccessRequestActivities,
  ItemObservation,
  ItemRef,
  SubmitItemsInput,
  SubmitItemsResult,
  SubmittedItem,
  TenantSettings,
  TrackingSettings,
} from './contracts';
import { correlationMetadata, isFromSubmission } from './correlation';
import { withIscFailures } from './failures';
import {
  CREATED_SKEW_MS,
  createStatusReader,
  matchesTracking,
  newestFirst,
  rowIsFor,
  sameItem,
  unique,
} from './status-reader';

/** How far ahead a start date must still be when the submit goes out, for ISC to take it as future. */
const START_DATE_MARGIN_MS = 2000;

export interface AccessRequestDependencies {
  isc: IscClient;
  logger: Logger;
  /** What the tenant takes; older tenants filter status only by accountActivityItemId, among other things. */
  tenantProfile?: 'current' | 'legacy';
  /** The deployment's default removal mode (`ISCFLOW_REMOVAL_MODE`). */
  removalMode?: 'isc' | 'exact';
  /** The ISC API version the client speaks (filters differ between versions). */
  apiVersion?: 'v3' | 'v2025';
  /** How the deployment tracks ISC; told to each workflow with the tenant. */
  tracking?: TrackingSettings;
  /** Wall clock, injectable for tests. */
  now?: () => number;
}

export function createAccessRequestActivities({
  isc,
  logger,
  tenantProfile = 'current',
  removalMode = 'isc',
  apiVersion = 'v3',
  tracking,
  now = Date.now,
}: AccessRequestDependencies): AccessRequestActivities {
  const { rowsSince, rowsFor, heldItems, observe } = createStatusReader({ isc, tenantProfile, apiVersion, now });

  /** Whether the identity is already where the request wants it: holds a grant, lacks a revoke. */
  const isSatisfied = (held: Set<string>, ref: ItemRef, requestType: RequestType): boolean =>
    held.has(`${ref.itemType}:${ref.itemId}`) === (requestType === 'GRANT_ACCESS');

  async function submitItems(input: SubmitItemsInput): Promise<SubmitItemsResult> {
    const { request, attempt } = input;
    const log = logger.child({ activity: 'submitItems', requestKey: request.key, attempt });
    const info = Context.current().info;
    const decided = new Map<string, SubmittedItem>();
    const keyOf = (ref: ItemRef): string => `${ref.identityId}|${ref.itemType}|${ref.itemId}`;
    // Status lookups start from submittedAt. An adopted row may be much older than this submission (days, while
    // it waits for a manager); tenants that cannot look rows up by id would never find it again.
    let earliestAdoptedMs = Infinity;
    const adopt = (ref: ItemRef, row: RequestedItemStatus): void => {
      decided.set(keyOf(ref), { ...ref, disposition: 'ADOPTED', accessRequestId: row.accessRequestId ?? undefined });
      const created = Date.parse(row.created ?? '');
      if (!Number.isNaN(created)) earliestAdoptedMs = Math.min(earliestAdoptedMs, created);
    };
    const removeDateOf = (ref: ItemRef): string | undefined =>
      request.items.find((i) => i.type === ref.itemType && i.id === ref.itemId)?.removeDate;

    return withIscFailures(async () => {
      for (const identityId of unique(input.items.map((i) => i.identityId))) {
        const mine = input.items.filter((i) => i.identityId === identityId);
        // A lost response: an earlier try of this very activity may have been accepted by ISC.
        if (info.attempt > 1) {
          const rows = await rowsSince(identityId, new Date(info.scheduledTimestampMs - CREATED_SKEW_MS).toISOString());
          for (const ref of mine) {
            const row = rows
              .filter((r) => rowIsFor(r, ref, request.requestType) && isFromSubmission(r, request.key, attempt))
              .sort(newestFirst)[0];
            if (row) adopt(ref, row);
          }
        }
        // A pending request for the same change, made by anyone: adopt it rather than queue a twin.
        const pending = await isc.listAllAccessRequestStatus({ requestedFor: identityId, requestState: 'EXECUTING' });
        for (const ref of mine) {
          if (decided.has(keyOf(ref))) continue;
          const row = pending
            .filter((r) => rowIsFor(r, ref, request.requestType) && classifyIscState(r.state ?? '') === 'IN_PROGRESS')
            .sort(newestFirst)[0];
          if (row) adopt(ref, row);
        }
        // Already where the request wants it. A grant that sets a removal date still goes out: it changes the sunset.
        const held = await heldItems(identityId);
        for (const ref of mine) {
          if (decided.has(keyOf(ref))) continue;
          const changesDates =
            request.requestType === 'GRANT_ACCESS' && removeDateOf(ref) !== undefined && !input.omitRemoveDate;
          if (!changesDates && isSatisfied(held, ref, request.requestType)) {
            decided.set(keyOf(ref), { ...ref, disposition: 'ALREADY_SATISFIED' });
          }
        }
      }

      const remaining = input.items.filter((ref) => !decided.has(keyOf(ref)));
      const submittedAt = new Date(Math.min(now(), earliestAdoptedMs)).toISOString();
      if (remaining.length > 0) {
        const body = buildBody(input, remaining, now());
        const response = await isc.submitAccessRequest(body);
        for (const ref of remaining) {
          if (response.kind === 'untracked') {
            decided.set(keyOf(ref), { ...ref, disposition: 'SUBMITTED' });
            continue;
          }
          const created = response.newRequests.find((t) => matchesTracking(t, ref));
          const existing = response.existingRequests.find((t) => matchesTracking(t, ref));
          const tracking = created ?? existing;
          decided.set(keyOf(ref), {
            ...ref,
            disposition: created ? 'SUBMITTED' : existing ? 'ADOPTED' : 'SUBMITTED',
            accessRequestId: tracking?.accessRequestIds?.[0],
          });
        }
        log.info({ submitted: remaining.length, kind: response.kind }, 'access request submitted');
      }
      const items = input.items.map((ref) => decided.get(keyOf(ref)) ?? { ...ref, disposition: 'SUBMITTED' as const });
      activityMetrics().submitted(
        request.requestType,
        items.map((item) => item.disposition),
      );
      return { items, submittedAt };
    });
  }

  async function checkStatus(input: CheckStatusInput): Promise<CheckStatusResult> {
    return withIscFailures(async () => {
      const observations: ItemObservation[] = [];
      for (const identityId of unique(input.items.map((i) => i.identityId))) {
        const mine = input.items.filter((i) => i.identityId === identityId);
        const rows = await rowsFor(identityId, mine);
        let held: Set<string> | undefined;
        const holds = async (ref: ItemRef): Promise<boolean> => {
          held ??= await heldItems(identityId);
          return held.has(`${ref.itemType}:${ref.itemId}`);
        };
        for (const item of mine) {
          observations.push(await observe(input, item, rows, holds));
        }
      }
      const changed = observations.some((seen) => {
        const before = input.items.find((i) => sameItem(i, seen));
        return (
          seen.outcome !== undefined ||
          seen.iscState !== before?.iscState ||
          (seen.accessRequestId !== undefined && seen.accessRequestId !== before?.accessRequestId)
        );
      });
      if (!changed && input.failWhenUnchanged) {
        // The retry policy (backoff coefficient 1) turns this into the polling loop, without history events.
        throw ApplicationFailure.retryable('No status change yet', STATUS_UNCHANGED);
      }
      return { items: observations };
    });
  }

  async function holdsAccess(input: HoldsAccessInput): Promise<boolean> {
    return withIscFailures(async () => (await heldItems(input.identityId)).has(`${input.itemType}:${input.itemId}`));
  }

  async function cancelRequest(input: CancelRequestInput): Promise<void> {
    return withIscFailures(async () => {
      if (input.close) await isc.closeAccessRequests([input.accessRequestId], input.comment);
      else await isc.cancelAccessRequest(input.accessRequestId, input.comment);
    });
  }

  const tenantSettings = async (): Promise<TenantSettings> => ({
    tenantProfile,
    removalMode,
    ...(tracking ? { tracking } : {}),
  });

  return { tenantSettings, submitItems, checkStatus, holdsAccess, cancelRequest };
}

/**
 * The ISC body for the items still to submit. All identities get all items (one ISC request applies its
 * items to every recipient), so the rectangle spanned by what remains is sent; rows ISC then sees as
 * duplicates come back cancelled or in `existingRequests` and are told apart by their correlation keys.
 */
function buildBody(input: SubmitItemsInput, remaining: ItemRef[], nowMs: number): AccessRequestBody {
  const { request, attempt } = input;
  // ISC refuses a start date that is not in the future. One that passed while the submit waited (a retry,
  // a slow queue) delays nothing any more: the grant simply goes now.
  const ahead = (date: string | undefined): boolean =>
    date !== undefined && Date.parse(date) - nowMs > START_DATE_MARGIN_MS;
  const identityIds = unique(remaining.map((r) => r.identityId));
  const wanted = new Set(remaining.map((r) => `${r.itemType}:${r.itemId}`));
  const items = request.items.filter((i) => wanted.has(`${i.type}:${i.id}`));
  return {
    requestedFor: identityIds,
    requestType: request.requestType,
    requestedItems: items.map((item) => ({
      type: item.type,
      id: item.id,
      ...((item.comment ?? request.comment) ? { comment: item.comment ?? request.comment } : {}),
      clientMetadata: { ...request.clientMetadata, ...correlationMetadata(request.key, attempt) },
      ...(item.removeDate && !input.omitRemoveDate ? { removeDate: item.removeDate } : {}),
      ...(ahead(item.startDate) && !input.omitStartDate ? { startDate: item.startDate } : {}),
    })),
  };
}
