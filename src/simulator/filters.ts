/**
 * ISC's standard collection filter syntax: `field op value`, `field in ("a","b")`, `field pr`,
 * `field isnull`, composed with `and`, `or`, `not` and parentheses. Strings are double-quoted, dates
 * unquoted ISO-8601. Each endpoint declares which fields and operators it supports; anything else is
 * a 400, as ISC answers.
 */
import { badRequest } from './errors';
import { stringParam } from './paging';
import { BooleanParser, tokenize } from './query-syntax';

export type Operator = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le' | 'sw' | 'in' | 'co' | 'pr' | 'isnull';

/** The operators a field table allows, as a set. */
export const ops = (...list: Operator[]): ReadonlySet<Operator> => new Set(list);
const OPERATORS = new Set<string>(['eq', 'ne', 'gt', 'ge', 'lt', 'le', 'sw', 'in', 'co', 'pr', 'isnull', 'ca']);

export type FilterNode =
  | { kind: 'and' | 'or'; left: FilterNode; right: FilterNode }
  | { kind: 'not'; operand: FilterNode }
  | { kind: 'cmp'; field: string; op: Operator; values: FilterValue[] };

export type FilterValue = string | number | boolean | null;

export interface FieldSpec<Row> {
  ops: ReadonlySet<Operator>;
  kind: 'string' | 'date';
  get: (row: Row) => string | null;
}

export type FieldTable<Row> = Record<string, FieldSpec<Row>>;

const PUNCTUATION = { '(': 'lparen', ')': 'rparen', ',': 'comma' } as const;

class Parser extends BooleanParser<'lparen' | 'rparen' | 'comma', FilterNode> {
  parse(): FilterNode {
    return this.whole(() => this.or());
  }

  protected binary(kind: 'and' | 'or', left: FilterNode, right: FilterNode): FilterNode {
    return { kind, left, right };
  }

  private or(): FilterNode {
    return this.chain('or', () => this.and());
  }

  private and(): FilterNode {
    return this.chain('and', () => this.unary());
  }

  private unary(): FilterNode {
    const token = this.tokens[this.pos];
    if (!token) return this.fail('unexpected end of filter');
    if (token.t === 'word' && token.v.toLowerCase() === 'not') {
      this.pos++;
      return { kind: 'not', operand: this.unary() };
    }
    if (token.t === 'lparen') {
      this.pos++;
      const inner = this.or();
      if (this.tokens[this.pos]?.t !== 'rparen') this.fail('missing closing parenthesis');
      this.pos++;
      return inner;
    }
    return this.comparison();
  }

  private comparison(): FilterNode {
    const fieldToken = this.tokens[this.pos++];
    if (fieldToken?.t !== 'word') return this.fail('expected a field name');
    const opToken = this.tokens[this.pos++];
    if (opToken?.t !== 'word' || !OPERATORS.has(opToken.v)) {
      return this.fail(`unsupported operator ${opToken && 'v' in opToken ? opToken.v : '(none)'}`);
    }
    const op = opToken.v as Operator;
    const field = fieldToken.v;
    if (op === 'pr' || op === 'isnull') return { kind: 'cmp', field, op, values: [] };
    if (op === 'in') {
      if (this.tokens[this.pos++]?.t !== 'lparen') this.fail('in expects a parenthesised list');
      const values: FilterValue[] = [this.value()];
      while (this.tokens[this.pos]?.t === 'comma') {
        this.pos++;
        values.push(this.value());
      }
      if (this.tokens[this.pos++]?.t !== 'rparen') this.fail('unterminated in list');
      return { kind: 'cmp', field, op, values };
    }
    return { kind: 'cmp', field, op, values: [this.value()] };
  }

  private value(): FilterValue {
    const token = this.tokens[this.pos++];
    if (token?.t === 'string') return token.v;
    if (token?.t === 'word') {
      if (token.v === 'true') return true;
      if (token.v === 'false') return false;
      if (token.v === 'null') return null;
      if (/^-?\d+(\.\d+)?$/.test(token.v)) return Number(token.v);
      // Unquoted ISO dates are the documented form for date fields.
      if (/^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(token.v)) return token.v;
      return this.fail(`unquoted value ${token.v}`);
    }
    return this.fail('expected a value');
  }
}

export function parseFilter(input: string): FilterNode {
  const unterminated = (): Error => badRequest(`Invalid filter: unterminated string in "${input}"`);
  return new Parser(tokenize(input, PUNCTUATION, unterminated), input, 'filter').parse();
}

/** Throws a 400 for any field or operator the endpoint does not document. */
/** The `filters` query parameter, parsed and checked against the endpoint's fields; undefined when absent or blank. */
export function filterParam<Row>(query: Record<string, unknown>, fields: FieldTable<Row>): FilterNode | undefined {
  const raw = stringParam(query, 'filters');
  if (raw === undefined || raw.trim() === '') return undefined;
  const filter = parseFilter(raw);
  checkFilter(filter, fields);
  return filter;
}

export function checkFilter<Row>(node: FilterNode, fields: FieldTable<Row>): void {
  if (node.kind === 'not') {
    checkFilter(node.operand, fields);
    return;
  }
  if (node.kind !== 'cmp') {
    checkFilter(node.left, fields);
    checkFilter(node.right, fields);
    return;
  }
  const spec = fields[node.field];
  if (!spec) throw badRequest(`Invalid filter: the field ${node.field} is not supported for filtering`);
  if (!spec.ops.has(node.op))
    throw badRequest(`Invalid filter: the operator ${node.op} is not supported for the field ${node.field}`);
  if (spec.kind === 'date') {
    for (const v of node.values) {
      if (typeof v !== 'string' || Number.isNaN(Date.parse(v)))
        throw badRequest(`Invalid filter: ${String(v)} is not a date for ${node.field}`);
    }
  }
}

function compare(kind: 'string' | 'date', actual: string, expected: FilterValue): number {
  if (kind === 'date') return Date.parse(actual) - Date.parse(String(expected));
  const e = String(expected);
  return actual < e ? -1 : actual > e ? 1 : 0;
}

export function evaluateFilter<Row>(node: FilterNode, fields: FieldTable<Row>, row: Row): boolean {
  switch (node.kind) {
    case 'and':
      return evaluateFilter(node.left, fields, row) && evaluateFilter(node.right, fields, row);
    case 'or':
      return evaluateFilter(node.left, fields, row) || evaluateFilter(node.right, fields, row);
    case 'not':
      return !evaluateFilter(node.operand, fields, row);
    case 'cmp': {
      const spec = fields[node.field];
      if (!spec) return false;
      const actual = spec.get(row);
      if (node.op === 'pr') return actual !== null;
      if (node.op === 'isnull') return actual === null;
      if (actual === null) return node.op === 'ne';
      const first = node.values[0] ?? null;
      switch (node.op) {
        case 'eq':
          return compare(spec.kind, actual, first) === 0;
        case 'ne':
          return compare(spec.kind, actual, first) !== 0;
        case 'gt':
          return compare(spec.kind, actual, first) > 0;
        case 'ge':
          return compare(spec.kind, actual, first) >= 0;
        case 'lt':
          return compare(spec.kind, actual, first) < 0;
        case 'le':
          return compare(spec.kind, actual, first) <= 0;
        case 'sw':
          return actual.startsWith(String(first));
        case 'co':
          return actual.includes(String(first));
        case 'in':
          return node.values.some((v) => compare(spec.kind, actual, v) === 0);
      }
    }
  }
}

/**
 * Values that a matching row must have for `field`, when the filter pins it with a top-level `eq`
 * or `in` (possibly inside `and`s). Lets a handler start from an index instead of a scan.
 */
export function pinnedValues(node: FilterNode, field: string): string[] | undefined {
  if (node.kind === 'cmp') {
    if (node.field === field && (node.op === 'eq' || node.op === 'in')) return node.values.map(String);
    return undefined;
  }
  if (node.kind === 'and') return pinnedValues(node.left, field) ?? pinnedValues(node.right, field);
  return undefined;
}

export interface SortKey {
  field: string;
  descending: boolean;
}

/** The `sorters` query parameter: fields the endpoint sorts by, `-` for descending. */
export function sortersParam(query: Record<string, unknown>, allowed: ReadonlySet<string>): SortKey[] {
  const input = stringParam(query, 'sorters');
  if (input === undefined || input.trim() === '') return [];
  return input.split(',').map((raw) => {
    const part = raw.trim();
    const descending = part.startsWith('-');
    const field = descending ? part.slice(1) : part;
    if (!allowed.has(field)) throw badRequest(`Invalid sorters: sorting by ${field} is not supported`);
    return { field, descending };
  });
}

/** A comparator ordering rows by each sorter in turn; `tie` orders rows equal on every sorter. */
export function bySorters<Row>(
  sorters: readonly SortKey[],
  key: (row: Row, field: string) => number | string,
  tie: (a: Row, b: Row) => number = () => 0,
): (a: Row, b: Row) => number {
  return (a, b) => {
    for (const { field, descending } of sorters) {
      const x = key(a, field);
      const y = key(b, field);
      if (x !== y) return (x < y ? -1 : 1) * (descending ? -1 : 1);
    }
    return tie(a, b);
  };
}
