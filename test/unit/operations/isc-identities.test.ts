/**
 * Reading ISC's identities a page at a time: every page once, in order, chained by `next`; paced to a share
 * of the ISC budget; a page ISC answers with 429 or 5xx tried again after its Retry-After.
 */
import { IscError, type IdentityPageRequest, type IscClient, type SearchedIdentity } from '../../../src/isc';
import { identityPages } from '../../../src/operations/isc-identities';

const person = (n: number): SearchedIdentity => ({
  id: n.toString(16).padStart(32, '0'),
  name: `P${n}`,
  attributes: {},
  access: [],
});

/** An ISC of `total` identities, failing as told on the calls named. */
function fakeIsc(total: number, failures: Record<number, IscError> = {}) {
  const requests: IdentityPageRequest[] = [];
  const isc = {
    async searchIdentities(request: IdentityPageRequest) {
      requests.push(request);
      const failure = failures[requests.length];
      if (failure) throw failure;
      const from = request.after ? parseInt(request.after, 16) + 1 : 0;
      const identities = Array.from({ length: Math.max(0, Math.min(request.limit, total - from)) }, (_, i) =>
        person(from + i),
      );
      const last = identities[identities.length - 1];
      return { identities, ...(identities.length === request.limit && last ? { next: last.id } : {}) };
    },
  } as unknown as IscClient;
  return { isc, requests };
}

async function readAll(isc: IscClient, budgetPer10s: number) {
  const slept: number[] = [];
  let calls = 0;
  const read: string[] = [];
  const pages = identityPages(isc, {
    query: 'attributes.cloudLifecycleState:active',
    budgetPer10s,
    onCall: () => (calls += 1),
    sleep: async (ms) => {
      slept.push(ms);
    },
  });
  for await (const page of pages) read.push(...page.map((i) => i.id));
  return { read, slept, calls };
}

describe('identity pages', () => {
  it('reads every identity once, a page of 250 a call, chained by the last id', async () => {
    const { isc, requests } = fakeIsc(600);
    const { read, calls } = await readAll(isc, 90);
    expect(read).toEqual(Array.from({ length: 600 }, (_, n) => person(n).id));
    expect(requests.map((r) => [r.limit, r.after !== undefined])).toEqual([
      [250, false],
      [250, true],
      [250, true],
    ]);
    expect(calls).toBe(3);
  });

  it('paces its calls to a third of the ISC budget', async () => {
    const { isc } = fakeIsc(1000);
    const { slept } = await readAll(isc, 90);
    // 90 calls per 10 s, a third of it: a call every 333 ms at most (the fake answers at once).
    expect(slept.length).toBeGreaterThanOrEqual(3);
    for (const ms of slept) expect(ms).toBeLessThanOrEqual(10_000 / 30 + 1);
    expect(Math.max(...slept)).toBeGreaterThan(300);
  });

  it('tries a page again after a 429 (its Retry-After) or a 5xx, and gives up on a bad query at once', async () => {
    const limited = new IscError('ISC_RATE_LIMITED', '429', { status: 429, retryAfterMs: 7000 });
    const down = new IscError('ISC_SERVER_ERROR', '503', { status: 503 });
    const { isc } = fakeIsc(300, { 2: limited, 3: down });
    const { read, slept, calls } = await readAll(isc, 90);
    expect(read).toHaveLength(300);
    expect(slept).toContain(7000);
    expect(calls).toBe(4);
    const bad = new IscError('ISC_BAD_REQUEST', 'unsupported field', { status: 400 });
    await expect(readAll(fakeIsc(10, { 1: bad }).isc, 90)).rejects.toBe(bad);
  });
});
