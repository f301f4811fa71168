/**
 * What the resource modules share: the checks on values before they go into an ISC query or body, the
 * quoting of ISC's search and filter syntax, batching, and paging through a collection. Pure functions,
 * kept out of the transport because they are about what is sent, not how.
 */
import { z } from 'zod';
import { IscError } from './errors';

/** Ids go into queries and filters: only the id alphabet, so nothing can widen them. */
export const idForQuery = z.string().regex(/^[0-9A-Za-z-]+$/, 'must contain only letters, digits and dashes');
/** A value that goes into a query quoted (`quoteValue`), such as a name or an employee number. */
export const quotedForQuery = z.string().min(1, 'must not be empty').max(256);

/** `value` checked against `schema` before it is sent; a value that fails is a final ISC_BAD_REQUEST. */
export function checkOutgoing<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const why = parsed.error.issues.map((i) => `${i.path.join('.') || what}: ${i.message}`).join('; ');
    throw new IscError('ISC_BAD_REQUEST', `Refused to send an invalid ${what} to ISC (${why})`);
  }
  return parsed.data;
}

/** A value as a double-quoted string of ISC's search and filter syntax, quotes and backslashes escaped. */
export function quoteValue(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** `items` in consecutive batches of at most `size`. */
export function batchesOf<T>(items: readonly T[], size: number): T[][] {
  const batches: T[][] = [];
  for (let at = 0; at < items.length; at += size) batches.push(items.slice(at, at + size));
  return batches;
}

/**
 * Every page of a collection, `pageSize` rows at a time, from `offset`. Some ISC collections answer 4xx
 * instead of [] past the last page; after a full page that is the end.
 */
export async function collectPages<T>(
  fetchPage: (offset: number) => Promise<T[]>,
  pageSize: number,
  startOffset = 0,
): Promise<T[]> {
  const rows: T[] = [];
  let offset = startOffset;
  for (;;) {
    let page: T[];
    try {
      page = await fetchPage(offset);
    } catch (error) {
      const pastEnd =
        rows.length > 0 &&
        error instanceof IscError &&
        (error.code === 'ISC_BAD_REQUEST' || error.code === 'ISC_NOT_FOUND');
      if (pastEnd) return rows;
      throw error;
    }
    rows.push(...page);
    if (page.length < pageSize) return rows;
    offset += pageSize;
  }
}
