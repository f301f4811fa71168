/**
 * Checks an access change against ISC's rules before anything is sent, so a caller learns about a bad
 * date or a missing revoke comment at once instead of as a 400 (or worse, a silent ISC behaviour).
 */
import { type z } from 'zod';
import { parseIsoDateTime } from './dates';
import { type AccessChange, accessChangeSchema } from './model';

/** Stable rule codes. Callers (CLI, ingress) may branch on them; never rename one. */
export const VIOLATION_RULES = [
  'REQUIRED',
  'INVALID_TYPE',
  'UNKNOWN_FIELD',
  'EMPTY_LIST',
  'UNKNOWN_REQUEST_TYPE',
  'UNKNOWN_ITEM_TYPE',
  'MALFORMED_ID',
  'DUPLICATE_IDENTITY',
  'DUPLICATE_ITEM',
  'DATE_MALFORMED',
  'DATE_NOT_UTC',
  'DATE_IN_PAST',
  'START_NOT_BEFORE_REMOVE',
  'REVOKE_COMMENT_REQUIRED',
  'REVOKE_NO_START_DATE',
] as const;
export type ViolationRule = (typeof VIOLATION_RULES)[number];

/** One broken rule: which field, which rule, and a one-sentence explanation naming both. */
export interface Violation {
  /** Path of the offending field, e.g. `removeDate`, `items[2].type`, `identityIds`. */
  field: string;
  rule: ViolationRule;
  message: string;
}

export type ValidationResult = { ok: true; change: AccessChange } | { ok: false; violations: Violation[] };

const DATE_FIELDS = ['startDate', 'removeDate'] as const;

function violation(field: string, rule: ViolationRule, text: string): Violation {
  return { field, rule, message: `${field} ${text} (rule ${rule}).` };
}

function fieldName(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out === '' ? 'change' : out;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = root;
  for (const part of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[part];
  }
  return current;
}

function fromSchemaIssue(issue: z.core.$ZodIssue, input: unknown): Violation[] {
  const field = fieldName(issue.path);
  const last = issue.path[issue.path.length - 1];
  const absent = issue.path.length > 0 && valueAt(input, issue.path) === undefined;
  if (absent && (issue.code === 'invalid_type' || issue.code === 'invalid_value')) {
    return [violation(field, 'REQUIRED', 'is required')];
  }
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((key) =>
        violation(fieldName([...issue.path, key]), 'UNKNOWN_FIELD', 'is not a field of an access change'),
      );
    case 'invalid_value':
      if (last === 'requestType')
        return [violation(field, 'UNKNOWN_REQUEST_TYPE', 'must be GRANT_ACCESS or REVOKE_ACCESS')];
      if (last === 'type') {
        return [violation(field, 'UNKNOWN_ITEM_TYPE', 'must be one of ROLE, ACCESS_PROFILE, ENTITLEMENT')];
      }
      return [violation(field, 'INVALID_TYPE', issue.message)];
    case 'invalid_format':
      return [violation(field, 'MALFORMED_ID', 'must be an ISC id: 32 hexadecimal characters without dashes')];
    case 'too_small':
      return [violation(field, 'EMPTY_LIST', 'must contain at least one entry')];
    case 'invalid_type':
      return [violation(field, 'INVALID_TYPE', `must be of type ${issue.expected}`)];
    default:
      return [violation(field, 'INVALID_TYPE', issue.message)];
  }
}

/**
 * The fields the rule checks read. Typed loosely so that the rules also run when the shape check failed
 * elsewhere: a caller then learns every problem in one answer instead of one per attempt.
 */
interface RuleFields {
  requestType?: unknown;
  comment?: unknown;
  startDate?: unknown;
  removeDate?: unknown;
}

function ruleFields(input: unknown): RuleFields {
  return input !== null && typeof input === 'object' ? input : {};
}

function dateViolations(change: RuleFields, nowMs: number): Violation[] {
  const out: Violation[] = [];
  const epochs: Partial<Record<(typeof DATE_FIELDS)[number], number>> = {};
  for (const field of DATE_FIELDS) {
    const value = change[field];
    // A non-string date is already reported by the shape check.
    if (typeof value !== 'string') continue;
    const parsed = parseIsoDateTime(value);
    if (parsed.kind === 'malformed') {
      out.push(violation(field, 'DATE_MALFORMED', 'must be an ISO-8601 date-time such as 2030-01-31T17:00:00Z'));
    } else if (parsed.kind === 'not-utc') {
      out.push(violation(field, 'DATE_NOT_UTC', 'must be in UTC, ending in Z or +00:00, as ISC requires'));
    } else if (parsed.epochMs <= nowMs) {
      out.push(violation(field, 'DATE_IN_PAST', 'must be in the future'));
    } else {
      epochs[field] = parsed.epochMs;
    }
  }
  if (epochs.startDate !== undefined && epochs.removeDate !== undefined && epochs.startDate >= epochs.removeDate) {
    out.push(violation('startDate', 'START_NOT_BEFORE_REMOVE', 'must be before removeDate'));
  }
  return out;
}

function duplicateViolations(change: AccessChange): Violation[] {
  const out: Violation[] = [];
  const identities = new Set<string>();
  change.identityIds.forEach((id, index) => {
    if (identities.has(id))
      out.push(violation(`identityIds[${index}]`, 'DUPLICATE_IDENTITY', `repeats identity ${id}`));
    identities.add(id);
  });
  const items = new Set<string>();
  change.items.forEach((item, index) => {
    const key = `${item.type}:${item.id}`;
    if (items.has(key)) out.push(violation(`items[${index}]`, 'DUPLICATE_ITEM', `repeats ${item.type} ${item.id}`));
    items.add(key);
  });
  return out;
}

function revokeViolations(change: RuleFields): Violation[] {
  if (change.requestType !== 'REVOKE_ACCESS') return [];
  const out: Violation[] = [];
  if (change.comment === undefined || (typeof change.comment === 'string' && change.comment.trim() === '')) {
    out.push(violation('comment', 'REVOKE_COMMENT_REQUIRED', 'is required for REVOKE_ACCESS'));
  }
  if (change.startDate !== undefined) {
    out.push(violation('startDate', 'REVOKE_NO_START_DATE', 'is not allowed for REVOKE_ACCESS'));
  }
  return out;
}

/**
 * Validates an access change against ISC's rules, relative to `now` (an ISO-8601 instant, passed in so
 * that the check is deterministic inside workflows).
 *
 * A revoke for several identities or items is valid: `planAccessRequests` splits it into one request per
 * (identity, item), which is what ISC accepts.
 *
 * @throws TypeError when `now` itself is not a UTC ISO-8601 date-time (a programming error, not bad input).
 */
export function validateAccessChange(change: unknown, now: string): ValidationResult {
  const parsedNow = parseIsoDateTime(now);
  if (parsedNow.kind !== 'utc') throw new TypeError(`now must be a UTC ISO-8601 date-time, got ${JSON.stringify(now)}`);

  const parsed = accessChangeSchema.safeParse(change);
  const fields = ruleFields(change);
  const violations = [
    ...(parsed.success
      ? duplicateViolations(parsed.data)
      : parsed.error.issues.flatMap((issue) => fromSchemaIssue(issue, change))),
    ...revokeViolations(fields),
    ...dateViolations(fields, parsedNow.epochMs),
  ];
  if (parsed.success && violations.length === 0) return { ok: true, change: parsed.data };
  return { ok: false, violations };
}

/** One line per violation, for a terminal or an HTTP 400 body. */
export function formatViolations(violations: readonly Violation[]): string {
  return violations.map((v) => v.message).join('\n');
}
