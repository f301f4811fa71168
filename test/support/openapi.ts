/**
 * Validates response bodies against SailPoint's OpenAPI documents, kept (MIT, with their licence) in
 * `test/fixtures/isc-openapi/` so a clean clone tests on its own (override with ISC_OPENAPI_DIR). The documents are OpenAPI 3.0: `nullable: true` is rewritten to
 * JSON-Schema null types (including `allOf: [{$ref}, {nullable: true}]`, SailPoint's idiom for a
 * nullable reference) and annotation keywords such as `example` are tolerated (strict: false).
 */
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { readFileSync } from 'node:fs';
import path from 'node:path';

export type IscApiVersion = 'v3' | 'v2025';

const PROJECT_ROOT = path.resolve(__dirname, '..', '..');
export const OPENAPI_DIR = process.env.ISC_OPENAPI_DIR ?? path.resolve(PROJECT_ROOT, 'test', 'fixtures', 'isc-openapi');

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export const isObject = (value: Json | undefined): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** OpenAPI 3.0 schema -> JSON Schema draft-07 as far as validation needs. */
export function nullableToJsonSchema(node: Json): Json {
  if (Array.isArray(node)) return node.map(nullableToJsonSchema);
  if (!isObject(node)) return node;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(node)) out[key] = nullableToJsonSchema(value);
  let nullable = out.nullable === true;
  delete out.nullable;
  const allOf = out.allOf;
  if (Array.isArray(allOf)) {
    // A member that only says `nullable: true` makes the whole composition nullable.
    const kept = allOf.filter((member) => {
      if (isObject(member) && member.__nullable === true) {
        nullable = true;
        return Object.keys(member).some((k) => k !== '__nullable' && k !== 'description' && k !== 'example');
      }
      return true;
    });
    out.allOf = kept.map((member) => {
      if (!isObject(member)) return member;
      const copy = { ...member };
      delete copy.__nullable;
      return copy;
    });
  }
  if (!nullable) return out;
  if (typeof out.type === 'string') {
    out.type = [out.type, 'null'];
    if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
    return out;
  }
  // Marker read by a parent allOf; elsewhere it widens the schema to accept null.
  if (Object.keys(out).length === 0 || Object.keys(out).every((k) => k === 'description' || k === 'example'))
    return { ...out, __nullable: true };
  return { anyOf: [{ type: 'null' }, out] };
}

/** The documents: `access-requests.{v}.json` and `search-and-catalog.{v}.json`. */
export type OpenApiDocument = 'access-requests' | 'search-and-catalog';

export interface LoadedDocument {
  ajv: Ajv;
  doc: JsonObject;
  /** The id the document is registered under in `ajv` (`#/...` pointers go after it). */
  id: string;
  cache: Map<string, ValidateFunction>;
}

const loaded = new Map<string, LoadedDocument>();

/** One OpenAPI document compiled for ajv, once; `transform` adapts its schemas first (e.g. discriminators). */
export function loadDocument(
  name: OpenApiDocument,
  version: IscApiVersion,
  transform: (doc: Json) => Json = (doc) => doc,
): LoadedDocument {
  const id = name === 'access-requests' ? version : `${name}-${version}`;
  const existing = loaded.get(id);
  if (existing) return existing;
  const raw = JSON.parse(readFileSync(path.join(OPENAPI_DIR, `${name}.${version}.json`), 'utf8')) as Json;
  const doc = transform(nullableToJsonSchema(raw)) as JsonObject;
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true });
  addFormats(ajv);
  ajv.addFormat('int32', {
    type: 'number',
    validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31,
  });
  ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isInteger(n) });
  ajv.addFormat('comma-separated', true);
  ajv.addKeyword('__nullable');
  ajv.addSchema({ ...doc, $id: id }, id);
  const entry = { ajv, doc, id, cache: new Map<string, ValidateFunction>() };
  loaded.set(id, entry);
  return entry;
}

function load(version: IscApiVersion): LoadedDocument {
  return loadDocument('access-requests', version);
}

const pointer = (segment: string): string => segment.replace(/~/g, '~0').replace(/\//g, '~1');

/** Resolves a documented path template (e.g. `/access-request-approvals/{approvalId}/approve`) for a concrete path. */
function findPath(doc: JsonObject, concrete: string): string | undefined {
  const paths = doc.paths;
  if (!isObject(paths)) return undefined;
  const bare = concrete.split('?')[0]?.replace(/^\/(v3|v2025)(?=\/)/, '') ?? concrete;
  return Object.keys(paths).find((template) => new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(bare));
}

function resolveRef(doc: JsonObject, node: Json | undefined): Json | undefined {
  if (isObject(node) && typeof node.$ref === 'string' && node.$ref.startsWith('#/')) {
    return node.$ref
      .slice(2)
      .split('/')
      .reduce<Json | undefined>(
        (acc, key) => (isObject(acc) ? acc[key.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined),
        doc,
      );
  }
  return node;
}

/** Validates one response; returns ajv's error text or null. Throws when the response is not documented. */
export function responseErrors(
  version: IscApiVersion,
  method: string,
  requestPath: string,
  status: number,
  body: unknown,
): string | null {
  const { ajv, doc, cache } = load(version);
  const template = findPath(doc, requestPath);
  if (!template) throw new Error(`${version} documents no path matching ${requestPath}`);
  const verb = method.toLowerCase();
  const operation = (doc.paths as JsonObject)[template];
  const op = isObject(operation) ? operation[verb] : undefined;
  const responses = isObject(op) ? op.responses : undefined;
  if (!isObject(responses) || responses[String(status)] === undefined) {
    throw new Error(`${version} documents no ${status} response for ${method.toUpperCase()} ${template}`);
  }
  const response = resolveRef(doc, responses[String(status)]);
  const content = isObject(response) ? response.content : undefined;
  const media = isObject(content) ? content['application/json'] : undefined;
  if (!isObject(media) || media.schema === undefined) return null;
  const declared = responses[String(status)];
  // Shared responses live under components; point ajv at wherever the document keeps the schema.
  const ref =
    isObject(declared) && typeof declared.$ref === 'string'
      ? `${version}${declared.$ref}/content/application~1json/schema`
      : `${version}#/paths/${pointer(template)}/${verb}/responses/${status}/content/application~1json/schema`;
  let validate = cache.get(ref);
  if (!validate) {
    validate = ajv.getSchema(ref);
    if (!validate) throw new Error(`cannot compile ${ref}`);
    cache.set(ref, validate);
  }
  return validate(body) ? null : ajv.errorsText(validate.errors, { separator: '\n' });
}

/** The failure of an answer that does not match `document`: the call, ajv's errors and the body's start. */
export function mismatch(
  document: string,
  answer: { method: string; requestPath: string; status: number; body: unknown },
  errors: string,
): Error {
  const { method, requestPath, status, body } = answer;
  return new Error(
    `${method.toUpperCase()} ${requestPath} ${status} does not match ${document}:\n${errors}\nbody: ${JSON.stringify(body).slice(0, 2000)}`,
  );
}

/** Jest-friendly assertion: throws with ajv's errors when the body does not match the documented schema. */
export function expectValidResponse(
  version: IscApiVersion,
  method: string,
  requestPath: string,
  status: number,
  body: unknown,
): void {
  const errors = responseErrors(version, method, requestPath, status, body);
  if (errors !== null) throw mismatch(`${version} OpenAPI`, { method, requestPath, status, body }, errors);
}
