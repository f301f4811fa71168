import { createHmac } from 'node:crypto';
import {
  SIGNATURE_TOLERANCE_SECONDS,
  signWebhook,
  verifyWebhookSignature,
  webhookSecretKey,
} from '../../../src/ingress';
import {
  hireEvent,
  newSecret,
  nowSeconds,
  postEvent,
  type RunningIngress,
  SECRET,
  signedHeaders,
  startIngress,
} from '../../support/ingress/harness';

const BODY = Buffer.from(JSON.stringify(hireEvent()));

describe('Standard Webhooks signature (verifyWebhookSignature)', () => {
  const secrets = [webhookSecretKey(SECRET)];
  const now = 1_800_000_000;
  const headers = (overrides: Partial<Record<'id' | 'timestamp' | 'signature', string | undefined>> = {}) => {
    const base = { id: 'msg_1', timestamp: String(now), signature: signWebhook(SECRET, 'msg_1', now, BODY) };
    return { ...base, ...overrides };
  };

  it('matches the scheme: base64 HMAC-SHA256 of "{id}.{timestamp}.{body}" under the base64-decoded secret', () => {
    const key = Buffer.from(SECRET.slice('whsec_'.length), 'base64');
    const expected = createHmac('sha256', key).update(`msg_1.${now}.${BODY.toString()}`).digest('base64');
    expect(signWebhook(SECRET, 'msg_1', now, BODY)).toBe(`v1,${expected}`);
    expect(verifyWebhookSignature(headers(), BODY, secrets, now)).toEqual({ ok: true, id: 'msg_1' });
  });

  it('names each way of being wrong', () => {
    const reason = (h: ReturnType<typeof headers>, body = BODY, at = now) => {
      const check = verifyWebhookSignature(h, body, secrets, at);
      return check.ok ? 'ok' : check.reason;
    };
    expect(reason(headers({ signature: undefined }))).toBe('MISSING_HEADERS');
    expect(reason(headers({ id: undefined }))).toBe('MISSING_HEADERS');
    expect(reason(headers({ timestamp: undefined }))).toBe('MISSING_HEADERS');
    expect(reason(headers({ id: 'has space' }))).toBe('MALFORMED_ID');
    expect(reason(headers({ id: 'msg.1' }))).toBe('MALFORMED_ID');
    expect(reason(headers({ timestamp: '17e8' }))).toBe('MALFORMED_TIMESTAMP');
    expect(reason(headers({ timestamp: '-5' }))).toBe('MALFORMED_TIMESTAMP');
    expect(reason(headers({ signature: 'v1,not base64!' }))).toBe('MALFORMED_SIGNATURE');
    expect(reason(headers({ signature: 'v1,AAAA' }))).toBe('MALFORMED_SIGNATURE');
    expect(reason(headers({ signature: signWebhook(SECRET, 'msg_1', now, BODY).slice(3) }))).toBe(
      'MALFORMED_SIGNATURE',
    );
    expect(reason(headers({ signature: signWebhook(SECRET, 'msg_1', now, BODY).replace('v1,', 'v2,') }))).toBe(
      'MALFORMED_SIGNATURE',
    );
    expect(reason(headers({ signature: signWebhook(newSecret(), 'msg_1', now, BODY) }))).toBe('NO_MATCH');
    expect(reason(headers({ id: 'msg_2' }))).toBe('NO_MATCH');
    expect(reason(headers({ timestamp: String(now + 1) }), BODY, now + 1)).toBe('NO_MATCH');
    const tampered = Buffer.from(BODY);
    tampered[10] = (tampered[10] ?? 0) ^ 0x01;
    expect(reason(headers(), tampered)).toBe('NO_MATCH');
    expect(
      reason(
        headers({
          signature: Array(17)
            .fill(signWebhook(SECRET, 'msg_1', now, BODY))
            .join(' '),
        }),
      ),
    ).toBe('MALFORMED_SIGNATURE');
  });

  it('refuses timestamps more than five minutes away on either side, and accepts the edges', () => {
    const check = (at: number) => {
      const result = verifyWebhookSignature(headers(), BODY, secrets, at);
      return result.ok ? 'ok' : result.reason;
    };
    expect(check(now + SIGNATURE_TOLERANCE_SECONDS)).toBe('ok');
    expect(check(now - SIGNATURE_TOLERANCE_SECONDS)).toBe('ok');
    expect(check(now + SIGNATURE_TOLERANCE_SECONDS + 1)).toBe('TIMESTAMP_TOO_OLD');
    expect(check(now - SIGNATURE_TOLERANCE_SECONDS - 1)).toBe('TIMESTAMP_TOO_NEW');
  });

  it('passes when any one signature of the header matches, and skips other versions', () => {
    const good = signWebhook(SECRET, 'msg_1', now, BODY);
    const other = signWebhook(newSecret(), 'msg_1', now, BODY);
    const both = headers({ signature: `v1a,c29tZXRoaW5n ${other} ${good}` });
    expect(verifyWebhookSignature(both, BODY, secrets, now).ok).toBe(true);
  });

  it('verifies raw bytes: two different invalid UTF-8 bodies do not share a signature', () => {
    // Decoded as strings both would read as {"a":"\uFFFD"}: a string-based check could not tell them apart.
    const first = Buffer.from([...Buffer.from('{"a":"'), 0xff, ...Buffer.from('"}')]);
    const second = Buffer.from([...Buffer.from('{"a":"'), 0xfe, ...Buffer.from('"}')]);
    const signed = headers({ signature: signWebhook(SECRET, 'msg_1', now, first) });
    expect(verifyWebhookSignature(signed, first, secrets, now).ok).toBe(true);
    expect(verifyWebhookSignature(signed, second, secrets, now)).toMatchObject({ ok: false, reason: 'NO_MATCH' });
  });
});

describe('signatures over HTTP', () => {
  let ingress: RunningIngress;
  const rotated = newSecret();

  beforeAll(async () => {
    ingress = await startIngress({ env: { ISCFLOW_WEBHOOK_SECRETS: `${rotated}, ${SECRET}` } });
  });
  afterAll(() => ingress.close());

  it('accepts a valid signature', async () => {
    const response = await postEvent(ingress, hireEvent('sig-valid'));
    expect(response.status).toBe(202);
  });

  it('takes either of two configured secrets, so a secret can be rotated without downtime', async () => {
    expect((await postEvent(ingress, hireEvent('sig-old'), { secret: SECRET })).status).toBe(202);
    expect((await postEvent(ingress, hireEvent('sig-new'), { secret: rotated })).status).toBe(202);
    expect((await postEvent(ingress, hireEvent('sig-other'), { secret: newSecret() })).json.reason).toBe('NO_MATCH');
  });

  it.each([
    ['an empty webhook-signature', { 'webhook-signature': '' }, 'MALFORMED_SIGNATURE'],
    ['bad base64', { 'webhook-signature': 'v1,!!!!' }, 'MALFORMED_SIGNATURE'],
    ['a tampered id', { 'webhook-id': 'msg_tampered' }, 'NO_MATCH'],
    ['a tampered timestamp', { 'webhook-timestamp': String(nowSeconds() - 1) }, 'NO_MATCH'],
    ['a timestamp too old', { 'webhook-timestamp': String(nowSeconds() - 301) }, 'TIMESTAMP_TOO_OLD'],
    ['a timestamp too new', { 'webhook-timestamp': String(nowSeconds() + 301) }, 'TIMESTAMP_TOO_NEW'],
  ])('answers 401 for %s, saying which, and calls no gateway', async (_name, headers, reason) => {
    const before = ingress.gateway.sendCalls.length;
    const response = await postEvent(ingress, hireEvent('sig-refused'), { headers });
    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(response.json).toMatchObject({ status: 401, code: 'SIGNATURE_INVALID', reason });
    expect(ingress.gateway.sendCalls.length).toBe(before);
  });

  it('answers 401 MISSING_HEADERS when the webhook headers are absent', async () => {
    const response = await fetch(`${ingress.base}/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(hireEvent('sig-unsigned')),
    });
    const body = (await response.json()) as Record<string, unknown>;
    expect(response.status).toBe(401);
    expect(body).toMatchObject({ code: 'SIGNATURE_INVALID', reason: 'MISSING_HEADERS' });
  });

  it('a changed raw byte fails, even when it is only whitespace the JSON does not care about', async () => {
    const compact = JSON.stringify(hireEvent('sig-whitespace'));
    const pretty = JSON.stringify(hireEvent('sig-whitespace'), null, 2);
    const headers = signedHeaders(compact);
    const reserialised = await postEvent(ingress, pretty, { headers });
    expect(reserialised.status).toBe(401);
    expect(reserialised.json.reason).toBe('NO_MATCH');

    const flipped = Buffer.from(compact);
    flipped[flipped.length - 3] = (flipped[flipped.length - 3] ?? 0) ^ 0x20;
    expect((await postEvent(ingress, flipped, { headers: signedHeaders(compact) })).status).toBe(401);

    expect((await postEvent(ingress, compact, { headers })).status).toBe(202);
  });

  it('the 401 body never repeats the signature or the secret', async () => {
    const headers = signedHeaders('{"other":"body"}');
    const response = await postEvent(ingress, hireEvent('sig-echo'), { headers });
    expect(response.status).toBe(401);
    const signature = headers['webhook-signature']?.slice(3) ?? 'missing';
    expect(response.text).not.toContain(signature);
    expect(response.text).not.toContain(SECRET.slice(6, 30));
  });
});
