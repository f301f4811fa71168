/**
 * AES-256-GCM payload encryption. The whole payload (its metadata and data, serialised as the Payload
 * protobuf) becomes the ciphertext, so not even the original encoding stays in clear. What does stay in
 * clear (the `binary/encrypted` encoding and the key id) is bound to the ciphertext as additional
 * authenticated data: changing either makes decryption fail rather than try another key or format.
 *
 * Wire format of `data`: nonce (12 bytes, random per payload) || ciphertext || tag (16 bytes).
 */
import { createCipheriv, createDecipheriv, randomBytes, type KeyObject } from 'node:crypto';
import { METADATA_ENCODING_KEY, type Payload, type PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { CodecError } from './errors';
import { type PayloadKeyRing } from './keys';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
/** The metadata key Temporal's samples use, so the UI and other tools show which key a payload needs. */
export const KEY_ID_METADATA = 'encryption-key-id';

const CIPHER = 'aes-256-gcm';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
/** Versioned so a future format cannot be confused with this one even under the same key. */
const AAD_LABEL = 'iscflow-payload-v1';

const utf8 = (text: string): Uint8Array => Buffer.from(text, 'utf8');
const text = (bytes: Uint8Array | null | undefined): string | undefined =>
  bytes ? Buffer.from(bytes).toString('utf8') : undefined;

function additionalData(keyId: string): Buffer {
  return Buffer.from(`${AAD_LABEL}\n${ENCRYPTED_ENCODING}\n${keyId}`, 'utf8');
}

function encrypt(payload: Payload, keyId: string, key: KeyObject): Payload {
  const clear = temporal.api.common.v1.Payload.encode(payload).finish();
  // 96-bit random nonces: the collision bound (about 2^32 messages per key) is far beyond this service's
  // volume, and rotation resets it.
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv(CIPHER, key, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(additionalData(keyId));
  const sealed = Buffer.concat([nonce, cipher.update(clear), cipher.final(), cipher.getAuthTag()]);
  return {
    metadata: { [METADATA_ENCODING_KEY]: utf8(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: utf8(keyId) },
    data: sealed,
  };
}

function decrypt(payload: Payload, ring: PayloadKeyRing): Payload {
  const keyId = text(payload.metadata?.[KEY_ID_METADATA]);
  if (keyId === undefined || keyId === '') {
    throw new CodecError('PAYLOAD_MALFORMED', `a ${ENCRYPTED_ENCODING} payload has no ${KEY_ID_METADATA}`);
  }
  const key = ring.keys.get(keyId);
  if (!key) {
    throw new CodecError(
      'PAYLOAD_KEY_UNKNOWN',
      `payload encrypted with key "${keyId}", which this process does not hold (it holds: ${ring.keyIds.join(', ')})`,
      { keyId },
    );
  }
  const sealed = Buffer.from(payload.data ?? new Uint8Array());
  const tampered = (): CodecError =>
    new CodecError('PAYLOAD_TAMPERED', `payload under key "${keyId}" failed authentication`, { keyId });
  if (sealed.length < NONCE_BYTES + TAG_BYTES) throw tampered();

  const decipher = createDecipheriv(CIPHER, key, sealed.subarray(0, NONCE_BYTES), { authTagLength: TAG_BYTES });
  decipher.setAAD(additionalData(keyId));
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
  let clear: Buffer;
  try {
    clear = Buffer.concat([decipher.update(sealed.subarray(NONCE_BYTES, sealed.length - TAG_BYTES)), decipher.final()]);
  } catch {
    throw tampered();
  }
  try {
    const inner = temporal.api.common.v1.Payload.decode(clear);
    return { metadata: inner.metadata ?? {}, data: inner.data ?? new Uint8Array() };
  } catch {
    // Authentic but not a Payload: written by some other producer sharing the key, never by this codec.
    throw new CodecError('PAYLOAD_MALFORMED', `payload under key "${keyId}" does not contain a payload`, { keyId });
  }
}

/**
 * A `PayloadCodec` that encrypts every payload with the ring's first key and decrypts with whichever key
 * the payload names. Payloads whose encoding is not `binary/encrypted` decode unchanged, so histories
 * written before encryption was switched on stay readable. Decoding throws a `CodecError`
 * (`PAYLOAD_KEY_UNKNOWN`, `PAYLOAD_TAMPERED`, `PAYLOAD_MALFORMED`) naming the key id; it never returns
 * bytes it could not authenticate.
 */
export function createEncryptionCodec(ring: PayloadKeyRing): PayloadCodec {
  const encryptKey = ring.keys.get(ring.encryptKeyId);
  if (!encryptKey) throw new Error(`the key ring has no key "${ring.encryptKeyId}" to encrypt with`);
  return {
    async encode(payloads: Payload[]): Promise<Payload[]> {
      return payloads.map((payload) => encrypt(payload, ring.encryptKeyId, encryptKey));
    },
    async decode(payloads: Payload[]): Promise<Payload[]> {
      return payloads.map((payload) =>
        text(payload.metadata?.[METADATA_ENCODING_KEY]) === ENCRYPTED_ENCODING ? decrypt(payload, ring) : payload,
      );
    },
  };
}
