/**
 * ISC's status rows that changed lately, read as a feed: `requested-by=me`, newest `modified` first,
 * paged back to where the last read stopped. ISC has no `modified` filter on `/access-request-status`
 * (only the sorter), so this is how "what moved since the last round" costs one call instead of one per
 * fifty requests watched.
 *
 * One feed per worker process, shared by every tracker shard whose activities run there: a read answers
 * from what was read in the last `freshMs` when that covers the caller's watermark, so four shards asking
 * within the same couple of seconds make one ISC call. Whatever the feed cannot vouch for (it paged too far
 * back, or its memory no longer reaches the caller's watermark) it says is incomplete, and the tracker
 * reads those requests by id instead.
 */
import type { IscClient, RequestedItemStatus } from '../isc';

export interface FeedAnswer {
  /** Rows modified at or after `since` minus the overlap, newest first. */
  rows: RequestedItemStatus[];
  /** The newest `modified` seen (ISC's clock): the caller's next `since`. */
  watermark: string;
  /** Whether every row modified since then is among `rows`; when false, the caller must read by id. */
  complete: boolean;
  /** Every row modified at or after this instant is among `rows` (when complete). */
  coversFrom: string;
}

export interface StatusFeed {
  changesSince(since: string | undefined): Promise<FeedAnswer>;
}

export interface StatusFeedOptions {
  isc: Pick<IscClient, 'listAccessRequestStatus'>;
  now: () => number;
  /** How long a read answers later callers without asking ISC again. */
  freshMs?: number;
  /** Rows whose `modified` is a little older than the watermark are read again: ISC's rows become visible in
   * their own time, and the workers' and ISC's clocks (NTP-kept) differ by a little. Each read pages back
   * this far past the last one, so it is kept short: a wave modifies dozens of rows a second. */
  overlapMs?: number;
  /** The most pages one read goes back; past it the feed starts again from what it read. */
  maxPages?: number;
  /** How long rows are remembered. */
  keepMs?: number;
  pageSize?: number;
}

const rowKey = (row: RequestedItemStatus): string =>
  [row.accessRequestId, row.requestedFor?.id, row.type, row.id, row.requestType].join('|');

const modifiedMs = (row: RequestedItemStatus): number => Date.parse(row.modified ?? row.created ?? '') || 0;

export function createStatusFeed({
  isc,
  now,
  freshMs = 2500,
  overlapMs = 3000,
  maxPages = 8,
  keepMs = 15 * 60_000,
  pageSize = 250,
}: StatusFeedOptions): StatusFeed {
  const rows = new Map<string, RequestedItemStatus>();
  /** The feed knows every row modified at or after this instant (ISC's clock); undefined before any read. */
  let coveredFromMs: number | undefined;
  let newestMs = 0;
  let readAtMs = -Infinity;
  let reading: Promise<void> | undefined;

  const covers = (sinceMs: number): boolean => coveredFromMs !== undefined && coveredFromMs <= sinceMs - overlapMs;

  async function read(sinceMs: number | undefined): Promise<void> {
    // Back to where the last read stopped (the memory stays continuous), or to the caller's watermark if
    // that is older; a first read with no watermark takes one page.
    const floors: number[] = [];
    if (coveredFromMs !== undefined) floors.push(newestMs - overlapMs);
    if (sinceMs !== undefined) floors.push(sinceMs - overlapMs);
    const floorMs = floors.length > 0 ? Math.min(...floors) : Infinity;
    const startedAt = now();
    const fetched: RequestedItemStatus[] = [];
    let reachedFloor = false;
    let readToTheEnd = false;
    for (let page = 0; page < maxPages && !reachedFloor; page++) {
      const batch = await isc.listAccessRequestStatus({
        requestedBy: 'me',
        sorters: '-modified',
        limit: pageSize,
        offset: page * pageSize,
      });
      fetched.push(...batch);
      readToTheEnd = batch.length < pageSize;
      reachedFloor = readToTheEnd || floorMs === Infinity || batch.some((r) => modifiedMs(r) < floorMs);
    }
    const oldestRead = fetched.length > 0 ? Math.min(...fetched.map(modifiedMs)) : startedAt;
    if (readToTheEnd) {
      coveredFromMs = 0;
    } else if (reachedFloor) {
      coveredFromMs = Math.min(coveredFromMs ?? Infinity, oldestRead);
    } else {
      // The pages did not reach back to where the memory ends: only what was just read is continuous.
      rows.clear();
      coveredFromMs = oldestRead;
    }
    for (const row of fetched) {
      const key = rowKey(row);
      const known = rows.get(key);
      if (!known || modifiedMs(known) <= modifiedMs(row)) rows.set(key, row);
      newestMs = Math.max(newestMs, modifiedMs(row));
    }
    // Nothing newer was modified before this read began, give or take the clocks' difference.
    newestMs = Math.max(newestMs, startedAt - overlapMs);
    const forgetBefore = startedAt - keepMs;
    for (const [key, row] of rows) if (modifiedMs(row) < forgetBefore) rows.delete(key);
    coveredFromMs = Math.max(coveredFromMs, forgetBefore);
    readAtMs = startedAt;
  }

  async function readOnce(sinceMs: number | undefined): Promise<void> {
    if (!reading) reading = read(sinceMs).finally(() => (reading = undefined));
    await reading;
  }

  return {
    async changesSince(since) {
      const sinceMs = since === undefined ? undefined : Date.parse(since);
      if (reading) await reading.catch(() => undefined);
      const fresh = now() - readAtMs < freshMs;
      if (!fresh || (sinceMs !== undefined && !covers(sinceMs))) await readOnce(sinceMs);
      const complete = sinceMs !== undefined && covers(sinceMs);
      const fromMs = (sinceMs ?? newestMs) - overlapMs;
      const changed = sinceMs === undefined ? [] : [...rows.values()].filter((r) => modifiedMs(r) >= fromMs);
      return {
        rows: changed.sort((a, b) => modifiedMs(b) - modifiedMs(a)),
        watermark: new Date(newestMs).toISOString(),
        complete,
        coversFrom: new Date(fromMs).toISOString(),
      };
    },
  };
}
