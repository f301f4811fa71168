/**
 * The report for a terminal: one aligned line per row, its operator decisions indented below it, and a
 * closing line with the totals.
 */
import type { Report, ReportRow } from '../model';
import { describeCause, describeDecision, describeOutcome } from './text';

const HEADINGS = ['REQUESTED', 'FINAL', 'IDENTITY', 'ITEM', 'CHANGE', 'OUTCOME', 'ACCESS REQUEST', 'CAUSE'] as const;

/** Seconds are enough on a terminal; the CSV and JSON keep the milliseconds. */
const short = (iso: string | null): string => (iso ? `${iso.slice(0, 19)}Z` : '-');

function cells(row: ReportRow): string[] {
  return [
    short(row.requestedAt),
    short(row.finalAt),
    row.identityId,
    `${row.itemType}:${row.itemId}`,
    row.change,
    describeOutcome(row),
    row.accessRequestId ?? '-',
    describeCause(row),
  ];
}

function describePeriod(report: Report): string {
  const { since, until } = report.period;
  if (!since && !until) return 'all retained changes';
  return `changes from ${since ?? 'the start of retention'} to ${until ?? 'now'}`;
}

export function renderTable(report: Report): string {
  const body = report.rows.map(cells);
  const widths = HEADINGS.map((h, c) => Math.max(h.length, ...body.map((r) => r[c]?.length ?? 0)));
  const line = (values: readonly string[]): string =>
    values
      .map((v, c) => v.padEnd(widths[c] ?? 0))
      .join('  ')
      .trimEnd();
  const lines = [line(HEADINGS)];
  report.rows.forEach((row, i) => {
    lines.push(line(body[i] ?? []));
    for (const decision of row.decisions) lines.push(`    ${describeDecision(decision)}`);
  });
  const running = report.rows.filter((r) => r.status === 'running').length;
  const changes = new Set(report.rows.map((r) => `${r.workflowId} ${r.requestedAt}`)).size;
  lines.push(
    '',
    `${report.rows.length} rows from ${changes} changes (${running} rows still running); ${describePeriod(report)}`,
  );
  return `${lines.join('\n')}\n`;
}
