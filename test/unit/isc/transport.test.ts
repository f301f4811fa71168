/**
 * The transport on its own, over an injected fetch: tokens (one for concurrent callers, refreshed before
 * they expire, one new token after a 401), how answers and failures become `IscError`s, redaction, and
 * what the observer hears.
 */
import { z } from 'zod';
import { type IscCallObservation } from '../../../src/isc/types';
import { createIscTransport, type IscTransportOptions } from '../../../src/isc/transport';
import { thrown } from '../../support/isc';

const SECRET = 'client-secret-0123';
const rows = z.array(z.object({ id: z.string() }));

/** One request as the fake fetch saw it. */
interface Sent {
  method: string;
  path: string;
  search: string;
  authorization?: string;
  body?: string;
}

type Handler = (sent: Sent, signal: AbortSignal) => Response | Promise<Response>;

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
}

/** Tokens `token-1`, `token-2`, ... for 750 s, one per token request. */
function tokenIssuer(expiresIn = 750): Handler {
  let issued = 0;
  return () => json(200, { access_token: `token-${++issued}`, token_type: 'bearer', expires_in: expiresIn });
}

/** A transport over a fetch that records every request and hands token requests and API calls to their handlers. */
function transportWith(api: Handler, options: { token?: Handler } & Partial<IscTransportOptions> = {}) {
  const { token = tokenIssuer(), ...overrides } = options;
  const sent: Sent[] = [];
  const fakeFetch: typeof fetch = async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const headers = (init?.headers ?? {}) as Record<string, string>;
    const request: Sent = {
      method: init?.method ?? 'GET',
      path: url.pathname,
      search: url.search,
      authorization: headers.authorization,
      body: typeof init?.body === 'string' ? init.body : undefined,
    };
    sent.push(request);
    const signal = init?.signal ?? new AbortController().signal;
    return request.path === '/oauth/token' ? token(request, signal) : api(request, signal);
  };
  const transport = createIscTransport({
    baseUrl: 'https://tenant.example/',
    clientId: 'client-id',
    clientSecret: { current: () => SECRET },
    fetch: fakeFetch,
    ...overrides,
  });
  const tokenRequests = () => sent.filter((s) => s.path === '/oauth/token').length;
  const apiCalls = () => sent.filter((s) => s.path !== '/oauth/token');
  return { transport, sent, tokenRequests, apiCalls };
}

const getRows = { method: 'GET', path: '/v3/things', schema: rows } as const;

describe('ISC transport: tokens', () => {
  afterEach(() => jest.restoreAllMocks());

  it('fetches one token for concurrent callers and sends it with each call', async () => {
    const slowToken: Handler = async () => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      return json(200, { access_token: 'only-token', expires_in: 750 });
    };
    const { transport, tokenRequests, apiCalls } = transportWith(() => json(200, []), { token: slowToken });
    await Promise.all(Array.from({ length: 5 }, () => transport.call(getRows)));
    await transport.call(getRows);
    expect(tokenRequests()).toBe(1);
    expect(apiCalls().map((c) => c.authorization)).toEqual(Array(6).fill('Bearer only-token'));
  });

  it('refreshes a token a minute before it expires, and a short-lived one at half its life', async () => {
    let now = 1_000_000;
    jest.spyOn(Date, 'now').mockImplementation(() => now);
    const long = transportWith(() => json(200, []));
    await long.transport.call(getRows);
    now += 689_999;
    await long.transport.call(getRows);
    expect(long.tokenRequests()).toBe(1);
    now += 1;
    await long.transport.call(getRows);
    expect(long.tokenRequests()).toBe(2);

    const short = transportWith(() => json(200, []), { token: tokenIssuer(2) });
    await short.transport.call(getRows);
    now += 1_000;
    await short.transport.call(getRows);
    expect(short.tokenRequests()).toBe(2);
  });

  it('fetches a new token once after a 401, and the call goes through with it', async () => {
    const { transport, tokenRequests, apiCalls } = transportWith((sent) =>
      sent.authorization === 'Bearer token-1' ? json(401, { error: 'JWT expired' }) : json(200, [{ id: 'a' }]),
    );
    await expect(transport.call(getRows)).resolves.toEqual([{ id: 'a' }]);
    expect(tokenRequests()).toBe(2);
    expect(apiCalls().map((c) => c.authorization)).toEqual(['Bearer token-1', 'Bearer token-2']);
  });

  it('gives up with ISC_AUTH_FAILED when a freshly fetched token is refused too', async () => {
    const { transport, tokenRequests, apiCalls } = transportWith(() => json(401, { error: 'JWT validation failed' }));
    const error = await thrown(transport.call(getRows));
    expect(error).toMatchObject({ code: 'ISC_AUTH_FAILED', status: 401, retryable: false });
    expect(tokenRequests()).toBe(2);
    expect(apiCalls()).toHaveLength(2);
  });

  it('classifies token endpoint failures: bad credentials final, 5xx retryable, no token invalid', async () => {
    let answer = json(401, { error: 'invalid_client' });
    const { transport, apiCalls } = transportWith(() => json(200, []), { token: () => answer });
    expect(await thrown(transport.call(getRows))).toMatchObject({ code: 'ISC_AUTH_FAILED', retryable: false });
    answer = json(503, { error: 'down' });
    expect(await thrown(transport.call(getRows))).toMatchObject({ code: 'ISC_SERVER_ERROR', retryable: true });
    answer = json(200, { token_type: 'bearer' });
    expect(await thrown(transport.call(getRows))).toMatchObject({ code: 'ISC_INVALID_RESPONSE', retryable: false });
    expect(apiCalls()).toHaveLength(0);
  });
});

describe('ISC transport: answers and failures', () => {
  it('reads Retry-After of a 429 as delta-seconds or an HTTP-date, 10 s without one, and does not retry', async () => {
    const at = new Date(Date.now() + 20_000).toUTCString();
    const retryAfter: Record<string, Record<string, string>> = {
      '?limit=1': { 'retry-after': '7' },
      '?limit=2': { 'retry-after': at },
      '?limit=3': {},
    };
    const { transport, apiCalls } = transportWith((sent) =>
      json(429, { message: ' Rate Limit Exceeded ' }, retryAfter[sent.search]),
    );
    const limited = (limit: number) => thrown(transport.call({ ...getRows, query: { limit } }));
    expect(await limited(1)).toMatchObject({
      code: 'ISC_RATE_LIMITED',
      status: 429,
      retryable: true,
      retryAfterMs: 7_000,
      messages: ['Rate Limit Exceeded'],
    });
    const dated = await limited(2);
    expect(dated.retryAfterMs).toBeGreaterThan(15_000);
    expect(dated.retryAfterMs).toBeLessThanOrEqual(20_000);
    expect((await limited(3)).retryAfterMs).toBe(10_000);
    expect(apiCalls()).toHaveLength(3);
  });

  it('turns a 403 into a final ISC_FORBIDDEN with ISC detailCode and messages', async () => {
    const { transport } = transportWith(() =>
      json(403, {
        detailCode: '403 Forbidden',
        trackingId: 'c'.repeat(32),
        messages: [{ locale: 'en-US', localeOrigin: 'DEFAULT', text: 'API tokens cannot request access.' }],
      }),
    );
    const error = await thrown(transport.call({ method: 'POST', path: '/v3/access-requests', body: {}, schema: rows }));
    expect(error).toMatchObject({
      code: 'ISC_FORBIDDEN',
      status: 403,
      detailCode: '403 Forbidden',
      messages: ['API tokens cannot request access.'],
      retryable: false,
    });
    expect(error.message).toBe(
      'ISC POST /v3/access-requests answered 403 (403 Forbidden: API tokens cannot request access.)',
    );
  });

  it('turns a 2xx body that is not JSON into ISC_INVALID_RESPONSE, and reads an empty one as none', async () => {
    let body = '<html>oops</html>';
    const { transport } = transportWith(() => new Response(body, { status: 202 }));
    expect(await thrown(transport.call(getRows))).toMatchObject({
      code: 'ISC_INVALID_RESPONSE',
      status: 202,
      retryable: false,
      message: 'ISC GET /v3/things answered 202 with an unexpected body (not JSON)',
    });
    body = '';
    await expect(transport.call({ ...getRows, schema: rows.optional() })).resolves.toBeUndefined();
  });

  it('never puts the client secret or a token into an error, even when ISC echoes them', async () => {
    const echo = `you sent ${SECRET} and token-1`;
    const api = transportWith(() => json(400, { messages: [{ text: echo }] }));
    const apiError = await thrown(api.transport.call(getRows));
    expect(apiError.messages).toEqual(['you sent [REDACTED] and [REDACTED]']);
    const refused = transportWith(() => json(200, []), { token: () => json(401, { error_description: echo }) });
    const tokenError = await thrown(refused.transport.call(getRows));
    expect(tokenError.code).toBe('ISC_AUTH_FAILED');
    for (const error of [apiError, tokenError]) {
      expect(error.message).not.toContain(SECRET);
      expect(JSON.stringify(error)).not.toContain(SECRET);
    }
    expect(apiError.message).not.toContain('token-1');
  });

  it('times out a call that gets no answer with a retryable ISC_TIMEOUT', async () => {
    const never: Handler = (_sent, signal) =>
      new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error)));
    const { transport } = transportWith(never, { requestTimeoutMs: 20 });
    const error = await thrown(transport.call(getRows));
    expect(error).toMatchObject({ code: 'ISC_TIMEOUT', retryable: true, message: 'ISC GET /v3/things timed out' });
    expect(error.status).toBeUndefined();
  });

  it('turns a refused connection into a retryable ISC_NETWORK_ERROR naming the cause', async () => {
    const refused: Handler = () => Promise.reject(new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } }));
    const error = await thrown(transportWith(refused).transport.call(getRows));
    expect(error).toMatchObject({ code: 'ISC_NETWORK_ERROR', retryable: true });
    expect(error.message).toContain('ECONNREFUSED');
  });
});

describe('ISC transport: what it sends and what the observer hears', () => {
  it('sends the query and a JSON body, and tells the observer of every exchange once, by its path alone', async () => {
    const seen: IscCallObservation[] = [];
    let fail = false;
    const { transport, apiCalls } = transportWith(
      (sent) => {
        if (fail) return Promise.reject(new TypeError('fetch failed', { cause: { code: 'ECONNRESET' } }));
        return sent.authorization === 'Bearer token-1' ? json(401, {}) : json(200, [{ id: 'a' }]);
      },
      { observe: (call) => seen.push(call) },
    );
    await transport.call({
      method: 'POST',
      path: '/v3/things',
      query: { filters: 'name eq "x"', limit: 5, offset: undefined },
      body: { a: 1 },
      schema: rows,
    });
    expect(apiCalls()[0]).toMatchObject({ search: '?filters=name+eq+%22x%22&limit=5', body: '{"a":1}' });
    fail = true;
    await thrown(transport.call({ ...getRows, query: { limit: 1 } }));
    expect(seen.map(({ method, path, status, failure }) => ({ method, path, status, failure }))).toEqual([
      { method: 'POST', path: '/oauth/token', status: 200, failure: undefined },
      { method: 'POST', path: '/v3/things', status: 401, failure: undefined },
      { method: 'POST', path: '/oauth/token', status: 200, failure: undefined },
      { method: 'POST', path: '/v3/things', status: 200, failure: undefined },
      { method: 'GET', path: '/v3/things', status: undefined, failure: 'ISC_NETWORK_ERROR' },
    ]);
  });
});

describe('ISC transport: an outage, through the circuit', () => {
  const down = () => json(503, { error: 'Service Unavailable' });

  it('stops sending after five failures in a row, refuses with ISC_UNAVAILABLE and when to retry, probes one call at a time', async () => {
    const clock = { now: 5_000_000 };
    let isc: 'down' | 'up' = 'down';
    const heard: boolean[] = [];
    const { transport, apiCalls } = transportWith(() => (isc === 'down' ? down() : json(200, [{ id: 'a' }])), {
      circuit: { now: () => clock.now, random: () => 0, onChange: ({ up }) => heard.push(up) },
    });
    for (let n = 0; n < 5; n++) {
      expect(await thrown(transport.call(getRows))).toMatchObject({ retryable: true });
    }
    expect(apiCalls()).toHaveLength(5);
    // The fifth opened the circuit: it already says ISC is unavailable, and when to come back.
    const held = await thrown(transport.call(getRows));
    expect(held).toMatchObject({ code: 'ISC_UNAVAILABLE', retryable: true, retryAfterMs: 1_000 });
    expect(held.message).toBe(
      'ISC GET /v3/things not sent: ISC has not answered for 0 s; the worker probes it one call at a time',
    );
    expect(apiCalls()).toHaveLength(5);
    // A hundred callers while it is down: none of them reaches ISC.
    const refused = await Promise.all(Array.from({ length: 100 }, () => thrown(transport.call(getRows))));
    expect(new Set(refused.map((e) => e.code))).toEqual(new Set(['ISC_UNAVAILABLE']));
    expect(apiCalls()).toHaveLength(5);
    // The probe is due: one call goes, fails, and says so with the doubled wait.
    clock.now += 1_000;
    const probed = await thrown(transport.call(getRows));
    expect(probed).toMatchObject({ code: 'ISC_UNAVAILABLE', status: 503, retryAfterMs: 2_000 });
    expect(probed.message).toMatch(/^ISC GET \/v3\/things answered 503 .*: ISC has not answered for 1 s/);
    expect(apiCalls()).toHaveLength(6);
    isc = 'up';
    clock.now += 2_000;
    const [first, ...others] = await Promise.allSettled([transport.call(getRows), transport.call(getRows)]);
    expect(first).toMatchObject({ status: 'fulfilled', value: [{ id: 'a' }] });
    // The second came while the probe was out: refused, it retries after the probe's answer.
    expect(others[0]).toMatchObject({ status: 'rejected', reason: { code: 'ISC_UNAVAILABLE' } });
    await expect(transport.call(getRows)).resolves.toEqual([{ id: 'a' }]);
    expect(heard).toEqual([true, false, true]);
  });

  it('counts timeouts and refused connections, a failing token call too, but not an answer that says no', async () => {
    let answer: () => Response | Promise<Response> = () => json(400, { messages: [{ text: 'bad filter' }] });
    const { transport, sent } = transportWith(() => answer(), { requestTimeoutMs: 20 });
    for (let n = 0; n < 10; n++)
      expect(await thrown(transport.call(getRows))).toMatchObject({ code: 'ISC_BAD_REQUEST' });
    answer = () => json(429, {}, { 'retry-after': '1' });
    for (let n = 0; n < 10; n++)
      expect(await thrown(transport.call(getRows))).toMatchObject({ code: 'ISC_RATE_LIMITED' });
    answer = () => Promise.reject(new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } }));
    const codes: string[] = [];
    for (let n = 0; n < 6; n++) codes.push((await thrown(transport.call(getRows))).code);
    expect(codes).toEqual([...Array(4).fill('ISC_NETWORK_ERROR'), 'ISC_UNAVAILABLE', 'ISC_UNAVAILABLE']);
    expect(sent.filter((s) => s.path !== '/oauth/token')).toHaveLength(25);

    const tokenDown = transportWith(() => json(200, []), { token: down });
    const tokenCodes: string[] = [];
    for (let n = 0; n < 6; n++) tokenCodes.push((await thrown(tokenDown.transport.call(getRows))).code);
    expect(tokenCodes).toEqual([...Array(4).fill('ISC_SERVER_ERROR'), 'ISC_UNAVAILABLE', 'ISC_UNAVAILABLE']);
    expect(tokenDown.tokenRequests()).toBe(5);
  });

  it('fails with the final ISC_OUTAGE once ISC has been down longer than the escalation setting', async () => {
    const clock = { now: 0 };
    const { transport } = transportWith(down, { circuit: { now: () => clock.now, escalateAfterMs: 60_000 } });
    for (let n = 0; n < 5; n++) await thrown(transport.call(getRows));
    clock.now = 59_999;
    expect(await thrown(transport.call(getRows))).toMatchObject({ code: 'ISC_UNAVAILABLE', retryable: true });
    clock.now = 60_000;
    const escalated = await thrown(transport.call(getRows));
    expect(escalated).toMatchObject({ code: 'ISC_OUTAGE', retryable: false });
    expect(escalated.message).toContain('longer than ISCFLOW_OUTAGE_ESCALATE_AFTER');
  });
});

describe('ISC transport: a client secret kept in a file', () => {
  it('reads the secret again when the token call is refused, and asks once more with a rotated one', async () => {
    let kept = 'old-secret-1';
    let inHand = 'old-secret-1';
    let valid = 'old-secret-1';
    const rereads: string[] = [];
    const source = {
      current: () => inHand,
      reread: async () => {
        rereads.push(kept);
        inHand = kept;
        return kept;
      },
    };
    const { transport, sent } = transportWith(() => json(200, []), {
      clientSecret: source,
      token: (request) =>
        new URLSearchParams(request.body).get('client_secret') === valid
          ? json(200, { access_token: `token-for-${valid}`, expires_in: 2 })
          : json(401, { error: 'invalid_client' }),
    });
    await transport.call(getRows);
    expect(rereads).toEqual([]);
    // Rotated: ISC takes only the new secret, which the file now holds; the process was not restarted.
    kept = 'new-secret-2';
    valid = 'new-secret-2';
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await expect(transport.call(getRows)).resolves.toEqual([]);
    expect(rereads).toEqual(['new-secret-2']);
    const secretsSent = sent
      .filter((s) => s.path === '/oauth/token')
      .map((s) => new URLSearchParams(s.body).get('client_secret'));
    expect(secretsSent).toEqual(['old-secret-1', 'old-secret-1', 'new-secret-2']);
  });

  it('is ISC_AUTH_FAILED when the file still holds the refused secret, and never sends it twice in one go', async () => {
    let rereads = 0;
    const source = {
      current: () => 'refused-secret',
      reread: async () => {
        rereads += 1;
        return 'refused-secret';
      },
    };
    const { transport, tokenRequests } = transportWith(() => json(200, []), {
      clientSecret: source,
      token: () => json(401, { error: 'invalid_client' }),
    });
    const error = await thrown(transport.call(getRows));
    expect(error).toMatchObject({ code: 'ISC_AUTH_FAILED', retryable: false });
    expect(error.message).not.toContain('refused-secret');
    expect(rereads).toBe(1);
    expect(tokenRequests()).toBe(1);
  });
});
