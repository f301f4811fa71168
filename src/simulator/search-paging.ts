import { iso } from './clock';
import { badRequest } from './errors';
import { type IdentityDirectory, type SimIdentity } from './identities';

/**
 * How the identities index reads in order: `sort` (fields with an optional `+` or `-`), `searchAfter` (the
 * sort values of the last result of the page before: the results after them), and `queryResultFilter`
 * (the document fields to keep or leave out). As Elasticsearch does it, which ISC's search is: values
 * compare as text, a missing value sorts last, and paging with `searchAfter` is stable while the index
 * does not change. The whole tenant's order is kept until an identity changes, so that reading 50,000
 * identities a page at a time does not sort them again for every page.
 */
type SortValue = (identity: SimIdentity) => string | undefined;

const SORTABLE: Record<string, SortValue> = {
  id: (i) => i.id,
  name: (i) => i.name,
  displayName: (i) => {
    const value = i.attributes.displayName;
    return value === undefined ? i.name : String(value);
  },
  employeeNumber: (i) => {
    const value = i.attributes.employeeNumber;
    return value === undefined ? undefined : String(value);
  },
  created: (i) => iso(i.created),
  modified: (i) => iso(i.modified),
};

interface SortKey {
  value: SortValue;
  descending: boolean;
}

function sortKeys(sort: readonly string[]): SortKey[] {
  return sort.map((text) => {
    const descending = text.startsWith('-');
    const field = text.replace(/^[+-]/, '');
    const value = Object.hasOwn(SORTABLE, field) ? SORTABLE[field] : undefined;
    if (!value)
      throw badRequest(`Unsupported sort field ${field}; the simulator sorts by ${Object.keys(SORTABLE).join(', ')}.`);
    return { value, descending };
  });
}

function compareValues(a: string | undefined, b: string | undefined, descending: boolean): number {
  if (a === b) return 0;
  if (a === undefined) return 1;
  if (b === undefined) return -1;
  const order = a < b ? -1 : 1;
  return descending ? -order : order;
}

type Values = ReadonlyArray<string | undefined>;
interface Sorted {
  identity: SimIdentity;
  values: Values;
}

function comparator(keys: readonly SortKey[]): (a: Values, b: Values) => number {
  return (a, b) => {
    for (const [n, key] of keys.entries()) {
      const order = compareValues(a[n], b[n], key.descending);
      if (order !== 0) return order;
    }
    return 0;
  };
}

/** The whole directory in one order, kept while it does not change (its version). */
const orders = new WeakMap<IdentityDirectory, { version: number; spec: string; sorted: Sorted[] }>();

function wholeOrder(directory: IdentityDirectory, keys: readonly SortKey[], spec: string): Sorted[] {
  const kept = orders.get(directory);
  if (kept?.version === directory.version && kept.spec === spec) return kept.sorted;
  const compare = comparator(keys);
  const sorted = directory
    .all()
    .map((identity) => ({ identity, values: keys.map((key) => key.value(identity)) }))
    .sort((a, b) => compare(a.values, b.values));
  orders.set(directory, { version: directory.version, spec, sorted });
  return sorted;
}

/**
 * The identities of `pool` (the whole directory when absent) in `sort` order, from just after `searchAfter`
 * (the sort values of the last page's last result) when given.
 */
export function inSortOrder(
  directory: IdentityDirectory,
  pool: readonly SimIdentity[] | undefined,
  sort: readonly string[],
  searchAfter?: readonly string[],
): SimIdentity[] {
  const keys = sortKeys(sort);
  const compare = comparator(keys);
  const sorted = pool
    ? pool
        .map((identity) => ({ identity, values: keys.map((key) => key.value(identity)) }))
        .sort((a, b) => compare(a.values, b.values))
    : wholeOrder(directory, keys, sort.join(','));
  if (!searchAfter) return sorted.map((s) => s.identity);
  // The first result after `searchAfter`, by bisection: the order is total over the sort values.
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (compare((sorted[mid] as Sorted).values, searchAfter) <= 0) low = mid + 1;
    else high = mid;
  }
  return sorted.slice(low).map((s) => s.identity);
}

/** A document with only the top-level fields `includes` names (all when absent), minus those `excludes` names. */
export function projectDocument(
  document: Record<string, unknown>,
  filter: { includes?: string[]; excludes?: string[] } | undefined,
): Record<string, unknown> {
  if (!filter) return document;
  const { includes, excludes = [] } = filter;
  return Object.fromEntries(
    Object.entries(document).filter(
      ([field]) => (includes === undefined || includes.includes(field)) && !excludes.includes(field),
    ),
  );
}
