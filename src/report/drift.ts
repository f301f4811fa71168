/**
 * Drift findings as rows of the audit report: what each scheduled drift sweep of the period found, one row
 * per (identity, item), read from the sweep's recorded result (sweeps are few: one history read each).
 * The repairs themselves are access changes (cause `drift`) and come in as any other change.
 */
import type { Client } from '@temporalio/client';
import { WORKFLOW_TYPES } from '../common';
import type { DriftSweepSummary } from '../workflows/drift-sweep/contracts';
import type { IdentityFilter, ReportPeriod, ReportRow } from './model';
import { mapBounded } from './bounded';

function sweepQuery(period: ReportPeriod): string {
  const quoted = (value: string): string => `'${value.replace(/'/g, '')}'`;
  const clauses = [`WorkflowType = '${WORKFLOW_TYPES.driftSweep}'`, `ExecutionStatus = 'Completed'`];
  if (period.until) clauses.push(`StartTime < ${quoted(period.until)}`);
  if (period.since) clauses.push(`CloseTime >= ${quoted(period.since)}`);
  return clauses.join(' AND ');
}

/** The rows of one sweep's findings, for the identity asked about (all when none was). */
export function findingRows(
  sweep: { workflowId: string; runId: string; summary: DriftSweepSummary },
  filter: IdentityFilter | null,
): ReportRow[] {
  const { summary } = sweep;
  return summary.drifted
    .filter(
      (d) =>
        !filter ||
        (filter.kind === 'identityId'
          ? d.iscIdentityId === filter.identityId
          : d.ref === filter.ref || filter.identityIds.includes(d.iscIdentityId)),
    )
    .flatMap((d) =>
      d.findings.map((f): ReportRow => ({
        workflowId: sweep.workflowId,
        runId: sweep.runId,
        identityId: d.iscIdentityId,
        itemType: f.item.type,
        itemId: f.item.id,
        change: 'drift',
        cause: 'drift-sweep',
        causeRef: null,
        idempotencyKey: null,
        requestedAt: summary.startedAt,
        finalAt: summary.finishedAt,
        status: 'final',
        outcome: f.finding.toUpperCase(),
        iscState: null,
        accessRequestId: null,
        removeDate: null,
        removalStatus: null,
        decisions: [],
      })),
    );
}

/** Every finding of the drift sweeps that ran in the period. */
export async function readDriftRows(
  client: Client,
  period: ReportPeriod,
  filter: IdentityFilter | null,
  concurrency: number,
): Promise<ReportRow[]> {
  const sweeps: Array<{ workflowId: string; runId: string }> = [];
  for await (const run of client.workflow.list({ query: sweepQuery(period) }))
    sweeps.push({ workflowId: run.workflowId, runId: run.runId });
  const read = await mapBounded(sweeps, concurrency, async (sweep) => ({
    ...sweep,
    summary: (await client.workflow.getHandle(sweep.workflowId, sweep.runId).result()) as DriftSweepSummary,
  }));
  return read.flatMap((sweep) => findingRows(sweep, filter));
}
