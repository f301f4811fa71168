import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { CodecError, createEncryptionCodec, ENCRYPTED_ENCODING, KEY_ID_METADATA } from '../../../src/codec';
import { rejectionOf } from '../../support/errors';
import { keyEntry, ring } from '../../support/payload-keys';

const EMPLOYEE = { employeeNumber: 'E-104729', name: 'Ada Lovelace', department: 'Analytical Engines' };
const clear = (value: unknown): Payload => defaultPayloadConverter.toPayload(value);
const text = (bytes: Uint8Array | null | undefined): string => Buffer.from(bytes ?? []).toString('utf8');

const failureOf = (promise: Promise<unknown>): Promise<CodecError> => rejectionOf(promise, CodecError);

/** One byte of `data` flipped at `index` (negative: from the end). */
function flipped(payload: Payload, index: number): Payload {
  const data = Buffer.from(payload.data ?? []);
  const at = index < 0 ? data.length + index : index;
  data[at] = (data[at] ?? 0) ^ 0x01;
  return { ...payload, data };
}

describe('encryption codec', () => {
  const k1 = keyEntry('k1');
  const k2 = keyEntry('k2');

  it('round-trips a payload, metadata included, and keeps nothing of it in clear', async () => {
    const codec = createEncryptionCodec(ring(k1));
    const original = clear(EMPLOYEE);
    const [encrypted] = await codec.encode([original]);

    expect(text(encrypted?.metadata?.encoding)).toBe(ENCRYPTED_ENCODING);
    expect(text(encrypted?.metadata?.[KEY_ID_METADATA])).toBe('k1');
    expect(Object.keys(encrypted?.metadata ?? {}).sort()).toEqual(['encoding', KEY_ID_METADATA]);
    const stored = Buffer.from(encrypted?.data ?? []).toString('latin1');
    for (const value of [...Object.values(EMPLOYEE), 'json/plain']) expect(stored).not.toContain(value);

    const [decoded] = await codec.decode([encrypted as Payload]);
    expect(text(decoded?.metadata?.encoding)).toBe('json/plain');
    expect(defaultPayloadConverter.fromPayload(decoded as Payload)).toEqual(EMPLOYEE);
  });

  it('uses a fresh nonce for every payload: the same value never encrypts the same way twice', async () => {
    const codec = createEncryptionCodec(ring(k1));
    const [a, b] = await codec.encode([clear(EMPLOYEE), clear(EMPLOYEE)]);
    expect(Buffer.from(a?.data ?? []).subarray(0, 12)).not.toEqual(Buffer.from(b?.data ?? []).subarray(0, 12));
    expect(Buffer.from(a?.data ?? [])).not.toEqual(Buffer.from(b?.data ?? []));
  });

  it('handles empty batches and payloads without data (undefined results)', async () => {
    const codec = createEncryptionCodec(ring(k1));
    await expect(codec.encode([])).resolves.toEqual([]);
    const nothing = clear(undefined);
    const [decoded] = await codec.decode(await codec.encode([nothing]));
    expect(defaultPayloadConverter.fromPayload(decoded as Payload)).toBeUndefined();
  });

  describe('refuses a tampered payload with PAYLOAD_TAMPERED naming the key id', () => {
    const codec = createEncryptionCodec(ring(k1, k2));
    let sealed: Payload;
    beforeAll(async () => {
      [sealed] = (await codec.encode([clear(EMPLOYEE)])) as [Payload];
    });

    it.each([
      ['the nonce', 0],
      ['the ciphertext', 20],
      ['the tag', -1],
    ])('a flipped bit in %s', async (_part, index) => {
      const error = await failureOf(codec.decode([flipped(sealed, index)]));
      expect(error.code).toBe('PAYLOAD_TAMPERED');
      expect(error.keyId).toBe('k1');
      expect(error.message).toMatch(/^PAYLOAD_TAMPERED: .*"k1"/);
    });

    it('a truncated payload', async () => {
      const short = { ...sealed, data: Buffer.from(sealed.data ?? []).subarray(0, 20) };
      expect((await failureOf(codec.decode([short]))).code).toBe('PAYLOAD_TAMPERED');
    });

    it('the key id switched to another key the process holds', async () => {
      const relabelled = { ...sealed, metadata: { ...sealed.metadata, [KEY_ID_METADATA]: Buffer.from('k2') } };
      const error = await failureOf(codec.decode([relabelled]));
      expect(error.code).toBe('PAYLOAD_TAMPERED');
      expect(error.keyId).toBe('k2');
    });

    it('the key id switched to another id for the very same key: the id is authenticated, not just used', async () => {
      const material = k1.slice(k1.indexOf(':') + 1);
      const twin = createEncryptionCodec(ring(`k1:${material}`, `k1-copy:${material}`));
      const [own] = (await twin.encode([clear(EMPLOYEE)])) as [Payload];
      const relabelled = { ...own, metadata: { ...own.metadata, [KEY_ID_METADATA]: Buffer.from('k1-copy') } };
      expect((await failureOf(twin.decode([relabelled]))).code).toBe('PAYLOAD_TAMPERED');
    });
  });

  it('rotation: the first key encrypts, older keys still decrypt what they wrote', async () => {
    const before = createEncryptionCodec(ring(k1));
    const after = createEncryptionCodec(ring(k2, k1));
    const [old] = (await before.encode([clear(EMPLOYEE)])) as [Payload];
    const [fresh] = (await after.encode([clear(EMPLOYEE)])) as [Payload];

    expect(text(fresh.metadata?.[KEY_ID_METADATA])).toBe('k2');
    const decoded = await after.decode([old, fresh]);
    expect(decoded.map((p) => defaultPayloadConverter.fromPayload(p))).toEqual([EMPLOYEE, EMPLOYEE]);
  });

  it('a process without the key fails with PAYLOAD_KEY_UNKNOWN naming the key, never with garbage', async () => {
    const writer = createEncryptionCodec(ring(k2, k1));
    const reader = createEncryptionCodec(ring(k1));
    const error = await failureOf(reader.decode(await writer.encode([clear(EMPLOYEE)])));
    expect(error).toBeInstanceOf(CodecError);
    expect(error.code).toBe('PAYLOAD_KEY_UNKNOWN');
    expect(error.keyId).toBe('k2');
    expect(error.message).toBe(
      'PAYLOAD_KEY_UNKNOWN: payload encrypted with key "k2", which this process does not hold (it holds: k1)',
    );
  });

  it('an encrypted payload without a key id is malformed', async () => {
    const codec = createEncryptionCodec(ring(k1));
    const [sealed] = (await codec.encode([clear(EMPLOYEE)])) as [Payload];
    const anonymous = { ...sealed, metadata: { encoding: sealed.metadata?.encoding as Uint8Array } };
    expect((await failureOf(codec.decode([anonymous]))).code).toBe('PAYLOAD_MALFORMED');
  });

  it('payloads that are not binary/encrypted pass through decode unchanged: old clear histories stay readable', async () => {
    const codec = createEncryptionCodec(ring(k1));
    const plain = [clear(EMPLOYEE), clear(undefined), clear(new Uint8Array([1, 2, 3]))];
    const decoded = await codec.decode(plain);
    decoded.forEach((payload, i) => expect(payload).toBe(plain[i]));
  });
});
