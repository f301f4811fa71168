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

/** The feed's settings, defaults applied. */
type FeedSettings = Required<Omit<StatusFeedOptions, 'isc' | 'now'>>;

/** What the feed remembers between reads. */
interface FeedMemory {
  rows: Map<string, RequestedItemStatus>;
  /** The feed knows every row modified at or after this instant (ISC's clock); undefined before any read. */
  coveredFromMs: number | undefined;
  /** The newest `modified` seen, or the start of the last read less the overlap if later: the next watermark. */
  newestMs: number;
  readAtMs: number;
}

/** What one read's pages brought back. */
interface PagesRead {
  fetched: RequestedItemStatus[];
  /** A page reached back past the floor (or the read needed one page only). */
  reachedFloor: boolean;
  /** The last page was short: there is nothing older. */
  readToTheEnd: boolean;
}

const covers = (memory: FeedMemory, sinceMs: number, overlapMs: number): boolean =>
  memory.coveredFromMs !== undefined && memory.coveredFromMs <= sinceMs - overlapMs;

/**
 * How far back a read pages: to where the last read stopped (the memory stays continuous), or to the
 * caller's watermark if that is older; a first read with no watermark takes one page (no floor).
 */
function floorOf(memory: FeedMemory, sinceMs: number | undefined, overlapMs: number): number {
  const floors: number[] = [];
  if (memory.coveredFromMs !== undefined) floors.push(memory.newestMs - overlapMs);
  if (sinceMs !== undefined) floors.push(sinceMs - overlapMs);
  return floors.length > 0 ? Math.min(...floors) : Infinity;
}

async function readPages(isc: StatusFeedOptions['isc'], floorMs: number, settings: FeedSettings): Promise<PagesRead> {
  const { maxPages, pageSize } = settings;
  const read: PagesRead = { fetched: [], reachedFloor: false, readToTheEnd: false };
  for (let page = 0; page < maxPages && !read.reachedFloor; page++) {
    const batch = await isc.listAccessRequestStatus({
      requestedBy: 'me',
      sorters: '-modified',
      limit: pageSize,
      offset: page * pageSize,
    });
    read.fetched.push(...batch);
    read.readToTheEnd = batch.length < pageSize;
    read.reachedFloor = read.readToTheEnd || floorMs === Infinity || batch.some((r) => modifiedMs(r) < floorMs);
  }
  return read;
}

/** Takes one read into the memory: what it now covers, the rows, the next watermark; forgets old rows. */
function remember(memory: FeedMemory, read: PagesRead, startedAt: number, settings: FeedSettings): void {
  const { fetched, reachedFloor, readToTheEnd } = read;
  const oldestRead = fetched.length > 0 ? Math.min(...fetched.map(modifiedMs)) : startedAt;
  if (readToTheEnd) {
    memory.coveredFromMs = 0;
  } else if (reachedFloor) {
    memory.coveredFromMs = Math.min(memory.coveredFromMs ?? Infinity, oldestRead);
  } else {
    // The pages did not reach back to where the memory ends: only what was just read is continuous.
    memory.rows.clear();
    memory.coveredFromMs = oldestRead;
  }
  for (const row of fetched) {
    const key = rowKey(row);
    const known = memory.rows.get(key);
    if (!known || modifiedMs(known) <= modifiedMs(row)) memory.rows.set(key, row);
    memory.newestMs = Math.max(memory.newestMs, modifiedMs(row));
  }
  // Nothing newer was modified before this read began, give or take the clocks' difference.
  memory.newestMs = Math.max(memory.newestMs, startedAt - settings.overlapMs);
  const forgetBefore = startedAt - settings.keepMs;
  for (const [key, row] of memory.rows) if (modifiedMs(row) < forgetBefore) memory.rows.delete(key);
  memory.coveredFromMs = Math.max(memory.coveredFromMs, forgetBefore);
  memory.readAtMs = startedAt;
}

/** The caller's answer from the memory: the rows modified since its watermark (less the overlap), newest first. */
function answerFrom(memory: FeedMemory, sinceMs: number | undefined, overlapMs: number): FeedAnswer {
  const fromMs = (sinceMs ?? memory.newestMs) - overlapMs;
  const changed = sinceMs === undefined ? [] : [...memory.rows.values()].filter((r) => modifiedMs(r) >= fromMs);
  return {
    rows: changed.sort((a, b) => modifiedMs(b) - modifiedMs(a)),
    watermark: new Date(memory.newestMs).toISOString(),
    complete: sinceMs !== undefined && covers(memory, sinceMs, overlapMs),
    coversFrom: new Date(fromMs).toISOString(),
  };
}

export function createStatusFeed({
  isc,
  now,
  freshMs = 2500,
  overlapMs = 3000,
  maxPages = 8,
  keepMs = 15 * 60_000,
  pageSize = 250,
}: StatusFeedOptions): StatusFeed {
  const settings: FeedSettings = { freshMs, overlapMs, maxPages, keepMs, pageSize };
  const memory: FeedMemory = { rows: new Map(), coveredFromMs: undefined, newestMs: 0, readAtMs: -Infinity };
  let reading: Promise<void> | undefined;

  async function read(sinceMs: number | undefined): Promise<void> {
    const startedAt = now();
    const pages = await readPages(isc, floorOf(memory, sinceMs, overlapMs), settings);
    remember(memory, pages, startedAt, settings);
  }

  async function readOnce(sinceMs: number | undefined): Promise<void> {
    if (!reading) reading = read(sinceMs).finally(() => (reading = undefined));
    await reading;
  }

  return {
    async changesSince(since) {
      const sinceMs = since === undefined ? undefined : Date.parse(since);
      if (reading) await reading.catch(() => undefined);
      const fresh = now() - memory.readAtMs < freshMs;
      if (!fresh || (sinceMs !== undefined && !covers(memory, sinceMs, overlapMs))) await readOnce(sinceMs);
      return answerFrom(memory, sinceMs, overlapMs);
    },
  };
}
