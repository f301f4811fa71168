import { defaultPayloadConverter } from '@temporalio/common';
import Fastify, { type FastifyInstance } from 'fastify';
import { buildCodecServer, codecRoutes, createEncryptionCodec } from '../../../src/codec';
import { createLogger } from '../../../src/logger';
import { listenOnLoopback } from '../../support/http';
import { captureLines } from '../../support/logs';
import { keyEntry, ring } from '../../support/payload-keys';

const TOKEN = 'codec-token-0123456789-abcdefghijklmnop';
const UI = 'http://localhost:8233';
const EMPLOYEE = { employeeNumber: 'E-104729', name: 'Ada Lovelace' };

interface WirePayload {
  metadata: Record<string, string>;
  data: string;
}

/** A payload as the UI sends it: proto3 JSON, bytes as base64. */
function wire(value: unknown): WirePayload {
  const payload = defaultPayloadConverter.toPayload(value);
  return {
    metadata: Object.fromEntries(
      Object.entries(payload.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
    ),
    data: Buffer.from(payload.data ?? []).toString('base64'),
  };
}

function valueOf(payload: WirePayload): unknown {
  return defaultPayloadConverter.fromPayload({
    metadata: Object.fromEntries(Object.entries(payload.metadata).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
    data: Buffer.from(payload.data, 'base64'),
  });
}

const metadataText = (payload: WirePayload | undefined, key: string): string =>
  Buffer.from(payload?.metadata[key] ?? '', 'base64').toString('utf8');

interface Answer {
  status: number;
  headers: Headers;
  body: { payloads?: WirePayload[]; code?: string; message?: string };
}

describe('codec server over HTTP', () => {
  const { lines: logLines, stream: sink } = captureLines();
  const keys = ring(keyEntry('k2'), keyEntry('k1'));
  let app: FastifyInstance;
  let base: string;

  beforeAll(async () => {
    app = buildCodecServer({
      codec: createEncryptionCodec(keys),
      token: TOKEN,
      corsOrigins: [UI],
      logger: createLogger('debug', sink),
    });
    base = await listenOnLoopback(app);
  });
  afterAll(() => app.close());

  async function call(
    operation: string,
    body: unknown,
    headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` },
  ): Promise<Answer> {
    const response = await fetch(`${base}/codec/${operation}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-namespace': 'default', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: response.status, headers: response.headers, body: (await response.json()) as Answer['body'] };
  }

  it('encodes with the first key and decodes back, in the protocol shape', async () => {
    const encoded = await call('encode', { payloads: [wire(EMPLOYEE), wire('second')] });
    expect(encoded.status).toBe(200);
    expect(encoded.body.payloads).toHaveLength(2);
    const [first] = encoded.body.payloads ?? [];
    expect(metadataText(first, 'encoding')).toBe('binary/encrypted');
    expect(metadataText(first, 'encryption-key-id')).toBe('k2');
    expect(Buffer.from(first?.data ?? '', 'base64').toString('latin1')).not.toContain(EMPLOYEE.name);

    const decoded = await call('decode', encoded.body);
    expect(decoded.status).toBe(200);
    expect(decoded.body.payloads?.map(valueOf)).toEqual([EMPLOYEE, 'second']);
  });

  it('decodes clear payloads unchanged and accepts proto3 JSON that omits empty fields', async () => {
    const decoded = await call('decode', { payloads: [wire(EMPLOYEE), {}] });
    expect(decoded.status).toBe(200);
    expect(decoded.body.payloads?.[0]).toEqual(wire(EMPLOYEE));
    expect(decoded.body.payloads?.[1]).toEqual({ metadata: {}, data: '' });
  });

  it('refuses a call without a token, or with a wrong one, saying which and echoing nothing', async () => {
    const payloads = { payloads: [wire(EMPLOYEE)] };
    const missing = await call('decode', payloads, {});
    expect(missing.status).toBe(401);
    expect(missing.body).toEqual({ code: 'CODEC_UNAUTHORIZED', message: 'missing Authorization: Bearer <token>' });
    expect(missing.headers.get('www-authenticate')).toBe('Bearer');

    const wrongToken = `${TOKEN.slice(0, -1)}X`;
    const wrong = await call('decode', payloads, { authorization: `Bearer ${wrongToken}` });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toEqual({
      code: 'CODEC_UNAUTHORIZED',
      message: 'the bearer token is not the codec server token',
    });
    expect(JSON.stringify(wrong.body)).not.toContain(wrongToken);

    const basic = await call('encode', payloads, { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` });
    expect(basic.status).toBe(401);
    expect(basic.body.message).toBe('the Authorization header is not of the form Bearer <token>');
  });

  it('answers the UI origin preflight with exactly what the UI needs', async () => {
    for (const operation of ['encode', 'decode']) {
      const response = await fetch(`${base}/codec/${operation}`, {
        method: 'OPTIONS',
        headers: {
          origin: UI,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type,x-namespace,authorization',
        },
      });
      expect(response.status).toBe(204);
      expect(response.headers.get('access-control-allow-origin')).toBe(UI);
      expect(response.headers.get('access-control-allow-methods')).toBe('POST');
      expect(response.headers.get('access-control-allow-headers')).toBe('content-type, x-namespace, authorization');
      expect(response.headers.get('access-control-allow-credentials')).toBe('true');
      expect(response.headers.get('vary')).toMatch(/Origin/);
    }
  });

  it('refuses other origins, at preflight and on a direct call, even with the right token', async () => {
    const evil = 'https://evil.example';
    const preflight = await fetch(`${base}/codec/decode`, {
      method: 'OPTIONS',
      headers: { origin: evil, 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(403);
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();

    // A form-style POST skips the preflight in a browser: the call itself must be refused too.
    const direct = await call('decode', { payloads: [] }, { authorization: `Bearer ${TOKEN}`, origin: evil });
    expect(direct.status).toBe(403);
    expect(direct.body.code).toBe('CODEC_ORIGIN_REFUSED');
    expect(direct.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('serves the UI origin, with CORS headers on answers and refusals alike', async () => {
    const ok = await call('encode', { payloads: [wire(1)] }, { authorization: `Bearer ${TOKEN}`, origin: UI });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBe(UI);
    expect(ok.headers.get('access-control-allow-credentials')).toBe('true');

    const refused = await call('encode', { payloads: [] }, { origin: UI });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('access-control-allow-origin')).toBe(UI);

    const broken = await call('encode', '{"payloads": [', { authorization: `Bearer ${TOKEN}`, origin: UI });
    expect(broken.status).toBe(400);
    expect(broken.body.code).toBe('CODEC_BAD_REQUEST');
    expect(broken.headers.get('access-control-allow-origin')).toBe(UI);
  });

  it('rejects bodies that are not Payloads', async () => {
    for (const body of [{}, { payloads: [{ data: 'not base64!' }] }, { payloads: 'x' }]) {
      const answer = await call('decode', body);
      expect(answer.status).toBe(400);
      expect(answer.body.code).toBe('CODEC_BAD_REQUEST');
    }
  });

  it('a payload it cannot decrypt is refused with the stable code, not passed on', async () => {
    const foreign = buildCodecServer({
      codec: createEncryptionCodec(ring(keyEntry('k9'))),
      token: null,
      corsOrigins: [],
    });
    const foreignBase = await listenOnLoopback(foreign);
    try {
      const response = await fetch(`${foreignBase}/codec/encode`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ payloads: [wire(EMPLOYEE)] }),
      });
      const sealed = (await response.json()) as { payloads: WirePayload[] };
      const answer = await call('decode', sealed);
      expect(answer.status).toBe(422);
      expect(answer.body.code).toBe('PAYLOAD_KEY_UNKNOWN');
      expect(answer.body.message).toMatch(/"k9"/);
    } finally {
      await foreign.close();
    }
  });

  it('logs an audit line per call, never the token nor the payloads', () => {
    const log = logLines.join('\n');
    expect(log).toMatch(/"operation":"decode","namespace":"default","payloads":2,"msg":"codec request"/);
    expect(log).toMatch(/"code":"PAYLOAD_KEY_UNKNOWN","keyId":"k9"/);
    expect(log).not.toContain(TOKEN);
    expect(log).not.toContain(TOKEN.slice(0, -1));
    expect(log).not.toContain(wire(EMPLOYEE).data);
    expect(log).not.toContain(EMPLOYEE.name);
  });
});

describe('codec routes inside another app (the ingress)', () => {
  let app: FastifyInstance;
  let base: string;

  beforeAll(async () => {
    app = Fastify();
    app.get('/health', async () => ({ ok: true }));
    await app.register(codecRoutes, {
      codec: createEncryptionCodec(ring(keyEntry('k1'))),
      token: TOKEN,
      corsOrigins: [UI],
    });
    base = await listenOnLoopback(app);
  });
  afterAll(() => app.close());

  it('mounts at /codec/encode and /codec/decode; its authentication and origin rules stay on those routes', async () => {
    const health = await fetch(`${base}/health`, { headers: { origin: 'https://elsewhere.example' } });
    expect(health.status).toBe(200);
    expect(health.headers.get('access-control-allow-origin')).toBeNull();

    const unauthenticated = await fetch(`${base}/codec/decode`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ payloads: [] }),
    });
    expect(unauthenticated.status).toBe(401);

    const encoded = await fetch(`${base}/codec/encode`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ payloads: [wire(EMPLOYEE)] }),
    });
    const decoded = await fetch(`${base}/codec/decode`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify(await encoded.json()),
    });
    const { payloads } = (await decoded.json()) as { payloads: WirePayload[] };
    expect(payloads.map(valueOf)).toEqual([EMPLOYEE]);
  });
});
