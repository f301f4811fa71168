/**
 * Pure rules of shared status tracking: coalescing submissions, batching status look-ups, the polling
 * cadence, and how ISC's call budget is shared between submitting and polling. The tracker workflow runs
 * them; they are tested here without Temporal.
 */
import { sha256Hex } from './hash';
import { MAX_ENTITLEMENTS_PER_REQUEST, MAX_IDENTITIES_PER_ENTITLEMENT_REQUEST, type PlannedItem } from './plan';
import type { RequestType } from './model';

/** One access change's submission, as it waits in a tracker's queue to be coalesced with others. */
export interface SubmitTicket {
  /** `<workflow id>/<request key>/<attempt>`: unique, and the same when a requester asks again. */
  ticket: string;
  requester: string;
  /** The requester's run chain (its first run id): a new run of the same change is a new intent. */
  chain: string;
  requestKey: string;
  attempt: number;
  requestType: RequestType;
  identityIds: string[];
  /** The items as they go to ISC (dates already left out where the requester's tenant must not get them). */
  items: PlannedItem[];
  comment?: string;
}

/** One ISC request made of one or more tickets: the same items, for up to ten identities in all. */
export interface SubmitBatch {
  batchId: string;
  /** The members' submission round (the same for all of them). */
  attempt: number;
  requestType: RequestType;
  items: PlannedItem[];
  comment?: string;
  members: Array<{ ticket: string; identityIds: string[] }>;
}

/** Identities per coalesced request: ISC's limit for requests with entitlements, kept for all requests. */
export const MAX_IDENTITIES_PER_BATCH = MAX_IDENTITIES_PER_ENTITLEMENT_REQUEST;

function groupKey(ticket: SubmitTicket): string {
  const items = [...ticket.items]
    .map((i) => [i.type, i.id, i.removeDate ?? null, i.startDate ?? null, i.comment ?? null])
    .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  // The submission round is part of the key: the round goes into each item's metadata, which is shared.
  return JSON.stringify([ticket.requestType, items, ticket.comment ?? null, ticket.attempt]);
}

/**
 * Coalesces tickets into ISC-legal requests. Tickets for exactly the same items (with the same dates and
 * comment) share a request, up to ten identities and never the same identity twice; a revoke is never
 * shared (ISC revokes one identity and one item per request). Deterministic: the same tickets in the same
 * order give the same batches and ids.
 */
export function coalesce(tickets: readonly SubmitTicket[]): SubmitBatch[] {
  const groups = new Map<string, SubmitTicket[]>();
  for (const ticket of tickets) {
    const key = ticket.requestType === 'REVOKE_ACCESS' ? `revoke:${ticket.ticket}` : groupKey(ticket);
    groups.set(key, [...(groups.get(key) ?? []), ticket]);
  }
  const batches: SubmitBatch[] = [];
  for (const group of groups.values()) {
    let open: { members: SubmitTicket[]; identities: Set<string> } | undefined;
    const close = (): void => {
      if (!open || open.members.length === 0) return;
      const first = open.members[0] as SubmitTicket;
      const tickets = open.members.map((m) => m.ticket);
      batches.push({
        batchId: sha256Hex(JSON.stringify(tickets)).slice(0, 24),
        attempt: first.attempt,
        requestType: first.requestType,
        items: first.items,
        ...(first.comment !== undefined ? { comment: first.comment } : {}),
        members: open.members.map((m) => ({ ticket: m.ticket, identityIds: m.identityIds })),
      });
      open = undefined;
    };
    for (const ticket of group) {
      const fits =
        open !== undefined &&
        ticket.requestType === 'GRANT_ACCESS' &&
        open.identities.size + ticket.identityIds.length <= MAX_IDENTITIES_PER_BATCH &&
        ticket.items.filter((i) => i.type === 'ENTITLEMENT').length <= MAX_ENTITLEMENTS_PER_REQUEST &&
        ticket.identityIds.every((id) => !open?.identities.has(id));
      if (!fits) {
        close();
        open = { members: [], identities: new Set() };
      }
      open?.members.push(ticket);
      for (const id of ticket.identityIds) open?.identities.add(id);
      if (ticket.requestType === 'REVOKE_ACCESS') close();
    }
    close();
  }
  return batches;
}

/** A partial request waits until no ticket has joined it for this long... */
export const COALESCE_QUIET_MS = 1000;
/** ...or its first ticket has waited this long. */
export const COALESCE_MAX_WAIT_MS = 4000;
/** Submission rounds are at least this far apart (each begins with a held-access search)... */
export const SUBMIT_ROUND_GAP_MS = 2000;
/** ...unless this many identities are ready: a whole search page. */
export const HELD_SEARCH_IDENTITIES = 100;

/**
 * Which queued tickets go to ISC now, and when to look again. A full request (ten identities, or a revoke,
 * which is never shared) is ready at once; a partial one when the burst that fills it has gone quiet, or its
 * first ticket has waited long enough. Rounds are spaced, since each costs a search of what the identities
 * hold, unless a search page's worth of identities is ready. A lone request goes after a second, as before.
 */
export function submissionRound(
  queue: ReadonlyArray<{ ticket: SubmitTicket; atMs: number }>,
  nowMs: number,
  lastRoundAtMs: number | undefined,
): { send: string[]; nextAtMs?: number } {
  if (queue.length === 0) return { send: [] };
  const queuedAt = new Map(queue.map((q) => [q.ticket.ticket, q.atMs]));
  const readiness = coalesce(queue.map((q) => q.ticket)).map((batch) => {
    const times = batch.members.map((m) => queuedAt.get(m.ticket) ?? nowMs);
    const identities = batch.members.reduce((n, m) => n + m.identityIds.length, 0);
    const full = batch.requestType === 'REVOKE_ACCESS' || identities >= MAX_IDENTITIES_PER_BATCH;
    const readyAt = full
      ? Math.max(...times)
      : Math.min(Math.max(...times) + COALESCE_QUIET_MS, Math.min(...times) + COALESCE_MAX_WAIT_MS);
    return { batch, identities, readyAt };
  });
  const ready = readiness.filter((r) => r.readyAt <= nowMs);
  const gateAt = lastRoundAtMs === undefined ? -Infinity : lastRoundAtMs + SUBMIT_ROUND_GAP_MS;
  const readyIdentities = ready.reduce((n, r) => n + r.identities, 0);
  if (ready.length > 0 && (nowMs >= gateAt || readyIdentities >= HELD_SEARCH_IDENTITIES)) {
    return { send: ready.flatMap((r) => r.batch.members.map((m) => m.ticket)) };
  }
  const firstReady = Math.min(...readiness.map((r) => r.readyAt));
  return { send: [], nextAtMs: Math.max(firstReady, gateAt) };
}

/** ISC's page size for status rows. */
export const STATUS_ROWS_PER_CALL = 250;
/** Ids in one `accessRequestId in (...)` filter: modest, as ISC publishes no maximum. */
export const STATUS_IDS_PER_CALL = 50;

/**
 * Groups watched requests into status look-ups: each group's rows fit one page and its ids one filter, so
 * one look-up is one ISC call. A request with more rows than a page gets a group of its own.
 */
export function chunkForStatus(
  requests: ReadonlyArray<{ id: string; rows: number }>,
  { rowsPerCall = STATUS_ROWS_PER_CALL, idsPerCall = STATUS_IDS_PER_CALL } = {},
): string[][] {
  const chunks: string[][] = [];
  let current: string[] = [];
  let rows = 0;
  for (const request of [...requests].sort((a, b) => b.rows - a.rows || a.id.localeCompare(b.id))) {
    if (current.length > 0 && (rows + request.rows > rowsPerCall || current.length >= idsPerCall)) {
      chunks.push(current);
      current = [];
      rows = 0;
    }
    current.push(request.id);
    rows += request.rows;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/**
 * How often a request is looked at, by how long ago it last changed: right after a submission or a change
 * ISC often moves within seconds (auto-approval, fast connectors), so fresh requests are looked at every
 * few seconds; one that has waited for its approver for an hour, every five minutes.
 */
export function pollIntervalMs(sinceChangeMs: number, freshIntervalMs = 3000): number {
  if (sinceChangeMs < 2 * 60_000) return freshIntervalMs;
  if (sinceChangeMs < 10 * 60_000) return 15_000;
  if (sinceChangeMs < 60 * 60_000) return 60_000;
  return 300_000;
}

/**
 * Status calls a tracker may make in a round of `roundMs`, out of ISC's budget. While submissions wait,
 * polling gets a third of the budget, so a wave of joiners is submitted at nearly full speed however many
 * requests are in flight; otherwise most of it (the rest stays for the workflows' own calls).
 */
export function statusCallAllowance({
  budgetPer10s,
  roundMs,
  shards,
  submissionsWaiting,
}: {
  budgetPer10s: number;
  roundMs: number;
  shards: number;
  submissionsWaiting: boolean;
}): number {
  const share = submissionsWaiting ? 1 / 3 : 0.8;
  return Math.max(1, Math.floor((budgetPer10s * share * roundMs) / 10_000 / Math.max(1, shards)));
}

/** The shard of a requester: a stable hash of its workflow id. */
export function trackerShardOf(workflowId: string, shards: number): number {
  return parseInt(sha256Hex(workflowId).slice(0, 8), 16) % Math.max(1, shards);
}
