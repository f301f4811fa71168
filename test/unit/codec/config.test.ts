import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import {
  CodecError,
  dataConverterFor,
  isRealTenant,
  loadPayloadProtection,
  loadPrivacyConfig,
  parsePayloadKeys,
  plaintextDecision,
} from '../../../src/codec';
import { ConfigError } from '../../../src/config';
import { thrownBy } from '../../support/errors';
import { keyEntry, ring } from '../../support/payload-keys';

function problemsOf(run: () => unknown): readonly string[] {
  const error = thrownBy(run, Error);
  if (error instanceof CodecError || error instanceof ConfigError) return error.problems;
  throw error;
}

describe('ISCFLOW_PAYLOAD_KEYS', () => {
  it('unset or blank: no keys', () => {
    expect(parsePayloadKeys(undefined)).toBeUndefined();
    expect(parsePayloadKeys('  ')).toBeUndefined();
  });

  it('the first key encrypts, all decrypt, in the order given', () => {
    const keys = parsePayloadKeys(` ${keyEntry('2025-06')} , ${keyEntry('2024-11')}`);
    expect(keys?.encryptKeyId).toBe('2025-06');
    expect(keys?.keyIds).toEqual(['2025-06', '2024-11']);
    expect([...(keys?.keys.keys() ?? [])]).toEqual(['2025-06', '2024-11']);
  });

  it('names every bad entry and the rule it breaks, in one PAYLOAD_KEYS_INVALID error', () => {
    const short = randomBytes(16).toString('base64');
    const problems = problemsOf(() =>
      parsePayloadKeys(
        [keyEntry('ok'), 'no-separator', `bad id!:${short}`, `k3:${short}`, 'k4:not base64!', '', keyEntry('ok')].join(
          ',',
        ),
      ),
    );
    expect(problems).toEqual([
      'entry 2: must be id:base64key',
      "entry 3: the key id must be 1-64 letters, digits, '.', '_' or '-', starting alnum",
      'entry 4 (key id "k3"): the key must be 32 bytes, not 16',
      'entry 5 (key id "k4"): the key must be standard base64 (e.g. from openssl rand -base64 32)',
      'entry 6: is empty (a stray comma?)',
      'entry 7 (key id "ok"): the key id is already used by entry 1',
    ]);
  });

  it('never echoes key material: not in the error, not when a ring is printed or serialised', () => {
    const material = randomBytes(16).toString('base64');
    const pastedWrongWayRound = `${randomBytes(32).toString('base64')}:k1`;
    const error = thrownBy(() => parsePayloadKeys(`k1:${material},${pastedWrongWayRound}`), CodecError);
    expect(error.code).toBe('PAYLOAD_KEYS_INVALID');
    const { message } = error;
    expect(message).toMatch(/^PAYLOAD_KEYS_INVALID: ISCFLOW_PAYLOAD_KEYS: entry 1/);
    expect(message).not.toContain(material);
    expect(message).not.toContain(pastedWrongWayRound.slice(0, 20));

    const entry = keyEntry('k1');
    const secret = entry.slice(3);
    const keys = ring(entry);
    expect(JSON.stringify(keys)).not.toContain(secret);
    expect(inspect(keys, { depth: 10 })).not.toContain(secret);
    expect(inspect(keys, { depth: 10 })).not.toContain(Buffer.from(secret, 'base64').toString('hex'));
  });
});

describe('privacy settings', () => {
  it('defaults: no keys, no plaintext opt-in, no token, no origins', () => {
    expect(loadPrivacyConfig({})).toEqual({
      payloadKeys: undefined,
      allowPlaintext: false,
      codecToken: undefined,
      codecCorsOrigins: [],
    });
    expect(Object.isFrozen(loadPrivacyConfig({}))).toBe(true);
  });

  it('reads keys, the opt-in, the token and the UI origins (normalised, deduplicated)', () => {
    const config = loadPrivacyConfig({
      ISCFLOW_PAYLOAD_KEYS: keyEntry('k1'),
      ISCFLOW_ALLOW_PLAINTEXT: 'true',
      ISCFLOW_CODEC_TOKEN: 'x'.repeat(40),
      ISCFLOW_CODEC_CORS_ORIGINS: 'http://localhost:8233, https://temporal.example.com/,http://localhost:8233',
    });
    expect(config.payloadKeys?.encryptKeyId).toBe('k1');
    expect(config.allowPlaintext).toBe(true);
    expect(config.codecToken).toBe('x'.repeat(40));
    expect(config.codecCorsOrigins).toEqual(['http://localhost:8233', 'https://temporal.example.com']);
  });

  it('empty values (as compose passes unset ones) mean unset', () => {
    expect(
      loadPrivacyConfig({
        ISCFLOW_PAYLOAD_KEYS: '',
        ISCFLOW_ALLOW_PLAINTEXT: '',
        ISCFLOW_CODEC_TOKEN: '',
        ISCFLOW_CODEC_CORS_ORIGINS: '',
      }),
    ).toMatchObject({ payloadKeys: undefined, allowPlaintext: false, codecToken: undefined, codecCorsOrigins: [] });
  });

  it('lists every problem at once, without repeating the token or keys', () => {
    const token = 'short-token-value';
    const problems = problemsOf(() =>
      loadPrivacyConfig({
        ISCFLOW_PAYLOAD_KEYS: 'k1:AAAA',
        ISCFLOW_ALLOW_PLAINTEXT: 'yes',
        ISCFLOW_CODEC_TOKEN: token,
        ISCFLOW_CODEC_CORS_ORIGINS: 'http://localhost:8233,*,https://ui.example.com/path',
      }),
    );
    expect(problems).toEqual([
      'ISCFLOW_PAYLOAD_KEYS: entry 1 (key id "k1"): the key must be 32 bytes, not 3',
      'ISCFLOW_ALLOW_PLAINTEXT: must be true or false',
      'ISCFLOW_CODEC_TOKEN: must be at least 32 characters (e.g. openssl rand -base64 32)',
      'ISCFLOW_CODEC_CORS_ORIGINS: entry 2 ("*"): must be an origin, scheme://host[:port] without a path or *',
      'ISCFLOW_CODEC_CORS_ORIGINS: entry 3 ("https://ui.example.com/path"): must be an origin, scheme://host[:port] without a path or *',
    ]);
    expect(problems.join('\n')).not.toContain(token);
  });
});

describe('when payloads may be stored in clear', () => {
  const keys = ring(keyEntry('k1'));

  it.each([
    [true, true, false, 'encrypt'],
    [true, false, false, 'encrypt'],
    [false, false, false, 'plaintext-dev'],
    [false, true, false, 'refuse'],
    [false, true, true, 'plaintext-dev'],
  ] as const)(
    'keys %s, real tenant %s, ISCFLOW_ALLOW_PLAINTEXT %s: %s',
    (hasKeys, realTenant, allowPlaintext, want) => {
      expect(plaintextDecision({ keys: hasKeys ? keys : undefined, realTenant, allowPlaintext })).toBe(want);
    },
  );

  it.each([
    [undefined, false],
    ['', false],
    ['http://127.0.0.1:7070', false],
    ['http://localhost:7070', false],
    ['http://[::1]:7070', false],
    ['https://acme.api.identitynow.com', true],
    ['http://simulator:7070', true],
    ['not a url', true],
  ])('SAIL_BASE_URL %s is a real tenant: %s', (baseUrl, real) => {
    expect(isRealTenant(baseUrl)).toBe(real);
  });
});

describe('payload protection, one call at start-up', () => {
  const tenant = { SAIL_BASE_URL: 'https://acme.api.identitynow.com' };

  it('with keys: an encrypting data converter and a summary naming key ids only', async () => {
    const entries = [keyEntry('k2'), keyEntry('k1')];
    const protection = loadPayloadProtection({ ...tenant, ISCFLOW_PAYLOAD_KEYS: entries.join(',') });
    expect(protection.mode).toBe('encrypt');
    expect(protection.summary).toBe('payloads encrypted with key "k2"; also decrypting with "k1"');
    const codec = protection.dataConverter.payloadCodecs?.[0];
    const [sealed] = (await codec?.encode([{ metadata: {}, data: Buffer.from('x') }])) ?? [];
    expect(Buffer.from(sealed?.metadata?.encoding ?? []).toString()).toBe('binary/encrypted');
  });

  it('a real tenant without keys refuses to start, naming the opt-in', () => {
    expect(() => loadPayloadProtection(tenant)).toThrow(ConfigError);
    expect(() => loadPayloadProtection(tenant)).toThrow(
      /ISCFLOW_PAYLOAD_KEYS: is required.*ISCFLOW_ALLOW_PLAINTEXT=true/s,
    );
  });

  it('a real tenant with the explicit opt-in runs in clear and says so', () => {
    const protection = loadPayloadProtection({ ...tenant, ISCFLOW_ALLOW_PLAINTEXT: 'true' });
    expect(protection).toMatchObject({ mode: 'plaintext-dev', dataConverter: {} });
    expect(protection.summary).toMatch(/in clear: ISCFLOW_ALLOW_PLAINTEXT=true/);
  });

  it('development (no tenant, or the local simulator) runs in clear and says so', () => {
    for (const env of [{}, { SAIL_BASE_URL: 'http://127.0.0.1:7070' }]) {
      const protection = loadPayloadProtection(env);
      expect(protection).toMatchObject({ mode: 'plaintext-dev', dataConverter: {} });
      expect(protection.summary).toMatch(/in clear \(development/);
    }
  });

  it('dataConverterFor: the SDK defaults without keys, the codec with them', () => {
    expect(dataConverterFor(undefined)).toEqual({});
    expect(dataConverterFor(ring(keyEntry('k1'))).payloadCodecs).toHaveLength(1);
  });
});
