/**
 * ISC event triggers as iscflow reads them. ISC sends the trigger's input as the whole body and no
 * header naming the trigger, so a subscription's URL names it (`?trigger=idn:identity-created`); the
 * payload's shape must agree. Without `?trigger=`, the shape decides where it can: `changes` is an
 * attribute change, `accessRequestId` an access-request decision; created and deleted identities look
 * alike, so those two need the parameter.
 *
 * - `idn:identity-created` becomes a `hire`, effective when it arrives, with the identity's scalar
 *   attributes (the employee number among them, as an attribute);
 * - `idn:identity-attributes-changed` becomes an `update` with each changed attribute's new value, or a
 *   `terminate` when `cloudLifecycleState` changed to a configured terminated state;
 * - `idn:identity-deleted` is acknowledged and ignored: ISC fires it nightly once an identity has no
 *   accounts left, long after the person left; it is not a leaver signal;
 * - `idn:access-request-post-approval` is a hint that an access request moved.
 *
 * Every event from a trigger names its identity by the ISC identity id alone, because that is all an
 * attribute change carries: a hire keyed by the employee number would start one lifecycle and the
 * person's later `terminate`, keyed by the id, another that never hired anyone.
 *
 * ISC sends no event id, so one is made from the trigger, the identity id and a hash of the body: the
 * same delivery twice is one event.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { type HrEventViolation, validateHrEvent, type HrEvent } from '../domain';

export const ISC_TRIGGERS = [
  'idn:identity-created',
  'idn:identity-attributes-changed',
  'idn:identity-deleted',
  'idn:access-request-post-approval',
] as const;
export type IscTrigger = (typeof ISC_TRIGGERS)[number];

/** The HR event source of everything that came from an ISC trigger. */
export const ISC_EVENT_SOURCE = 'isc';

/** What a trigger delivery comes to. */
export type TriggerOutcome =
  | { kind: 'event'; trigger: IscTrigger; event: HrEvent }
  | { kind: 'hint'; trigger: IscTrigger; accessRequestIds: string[] }
  | { kind: 'ignored'; trigger: IscTrigger; detail: string }
  | { kind: 'invalid'; trigger: IscTrigger | undefined; detail: string; violations?: HrEventViolation[] };

export interface TriggerMapping {
  /** `cloudLifecycleState` values (lower case) that make a change a `terminate`. */
  terminatedLifecycleStates: readonly string[];
  /** When the delivery arrived: a created identity is hired as of then. */
  receivedAt: Date;
}

const identityRef = z.looseObject({ id: z.string().min(1).max(100), type: z.string().optional() });
const identityPayload = z.looseObject({ identity: identityRef, attributes: z.record(z.string(), z.unknown()) });
const changesPayload = z.looseObject({
  identity: identityRef,
  changes: z
    .array(
      z.looseObject({
        attribute: z.string().min(1),
        oldValue: z.unknown().optional(),
        newValue: z.unknown().optional(),
      }),
    )
    .min(1)
    .max(1000),
});
const decisionPayload = z.looseObject({ accessRequestId: z.string().regex(/^[0-9A-Za-z-]{1,100}$/) });

const LIFECYCLE_STATE = 'cloudLifecycleState';
/** ISC's identity attribute that holds HR's employee number (the key HR events name people by). */
const EMPLOYEE_NUMBER = 'employeeNumber';
const MAX_ATTRIBUTE_NAME = 100;
const MAX_ATTRIBUTE_TEXT = 1000;

function isTrigger(value: string): value is IscTrigger {
  return (ISC_TRIGGERS as readonly string[]).includes(value);
}

/** The trigger a delivery is: the subscription URL's `?trigger=`, else the payload's shape when that is unambiguous. */
function triggerOf(
  named: string | undefined,
  payload: unknown,
): { trigger: IscTrigger } | { trigger: undefined; detail: string } {
  if (named !== undefined) {
    return isTrigger(named)
      ? { trigger: named }
      : { trigger: undefined, detail: `trigger must be one of ${ISC_TRIGGERS.join(', ')}` };
  }
  if (payload !== null && typeof payload === 'object' && !Array.isArray(payload)) {
    if ('changes' in payload) return { trigger: 'idn:identity-attributes-changed' };
    if ('accessRequestId' in payload) return { trigger: 'idn:access-request-post-approval' };
  }
  return {
    trigger: undefined,
    detail:
      'name the trigger on the subscription URL (?trigger=idn:identity-created, for example): ' +
      'this payload could be more than one trigger',
  };
}

/** Only what an HR event can carry: strings (at most 1000 characters), numbers and booleans. */
function scalar(value: unknown): string | number | boolean | undefined {
  if (typeof value === 'string') return value.length <= MAX_ATTRIBUTE_TEXT ? value : undefined;
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'boolean') return value;
  return undefined;
}

const usableName = (name: string): boolean => name.length > 0 && name.length <= MAX_ATTRIBUTE_NAME;

function eventId(trigger: IscTrigger, identityId: string, body: Buffer): string {
  const digest = createHash('sha256').update(body).digest('hex').slice(0, 32);
  return `${trigger.slice('idn:'.length)}:${identityId}:${digest}`;
}

function validated(trigger: IscTrigger, candidate: Record<string, unknown>): TriggerOutcome {
  const result = validateHrEvent(candidate);
  if (result.ok) return { kind: 'event', trigger, event: result.event };
  return {
    kind: 'invalid',
    trigger,
    detail: `the ${trigger} payload does not make a valid HR event`,
    violations: result.violations,
  };
}

function shapeProblem(trigger: IscTrigger, error: z.ZodError): TriggerOutcome {
  const issue = error.issues[0];
  const where = issue && issue.path.length > 0 ? issue.path.join('.') : 'body';
  return {
    kind: 'invalid',
    trigger,
    detail: `not an ${trigger} payload: ${where}: ${issue?.message ?? 'invalid'}`,
  };
}

function created(payload: unknown, body: Buffer, mapping: TriggerMapping): TriggerOutcome {
  const trigger = 'idn:identity-created';
  const parsed = identityPayload.safeParse(payload);
  if (!parsed.success) return shapeProblem(trigger, parsed.error);
  const { identity, attributes } = parsed.data;
  // A Map, then fromEntries: a key such as __proto__ (JSON.parse makes it an own key) stays plain data.
  const carried = new Map<string, string | number | boolean>();
  for (const [name, value] of Object.entries(attributes)) {
    const kept = scalar(value);
    if (kept !== undefined && usableName(name)) carried.set(name, kept);
  }
  // HR's key when ISC has it, so the hire goes to the same lifecycle as HR's own events for the person.
  const employeeNumber = carried.get(EMPLOYEE_NUMBER);
  return validated(trigger, {
    id: eventId(trigger, identity.id, body),
    source: ISC_EVENT_SOURCE,
    type: 'hire',
    identity: { id: identity.id, ...(typeof employeeNumber === 'string' ? { employeeNumber } : {}) },
    effectiveAt: mapping.receivedAt.toISOString(),
    attributes: Object.fromEntries(carried),
  });
}

function changed(payload: unknown, body: Buffer, mapping: TriggerMapping): TriggerOutcome {
  const trigger = 'idn:identity-attributes-changed';
  const parsed = changesPayload.safeParse(payload);
  if (!parsed.success) return shapeProblem(trigger, parsed.error);
  const { identity, changes } = parsed.data;
  const newValues = new Map<string, string | number | boolean | null>();
  for (const { attribute, newValue } of changes) {
    if (!usableName(attribute)) continue;
    // No new value: the attribute was cleared, which an update says with null.
    const kept = newValue === undefined || newValue === null ? null : scalar(newValue);
    if (kept !== undefined) newValues.set(attribute, kept);
  }
  const lifecycle = newValues.get(LIFECYCLE_STATE);
  const leaver =
    typeof lifecycle === 'string' && mapping.terminatedLifecycleStates.includes(lifecycle.trim().toLowerCase());
  // A terminate cannot remove attributes (null); what else changed in the same delivery rides along.
  const attributes = Object.fromEntries([...newValues].filter(([, value]) => !leaver || value !== null));
  if (Object.keys(attributes).length === 0) {
    return {
      kind: 'ignored',
      trigger,
      detail: 'no changed attribute has a value an HR event carries (strings, numbers, booleans)',
    };
  }
  return validated(trigger, {
    id: eventId(trigger, identity.id, body),
    source: ISC_EVENT_SOURCE,
    type: leaver ? 'terminate' : 'update',
    identity: { id: identity.id },
    effectiveAt: mapping.receivedAt.toISOString(),
    attributes,
  });
}

/**
 * What one trigger delivery means for iscflow. Pure apart from hashing: `body` is the raw bytes (for the
 * event id), `payload` the same parsed.
 */
export function interpretTrigger(
  named: string | undefined,
  payload: unknown,
  body: Buffer,
  mapping: TriggerMapping,
): TriggerOutcome {
  const which = triggerOf(named, payload);
  if (which.trigger === undefined) return { kind: 'invalid', trigger: undefined, detail: which.detail };
  const { trigger } = which;
  switch (trigger) {
    case 'idn:identity-created':
      return created(payload, body, mapping);
    case 'idn:identity-attributes-changed':
      return changed(payload, body, mapping);
    case 'idn:identity-deleted': {
      const parsed = identityPayload.safeParse(payload);
      if (!parsed.success) return shapeProblem(trigger, parsed.error);
      return {
        kind: 'ignored',
        trigger,
        detail:
          'identity-deleted fires once an identity has no accounts left (nightly): not a leaver signal; ' +
          'leavers come from a cloudLifecycleState change or from HR',
      };
    }
    case 'idn:access-request-post-approval': {
      const parsed = decisionPayload.safeParse(payload);
      if (!parsed.success) return shapeProblem(trigger, parsed.error);
      return { kind: 'hint', trigger, accessRequestIds: [parsed.data.accessRequestId] };
    }
  }
}
