/**
 * The payload key ring from `ISCFLOW_PAYLOAD_KEYS`: `id:base64key[,id:base64key...]`. The first key
 * encrypts; every key decrypts, so a new key can be put first while histories written under the old one
 * stay readable.
 */
import { createSecretKey, type KeyObject } from 'node:crypto';
import { CodecError } from './errors';

/** AES-256: anything else is a typo or a key meant for something else. */
export const PAYLOAD_KEY_BYTES = 32;

/** Key ids go into every payload's clear metadata and into error messages: short, printable, no secrets. */
const KEY_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** Standard base64 with padding, as `openssl rand -base64 32` prints it. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Keys held as `KeyObject`s: they print as `SecretKeyObject { ... }` and serialise to `{}`, so logging a
 * ring by mistake shows no key material.
 */
export interface PayloadKeyRing {
  /** The id of the key that encrypts (the first entry). */
  readonly encryptKeyId: string;
  /** Every key id, in the order given. */
  readonly keyIds: readonly string[];
  readonly keys: ReadonlyMap<string, KeyObject>;
}

function describe(index: number, id?: string): string {
  return id === undefined ? `entry ${index + 1}` : `entry ${index + 1} (key id "${id}")`;
}

/**
 * Parses `ISCFLOW_PAYLOAD_KEYS`. Unset or blank: `undefined` (no encryption). Otherwise every entry must be
 * `id:base64key` with a unique id and a 32-byte key; all problems are reported at once in a
 * `PAYLOAD_KEYS_INVALID` error naming the entry by position (and its id when the id itself is valid),
 * never echoing what was typed where the key belongs.
 */
export function parsePayloadKeys(value: string | undefined): PayloadKeyRing | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const problems: string[] = [];
  const keys = new Map<string, KeyObject>();
  const firstSeen = new Map<string, number>();

  value.split(',').forEach((raw, index) => {
    const entry = raw.trim();
    if (entry === '') {
      problems.push(`${describe(index)}: is empty (a stray comma?)`);
      return;
    }
    const separator = entry.indexOf(':');
    if (separator < 0) {
      problems.push(`${describe(index)}: must be id:base64key`);
      return;
    }
    const id = entry.slice(0, separator).trim();
    const encoded = entry.slice(separator + 1).trim();
    // An id that breaks the rule may be key material pasted in the wrong place: it is not repeated.
    if (!KEY_ID.test(id)) {
      problems.push(`${describe(index)}: the key id must be 1-64 letters, digits, '.', '_' or '-', starting alnum`);
      return;
    }
    const earlier = firstSeen.get(id);
    if (earlier !== undefined) {
      problems.push(`${describe(index, id)}: the key id is already used by entry ${earlier + 1}`);
      return;
    }
    firstSeen.set(id, index);
    if (encoded === '' || !BASE64.test(encoded)) {
      problems.push(`${describe(index, id)}: the key must be standard base64 (e.g. from openssl rand -base64 32)`);
      return;
    }
    const bytes = Buffer.from(encoded, 'base64');
    if (bytes.length !== PAYLOAD_KEY_BYTES) {
      problems.push(`${describe(index, id)}: the key must be ${PAYLOAD_KEY_BYTES} bytes, not ${bytes.length}`);
      bytes.fill(0);
      return;
    }
    keys.set(id, createSecretKey(bytes));
    bytes.fill(0);
  });

  if (problems.length > 0) {
    throw new CodecError('PAYLOAD_KEYS_INVALID', `ISCFLOW_PAYLOAD_KEYS: ${problems.join('; ')}`, { problems });
  }
  const keyIds = [...keys.keys()];
  return Object.freeze({ encryptKeyId: keyIds[0] as string, keyIds: Object.freeze(keyIds), keys });
}
