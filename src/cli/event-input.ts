/**
 * Reading HR events from a file (HR exports, backfills): a JSON object, a JSON array, NDJSON, or CSV with a
 * header row. Everything is validated before anything is sent; each problem names where it is (line, row
 * or index), the field (in a CSV, its column) and the rule.
 *
 * CSV columns: `id, source, type, employeeNumber, identityId, effectiveAt, rescinds`; every other column is
 * an attribute; an empty cell leaves that field or attribute out (unchanged).
 */
import { parse as parseCsv } from 'csv-parse/sync';
import { validateHrEvent, type HrEvent, type HrEventViolation } from '../domain';

export interface LocatedEvent {
  /** Where it came from: `line 3`, `row 7`, `[2]`, or `event`. */
  where: string;
  event: HrEvent;
}

export type EventFileResult = { ok: true; events: LocatedEvent[] } | { ok: false; problems: string[] };

const CSV_FIELDS = new Set(['id', 'source', 'type', 'employeeNumber', 'identityId', 'effectiveAt', 'rescinds']);

function fromCsvRow(row: Record<string, string>): Record<string, unknown> {
  const event: Record<string, unknown> = {};
  const identity: Record<string, string> = {};
  const attributes: Record<string, string> = {};
  for (const [column, raw] of Object.entries(row)) {
    const value = raw.trim();
    if (value === '') continue;
    if (column === 'employeeNumber') identity.employeeNumber = value;
    else if (column === 'identityId') identity.id = value;
    else if (CSV_FIELDS.has(column)) event[column] = value;
    else attributes[column] = value;
  }
  event.identity = identity;
  if (Object.keys(attributes).length > 0) event.attributes = attributes;
  return event;
}

/**
 * A violation of a CSV row, named by its column: the domain names the event's fields by their JSON path
 * (`identity.employeeNumber`, `attributes.location`), which a CSV file never spells out.
 */
function inCsvTerms(v: HrEventViolation): string {
  if (v.rule === 'IDENTITY_REQUIRED') return `employeeNumber or identityId is required (rule ${v.rule}).`;
  const text = v.message.startsWith(`${v.field} `) ? v.message.slice(v.field.length + 1) : v.message;
  const column =
    v.field === 'identity.employeeNumber'
      ? 'employeeNumber'
      : v.field === 'identity.id'
        ? 'identityId'
        : v.field.replace(/^attributes\./, '');
  return `${column} ${text}`;
}

type Candidate = { where: string; value: unknown; csv?: boolean } | { where: string; problem: string };

function candidates(raw: string, csv: boolean): Candidate[] {
  // Spreadsheet and Windows exports often start with a byte-order mark; JSON.parse refuses one on a line.
  const text = raw.startsWith('\uFEFF') ? raw.slice(1) : raw;
  const trimmed = text.trim();
  if (trimmed === '') return [{ where: 'file', problem: 'is empty: no event to send' }];
  if (csv || !/^[[{]/.test(trimmed)) {
    let rows: Array<Record<string, string>>;
    try {
      rows = parseCsv(text, { columns: true, skip_empty_lines: true, trim: false, bom: true });
    } catch (error) {
      return [{ where: 'CSV', problem: `cannot be read: ${(error as Error).message}` }];
    }
    // Row 1 is the header: the first event is row 2, as a spreadsheet numbers it.
    return rows.map((row, n) => ({ where: `row ${n + 2}`, value: fromCsvRow(row), csv: true }));
  }
  try {
    const whole: unknown = JSON.parse(trimmed);
    if (Array.isArray(whole)) return (whole as unknown[]).map((value, n) => ({ where: `[${n}]`, value }));
    return [{ where: 'event', value: whole }];
  } catch {
    // Not one JSON document: NDJSON, one event per non-empty line.
  }
  return text.split('\n').flatMap((line, n): Candidate[] => {
    if (line.trim() === '') return [];
    try {
      return [{ where: `line ${n + 1}`, value: JSON.parse(line) as unknown }];
    } catch {
      return [{ where: `line ${n + 1}`, problem: 'is not valid JSON' }];
    }
  });
}

/** Parses and validates a whole file; `csv` forces CSV (e.g. for a `.csv` name). */
export function readEventFile(text: string, { csv = false }: { csv?: boolean } = {}): EventFileResult {
  const problems: string[] = [];
  const events: LocatedEvent[] = [];
  const found = candidates(text, csv);
  // A CSV with only its header or an empty JSON array is an export that went wrong, as an empty file is.
  if (found.length === 0) return { ok: false, problems: ['file: holds no event to send'] };
  for (const candidate of found) {
    if ('problem' in candidate) {
      problems.push(`${candidate.where}: ${candidate.problem}`);
      continue;
    }
    const result = validateHrEvent(candidate.value);
    if (!result.ok) {
      const say = candidate.csv ? inCsvTerms : (v: HrEventViolation) => v.message;
      problems.push(...result.violations.map((v) => `${candidate.where}: ${say(v)}`));
      continue;
    }
    // The same event twice in one file is not an error: the second is reported as a duplicate.
    events.push({ where: candidate.where, event: result.event });
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, events };
}
