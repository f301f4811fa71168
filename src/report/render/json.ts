/** The report as one JSON object: the period, how it was narrowed, and the rows (keys in column order). */
import { REPORT_COLUMNS, type Report, type ReportRow } from '../model';

function ordered(row: ReportRow): Record<string, unknown> {
  return Object.fromEntries(REPORT_COLUMNS.map(([name]) => [name, row[name]]));
}

export function renderJson(report: Report): string {
  return `${JSON.stringify(
    {
      period: report.period,
      generatedAt: report.generatedAt,
      identity: report.identity,
      rowCount: report.rows.length,
      rows: report.rows.map(ordered),
    },
    null,
    2,
  )}\n`;
}
