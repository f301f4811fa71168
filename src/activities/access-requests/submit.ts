/**
 * submitItems: one access change's submission, written to be retried. It looks before it creates, so a
 * retry never makes a second ISC request for the same change. Per identity, each step deciding only what
 * the ones before left open:
 * 1. on a retry, what an earlier try of this very activity created (its response was lost) is adopted;
 * 2. a pending request for the same change, made by anyone, is adopted rather than queued twice;
 * 3. what the identity already holds is not sent (a grant that sets a removal date still is);
 * then one ISC request goes out for what remains.
 */
import { Context } from '@temporalio/activity';
import type { Logger } from 'pino';
import type { RequestType } from '../../domain';
import type { AccessRequestBody, IscClient, RequestedItemStatus } from '../../isc';
import type { ItemRef, SubmitItemsInput, SubmitItemsResult, SubmittedItem } from '../contracts';
import { correlationMetadata, isFromSubmission } from '../correlation';
import { withIscFailures } from '../failures';
import { CREATED_SKEW_MS, newestRowFor, unique, type StatusReader } from '../status-reader';
import { answerFor, countSubmitted, itemKey, pendingTwin, requestedItem } from '../submission';

export interface SubmitItemsDependencies {
  isc: IscClient;
  logger: Logger;
  reader: Pick<StatusReader, 'rowsSince' | 'heldItems'>;
  now: () => number;
}

/** What one `submitItems` has decided so far, keyed by `itemKey`. */
interface ItemsSubmission {
  readonly input: SubmitItemsInput;
  readonly decided: Map<string, SubmittedItem>;
  /**
   * Status look-ups start from submittedAt. An adopted row may be much older than this submission (days,
   * while it waits for a manager); tenants that cannot look rows up by id would never find it again.
   */
  earliestAdoptedMs: number;
}

/** One identity's items, as each step looks at them. */
interface IdentityItems {
  identityId: string;
  items: ItemRef[];
}

const undecidedOf = (s: ItemsSubmission, items: ItemRef[]): ItemRef[] =>
  items.filter((r) => !s.decided.has(itemKey(r)));

function adopt(s: ItemsSubmission, ref: ItemRef, row: RequestedItemStatus): void {
  s.decided.set(itemKey(ref), { ...ref, disposition: 'ADOPTED', accessRequestId: row.accessRequestId ?? undefined });
  const created = Date.parse(row.created ?? '');
  if (!Number.isNaN(created)) s.earliestAdoptedMs = Math.min(s.earliestAdoptedMs, created);
}

/** Step 1: rows of this submission round (request key and attempt) created since the activity was scheduled. */
async function adoptEarlierTry(
  deps: SubmitItemsDependencies,
  s: ItemsSubmission,
  { identityId, items }: IdentityItems,
  scheduledMs: number,
): Promise<void> {
  const { request, attempt } = s.input;
  const rows = await deps.reader.rowsSince(identityId, new Date(scheduledMs - CREATED_SKEW_MS).toISOString());
  for (const ref of items) {
    const row = newestRowFor(rows, ref, request.requestType, (r) => isFromSubmission(r, request.key, attempt));
    if (row) adopt(s, ref, row);
  }
}

/** Step 2: a pending request for the same change, made by anyone. */
async function adoptPendingTwins(
  deps: SubmitItemsDependencies,
  s: ItemsSubmission,
  mine: IdentityItems,
): Promise<void> {
  const pending = await deps.isc.listAllAccessRequestStatus({
    requestedFor: mine.identityId,
    requestState: 'EXECUTING',
  });
  for (const ref of undecidedOf(s, mine.items)) {
    const row = pendingTwin(pending, ref, s.input.request.requestType);
    if (row) adopt(s, ref, row);
  }
}

/** Whether the identity is already where the request wants it: holds a grant, lacks a revoke. */
const isSatisfied = (held: Set<string>, ref: ItemRef, requestType: RequestType): boolean =>
  held.has(`${ref.itemType}:${ref.itemId}`) === (requestType === 'GRANT_ACCESS');

/** Step 3: already where the request wants it. A grant that sets a removal date still goes out: it changes the sunset. */
async function markHeld(deps: SubmitItemsDependencies, s: ItemsSubmission, mine: IdentityItems): Promise<void> {
  const { request, omitRemoveDate } = s.input;
  const held = await deps.reader.heldItems(mine.identityId);
  for (const ref of undecidedOf(s, mine.items)) {
    const removeDate = request.items.find((i) => i.type === ref.itemType && i.id === ref.itemId)?.removeDate;
    const changesDates = request.requestType === 'GRANT_ACCESS' && removeDate !== undefined && !omitRemoveDate;
    if (!changesDates && isSatisfied(held, ref, request.requestType)) {
      s.decided.set(itemKey(ref), { ...ref, disposition: 'ALREADY_SATISFIED' });
    }
  }
}

/**
 * The ISC body for the items still to submit. All identities get all items (one ISC request applies its
 * items to every recipient), so the rectangle spanned by what remains is sent; rows ISC then sees as
 * duplicates come back cancelled or in `existingRequests` and are told apart by their correlation keys.
 */
function bodyFor(input: SubmitItemsInput, remaining: ItemRef[], nowMs: number): AccessRequestBody {
  const { request, attempt } = input;
  const wanted = new Set(remaining.map((r) => `${r.itemType}:${r.itemId}`));
  const extras = {
    comment: request.comment,
    clientMetadata: { ...request.clientMetadata, ...correlationMetadata(request.key, attempt) },
    withRemoveDate: !input.omitRemoveDate,
    withStartDate: !input.omitStartDate,
  };
  return {
    requestedFor: unique(remaining.map((r) => r.identityId)),
    requestType: request.requestType,
    requestedItems: request.items
      .filter((i) => wanted.has(`${i.type}:${i.id}`))
      .map((item) => requestedItem(item, extras, nowMs)),
  };
}

/** What no step decided goes to ISC in one request, answered per item from ISC's answer. */
async function submitRemaining(deps: SubmitItemsDependencies, s: ItemsSubmission, log: Logger): Promise<void> {
  const remaining = undecidedOf(s, s.input.items);
  if (remaining.length === 0) return;
  const response = await deps.isc.submitAccessRequest(bodyFor(s.input, remaining, deps.now()));
  for (const ref of remaining) s.decided.set(itemKey(ref), { ...ref, ...answerFor(response, ref) });
  log.info({ submitted: remaining.length, kind: response.kind }, 'access request submitted');
}

export function createSubmitItems(
  deps: SubmitItemsDependencies,
): (input: SubmitItemsInput) => Promise<SubmitItemsResult> {
  return async function submitItems(input) {
    const { request, attempt } = input;
    const log = deps.logger.child({ activity: 'submitItems', requestKey: request.key, attempt });
    const info = Context.current().info;
    const s: ItemsSubmission = { input, decided: new Map(), earliestAdoptedMs: Infinity };
    return withIscFailures(async () => {
      for (const identityId of unique(input.items.map((i) => i.identityId))) {
        const mine = { identityId, items: input.items.filter((i) => i.identityId === identityId) };
        // A lost response: an earlier try of this very activity may have been accepted by ISC.
        if (info.attempt > 1) await adoptEarlierTry(deps, s, mine, info.scheduledTimestampMs);
        await adoptPendingTwins(deps, s, mine);
        await markHeld(deps, s, mine);
      }
      const submittedAt = new Date(Math.min(deps.now(), s.earliestAdoptedMs)).toISOString();
      await submitRemaining(deps, s, log);
      const items = input.items.map(
        (ref) => s.decided.get(itemKey(ref)) ?? { ...ref, disposition: 'SUBMITTED' as const },
      );
      countSubmitted(request.requestType, items);
      return { items, submittedAt };
    });
  };
}
