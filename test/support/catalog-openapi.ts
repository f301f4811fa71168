/**
 * Validates the catalog and search answers against SailPoint's `search-and-catalog.{v3,v2025}.json`,
 * the way `test/support/openapi.ts` does for the access-request documents. Two differences:
 * - `/search` answers an array of `SearchDocuments`, a `oneOf` whose members overlap (an identity
 *   document also passes as an entitlement document): each element is validated as `IdentityDocuments`,
 *   the one index the simulator serves.
 * - A `discriminator` (IdentityAccess: ROLE, ACCESS_PROFILE, ENTITLEMENT) is applied: the element is
 *   validated against the schema its `type` names, and an unmapped type fails.
 */
import type { ValidateFunction } from 'ajv';
import { isObject, loadDocument, mismatch, type IscApiVersion, type Json, type JsonObject } from './openapi';

/** `oneOf` + `discriminator.mapping` -> "type must be a mapped value, then that schema". */
function applyDiscriminators(node: Json): Json {
  if (Array.isArray(node)) return node.map(applyDiscriminators);
  if (!isObject(node)) return node;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(node)) out[key] = applyDiscriminators(value);
  const discriminator = out.discriminator;
  if (!isObject(discriminator) || !isObject(discriminator.mapping) || typeof discriminator.propertyName !== 'string')
    return out;
  const property = discriminator.propertyName;
  const mapping = discriminator.mapping;
  delete out.oneOf;
  delete out.discriminator;
  out.required = [property];
  out.properties = { [property]: { enum: Object.keys(mapping) } };
  out.allOf = Object.entries(mapping).map(([value, ref]) => ({
    if: { properties: { [property]: { const: value } } },
    then: { $ref: ref },
  }));
  return out;
}

const load = (version: IscApiVersion) => loadDocument('search-and-catalog', version, applyDiscriminators);

function validator(version: IscApiVersion, pointer: string): ValidateFunction {
  const { ajv, id } = load(version);
  const validate = ajv.getSchema(`${id}#${pointer}`);
  if (!validate) throw new Error(`cannot compile ${pointer} of search-and-catalog.${version}.json`);
  return validate;
}

/** ajv's errors for `body` against one named component schema, or null. */
export function schemaErrors(version: IscApiVersion, schema: string, body: unknown): string | null {
  const validate = validator(version, `/components/schemas/${schema}`);
  return validate(body) ? null : load(version).ajv.errorsText(validate.errors, { separator: '\n' });
}

/** Throws with ajv's errors when a catalog or search answer does not match the documents. */
export function expectValidCatalogResponse(
  version: IscApiVersion,
  method: string,
  requestPath: string,
  status: number,
  body: unknown,
): void {
  const bare = requestPath.split('?')[0]?.replace(/^\/(v3|v2025)(?=\/)/, '') ?? requestPath;
  const fail = (errors: string): never => {
    throw mismatch(`search-and-catalog.${version}`, { method, requestPath, status, body }, errors);
  };
  if (bare === '/search' && status === 200) {
    if (!Array.isArray(body)) return fail('not an array');
    body.forEach((doc, i) => {
      const errors = schemaErrors(version, 'IdentityDocuments', doc);
      if (errors !== null) fail(`[${i}] ${errors}`);
    });
    return;
  }
  const { doc } = load(version);
  const paths = doc.paths;
  const operation = isObject(paths) ? paths[bare] : undefined;
  const op = isObject(operation) ? operation[method.toLowerCase()] : undefined;
  const responses = isObject(op) ? op.responses : undefined;
  const declared = isObject(responses) ? responses[String(status)] : undefined;
  if (!isObject(declared)) throw new Error(`${version} documents no ${status} for ${method.toUpperCase()} ${bare}`);
  const pointer =
    typeof declared.$ref === 'string'
      ? `${declared.$ref.slice(1)}/content/application~1json/schema`
      : `/paths/${bare.replace(/~/g, '~0').replace(/\//g, '~1')}/${method.toLowerCase()}/responses/${status}/content/application~1json/schema`;
  const validate = validator(version, pointer);
  if (!validate(body)) fail(load(version).ajv.errorsText(validate.errors, { separator: '\n' }));
}
