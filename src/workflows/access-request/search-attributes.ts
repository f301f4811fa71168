/**
 * How a request shows in the Temporal UI: custom search attributes kept in step with it (upserting only
 * what changed), so that operators can filter by identity, item, type, state and ISC access request id;
 * and user metadata, so that the list reads like a work queue: a one-line summary and details given at
 * the start, and current details that follow the request's phase. Ids, types, dates and ISC's states
 * only: never a name or an employee number.
 */
import type { SearchAttributePair } from '@temporalio/common';
import { setCurrentDetails, upsertSearchAttributes } from '@temporalio/workflow';
import type { PlannedRequest } from '../../domain';
import {
  ACCESS_REQUEST_IDS,
  IDEMPOTENCY_KEY,
  IDENTITY_IDS,
  ITEM_IDS,
  OPERATOR_REASON,
  REQUEST_TYPE,
  STATE,
} from '../../common';
import { recordOutcomes } from '../../metrics/workflow';
import type { AccessRequestState, ChangeCause, ItemState } from './contracts';

export interface SearchAttributeSync {
  sync(state: AccessRequestState): void;
}

/**
 * Called on every phase change: updates the current details, and the search attributes when the phase or
 * the access request ids changed. On COMPLETED, where the result is built, it counts the outcomes. Why a
 * change waits for a person (`IscflowOperatorReason`) is set and cleared with the phase it belongs to.
 */
export function createSearchAttributeSync(request: PlannedRequest): SearchAttributeSync {
  let lastState: string | undefined;
  let lastIds = '';
  let staticDone = false;
  let outcomesRecorded = false;
  return {
    sync(state) {
      setCurrentDetails(currentChangeDetails(state));
      if (state.phase === 'COMPLETED' && !outcomesRecorded) {
        outcomesRecorded = true;
        recordOutcomes({ requestType: state.requestType, items: state.items });
      }
      const ids = [...new Set(state.items.flatMap((i) => (i.accessRequestId ? [i.accessRequestId] : [])))].sort();
      // The reason only ever changes as the phase enters or leaves AWAITING_OPERATOR: no upsert of its own.
      const reason = state.phase === 'AWAITING_OPERATOR' ? (state.operator?.code ?? null) : null;
      const idsKey = ids.join(',');
      if (staticDone && lastState === state.phase && lastIds === idsKey) return;
      upsertSearchAttributes([
        ...(staticDone
          ? []
          : [
              { key: IDENTITY_IDS, value: [...request.identityIds].sort() },
              { key: ITEM_IDS, value: [...new Set(request.items.map((i) => i.id))].sort() },
              { key: REQUEST_TYPE, value: request.requestType },
            ]),
        { key: STATE, value: state.phase },
        { key: ACCESS_REQUEST_IDS, value: ids },
        { key: OPERATOR_REASON, value: reason },
      ]);
      staticDone = true;
      lastState = state.phase;
      lastIds = idsKey;
    },
  };
}

/**
 * The search attributes a change starts with, so it can be found (and routed to) before its first task
 * runs. Used by every starter: the CLI and ingress (through src/operations) and the identity lifecycle.
 */
export function initialSearchAttributes(request: PlannedRequest, idempotencyKey?: string): SearchAttributePair[] {
  return [
    { key: IDENTITY_IDS, value: [...request.identityIds].sort() },
    { key: ITEM_IDS, value: [...new Set(request.items.map((i) => i.id))].sort() },
    { key: REQUEST_TYPE, value: request.requestType },
    { key: STATE, value: 'SUBMITTING' },
    ...(idempotencyKey ? [{ key: IDEMPOTENCY_KEY, value: idempotencyKey }] : []),
  ];
}

/** Item lines shown before the rest is summed up as "and N more": the UI shows details in a small box. */
const ITEM_LINES = 10;

const verbOf = (request: Pick<PlannedRequest, 'requestType'>): string =>
  request.requestType === 'GRANT_ACCESS' ? 'Grant' : 'Revoke';

function counted(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

function linesUpTo(lines: string[]): string[] {
  if (lines.length <= ITEM_LINES) return lines;
  return [...lines.slice(0, ITEM_LINES), `- … and ${lines.length - ITEM_LINES} more`];
}

/**
 * The change in one line, for the start option `staticSummary`: what (grant or revoke, which items), for
 * whom (ISC identity ids), and its dates, e.g. `Grant ENTITLEMENT 2c91… to identity 2c92…, until 2027-01-31T17:00:00Z`.
 */
export function changeSummary(request: PlannedRequest): string {
  const [item] = request.items;
  const what =
    request.items.length === 1 && item
      ? `${item.type} ${item.id}`
      : `${counted(request.items.length, 'item', 'items')} (${[...new Set(request.items.map((i) => i.type))].join(', ')})`;
  const [identity] = request.identityIds;
  const whom =
    request.identityIds.length === 1 && identity
      ? `identity ${identity}`
      : counted(request.identityIds.length, 'identity', 'identities');
  const startDate = request.items.find((i) => i.startDate)?.startDate;
  const removeDate = request.items.find((i) => i.removeDate)?.removeDate;
  const dates = [startDate ? `from ${startDate}` : '', removeDate ? `until ${removeDate}` : ''].filter(Boolean);
  const verb = verbOf(request);
  return `${verb} ${what} ${verb === 'Grant' ? 'to' : 'from'} ${whom}${dates.length > 0 ? `, ${dates.join(', ')}` : ''}`;
}

/**
 * The change in full, for the start option `staticDetails` (Temporal's markdown): every identity and item
 * with its dates, what made the change and its idempotency key. The comment is left out: people write
 * names into comments.
 */
export function changeDetails(
  request: PlannedRequest,
  { cause, idempotencyKey }: { cause?: ChangeCause; idempotencyKey?: string } = {},
): string {
  const itemLines = request.items.map((i) => {
    const dates = [i.startDate ? `from ${i.startDate}` : '', i.removeDate ? `until ${i.removeDate}` : ''].filter(
      Boolean,
    );
    return `- ${i.type} \`${i.id}\`${dates.length > 0 ? ` (${dates.join(', ')})` : ''}`;
  });
  return [
    `**${verbOf(request)}** for ${request.identityIds.map((id) => `\`${id}\``).join(', ')}`,
    ...linesUpTo(itemLines),
    ...(cause ? [`Requested by: ${cause.kind}${cause.ref ? ` (${cause.ref})` : ''}`] : []),
    ...(idempotencyKey ? [`Idempotency key: \`${idempotencyKey}\``] : []),
    `Request key: \`${request.key}\``,
  ].join('\n');
}

function itemLine(item: ItemState): string {
  const where = item.outcome ?? (item.iscState ? `in ISC: ${item.iscState}` : 'not final yet');
  const skipped = item.skippedReason ? ' (skipped by an operator)' : '';
  return `- \`${item.identityId}\` ${item.itemType} \`${item.itemId}\`: ${where}${skipped}`;
}

/** Where the change stands, for `setCurrentDetails` (Temporal's markdown). */
export function currentChangeDetails(state: AccessRequestState): string {
  const final = state.items.filter((i) => i.outcome !== undefined).length;
  const head = `**${state.phase}** · ${final} of ${counted(state.items.length, 'item', 'items')} final`;
  const operator = state.operator
    ? [
        `Waiting for an operator since ${state.operator.since}: ${state.operator.reason}`,
        `Decide with the Update \`retry\`, \`skip\`${state.operator.cancellable ? ', `cancel`' : ''} and the data \`{"reason": "..."}\`.`,
      ]
    : [];
  const removals = state.removals
    .filter((r) => r.status === 'SCHEDULED' || r.status === 'REMOVING')
    .map((r) => `- removal of ${r.itemType} \`${r.itemId}\` from \`${r.identityId}\`: ${r.status} (${r.removeDate})`);
  return [head, ...operator, ...linesUpTo(state.items.map(itemLine)), ...linesUpTo(removals)].join('\n');
}
