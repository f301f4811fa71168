/** Pending approvals, approve/reject, and (v2025) bulk-approve. */
import { iso } from '../clock';
import { type FastifyInstance } from 'fastify';
import { z } from 'zod';
import { bySorters, evaluateFilter, type FieldTable, filterParam, ops, pinnedValues, sortersParam } from '../filters';
import { type ApiVersion } from '../guard';
import { type RequestItem } from '../model';
import { page, parsePaging, stringParam } from '../paging';
import { renderPendingApproval } from '../render';
import { type SimulatorState } from '../state';
import { parseBody } from './access-requests';

const FIELDS: FieldTable<RequestItem> = {
  id: { ops: ops('eq', 'in'), kind: 'string', get: (r) => r.approval?.id ?? null },
  'requestedFor.id': { ops: ops('eq', 'in'), kind: 'string', get: (r) => r.identityId },
  accessRequestId: { ops: ops('eq', 'in'), kind: 'string', get: (r) => r.accessRequestId },
  modified: {
    ops: ops('gt', 'lt', 'ge', 'le', 'eq', 'in'),
    kind: 'date',
    get: (r) => iso(r.approval?.modified ?? r.modified),
  },
  created: {
    ops: ops('gt', 'lt', 'ge', 'le', 'eq', 'in'),
    kind: 'date',
    get: (r) => iso(r.approval?.created ?? r.created),
  },
};
const SORTERS = new Set(['created', 'modified']);

const approvalTime = (r: RequestItem, field: string): number =>
  field === 'created' ? (r.approval?.created ?? 0) : (r.approval?.modified ?? 0);

const commentSchema = z.object({ comment: z.string().nullable().optional() }).optional();
const bulkApproveSchema = z.object({ approvalIds: z.array(z.string()).min(1).max(50), comment: z.string().min(1) });

export function approvalRoutes(app: FastifyInstance, state: SimulatorState, version: ApiVersion): void {
  app.get('/access-request-approvals/pending', async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    const ownerParam = stringParam(query, 'owner-id');
    const ownerId = ownerParam === 'me' ? state.catalog.admin.id : ownerParam;
    const paging = parsePaging(query);
    const filter = filterParam(query, FIELDS);
    const sorters = sortersParam(query, SORTERS);
    const pinned = filter && pinnedValues(filter, 'id');
    const candidates = pinned
      ? pinned.flatMap((id) => state.engine.pendingApprovals.get(id) ?? [])
      : state.engine.pendingApprovals.values();
    const rows: RequestItem[] = [];
    for (const row of candidates) {
      if (ownerId !== undefined && row.approval?.ownerId !== ownerId) continue;
      if (filter && !evaluateFilter(filter, FIELDS, row)) continue;
      rows.push(row);
    }
    // Array.prototype.sort is stable: ties keep the order approvals were asked for.
    if (sorters.length > 0) rows.sort(bySorters(sorters, approvalTime));
    return reply.send(page(rows, paging, reply).map((row) => renderPendingApproval(row, state.identities)));
  });

  for (const decision of ['approve', 'reject'] as const) {
    app.post<{ Params: { approvalId: string } }>(
      `/access-request-approvals/:approvalId/${decision}`,
      async (request, reply) => {
        const body = parseBody(commentSchema, request.body);
        const [row] = state.engine.pendingApprovalRows([request.params.approvalId]);
        const comment = body?.comment ?? null;
        if (row) {
          if (decision === 'approve') state.engine.approve(row, comment, state.clock.now());
          else state.engine.reject(row, comment, state.clock.now());
        }
        return reply.code(202).send({});
      },
    );
  }

  if (version !== 'v2025') return;

  app.post('/access-request-approvals/bulk-approve', async (request, reply) => {
    const body = parseBody(bulkApproveSchema, request.body);
    const now = state.clock.now();
    for (const row of state.engine.pendingApprovalRows(body.approvalIds)) state.engine.approve(row, body.comment, now);
    return reply.code(202).send({});
  });
}
