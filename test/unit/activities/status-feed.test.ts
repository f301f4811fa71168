/**
 * The status feed over a fake ISC listing: rows newest-modified first, paged. It answers the changes since a
 * watermark in one call, shares a fresh read between callers, pages back to where its last read stopped,
 * and says when it cannot vouch for everything.
 */
import { createStatusFeed } from '../../../src/activities/status-feed';
import type { AccessRequestStatusQuery, RequestedItemStatus } from '../../../src/isc';

function fakeIsc() {
  const rows: RequestedItemStatus[] = [];
  const calls: AccessRequestStatusQuery[] = [];
  let clock = Date.parse('2026-11-30T08:00:00Z');
  const isc = {
    async listAccessRequestStatus(query: AccessRequestStatusQuery): Promise<RequestedItemStatus[]> {
      calls.push(query);
      expect(query).toMatchObject({ requestedBy: 'me', sorters: '-modified' });
      const sorted = [...rows].sort((a, b) => Date.parse(b.modified ?? '') - Date.parse(a.modified ?? ''));
      const offset = query.offset ?? 0;
      return sorted.slice(offset, offset + (query.limit ?? 250));
    },
  };
  /** A request's row moves (or appears) now. */
  const touch = (accessRequestId: string, state = 'EXECUTING'): void => {
    const known = rows.find((r) => r.accessRequestId === accessRequestId);
    const modified = new Date(clock).toISOString();
    if (known) Object.assign(known, { state, modified });
    else
      rows.push({
        accessRequestId,
        state,
        id: 'e'.repeat(32),
        type: 'ENTITLEMENT',
        requestType: 'GRANT_ACCESS',
        requestedFor: { type: 'IDENTITY', id: `identity-${accessRequestId}`, name: 'x' },
        created: modified,
        modified,
      });
  };
  return {
    isc,
    calls,
    rows,
    touch,
    now: () => clock,
    advance: (ms: number) => (clock += ms),
  };
}

describe('status feed', () => {
  it('answers the rows changed since the last read, in one call, and nothing older', async () => {
    const fake = fakeIsc();
    for (let n = 0; n < 400; n++) {
      fake.touch(`old-${n}`);
      fake.advance(100);
    }
    fake.advance(5000);
    const feed = createStatusFeed({ isc: fake.isc, now: fake.now, overlapMs: 1000, freshMs: 500 });
    const first = await feed.changesSince(undefined);
    expect(first.rows).toEqual([]);
    expect(fake.calls).toHaveLength(1);

    fake.advance(5000);
    fake.touch('old-3', 'REQUEST_COMPLETED');
    fake.touch('new-1');
    const next = await feed.changesSince(first.watermark);
    expect(next.complete).toBe(true);
    expect(next.rows.map((r) => r.accessRequestId).sort()).toEqual(['new-1', 'old-3']);
    expect(next.rows.find((r) => r.accessRequestId === 'old-3')?.state).toBe('REQUEST_COMPLETED');
    // One page reached back past the watermark.
    expect(fake.calls).toHaveLength(2);
    // Rows a little older than the watermark come again (ISC's rows become visible in their own time).
    expect(next.rows.length).toBeLessThan(5);
  });

  it('answers a caller within a fresh read from that read: its watermark stays, nothing is lost', async () => {
    const fake = fakeIsc();
    const feed = createStatusFeed({ isc: fake.isc, now: fake.now, freshMs: 2500, overlapMs: 0 });
    const { watermark } = await feed.changesSince(undefined);
    fake.advance(1000);
    fake.touch('late');
    const cached = await feed.changesSince(watermark);
    expect(cached.rows).toEqual([]);
    expect(cached.watermark).toBe(watermark);
    fake.advance(2000);
    expect((await feed.changesSince(cached.watermark)).rows.map((r) => r.accessRequestId)).toEqual(['late']);
  });

  it('shares a fresh read between callers (the shards of one worker)', async () => {
    const fake = fakeIsc();
    const feed = createStatusFeed({ isc: fake.isc, now: fake.now, freshMs: 2500 });
    const { watermark } = await feed.changesSince(undefined);
    fake.advance(3000);
    fake.touch('a');
    const answers = await Promise.all([1, 2, 3, 4].map(() => feed.changesSince(watermark)));
    expect(fake.calls).toHaveLength(2);
    for (const answer of answers) expect(answer.rows.map((r) => r.accessRequestId)).toEqual(['a']);
    fake.advance(1000);
    await feed.changesSince(watermark);
    expect(fake.calls).toHaveLength(2);
    fake.advance(2000);
    await feed.changesSince(watermark);
    expect(fake.calls).toHaveLength(3);
  });

  it('pages back as far as the changes go, and says when it could not reach the watermark', async () => {
    const fake = fakeIsc();
    const feed = createStatusFeed({
      isc: fake.isc,
      now: fake.now,
      pageSize: 10,
      maxPages: 3,
      overlapMs: 0,
      freshMs: 0,
    });
    const { watermark } = await feed.changesSince(undefined);
    fake.advance(1000);
    for (let n = 0; n < 25; n++) fake.touch(`r-${n}`);
    const within = await feed.changesSince(watermark);
    expect(within.complete).toBe(true);
    expect(within.rows).toHaveLength(25);

    fake.advance(5000);
    for (let n = 0; n < 40; n++) fake.touch(`s-${n}`);
    fake.advance(1);
    const beyond = await feed.changesSince(within.watermark);
    // Three pages of ten cannot hold forty changes: the tracker must read by id.
    expect(beyond.complete).toBe(false);
    // The next read continues from what this one saw, complete again.
    fake.advance(5000);
    fake.touch('t-1');
    const after = await feed.changesSince(beyond.watermark);
    expect(after.complete).toBe(true);
    expect(after.rows.map((r) => r.accessRequestId)).toEqual(['t-1']);
  });

  it('cannot vouch for a watermark older than it remembers', async () => {
    const fake = fakeIsc();
    const feed = createStatusFeed({ isc: fake.isc, now: fake.now, keepMs: 60_000, pageSize: 10, maxPages: 1 });
    const { watermark } = await feed.changesSince(undefined);
    fake.advance(120_000);
    for (let n = 0; n < 30; n++) {
      fake.touch(`r-${n}`);
      fake.advance(10);
    }
    const answer = await feed.changesSince(watermark);
    expect(answer.complete).toBe(false);
  });
});
