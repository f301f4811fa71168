/**
 * The report as CSV (RFC 4180): a header of the documented columns, CRLF line ends, and fields quoted when
 * they hold a comma, a quote or a line break. Decisions share one field, one per line.
 */
import { REPORT_COLUMNS, type Report, type ReportRow } from '../model';
import { describeDecision } from './text';

/**
 * Spreadsheets run a field that starts with one of these as a formula. Operators type reasons freely, so
 * such a field is written with a leading apostrophe (OWASP's advice); the JSON format keeps it exact.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

export function csvField(value: string): string {
  const safe = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

function cell(row: ReportRow, column: keyof ReportRow): string {
  if (column === 'decisions') return row.decisions.map(describeDecision).join('\n');
  const value = row[column];
  return value === null ? '' : String(value);
}

export function renderCsv(report: Report): string {
  const header = REPORT_COLUMNS.map(([name]) => name).join(',');
  const lines = report.rows.map((row) => REPORT_COLUMNS.map(([name]) => csvField(cell(row, name))).join(','));
  return [header, ...lines].map((line) => `${line}\r\n`).join('');
}
