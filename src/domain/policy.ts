/**
 * The birthright policy: which access an identity should hold, from its attributes.
 *
 * ```yaml
 * version: 1
 * moverGrace: P7D        # access lost by a move is kept this long, then revoked
 * submitAhead: P1D       # a joiner's grants go to ISC this early, with startDate = the hire
 * leaver: { revokeAll: false }
 * ownership: policy      # policy: what the policy gives is the lifecycle's, whoever granted it; granted: only its own grants
 * drift: report          # the scheduled drift sweep reports (report) or also repairs (repair)
 * attributes: { workerType: employeeType }   # policy name -> ISC identity attribute, for adopted identities
 * rules:
 *   - name: everyone
 *     when: { workerType: employee }           # every key must match; a list means any of its values
 *     grant: [ "ROLE:3f9c...", { type: ACCESS_PROFILE, name: "Engineering Access Profile 2" } ]
 *     moverGrace: PT0S                         # a rule may override the grace
 * ```
 * Items are named by id or by ISC name; names are resolved through ISC when the worker starts
 * (`src/policy/`). What is here is pure: the document's schema, the resolution step given the names' ids,
 * and the evaluation that workflows run.
 */
import { z } from 'zod';
import { parseIsoDuration } from './duration';
import { sha256Hex } from './hash';
import type { Attributes } from './hr-event';
import { ITEM_TYPES, iscIdSchema, type ItemType } from './model';

const duration = z.string().superRefine((value, ctx) => {
  const parsed = parseIsoDuration(value);
  if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.reason });
});
const scalar = z.union([z.string(), z.number(), z.boolean()]);

/**
 * Whose access a lifecycle may revoke. `policy`: everything the policy desires for the identity is the
 * lifecycle's, whoever granted it (found held, it is claimed), so it goes when it stops being desired.
 * `granted`: only what the lifecycle's own requests granted.
 */
export const OWNERSHIPS = ['policy', 'granted'] as const;
export type Ownership = (typeof OWNERSHIPS)[number];
/** What the scheduled drift sweep does with what it finds: report it, or also repair it. */
export const DRIFT_MODES = ['report', 'repair'] as const;
export type DriftMode = (typeof DRIFT_MODES)[number];
const ITEM_TEXT = /^(ROLE|ACCESS_PROFILE|ENTITLEMENT):([0-9a-fA-F]{32})$/;

const itemRefSchema = z.union([
  z.string().regex(ITEM_TEXT, 'must be TYPE:ID (ROLE, ACCESS_PROFILE or ENTITLEMENT and a 32-hex ISC id)'),
  z.strictObject({ type: z.enum(ITEM_TYPES), id: iscIdSchema }),
  z.strictObject({ type: z.enum(ITEM_TYPES), name: z.string().min(1) }),
]);

const ruleSchema = z.strictObject({
  name: z.string().min(1),
  when: z.record(z.string().min(1), z.union([scalar, z.array(scalar).min(1)])).default({}),
  grant: z.array(itemRefSchema).min(1),
  moverGrace: duration.optional(),
});

export const policyDocumentSchema = z.strictObject({
  version: z.literal(1),
  moverGrace: duration.default('P7D'),
  submitAhead: duration.default('PT0S'),
  leaver: z.strictObject({ revokeAll: z.boolean().default(false) }).default({ revokeAll: false }),
  ownership: z.enum(OWNERSHIPS).default('policy'),
  drift: z.enum(DRIFT_MODES).default('report'),
  attributes: z.record(z.string().min(1), z.string().min(1)).default({}),
  rules: z.array(ruleSchema),
});
export type PolicyDocument = z.output<typeof policyDocumentSchema>;

/** One item of a resolved policy. */
export interface PolicyItem {
  type: ItemType;
  id: string;
}

export interface ResolvedRule {
  name: string;
  /** Attribute -> the values any of which matches (as text). */
  when: Record<string, string[]>;
  items: PolicyItem[];
  /** The rule's own grace, when it overrides the policy's. */
  moverGraceMs: number | null;
}

/**
 * A policy with every item as an id: what workers hold and workflows evaluate. JSON-safe. The keys added
 * after the first version are present only when they differ from their defaults, so a policy that does not
 * use them keeps the hash it always had, and a policy recorded in an older history (without them) reads the
 * same: read them through `ownershipOf`, `driftModeOf` and `adoptedAttributes`.
 */
export interface ResolvedPolicy {
  version: 1;
  /** Changes whenever anything that evaluation reads changes; lets workflows skip re-reading it. */
  hash: string;
  moverGraceMs: number;
  submitAheadMs: number;
  leaverRevokeAll: boolean;
  /** Absent: `policy`. */
  ownership?: Ownership;
  /** Absent: `report`. */
  drift?: DriftMode;
  /** Policy attribute name -> ISC identity attribute name, where they differ. Absent: none. */
  attributeNames?: Record<string, string>;
  rules: ResolvedRule[];
}

export const ownershipOf = (policy: Pick<ResolvedPolicy, 'ownership'>): Ownership => policy.ownership ?? 'policy';
export const driftModeOf = (policy: Pick<ResolvedPolicy, 'drift'>): DriftMode => policy.drift ?? 'report';

/** An item the policy wants an identity to hold, with the grace that applies when a move takes it away. */
export interface DesiredItem extends PolicyItem {
  graceMs: number;
  /** The rules that grant it. */
  rules: string[];
}

export type PolicyCheck = { ok: true; document: PolicyDocument } | { ok: false; problems: string[] };

function pathOf(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join('');
}

/** Checks a parsed policy document (from YAML); every problem names its path. */
export function checkPolicyDocument(input: unknown): PolicyCheck {
  const parsed = policyDocumentSchema.safeParse(input);
  if (!parsed.success) {
    return { ok: false, problems: parsed.error.issues.map((i) => `${pathOf(i.path) || 'policy'}: ${i.message}`) };
  }
  const problems: string[] = [];
  const names = new Set<string>();
  parsed.data.rules.forEach((rule, n) => {
    if (names.has(rule.name)) problems.push(`rules[${n}].name: ${rule.name} is used by another rule; names are unique`);
    names.add(rule.name);
  });
  return problems.length === 0 ? { ok: true, document: parsed.data } : { ok: false, problems };
}

/** An item named by ISC name, to be resolved to its id. */
export interface NamedItem {
  type: ItemType;
  name: string;
}

export const namedItemKey = (item: NamedItem): string => `${item.type}:${item.name}`;

/** Every item the document names by name (each once). */
export function namedItems(document: PolicyDocument): NamedItem[] {
  const byKey = new Map<string, NamedItem>();
  for (const rule of document.rules)
    for (const ref of rule.grant)
      if (typeof ref !== 'string' && 'name' in ref) byKey.set(namedItemKey(ref), { type: ref.type, name: ref.name });
  return [...byKey.values()];
}

function ms(value: string): number {
  const parsed = parseIsoDuration(value);
  if (!parsed.ok) throw new TypeError(`not a duration: ${value} (check the document first)`);
  return parsed.ms;
}

/**
 * The policy with names replaced by ids. `ids` maps `namedItemKey` to the id ISC knows it by; a name it
 * lacks is a problem naming the rule and the name (the worker refuses to start on one).
 */
export function resolvePolicy(
  document: PolicyDocument,
  ids: ReadonlyMap<string, string>,
): { ok: true; policy: ResolvedPolicy } | { ok: false; problems: string[] } {
  const problems: string[] = [];
  const rules: ResolvedRule[] = document.rules.map((rule, n) => {
    const items: PolicyItem[] = [];
    rule.grant.forEach((ref, k) => {
      if (typeof ref === 'string') {
        const [, type, id] = ITEM_TEXT.exec(ref) ?? [];
        items.push({ type: type as ItemType, id: (id ?? '').toLowerCase() });
      } else if ('id' in ref) {
        items.push({ type: ref.type, id: ref.id });
      } else {
        const id = ids.get(namedItemKey(ref));
        if (id) items.push({ type: ref.type, id: id.toLowerCase() });
        else problems.push(`rules[${n}].grant[${k}]: no ${ref.type} named "${ref.name}" in ISC (rule ${rule.name})`);
      }
    });
    const when = Object.fromEntries(
      Object.entries(rule.when).map(([attribute, value]) => [
        attribute,
        (Array.isArray(value) ? value : [value]).map(String),
      ]),
    );
    return { name: rule.name, when, items, moverGraceMs: rule.moverGrace === undefined ? null : ms(rule.moverGrace) };
  });
  if (problems.length > 0) return { ok: false, problems };
  const body = {
    version: 1 as const,
    moverGraceMs: ms(document.moverGrace),
    submitAheadMs: ms(document.submitAhead),
    leaverRevokeAll: document.leaver.revokeAll,
    ...(document.ownership !== 'policy' ? { ownership: document.ownership } : {}),
    ...(document.drift !== 'report' ? { drift: document.drift } : {}),
    ...(Object.keys(document.attributes).length > 0 ? { attributeNames: { ...document.attributes } } : {}),
    rules,
  };
  return { ok: true, policy: { ...body, hash: sha256Hex(JSON.stringify(body)).slice(0, 16) } };
}

function matches(rule: ResolvedRule, attributes: Attributes): boolean {
  return Object.entries(rule.when).every(([attribute, values]) => {
    const value = attributes[attribute];
    return value !== undefined && values.includes(String(value));
  });
}

export const itemKey = (item: PolicyItem): string => `${item.type}:${item.id}`;

/**
 * What the policy wants an identity with these attributes to hold. An item granted by several rules keeps
 * the longest of their graces: a move that takes one rule away must not cut short what another promised.
 */
export function desiredAccess(policy: ResolvedPolicy, attributes: Attributes): DesiredItem[] {
  const byKey = new Map<string, DesiredItem>();
  for (const rule of policy.rules) {
    if (!matches(rule, attributes)) continue;
    const graceMs = rule.moverGraceMs ?? policy.moverGraceMs;
    for (const item of rule.items) {
      const key = itemKey(item);
      const known = byKey.get(key);
      if (known) {
        known.graceMs = Math.max(known.graceMs, graceMs);
        known.rules.push(rule.name);
      } else byKey.set(key, { ...item, graceMs, rules: [rule.name] });
    }
  }
  return [...byKey.values()].sort((a, b) => itemKey(a).localeCompare(itemKey(b)));
}

/** Every item the policy names, each once, by `itemKey`, sorted: the digest of a lifecycle indexes into it. */
export function policyItemKeys(policy: Pick<ResolvedPolicy, 'rules'>): string[] {
  return [...new Set(policy.rules.flatMap((rule) => rule.items.map(itemKey)))].sort();
}

/** The longest attribute value an adopted identity keeps, as for an HR event's attributes. */
const MAX_ATTRIBUTE_LENGTH = 1000;

/**
 * An ISC identity's attributes as the attributes in force of its adopted lifecycle: the values a policy
 * can compare (text, numbers, flags; lists and references are left out), under the policy's names where
 * `attributes:` maps a policy name to another ISC attribute.
 */
export function adoptedAttributes(
  policy: Pick<ResolvedPolicy, 'attributeNames'>,
  iscAttributes: Readonly<Record<string, unknown>>,
): Attributes {
  const scalar = (value: unknown): value is string | number | boolean =>
    (typeof value === 'string' && value.length <= MAX_ATTRIBUTE_LENGTH) ||
    (typeof value === 'number' && Number.isFinite(value)) ||
    typeof value === 'boolean';
  const attributes: Attributes = {};
  for (const [name, value] of Object.entries(iscAttributes)) if (scalar(value)) attributes[name] = value;
  for (const [policyName, iscName] of Object.entries(policy.attributeNames ?? {})) {
    const value = iscAttributes[iscName];
    if (scalar(value)) attributes[policyName] = value;
  }
  return attributes;
}
