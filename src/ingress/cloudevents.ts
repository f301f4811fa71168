/**
 * A structured-mode CloudEvent (CloudEvents 1.0, JSON event format) carrying an HR event v1 as `data`.
 * The CloudEvent's `source` and `id` are the HR event's: `data` may repeat them, but only with the same
 * values. `type` is required by CloudEvents and not interpreted (the HR event's own `type` decides);
 * `data` must be JSON (an object), so `data_base64` and non-JSON `datacontenttype`s are refused.
 */
import { type FieldError, IngressProblem } from './problems';

/** Context attribute names: lower-case ASCII letters and digits (CloudEvents 1.0, "Attribute Naming"). */
const ATTRIBUTE_NAME = /^[a-z0-9]{1,20}$/;
/** `data_base64` is the one member of the JSON format that is not an attribute name. */
const DATA_BASE64 = 'data_base64';

function isJsonMediaType(value: string): boolean {
  const type = value.split(';', 1)[0]?.trim().toLowerCase() ?? '';
  return type === 'application/json' || /^[a-z0-9.+-]+\/[a-z0-9.+-]+\+json$/.test(type);
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

const nonEmptyString = (value: unknown): value is string => typeof value === 'string' && value !== '';

/**
 * The HR event candidate a CloudEvent carries: its `data` with the CloudEvent's `source` and `id`.
 * Throws `CLOUDEVENT_INVALID` listing every problem with the envelope; the candidate itself is validated
 * as any HR event is, by the caller.
 */
export function hrEventFromCloudEvent(envelope: unknown): Record<string, unknown> {
  if (!isObject(envelope)) {
    throw new IngressProblem(
      'CLOUDEVENT_INVALID',
      'a structured CloudEvent is one JSON object (batches are not accepted)',
    );
  }
  const errors: FieldError[] = [];
  const add = (field: string, rule: string, text: string): void => {
    errors.push({ field, rule, message: `${field} ${text} (rule ${rule}).` });
  };
  if (envelope.specversion === undefined) add('specversion', 'REQUIRED', 'is required');
  else if (envelope.specversion !== '1.0') add('specversion', 'SPECVERSION', 'must be "1.0"');
  for (const name of ['id', 'source', 'type'] as const) {
    if (envelope[name] === undefined) add(name, 'REQUIRED', 'is required');
    else if (!nonEmptyString(envelope[name])) add(name, 'INVALID_TYPE', 'must be a non-empty string');
  }
  for (const name of Object.keys(envelope)) {
    if (name !== DATA_BASE64 && !ATTRIBUTE_NAME.test(name)) {
      add(name, 'ATTRIBUTE_NAME', 'is not a CloudEvents attribute name (lower-case letters and digits)');
    }
  }
  const contentType = envelope.datacontenttype;
  if (contentType !== undefined && !(typeof contentType === 'string' && isJsonMediaType(contentType))) {
    add('datacontenttype', 'DATA_CONTENT_TYPE', 'must be application/json (or absent)');
  }
  if (envelope[DATA_BASE64] !== undefined) add(DATA_BASE64, 'DATA_ENCODING', 'is not accepted: send data as JSON');
  const data = envelope.data;
  if (data === undefined) add('data', 'REQUIRED', 'is required: the HR event');
  else if (!isObject(data)) add('data', 'DATA_NOT_EVENT', 'must be an HR event (a JSON object)');
  else {
    for (const name of ['id', 'source'] as const) {
      if (data[name] !== undefined && data[name] !== envelope[name]) {
        add(`data.${name}`, `${name.toUpperCase()}_MISMATCH`, `must be absent or equal to the CloudEvent's ${name}`);
      }
    }
  }
  if (errors.length > 0 || !isObject(data)) {
    const fields = [...new Set(errors.map((e) => e.field))].join(', ');
    throw new IngressProblem('CLOUDEVENT_INVALID', `invalid CloudEvent attribute(s): ${fields}`, { errors });
  }
  // Spread, not assignment: an own `__proto__` from JSON.parse stays a plain (and refused) field.
  return { ...data, id: envelope.id, source: envelope.source };
}
