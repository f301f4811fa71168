/**
 * From the runs of access changes to report rows: runs are grouped into their continue-as-new chains, and
 * each change gives one row per (identity, item) it asked for.
 */
import type { ChangeItem, ChangeRun } from './history';
import type { ReportRow } from './model';

/** Where a running change stands now, from its `status` query (or only its phase when that failed). */
export interface LiveStatus {
  phase: string;
  items: ChangeItem[];
}

/** One access change: the runs of its chain, first to last, and while it runs, its live status. */
export interface Change {
  workflowId: string;
  runs: ChangeRun[];
  live: LiveStatus | null;
}

/**
 * Groups runs into chains (runs linked by continue-as-new share their first run) and orders each chain
 * from first to last. A run id is unique, so chains of one workflow id that ran again are kept apart.
 */
export function chainRuns(runs: readonly ChangeRun[]): ChangeRun[][] {
  const byFirst = new Map<string, ChangeRun[]>();
  for (const run of runs) {
    const chain = byFirst.get(run.firstRunId) ?? [];
    if (!chain.some((r) => r.runId === run.runId)) chain.push(run);
    byFirst.set(run.firstRunId, chain);
  }
  return [...byFirst.values()].map((chain) =>
    // A continued run starts when the one before it closes, so start times order a chain.
    chain.sort((a, b) => a.startedAt.localeCompare(b.startedAt)),
  );
}

const pairKey = (identityId: string, itemType: string, itemId: string): string => `${identityId}|${itemType}|${itemId}`;

/** Whether the change is still open: its last run runs, or continued as a run not read (yet). */
function isOpen(last: ChangeRun): boolean {
  return last.closure === null || last.closure === 'CONTINUED_AS_NEW';
}

/** One row per (identity, item) the change asked for, with its outcome as the change stands. */
export function changeRows(change: Change): ReportRow[] {
  const first = change.runs[0];
  const last = change.runs[change.runs.length - 1];
  if (!first || !last) return [];
  const { request, cause, idempotencyKey } = first.input;
  const open = isOpen(last);
  const known = new Map<string, ChangeItem>();
  for (const item of (open ? change.live?.items : last.result?.items) ?? []) {
    known.set(pairKey(item.identityId, item.itemType, item.itemId), item);
  }
  const decisions = change.runs.flatMap((r) => r.decisions);
  const rows: ReportRow[] = [];
  for (const identityId of request.identityIds) {
    for (const asked of request.items) {
      const item = known.get(pairKey(identityId, asked.type, asked.id));
      rows.push({
        workflowId: change.workflowId,
        runId: last.runId,
        identityId,
        itemType: asked.type,
        itemId: asked.id,
        change: request.requestType === 'GRANT_ACCESS' ? 'grant' : 'revoke',
        cause: cause?.kind ?? 'unknown',
        causeRef: cause?.ref ?? null,
        idempotencyKey: idempotencyKey ?? null,
        requestedAt: first.startedAt,
        finalAt: open ? null : last.closedAt,
        status: open ? 'running' : 'final',
        outcome: outcomeOf(last, item, change.live),
        iscState: item?.iscState ?? null,
        accessRequestId: item?.accessRequestId ?? null,
        removeDate: item?.removal?.removeDate ?? asked.removeDate ?? null,
        removalStatus: item?.removal?.status ?? null,
        decisions,
      });
    }
  }
  return rows;
}

function outcomeOf(last: ChangeRun, item: ChangeItem | undefined, live: LiveStatus | null): string {
  if (isOpen(last)) return item?.outcome ?? live?.phase ?? 'RUNNING';
  if (last.closure === 'COMPLETED') return item?.outcome ?? 'FAILED';
  return `WORKFLOW_${last.closure ?? 'RUNNING'}`;
}

/** Report order: by request time, then workflow, identity and item, so two reports of one period diff cleanly. */
export function compareRows(a: ReportRow, b: ReportRow): number {
  return (
    a.requestedAt.localeCompare(b.requestedAt) ||
    a.workflowId.localeCompare(b.workflowId) ||
    a.identityId.localeCompare(b.identityId) ||
    a.itemType.localeCompare(b.itemType) ||
    a.itemId.localeCompare(b.itemId)
  );
}
