/**
 * Which changes a report covers, as a Temporal visibility query, and how an `--identity` key narrows it.
 * Pure: building the query needs no server, so it is tested on its own.
 */
import { IDENTITY_IDS, IDENTITY_REF, WORKFLOW_TYPES } from '../common';
import type { IdentityFilter, ReportPeriod, ReportRow } from './model';

const ISC_ID = /^[0-9a-fA-F]{32}$/;

/** Visibility values here are ISO dates and hex ids, checked before; quotes are dropped all the same. */
function quoted(value: string): string {
  return `'${value.replace(/'/g, '')}'`;
}

/** What `--identity KEY` names: a 32-hex key is an ISC identity id, anything else an employee number. */
export type IdentityKeyInput = { kind: 'identityId'; identityId: string } | { kind: 'employeeNumber'; value: string };

export function identityKeyInput(text: string): IdentityKeyInput {
  const trimmed = text.trim();
  return ISC_ID.test(trimmed)
    ? { kind: 'identityId', identityId: trimmed.toLowerCase() }
    : { kind: 'employeeNumber', value: trimmed };
}

/**
 * Access changes that overlap the period: requested before `until`, and still running or closed at or
 * after `since`. A change requested before the period that ended within it is part of the period's
 * record, and so is one still open at its end.
 */
export function reportQuery(period: ReportPeriod, identity: IdentityFilter | null): string {
  const clauses = [`WorkflowType = '${WORKFLOW_TYPES.accessRequest}'`];
  if (period.until) clauses.push(`StartTime < ${quoted(period.until)}`);
  if (period.since) clauses.push(`(ExecutionStatus = 'Running' OR CloseTime >= ${quoted(period.since)})`);
  if (identity?.kind === 'identityId') clauses.push(`${IDENTITY_IDS.name} = ${quoted(identity.identityId)}`);
  if (identity?.kind === 'ref') {
    // Changes a lifecycle started carry its ref; changes made for the same person by hand carry only the
    // ISC id, which the lifecycle knows once it has found the identity.
    const byRef = `${IDENTITY_REF.name} = ${quoted(identity.ref)}`;
    const byIds = identity.identityIds.length
      ? ` OR ${IDENTITY_IDS.name} IN (${identity.identityIds.map(quoted).join(', ')})`
      : '';
    clauses.push(`(${byRef}${byIds})`);
  }
  return clauses.join(' AND ');
}

/** The query that finds an identity's lifecycle by its ref, to learn its ISC id. */
export function lifecycleQuery(ref: string): string {
  return `WorkflowType = '${WORKFLOW_TYPES.identityLifecycle}' AND ${IDENTITY_REF.name} = ${quoted(ref)}`;
}

/**
 * Whether a row belongs to the identity asked about. A grant to several identities gives a row for each;
 * only that identity's are kept. Rows of a change its lifecycle started (`fromLifecycle`) are its own.
 */
export function rowMatches(filter: IdentityFilter | null, row: ReportRow, fromLifecycle: boolean): boolean {
  if (!filter) return true;
  if (filter.kind === 'identityId') return row.identityId === filter.identityId;
  return fromLifecycle || filter.identityIds.includes(row.identityId);
}
