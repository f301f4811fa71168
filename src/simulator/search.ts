/**
 * The identities search index: the subset of ISC's search query language a client needs to find an
 * identity (by id, employee number, e-mail, any identity attribute) and to learn what it holds:
 * `*`, `field:value` (quoted values with `\"` and `\\` escapes), `attributes.<name>:value`,
 * `@access(...)`, combined with AND, OR, NOT and parentheses. Values compare case-insensitively, as
 * ISC's keyword fields do. Anything else is a 400 rather than a silently wrong answer.
 */
import { ORG, POD } from './auth';
import { type AttributeValue, type Catalog, type Holding, entitlementValue } from './catalog';
import { iso } from './clock';
import { badRequest } from './errors';
import { type IdentityDirectory, type SimIdentity } from './identities';
import { BooleanParser, tokenize } from './query-syntax';

type Node =
  | { kind: 'all' }
  | { kind: 'and' | 'or'; left: Node; right: Node }
  | { kind: 'not'; operand: Node }
  | { kind: 'term'; field: string; value: string }
  | { kind: 'access'; inner: Node };

export type SearchQuery = Node;

/** Where the index reads the identity's own data. */
interface IndexContext {
  catalog: Catalog;
  identities: IdentityDirectory;
}

type FieldValue = AttributeValue | null | undefined;

const text = (value: AttributeValue | undefined): string | undefined =>
  value === undefined ? undefined : String(value);

/** ISC puts a terminated or inactive identity's lifecycle state here; only `active` people are active. */
const isInactive = (identity: SimIdentity): boolean => {
  const state = identity.attributes.cloudLifecycleState;
  return state !== undefined && String(state).toLowerCase() !== 'active';
};

type IdentityField = (identity: SimIdentity, ctx: IndexContext) => FieldValue;
type AccessField = (access: AccessView) => FieldValue;

/** The top-level document fields the index answers queries on, read the way the document shows them. */
const IDENTITY_FIELDS = {
  id: (i) => i.id,
  name: (i) => i.name,
  displayName: (i) => text(i.attributes.displayName) ?? i.name,
  firstName: (i) => text(i.attributes.firstname),
  lastName: (i) => text(i.attributes.lastname),
  email: (i) => text(i.attributes.email),
  employeeNumber: (i) => text(i.attributes.employeeNumber),
  inactive: (i) => isInactive(i),
  isManager: (i, ctx) => ctx.identities.isManager(i.id),
  'manager.id': (i) => i.managerId,
  'manager.name': (i, ctx) => (i.managerId === null ? null : ctx.identities.get(i.managerId)?.name),
} satisfies Record<string, IdentityField>;

/** Fields inside `@access(...)`. `source` is the simulator's shorthand for how access was granted. */
const ACCESS_FIELDS = {
  id: (a) => a.holding.id,
  type: (a) => a.holding.type,
  name: (a) => a.name,
  displayName: (a) => a.name,
  source: (a) => a.holding.source,
  revocable: (a) => a.holding.source === 'REQUEST',
} satisfies Record<string, AccessField>;

/** The getter for a queried field name; own properties only, so `toString:x` is an unknown field. */
function getter<F>(table: Record<string, F>, field: string): F | undefined {
  return Object.hasOwn(table, field) ? table[field] : undefined;
}

const ATTRIBUTE_PREFIX = 'attributes.';

const PUNCTUATION = { '(': 'lparen', ')': 'rparen', ':': 'colon' } as const;

const knownField = (field: string, inAccess: boolean): boolean =>
  inAccess
    ? getter<AccessField>(ACCESS_FIELDS, field) !== undefined
    : getter<IdentityField>(IDENTITY_FIELDS, field) !== undefined ||
      (field.startsWith(ATTRIBUTE_PREFIX) && field.length > ATTRIBUTE_PREFIX.length);

class Parser extends BooleanParser<'lparen' | 'rparen' | 'colon', Node> {
  parse(): Node {
    return this.whole(() => this.or(false));
  }

  protected binary(kind: 'and' | 'or', left: Node, right: Node): Node {
    return { kind, left, right };
  }

  private or(inAccess: boolean): Node {
    return this.chain('or', () => this.and(inAccess));
  }

  private and(inAccess: boolean): Node {
    return this.chain('and', () => this.unary(inAccess));
  }

  private unary(inAccess: boolean): Node {
    const token = this.tokens[this.pos];
    if (!token) return this.fail('unexpected end of query');
    if (token.t === 'lparen') {
      this.pos++;
      const inner = this.or(inAccess);
      if (this.tokens[this.pos++]?.t !== 'rparen') this.fail('missing closing parenthesis');
      return inner;
    }
    if (token.t !== 'word') return this.fail('expected a term');
    if (token.v.toUpperCase() === 'NOT') {
      this.pos++;
      return { kind: 'not', operand: this.unary(inAccess) };
    }
    if (token.v === '*' && !inAccess) {
      this.pos++;
      return { kind: 'all' };
    }
    if (token.v === '@access' && !inAccess) {
      this.pos++;
      if (this.tokens[this.pos++]?.t !== 'lparen') this.fail('@access expects parentheses');
      const inner = this.or(true);
      if (this.tokens[this.pos++]?.t !== 'rparen') this.fail('missing closing parenthesis after @access');
      return { kind: 'access', inner };
    }
    if (!knownField(token.v, inAccess)) this.fail(`unsupported field ${token.v}`);
    this.pos++;
    if (this.tokens[this.pos++]?.t !== 'colon') this.fail(`expected ":" after ${token.v}`);
    const value = this.tokens[this.pos++];
    if (value?.t !== 'word' && value?.t !== 'string') return this.fail(`expected a value for ${token.v}`);
    return { kind: 'term', field: token.v, value: value.v };
  }
}

export function parseSearchQuery(query: string): SearchQuery {
  const unterminated = (): Error => badRequest(`Invalid search query: unterminated string in ${query}`);
  return new Parser(tokenize(query, PUNCTUATION, unterminated), query, 'search query').parse();
}

const equal = (actual: FieldValue, expected: string): boolean =>
  actual !== null && actual !== undefined && String(actual).toLowerCase() === expected.toLowerCase();

/** An access item as the matcher sees it: the holding (how it was granted) and the item's name. */
interface AccessView {
  holding: Holding;
  name: string;
}

function matchAccess(node: Node, access: AccessView): boolean {
  switch (node.kind) {
    case 'and':
      return matchAccess(node.left, access) && matchAccess(node.right, access);
    case 'or':
      return matchAccess(node.left, access) || matchAccess(node.right, access);
    case 'not':
      return !matchAccess(node.operand, access);
    case 'term':
      return equal(getter<AccessField>(ACCESS_FIELDS, node.field)?.(access), node.value);
    default:
      return false;
  }
}

function identityField(identity: SimIdentity, field: string, ctx: IndexContext): FieldValue {
  if (field.startsWith(ATTRIBUTE_PREFIX)) {
    const name = field.slice(ATTRIBUTE_PREFIX.length);
    return Object.hasOwn(identity.attributes, name) ? identity.attributes[name] : undefined;
  }
  return getter<IdentityField>(IDENTITY_FIELDS, field)?.(identity, ctx);
}

/** What the index holds for one identity: enough to match it and to render its document. */
export interface IndexedIdentity {
  identity: SimIdentity;
  held: Holding[];
}

const accessViews = (ctx: IndexContext, held: Holding[]): AccessView[] =>
  held.map((holding) => ({ holding, name: ctx.catalog.itemById.get(holding.id)?.name ?? holding.id }));

export function matchIdentity(node: SearchQuery, entry: IndexedIdentity, ctx: IndexContext): boolean {
  switch (node.kind) {
    case 'all':
      return true;
    case 'and':
      return matchIdentity(node.left, entry, ctx) && matchIdentity(node.right, entry, ctx);
    case 'or':
      return matchIdentity(node.left, entry, ctx) || matchIdentity(node.right, entry, ctx);
    case 'not':
      return !matchIdentity(node.operand, entry, ctx);
    case 'term':
      return equal(identityField(entry.identity, node.field, ctx), node.value);
    case 'access':
      return accessViews(ctx, entry.held).some((a) => matchAccess(node.inner, a));
  }
}

/**
 * The identities a query can only match, when it pins `id` or `employeeNumber` at the top (inside
 * ANDs): the search answers from a map instead of a scan.
 */
export function pinnedIdentities(node: SearchQuery, identities: IdentityDirectory): SimIdentity[] | undefined {
  if (node.kind === 'term' && node.field === 'id') return [identities.get(node.value)].flatMap((x) => (x ? [x] : []));
  if (node.kind === 'term' && node.field === 'employeeNumber')
    return [identities.findByEmployeeNumber(node.value)].flatMap((x) => (x ? [x] : []));
  if (node.kind === 'and') return pinnedIdentities(node.left, identities) ?? pinnedIdentities(node.right, identities);
  return undefined;
}

/**
 * One access item as ISC's IdentityAccess shows it (AccessProfileRole, AccessProfileSummary,
 * AccessProfileEntitlement). How it was granted is in ISC's own flags: `revocable` is false for a
 * role or access profile assigned by a rule or birthright, `standalone` is false for an entitlement
 * that came with a role or by birthright. Only access with those flags true may be revoked by request.
 */
function accessDocument(ctx: IndexContext, view: AccessView): Record<string, unknown> {
  const { holding, name } = view;
  const granted = holding.source === 'REQUEST';
  const base = { id: holding.id, name, displayName: name, type: holding.type, description: null };
  const admin = ctx.identities.admin;
  const owner = { id: admin.id, name: admin.name, displayName: admin.name };
  const source = { id: ctx.catalog.accessSource.id, name: ctx.catalog.accessSource.name };
  switch (holding.type) {
    case 'ROLE':
      return { ...base, owner, disabled: false, revocable: granted };
    case 'ACCESS_PROFILE':
      return { ...base, source, owner, revocable: granted };
    case 'ENTITLEMENT':
      return {
        ...base,
        source,
        privileged: false,
        attribute: 'memberOf',
        value: entitlementValue(name),
        standalone: granted,
      };
  }
}

/** An identity as ISC's IdentityDocument (identities index) shows it; fields absent in HR stay absent. */
export function identityDocument(ctx: IndexContext, entry: IndexedIdentity): Record<string, unknown> {
  const { identity } = entry;
  const access = accessViews(ctx, entry.held);
  const manager = identity.managerId === null ? undefined : ctx.identities.get(identity.managerId);
  const isAdmin = identity.id === ctx.catalog.admin.id;
  const count = (type: Holding['type']): number => access.filter((a) => a.holding.type === type).length;
  const optional = (key: string, value: FieldValue): Record<string, string> =>
    value === null || value === undefined ? {} : { [key]: String(value) };
  return {
    id: identity.id,
    name: identity.name,
    displayName: IDENTITY_FIELDS.displayName(identity),
    ...optional('firstName', IDENTITY_FIELDS.firstName(identity)),
    ...optional('lastName', IDENTITY_FIELDS.lastName(identity)),
    ...optional('email', IDENTITY_FIELDS.email(identity)),
    ...optional('employeeNumber', IDENTITY_FIELDS.employeeNumber(identity)),
    created: iso(identity.created),
    modified: iso(identity.modified),
    inactive: isInactive(identity),
    protected: false,
    manager: manager ? { id: manager.id, name: manager.name, displayName: manager.name } : null,
    isManager: ctx.identities.isManager(identity.id),
    // The API client's identity comes from no HR source and no identity profile.
    ...(isAdmin
      ? {}
      : {
          identityProfile: { ...ctx.catalog.identityProfile },
          source: { id: ctx.catalog.hrSource.id, name: ctx.catalog.hrSource.name },
        }),
    attributes: { ...identity.attributes },
    disabled: false,
    locked: false,
    processingState: null,
    access: access.map((view) => accessDocument(ctx, view)),
    accessCount: access.length,
    entitlementCount: count('ENTITLEMENT'),
    roleCount: count('ROLE'),
    accessProfileCount: count('ACCESS_PROFILE'),
    tags: [],
    pod: POD,
    org: ORG,
    _type: 'identity',
    type: 'identity',
    _version: 'v2',
  };
}
