/** Payload keys for the codec and privacy tests, made fresh for each run. */
import { randomBytes } from 'node:crypto';
import { parsePayloadKeys, type PayloadKeyRing } from '../../src/codec';

/** A fresh 32-byte key in the `id:base64` form ISCFLOW_PAYLOAD_KEYS takes. */
export function keyEntry(id: string): string {
  return `${id}:${randomBytes(32).toString('base64')}`;
}

/** A ring from entries; the first encrypts. */
export function ring(...entries: string[]): PayloadKeyRing {
  const parsed = parsePayloadKeys(entries.join(','));
  if (!parsed) throw new Error('no keys');
  return parsed;
}
