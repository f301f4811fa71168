/** Text shared by every format: how a decision, a cause and an outcome read to a person. */
import type { DecisionRecord, ReportRow } from '../model';

export function describeDecision(d: DecisionRecord): string {
  return `${d.at} ${d.decision}${d.by ? ` by ${d.by}` : ''}: ${d.reason ?? '(no reason given)'}`;
}

export function describeCause(row: ReportRow): string {
  return row.causeRef ? `${row.cause} ${row.causeRef}` : row.cause;
}

/** A running row's outcome is what its status says now, and reads as such. */
export function describeOutcome(row: ReportRow): string {
  return row.status === 'running' ? `${row.outcome} (running)` : row.outcome;
}
