/**
 * The HR event (v1): what an HR system, an ISC trigger, a file or the CLI says happened to a person.
 * Validated whole before anything starts; every problem is reported with the field and the rule.
 *
 * ```json
 * { "id": "wd-88121", "source": "workday", "type": "hire",
 *   "identity": { "employeeNumber": "E1042" },
 *   "effectiveAt": "2027-01-04T08:00:00Z",
 *   "attributes": { "department": "Engineering", "location": "Berlin", "workerType": "employee" } }
 * ```
 * Pure: imported by workflow code.
 */
import { z } from 'zod';
import { parseIsoDateTime } from './dates';
import { iscIdSchema } from './model';

export const HR_EVENT_TYPES = ['hire', 'update', 'terminate', 'rescind'] as const;
export type HrEventType = (typeof HR_EVENT_TYPES)[number];

/** Event ids and sources: characters that need no escaping in ids, URLs, logs and visibility queries. */
const EVENT_ID = /^[A-Za-z0-9._:@+=-]{1,200}$/;
const SOURCE = /^[A-Za-z0-9._:-]{1,100}$/;
const EMPLOYEE_NUMBER = /^[A-Za-z0-9._:@+=/-]{1,100}$/;

/** An attribute value as HR states it; `null` (in an update) removes the attribute. */
export const attributeValueSchema = z.union([z.string().max(1000), z.number(), z.boolean(), z.null()]);
export type AttributeValue = z.infer<typeof attributeValueSchema>;
export type Attributes = Record<string, string | number | boolean>;

export const hrEventSchema = z.strictObject({
  id: z.string().regex(EVENT_ID),
  source: z.string().regex(SOURCE).default('default'),
  type: z.enum(HR_EVENT_TYPES),
  identity: z.strictObject({
    employeeNumber: z.string().regex(EMPLOYEE_NUMBER).optional(),
    id: iscIdSchema.optional(),
  }),
  effectiveAt: z.string(),
  attributes: z.record(z.string().min(1).max(100), attributeValueSchema).optional(),
  rescinds: z.string().regex(EVENT_ID).optional(),
});
export type HrEvent = z.output<typeof hrEventSchema>;

/** Stable rule codes of HR event validation; callers (CLI, ingress) may branch on them. */
export const HR_EVENT_RULES = [
  'REQUIRED',
  'INVALID_TYPE',
  'UNKNOWN_FIELD',
  'EVENT_ID_FORMAT',
  'SOURCE_FORMAT',
  'UNKNOWN_EVENT_TYPE',
  'IDENTITY_REQUIRED',
  'EMPLOYEE_NUMBER_FORMAT',
  'MALFORMED_ID',
  'DATE_MALFORMED',
  'DATE_NOT_UTC',
  'RESCINDS_REQUIRED',
  'RESCINDS_NOT_ALLOWED',
  'ATTRIBUTES_NOT_ALLOWED',
  'ATTRIBUTE_REMOVAL_NOT_ALLOWED',
  'ATTRIBUTE_VALUE',
] as const;
export type HrEventRule = (typeof HR_EVENT_RULES)[number];

export interface HrEventViolation {
  /** Path of the offending field, e.g. `identity.employeeNumber`, `attributes.department`. */
  field: string;
  rule: HrEventRule;
  message: string;
}

export type HrEventValidation = { ok: true; event: HrEvent } | { ok: false; violations: HrEventViolation[] };

function violation(field: string, rule: HrEventRule, text: string): HrEventViolation {
  return { field, rule, message: `${field} ${text} (rule ${rule}).` };
}

function pathOf(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join('');
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = root;
  for (const part of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[part];
  }
  return current;
}

const FORMAT_RULES: Record<string, [HrEventRule, string]> = {
  id: ['EVENT_ID_FORMAT', 'must be 1 to 200 of letters, digits and . _ : @ + = -'],
  rescinds: ['EVENT_ID_FORMAT', 'must be an event id: 1 to 200 of letters, digits and . _ : @ + = -'],
  source: ['SOURCE_FORMAT', 'must be 1 to 100 of letters, digits and . _ : -'],
  'identity.employeeNumber': ['EMPLOYEE_NUMBER_FORMAT', 'must be 1 to 100 of letters, digits and . _ : @ + = / -'],
  'identity.id': ['MALFORMED_ID', 'must be an ISC id: 32 hexadecimal characters without dashes'],
};

function fromIssue(issue: z.core.$ZodIssue, input: unknown): HrEventViolation[] {
  const field = pathOf(issue.path) || 'event';
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) =>
      violation(pathOf([...issue.path, key]), 'UNKNOWN_FIELD', 'is not a field of an HR event (v1)'),
    );
  }
  if (issue.path.length > 0 && valueAt(input, issue.path) === undefined)
    return [violation(field, 'REQUIRED', 'is required')];
  if (field === 'type') return [violation(field, 'UNKNOWN_EVENT_TYPE', `must be one of ${HR_EVENT_TYPES.join(', ')}`)];
  if (issue.path[0] === 'attributes' && issue.path.length === 2) {
    return [
      violation(field, 'ATTRIBUTE_VALUE', 'must be a string (at most 1000 characters), a number, a boolean or null'),
    ];
  }
  const format = FORMAT_RULES[field];
  if (format && (issue.code === 'invalid_format' || issue.code === 'too_big' || issue.code === 'too_small')) {
    return [violation(field, format[0], format[1])];
  }
  if (issue.code === 'invalid_type') return [violation(field, 'INVALID_TYPE', `must be of type ${issue.expected}`)];
  return [violation(field, 'INVALID_TYPE', issue.message)];
}

/**
 * The fields the rule checks read, typed loosely so the rules also run when the shape check failed
 * elsewhere: a sender learns every problem in one answer instead of one per attempt.
 */
interface RuleFields {
  type?: unknown;
  identity?: { employeeNumber?: unknown; id?: unknown };
  effectiveAt?: unknown;
  rescinds?: unknown;
  attributes?: unknown;
}

function ruleViolations(input: unknown): HrEventViolation[] {
  const event: RuleFields = input !== null && typeof input === 'object' ? input : {};
  const out: HrEventViolation[] = [];
  const identity = event.identity !== null && typeof event.identity === 'object' ? event.identity : undefined;
  if (identity && identity.employeeNumber === undefined && identity.id === undefined) {
    out.push(violation('identity', 'IDENTITY_REQUIRED', 'needs employeeNumber (HR’s key) or id (the ISC identity id)'));
  }
  const parsed = typeof event.effectiveAt === 'string' ? parseIsoDateTime(event.effectiveAt) : undefined;
  if (parsed?.kind === 'malformed') {
    out.push(violation('effectiveAt', 'DATE_MALFORMED', 'must be an ISO-8601 date-time such as 2027-01-04T08:00:00Z'));
  } else if (parsed?.kind === 'not-utc') {
    out.push(violation('effectiveAt', 'DATE_NOT_UTC', 'must be in UTC, ending in Z or +00:00'));
  }
  if (event.type === 'rescind' && event.rescinds === undefined) {
    out.push(violation('rescinds', 'RESCINDS_REQUIRED', 'names the event a rescind cancels (its id, same source)'));
  }
  if (event.type !== 'rescind' && event.rescinds !== undefined) {
    out.push(violation('rescinds', 'RESCINDS_NOT_ALLOWED', `is only for rescind events, not ${String(event.type)}`));
  }
  if (event.type === 'rescind' && event.attributes !== undefined) {
    out.push(violation('attributes', 'ATTRIBUTES_NOT_ALLOWED', 'are not part of a rescind'));
  }
  for (const [name, value] of Object.entries(event.attributes ?? {})) {
    if (value === null && event.type !== 'update') {
      out.push(
        violation(
          `attributes.${name}`,
          'ATTRIBUTE_REMOVAL_NOT_ALLOWED',
          `null removes an attribute in an update only, not in a ${String(event.type)}`,
        ),
      );
    }
  }
  return out;
}

/** Validates an HR event (v1). Pure and clock-free: past dates are valid (they take effect at once). */
export function validateHrEvent(input: unknown): HrEventValidation {
  const parsed = hrEventSchema.safeParse(input);
  const shape = parsed.success ? [] : parsed.error.issues.flatMap((i) => fromIssue(i, input));
  // A rule already reported by the shape check (a malformed field) is not reported twice.
  const rules = ruleViolations(input).filter((r) => !shape.some((s) => s.field === r.field));
  const violations = [...shape, ...rules];
  if (parsed.success && violations.length === 0) return { ok: true, event: parsed.data };
  return { ok: false, violations };
}

/** How an event reached iscflow; recorded with it for the audit trail. */
export interface EventDelivery {
  channel: 'webhook' | 'cloudevents' | 'isc-trigger' | 'file' | 'cli' | 'api';
  /** The sender's delivery id (`webhook-id`), when it sends one; the same across its retries. */
  deliveryId?: string;
}

/** An event as a lifecycle receives it: what it says, how it came, and when iscflow recorded it. */
export interface ReceivedEvent {
  event: HrEvent;
  delivery: EventDelivery;
  receivedAt: string;
}

/** An event is the same event when its source and id match. */
export function eventKey(event: Pick<HrEvent, 'source' | 'id'>): string {
  return `${event.source}/${event.id}`;
}

/**
 * The identity an event is about: the employee number when given (HR's key), else the ISC identity id.
 * One key, one lifecycle. The key is HR data: it never goes into workflow ids or search attributes in
 * clear (see `src/operations/identity-refs.ts`).
 */
export interface IdentityKey {
  kind: 'employeeNumber' | 'id';
  value: string;
}

export function identityKeyOf(event: Pick<HrEvent, 'identity'>): IdentityKey {
  const { employeeNumber, id } = event.identity;
  if (employeeNumber !== undefined) return { kind: 'employeeNumber', value: employeeNumber };
  if (id !== undefined) return { kind: 'id', value: id };
  throw new TypeError('an HR event names its identity by employeeNumber or id (validate it first)');
}

/**
 * The key of an identity ISC already has (`iscflow adopt`): its employee number when it has one an HR event
 * could name (so HR's later events reach the same lifecycle), else its ISC id.
 */
export function adoptionKeyOf(identity: { id: string; employeeNumber?: string }): IdentityKey {
  const number = identity.employeeNumber;
  return number !== undefined && EMPLOYEE_NUMBER.test(number)
    ? { kind: 'employeeNumber', value: number }
    : { kind: 'id', value: identity.id.toLowerCase() };
}

/** `E1042` -> `employeeNumber:E1042`: the canonical text of a key, the input of its pseudonym. */
export function identityKeyText(key: IdentityKey): string {
  return `${key.kind}:${key.value}`;
}

/** The one line per violation a terminal or an HTTP 400 body shows. */
export function formatHrEventViolations(violations: readonly HrEventViolation[]): string {
  return violations.map((v) => v.message).join('\n');
}
