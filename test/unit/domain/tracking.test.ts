import {
  chunkForStatus,
  coalesce,
  MAX_IDENTITIES_PER_BATCH,
  pollIntervalMs,
  statusCallAllowance,
  submissionRound,
  COALESCE_MAX_WAIT_MS,
  COALESCE_QUIET_MS,
  SUBMIT_ROUND_GAP_MS,
  trackerShardOf,
  type SubmitTicket,
} from '../../../src/domain';

const item = (c: string) => ({ type: 'ENTITLEMENT' as const, id: c.repeat(32) });
let n = 0;
const ticket = (identity: string, extra: Partial<SubmitTicket> = {}): SubmitTicket => {
  n += 1;
  return {
    ticket: `wf-${n}/chain/key-${n}/1`,
    requester: `wf-${n}`,
    chain: 'chain',
    requestKey: `key-${n}`,
    attempt: 1,
    requestType: 'GRANT_ACCESS',
    identityIds: [identity],
    items: [item('a'), item('b'), item('c')],
    ...extra,
  };
};
const id = (k: number): string => k.toString(16).padStart(32, '0');

describe('coalescing submissions', () => {
  it('puts grants of the same items for different identities into requests of ten identities', () => {
    const tickets = Array.from({ length: 25 }, (_, k) => ticket(id(k)));
    const batches = coalesce(tickets);
    expect(batches.map((b) => b.members.length)).toEqual([10, 10, 5]);
    expect(batches.flatMap((b) => b.members.map((m) => m.ticket))).toEqual(tickets.map((t) => t.ticket));
    expect(new Set(batches.map((b) => b.batchId)).size).toBe(3);
    expect(coalesce(tickets)).toEqual(batches);
  });

  it('keeps apart what cannot share a request: other items, dates, rounds, the same identity twice, and revokes', () => {
    const batches = coalesce([
      ticket(id(1)),
      ticket(id(2), { items: [item('a')] }),
      ticket(id(3), { items: [{ ...item('a'), removeDate: '2030-01-01T00:00:00Z' }] }),
      ticket(id(4), { attempt: 2 }),
      ticket(id(1)),
      ticket(id(5), { requestType: 'REVOKE_ACCESS', items: [item('a')] }),
      ticket(id(6), { requestType: 'REVOKE_ACCESS', items: [item('a')] }),
    ]);
    expect(batches.map((b) => b.members.flatMap((m) => m.identityIds))).toEqual([
      [id(1)],
      [id(1)],
      [id(2)],
      [id(3)],
      [id(4)],
      [id(5)],
      [id(6)],
    ]);
    for (const batch of batches) {
      expect(batch.members.flatMap((m) => m.identityIds).length).toBeLessThanOrEqual(MAX_IDENTITIES_PER_BATCH);
    }
  });
});

describe('submission rounds', () => {
  const queued = (tickets: SubmitTicket[], atMs: number | number[]) =>
    tickets.map((t, k) => ({ ticket: t, atMs: Array.isArray(atMs) ? (atMs[k] as number) : atMs }));

  it('sends a lone request after a quiet second, as before rounds were spaced', () => {
    const queue = queued([ticket(id(1))], 0);
    expect(submissionRound(queue, COALESCE_QUIET_MS - 1, undefined)).toEqual({ send: [], nextAtMs: COALESCE_QUIET_MS });
    expect(submissionRound(queue, COALESCE_QUIET_MS, undefined).send).toHaveLength(1);
  });

  it('sends full requests at once and keeps a partial one while its burst goes on', () => {
    const tickets = Array.from({ length: 13 }, (_, k) => ticket(id(100 + k)));
    // A ticket every 200 ms: the first ten fill a request; the last three are still arriving.
    const queue = queued(
      tickets,
      tickets.map((_, k) => k * 200),
    );
    const round = submissionRound(queue, 12 * 200, undefined);
    expect(round.send).toEqual(tickets.slice(0, 10).map((t) => t.ticket));
    // Quiet for a second after the last: the partial request goes too.
    expect(
      submissionRound(queued(tickets.slice(10), [2000, 2200, 2400]), 2400 + COALESCE_QUIET_MS, 0).send,
    ).toHaveLength(3);
  });

  it('never keeps a partial request longer than the longest wait, however busy the burst', () => {
    const tickets = [ticket(id(200)), ticket(id(201))];
    // The second joined just now: not quiet, but the first has waited long enough.
    const queue = queued(tickets, [0, COALESCE_MAX_WAIT_MS - 10]);
    expect(submissionRound(queue, COALESCE_MAX_WAIT_MS, undefined).send).toHaveLength(2);
  });

  it('spaces rounds, each of which costs a held-access search, unless a search page of identities is ready', () => {
    const lone = queued([ticket(id(300))], 0);
    const soon = submissionRound(lone, COALESCE_QUIET_MS, COALESCE_QUIET_MS - 100);
    expect(soon.send).toEqual([]);
    expect(soon.nextAtMs).toBe(COALESCE_QUIET_MS - 100 + SUBMIT_ROUND_GAP_MS);
    const many = queued(
      Array.from({ length: 100 }, (_, k) => ticket(id(400 + k))),
      0,
    );
    expect(submissionRound(many, 1, 0).send).toHaveLength(100);
  });

  it('sends a revoke at once: ISC never shares one', () => {
    const revoke = queued([ticket(id(500), { requestType: 'REVOKE_ACCESS', items: [item('a')] })], 0);
    expect(submissionRound(revoke, 0, undefined).send).toHaveLength(1);
  });
});

describe('batching status look-ups', () => {
  it('fits each look-up in one page of rows and one filter of ids', () => {
    const requests = Array.from({ length: 100 }, (_, k) => ({ id: `r${k}`, rows: 30 }));
    const chunks = chunkForStatus(requests);
    expect(chunks.every((c) => c.length * 30 <= 250)).toBe(true);
    expect(chunks.flat().sort()).toEqual(requests.map((r) => r.id).sort());
    expect(chunks).toHaveLength(13);
    expect(
      chunkForStatus(Array.from({ length: 120 }, (_, k) => ({ id: `s${k}`, rows: 1 }))).map((c) => c.length),
    ).toEqual([50, 50, 20]);
    expect(
      chunkForStatus([
        { id: 'big', rows: 400 },
        { id: 'small', rows: 1 },
      ]),
    ).toEqual([['big'], ['small']]);
  });

  it('looks at fresh requests every few seconds and old ones rarely', () => {
    expect(pollIntervalMs(5_000)).toBe(3_000);
    expect(pollIntervalMs(5 * 60_000)).toBe(15_000);
    expect(pollIntervalMs(30 * 60_000)).toBe(60_000);
    expect(pollIntervalMs(5 * 3600_000)).toBe(300_000);
  });
});

describe("sharing ISC's budget", () => {
  it('leaves submissions most of the budget while they wait, and never starves polling', () => {
    const waiting = statusCallAllowance({ budgetPer10s: 90, roundMs: 2000, shards: 1, submissionsWaiting: true });
    const idle = statusCallAllowance({ budgetPer10s: 90, roundMs: 2000, shards: 1, submissionsWaiting: false });
    expect(waiting).toBe(6);
    expect(idle).toBe(14);
    // Every shard gets its part; even a tiny budget lets each poll once a round.
    expect(statusCallAllowance({ budgetPer10s: 90, roundMs: 2000, shards: 4, submissionsWaiting: true })).toBe(1);
    expect(statusCallAllowance({ budgetPer10s: 5, roundMs: 2000, shards: 4, submissionsWaiting: false })).toBe(1);
  });

  it('spreads access changes over shards by a stable hash', () => {
    const counts = [0, 0, 0, 0];
    for (let k = 0; k < 4000; k++) counts[trackerShardOf(`iscflow-grant-${k}`, 4)]! += 1;
    expect(Math.min(...counts)).toBeGreaterThan(800);
    expect(trackerShardOf('iscflow-grant-7', 4)).toBe(trackerShardOf('iscflow-grant-7', 4));
  });
});
