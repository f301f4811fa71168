import { iso } from './clock';
import { type FastifyReply } from 'fastify';
import { badRequest } from './errors';
import {
  checkFilter,
  evaluateFilter,
  type FieldTable,
  type FilterNode,
  ops,
  type Operator,
  parseFilter,
  parseSorters,
  pinnedValues,
} from './filters';
import { type ApiVersion } from './guard';
import { IN_PROGRESS_STATES, type RequestItem } from './model';
import { page, parsePaging, stringParam } from './paging';
import { statusJson } from './render';
import { type SimulatorState } from './state';

/**
 * GET /access-request-status. Candidates come from an index (accessRequestId, accountActivityItemId,
 * requested-for, requester, approval owner, in-progress set) and only they are filtered, so a
 * listing costs the size of its answer, not the size of the history.
 */

const accountActivityItemId = (o: ReadonlySet<Operator>) => ({
  ops: o,
  kind: 'string' as const,
  get: (r: RequestItem) => r.accountActivityItemId,
});

/** Straight from each document's `filters` description; the legacy table is seed 004's. */
const FIELD_TABLES: Record<ApiVersion | 'legacy', FieldTable<RequestItem>> = {
  v3: {
    accessRequestId: {
      ops: ops('eq', 'ge', 'gt', 'le', 'lt', 'ne', 'in', 'sw'),
      kind: 'string',
      get: (r) => r.accessRequestId,
    },
    accountActivityItemId: accountActivityItemId(ops('eq', 'in', 'ge', 'gt', 'le', 'ne', 'sw')),
    created: { ops: ops('eq', 'ge', 'gt', 'le', 'lt', 'ne'), kind: 'date', get: (r) => iso(r.created) },
  },
  v2025: {
    accessRequestId: {
      ops: ops('eq', 'ge', 'gt', 'le', 'lt', 'ne', 'sw'),
      kind: 'string',
      get: (r) => r.accessRequestId,
    },
    accountActivityItemId: accountActivityItemId(ops('eq', 'in', 'ge', 'gt', 'le', 'ne', 'sw')),
    created: { ops: ops('eq', 'ge', 'gt', 'le', 'lt', 'ne'), kind: 'date', get: (r) => iso(r.created) },
  },
  legacy: {
    accountActivityItemId: accountActivityItemId(ops('eq', 'in', 'ge', 'gt', 'le', 'lt', 'ne', 'isnull', 'sw')),
  },
};

const SORTERS = new Set(['created', 'modified', 'accountActivityItemId', 'name']);

function sortValue(row: RequestItem, field: string): number | string {
  switch (field) {
    case 'created':
      return row.created;
    case 'modified':
      return row.modified;
    case 'accountActivityItemId':
      return row.accountActivityItemId;
    default:
      return row.itemName;
  }
}

function bySeq(a: RequestItem, b: RequestItem): number {
  return a.seq - b.seq;
}

function fromIds(ids: string[], lookup: (id: string) => RequestItem[] | undefined): RequestItem[] {
  const rows = new Set<RequestItem>();
  for (const id of ids) for (const row of lookup(id) ?? []) rows.add(row);
  return [...rows].sort(bySeq);
}

export function listStatus(
  state: SimulatorState,
  version: ApiVersion,
  query: Record<string, unknown>,
  reply: FastifyReply,
): string {
  const { engine, catalog, identities } = state;
  const me = (value: string | undefined): string | undefined => (value === 'me' ? catalog.admin.id : value);
  const requestedFor = me(stringParam(query, 'requested-for'));
  const requestedBy = me(stringParam(query, 'requested-by'));
  const regarding = me(stringParam(query, 'regarding-identity'));
  const assignedTo = me(stringParam(query, 'assigned-to'));
  const requestState = stringParam(query, 'request-state');
  const paging = parsePaging(query);
  if (regarding !== undefined && (requestedFor !== undefined || requestedBy !== undefined)) {
    throw badRequest('regarding-identity is mutually exclusive with requested-for and requested-by.');
  }
  if (requestState !== undefined && requestState !== 'EXECUTING')
    throw badRequest('request-state: the only valid value is EXECUTING.');
  const fields = FIELD_TABLES[state.config.profile === 'legacy' ? 'legacy' : version];
  const rawFilter = stringParam(query, 'filters');
  let filter: FilterNode | undefined;
  if (rawFilter !== undefined && rawFilter.trim() !== '') {
    filter = parseFilter(rawFilter);
    checkFilter(filter, fields);
  }
  const sorters = parseSorters(stringParam(query, 'sorters'), SORTERS);

  const pinnedRequests = filter && pinnedValues(filter, 'accessRequestId');
  const pinnedItems = filter && pinnedValues(filter, 'accountActivityItemId');
  let candidates: Iterable<RequestItem>;
  if (pinnedRequests) candidates = fromIds(pinnedRequests, (id) => engine.byAccessRequestId.get(id));
  else if (pinnedItems)
    candidates = fromIds(pinnedItems, (id) => {
      const row = engine.byActivityItemId.get(id);
      return row ? [row] : undefined;
    });
  else if (requestedFor !== undefined) candidates = engine.byIdentity.get(requestedFor) ?? [];
  else if (regarding !== undefined)
    candidates = fromIds([regarding], (id) => [
      ...(engine.byIdentity.get(id) ?? []),
      ...(engine.byRequester.get(id) ?? []),
    ]);
  else if (requestedBy !== undefined) candidates = engine.byRequester.get(requestedBy) ?? [];
  else if (assignedTo !== undefined) candidates = engine.byApprovalOwner.get(assignedTo) ?? [];
  else if (requestState !== undefined) candidates = engine.inProgress;
  else candidates = engine.visible;

  const rows: RequestItem[] = [];
  for (const row of candidates) {
    if (requestedFor !== undefined && row.identityId !== requestedFor) continue;
    if (requestedBy !== undefined && row.requesterId !== requestedBy) continue;
    if (regarding !== undefined && row.identityId !== regarding && row.requesterId !== regarding) continue;
    if (assignedTo !== undefined && row.approval?.ownerId !== assignedTo) continue;
    if (requestState !== undefined && !IN_PROGRESS_STATES.has(row.state)) continue;
    if (filter && !evaluateFilter(filter, fields, row)) continue;
    rows.push(row);
  }
  if (sorters.length > 0) {
    rows.sort((a, b) => {
      for (const { field, descending } of sorters) {
        const x = sortValue(a, field);
        const y = sortValue(b, field);
        if (x !== y) return (x < y ? -1 : 1) * (descending ? -1 : 1);
      }
      return bySeq(a, b);
    });
  }
  return `[${page(rows, paging, reply)
    .map((row) => statusJson(row, identities))
    .join(',')}]`;
}
