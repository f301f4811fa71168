/**
 * GET /access-request-status. Candidates come from an index (accessRequestId, accountActivityItemId,
 * requested-for, requester, approval owner, in-progress set) and only they are filtered, so a
 * listing costs the size of its answer, not the size of the history.
 */
import { iso } from './clock';
import { type FastifyReply } from 'fastify';
import { badRequest } from './errors';
import {
  bySorters,
  evaluateFilter,
  type FieldTable,
  type FilterNode,
  filterParam,
  ops,
  type Operator,
  pinnedValues,
  type SortKey,
  sortersParam,
} from './filters';
import { type Engine } from './engine';
import { type ApiVersion } from './guard';
import { IN_PROGRESS_STATES, type RequestItem } from './model';
import { page, type Paging, parsePaging, stringParam } from './paging';
import { statusJson } from './render';
import { type SimulatorState } from './state';

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

/** The query's parameters, checked, with `me` as the admin's id. */
interface StatusQuery {
  requestedFor: string | undefined;
  requestedBy: string | undefined;
  regarding: string | undefined;
  assignedTo: string | undefined;
  requestState: string | undefined;
  paging: Paging;
  fields: FieldTable<RequestItem>;
  filter: FilterNode | undefined;
  sorters: SortKey[];
}

function parseStatusQuery(state: SimulatorState, version: ApiVersion, query: Record<string, unknown>): StatusQuery {
  const me = (value: string | undefined): string | undefined => (value === 'me' ? state.catalog.admin.id : value);
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
  const filter = filterParam(query, fields);
  const sorters = sortersParam(query, SORTERS);
  return { requestedFor, requestedBy, regarding, assignedTo, requestState, paging, fields, filter, sorters };
}

/** The smallest indexed set that holds every answer: pinned ids first, then the narrowest parameter. */
function candidatesFor(engine: Engine, q: StatusQuery): Iterable<RequestItem> {
  const pinnedRequests = q.filter && pinnedValues(q.filter, 'accessRequestId');
  const pinnedItems = q.filter && pinnedValues(q.filter, 'accountActivityItemId');
  if (pinnedRequests) return fromIds(pinnedRequests, (id) => engine.byAccessRequestId.get(id));
  if (pinnedItems)
    return fromIds(pinnedItems, (id) => {
      const row = engine.byActivityItemId.get(id);
      return row ? [row] : undefined;
    });
  if (q.requestedFor !== undefined) return engine.byIdentity.get(q.requestedFor) ?? [];
  if (q.regarding !== undefined)
    return fromIds([q.regarding], (id) => [
      ...(engine.byIdentity.get(id) ?? []),
      ...(engine.byRequester.get(id) ?? []),
    ]);
  if (q.requestedBy !== undefined) return engine.byRequester.get(q.requestedBy) ?? [];
  if (q.assignedTo !== undefined) return engine.byApprovalOwner.get(q.assignedTo) ?? [];
  if (q.requestState !== undefined) return engine.inProgress;
  return engine.visible;
}

function matches(row: RequestItem, q: StatusQuery): boolean {
  if (q.requestedFor !== undefined && row.identityId !== q.requestedFor) return false;
  if (q.requestedBy !== undefined && row.requesterId !== q.requestedBy) return false;
  if (q.regarding !== undefined && row.identityId !== q.regarding && row.requesterId !== q.regarding) return false;
  if (q.assignedTo !== undefined && row.approval?.ownerId !== q.assignedTo) return false;
  if (q.requestState !== undefined && !IN_PROGRESS_STATES.has(row.state)) return false;
  return !q.filter || evaluateFilter(q.filter, q.fields, row);
}

/** One page of GET /access-request-status as the JSON text ISC sends (rows are cached as JSON). */
export function listStatus(
  state: SimulatorState,
  version: ApiVersion,
  query: Record<string, unknown>,
  reply: FastifyReply,
): string {
  const q = parseStatusQuery(state, version, query);
  const rows: RequestItem[] = [];
  for (const row of candidatesFor(state.engine, q)) if (matches(row, q)) rows.push(row);
  // Equal on every sorter: submission order.
  if (q.sorters.length > 0) rows.sort(bySorters(q.sorters, sortValue, bySeq));
  return `[${page(rows, q.paging, reply)
    .map((row) => statusJson(row, state.identities))
    .join(',')}]`;
}
