import { type Catalog, type CatalogIdentity, type Holding } from './catalog';
import { badRequest } from './errors';

/**
 * The subset of ISC's search query language a client needs to learn what an identity holds:
 * `*`, `id:X`, `name:"X"`, `@access(id:Y)` (and `type`/`name` inside @access), combined with AND,
 * OR, NOT and parentheses. Anything else is a 400 rather than a silently wrong answer.
 */
type Node =
  | { kind: 'all' }
  | { kind: 'and' | 'or'; left: Node; right: Node }
  | { kind: 'not'; operand: Node }
  | { kind: 'term'; field: string; value: string }
  | { kind: 'access'; inner: Node };

type Token = { t: 'lparen' | 'rparen' | 'colon' } | { t: 'word' | 'string'; v: string };

function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input.charAt(i);
    if (/\s/.test(c)) i++;
    else if (c === '(' || c === ')' || c === ':') {
      tokens.push({ t: c === '(' ? 'lparen' : c === ')' ? 'rparen' : 'colon' });
      i++;
    } else if (c === '"') {
      const end = input.indexOf('"', i + 1);
      if (end < 0) throw badRequest(`Invalid search query: unterminated string in ${input}`);
      tokens.push({ t: 'string', v: input.slice(i + 1, end) });
      i = end + 1;
    } else {
      const start = i;
      while (i < input.length && !/[\s():"]/.test(input.charAt(i))) i++;
      tokens.push({ t: 'word', v: input.slice(start, i) });
    }
  }
  return tokens;
}

class Parser {
  private pos = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly source: string,
  ) {}

  parse(): Node {
    const node = this.or(false);
    if (this.pos !== this.tokens.length) this.fail('unexpected trailing input');
    return node;
  }

  private fail(why: string): never {
    throw badRequest(`Invalid search query "${this.source}": ${why}`);
  }

  private keyword(): string | undefined {
    const token = this.tokens[this.pos];
    return token?.t === 'word' ? token.v.toUpperCase() : undefined;
  }

  private or(inAccess: boolean): Node {
    let left = this.and(inAccess);
    while (this.keyword() === 'OR') {
      this.pos++;
      left = { kind: 'or', left, right: this.and(inAccess) };
    }
    return left;
  }

  private and(inAccess: boolean): Node {
    let left = this.unary(inAccess);
    while (this.keyword() === 'AND') {
      this.pos++;
      left = { kind: 'and', left, right: this.unary(inAccess) };
    }
    return left;
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
    const allowed = inAccess ? ['id', 'type', 'name', 'source'] : ['id', 'name'];
    if (!allowed.includes(token.v)) this.fail(`unsupported field ${token.v}`);
    this.pos++;
    if (this.tokens[this.pos++]?.t !== 'colon') this.fail(`expected ":" after ${token.v}`);
    const value = this.tokens[this.pos++];
    if (value?.t !== 'word' && value?.t !== 'string') return this.fail(`expected a value for ${token.v}`);
    return { kind: 'term', field: token.v, value: value.v };
  }
}

export function parseSearchQuery(query: string): Node {
  return new Parser(tokenize(query), query).parse();
}

export interface AccessDocument {
  id: string;
  type: Holding['type'];
  name: string;
  displayName: string;
  source: Holding['source'];
  grantedBy: string | null;
  removeDate: string | null;
}

export interface IdentityDocument {
  id: string;
  _id: string;
  _type: 'identity';
  type: 'identity';
  name: string;
  displayName: string;
  manager: { id: string; name: string } | null;
  access: AccessDocument[];
}

export function identityDocument(
  catalog: Catalog,
  identity: CatalogIdentity,
  held: Iterable<Holding>,
): IdentityDocument {
  const manager = identity.managerId ? catalog.identityById.get(identity.managerId) : undefined;
  return {
    id: identity.id,
    _id: identity.id,
    _type: 'identity',
    type: 'identity',
    name: identity.name,
    displayName: identity.name,
    manager: manager ? { id: manager.id, name: manager.name } : null,
    access: [...held].map((h) => {
      const name = catalog.itemById.get(h.id)?.name ?? h.id;
      return {
        id: h.id,
        type: h.type,
        name,
        displayName: name,
        source: h.source,
        grantedBy: h.grantedBy,
        removeDate: h.removeDate,
      };
    }),
  };
}

function matchAccess(node: Node, access: AccessDocument): boolean {
  switch (node.kind) {
    case 'and':
      return matchAccess(node.left, access) && matchAccess(node.right, access);
    case 'or':
      return matchAccess(node.left, access) || matchAccess(node.right, access);
    case 'not':
      return !matchAccess(node.operand, access);
    case 'term': {
      const value =
        node.field === 'id'
          ? access.id
          : node.field === 'type'
            ? access.type
            : node.field === 'source'
              ? access.source
              : access.name;
      return value.toLowerCase() === node.value.toLowerCase();
    }
    default:
      return false;
  }
}

export function matchIdentity(node: Node, doc: IdentityDocument): boolean {
  switch (node.kind) {
    case 'all':
      return true;
    case 'and':
      return matchIdentity(node.left, doc) && matchIdentity(node.right, doc);
    case 'or':
      return matchIdentity(node.left, doc) || matchIdentity(node.right, doc);
    case 'not':
      return !matchIdentity(node.operand, doc);
    case 'term':
      return (node.field === 'id' ? doc.id : doc.name).toLowerCase() === node.value.toLowerCase();
    case 'access':
      return doc.access.some((a) => matchAccess(node.inner, a));
  }
}

/** Identity ids a query pins with a top-level `id:X` (inside ANDs): answer from the map, not a scan. */
export function pinnedIdentity(node: Node): string | undefined {
  if (node.kind === 'term' && node.field === 'id') return node.value;
  if (node.kind === 'and') return pinnedIdentity(node.left) ?? pinnedIdentity(node.right);
  return undefined;
}
