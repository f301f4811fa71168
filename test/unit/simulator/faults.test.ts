import { anyString, harness, type Harness } from '../../support/simulator-harness';

/** Rate limit and faults: ISC endpoints only, reproducible from the seed. */
describe('rate limit', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness({ seed: 61, config: { rateLimit: { requests: 5, windowSeconds: 10 } } });
  });
  afterAll(() => h.close());

  it('answers 429 with Retry-After and the documented body per client and API version', async () => {
    for (let i = 0; i < 5; i++) expect((await h.isc('GET', '/v3/access-request-status?limit=1')).status).toBe(200);
    const limited = await h.isc('GET', '/v3/access-request-status?limit=1');
    expect(limited.status).toBe(429);
    expect(limited.body).toEqual({ message: ' Rate Limit Exceeded ' });
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(10);
    // Another API version has its own budget; token and control endpoints are never limited.
    expect((await h.isc('GET', '/v2025/access-request-status?limit=1')).status).toBe(200);
    expect((await h.call('GET', '/__sim/stats')).status).toBe(200);
    h.resetToken();
    expect(await h.token()).toEqual(anyString());
    await h.advance(10_000);
    expect((await h.isc('GET', '/v3/access-request-status?limit=1')).status).toBe(200);
    const stats = (await h.call<{ calls: Record<string, Record<string, number>> }>('GET', '/__sim/stats')).body;
    expect(stats.calls['GET /v3/access-request-status']).toEqual({ 200: 6, 429: 1 });
  });
});

describe('faults', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness({ seed: 62, config: { rateLimit: { requests: 100_000 } } });
  });
  afterAll(() => h.close());
  afterEach(() =>
    h.configure({ faults: { latencyMs: 0, errorRate: 0, rateLimitRate: 0, lostResponseRate: 0, resetRate: 0 } }),
  );

  it('adds latency', async () => {
    await h.configure({ faults: { latencyMs: 150 } });
    const started = Date.now();
    await h.isc('GET', '/v3/access-request-status?limit=1');
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('answers 500 (ErrorResponseDto), 502 and 503 at errorRate', async () => {
    await h.configure({ faults: { errorRate: 1 } });
    const statuses = new Set<number>();
    for (let i = 0; i < 30; i++) {
      const result = await h.call<{ detailCode?: string }>('GET', '/v3/access-request-status?limit=1');
      statuses.add(result.status);
      if (result.status === 500) expect(result.body.detailCode).toBe('500.0 Internal Fault');
    }
    expect([...statuses].sort()).toEqual([500, 502, 503]);
    expect((await h.call('GET', '/__sim/catalog')).status).toBe(200);
    expect(
      (
        await fetch(
          `${h.baseUrl}/oauth/token?grant_type=client_credentials&client_id=iscflow-sim&client_secret=iscflow-sim-secret`,
          { method: 'POST' },
        )
      ).status,
    ).toBe(200);
  });

  it('answers 429 at rateLimitRate regardless of budget', async () => {
    await h.configure({ faults: { rateLimitRate: 1 } });
    const result = await h.isc('GET', '/v3/access-request-status?limit=1');
    expect(result.status).toBe(429);
    expect(result.headers.get('retry-after')).toBe('1');
  });

  it('resets connections at resetRate before handling', async () => {
    await h.configure({ faults: { resetRate: 1 } });
    const before = (await h.call<unknown[]>('GET', '/__sim/requests')).body.length;
    await expect(
      h.call('POST', '/v3/access-requests', {
        requestedFor: [h.identity(10)],
        requestedItems: [{ type: 'ROLE', id: h.plain('ROLE')[0]?.id }],
      }),
    ).rejects.toThrow();
    expect((await h.call<unknown[]>('GET', '/__sim/requests')).body).toHaveLength(before);
  });

  it('creates the request, then loses the response at lostResponseRate', async () => {
    await h.configure({ faults: { lostResponseRate: 1 } });
    const outcomes: string[] = [];
    for (let i = 0; i < 8; i++) {
      try {
        const result = await h.call('POST', '/v3/access-requests', {
          requestedFor: [h.identity(20 + i)],
          requestedItems: [{ type: 'ACCESS_PROFILE', id: h.plain('ACCESS_PROFILE')[0]?.id }],
        });
        outcomes.push(String(result.status));
      } catch {
        outcomes.push('dropped');
      }
    }
    expect(new Set(outcomes)).toEqual(new Set(['500', 'dropped']));
    const requests = (await h.call<{ requestedFor: string }[]>('GET', '/__sim/requests')).body;
    for (let i = 0; i < 8; i++) expect(requests.some((r) => r.requestedFor === h.identity(20 + i))).toBe(true);
  });

  it('is reproducible from the seed', async () => {
    const run = async (): Promise<number[]> => {
      const other = await harness({ seed: 99, config: { faults: { errorRate: 0.5 } } });
      try {
        const statuses: number[] = [];
        for (let i = 0; i < 12; i++)
          statuses.push((await other.call('GET', '/v3/access-request-status?limit=1')).status);
        return statuses;
      } finally {
        await other.close();
      }
    };
    const first = await run();
    expect(first.some((s) => s === 200) && first.some((s) => s >= 500)).toBe(true);
    expect(await run()).toEqual(first);
  });
});

describe('the outage switch', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness({ seed: 63 });
  });
  afterAll(() => h.close());

  const stats = async () =>
    (await h.call<{ calls: Record<string, Record<string, number>>; apiCalls: number }>('GET', '/__sim/stats')).body;
  const tokenCall = () =>
    fetch(`${h.baseUrl}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials&client_id=iscflow-sim&client_secret=iscflow-sim-secret',
    });

  it('answers every ISC call with the status set, the token endpoint too, until lifted; /__sim stays up', async () => {
    await h.token();
    await h.configure({ outage: { status: 503 } });
    expect((await h.call('GET', '/__sim/config')).body).toMatchObject({ outage: { status: 503 } });
    const down = await h.call('GET', '/v3/access-request-status?limit=1');
    expect(down.status).toBe(503);
    expect(String(down.body)).toContain('503 Service Unavailable');
    expect((await h.call('GET', '/v2025/access-request-status?limit=1')).status).toBe(503);
    // Without a token at all: a down ISC does not get as far as checking one.
    expect((await h.call('GET', '/v3/access-request-status?limit=1', undefined, { authorization: '' })).status).toBe(
      503,
    );
    expect((await tokenCall()).status).toBe(503);
    expect((await h.call('GET', '/__sim/catalog')).status).toBe(200);
    const during = await stats();
    expect(during.calls['GET /v3/access-request-status']).toMatchObject({ 503: 2 });
    expect(during.calls['POST /oauth/token']).toMatchObject({ 503: 1 });

    await h.configure({ outage: { status: 502 } });
    expect((await h.call('GET', '/v3/access-request-status?limit=1')).status).toBe(502);
    await h.configure({ outage: null });
    expect((await h.isc('GET', '/v3/access-request-status?limit=1')).status).toBe(200);
    expect((await tokenCall()).status).toBe(200);
  });

  it('drops every connection with "reset", and counts each drop', async () => {
    await h.configure({ outage: { status: 'reset' } });
    await expect(h.call('GET', '/v3/access-request-status?limit=1')).rejects.toThrow();
    await expect(tokenCall()).rejects.toThrow();
    // fetch may try a dropped idempotent call once more on a fresh connection: at least one drop each.
    expect((await stats()).calls['GET /v3/access-request-status']?.reset).toBeGreaterThanOrEqual(1);
    expect((await stats()).calls['POST /oauth/token']?.reset).toBeGreaterThanOrEqual(1);
    await h.configure({ outage: null });
    expect((await h.isc('GET', '/v3/access-request-status?limit=1')).status).toBe(200);
  });

  it('refuses a status that is not an error, and keys it does not know', async () => {
    for (const outage of [{ status: 200 }, { status: 'down' }, { status: 503, forMs: 10 }]) {
      expect((await h.call('POST', '/__sim/config', { outage })).status).toBe(400);
    }
  });
});
