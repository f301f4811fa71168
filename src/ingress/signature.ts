/**
 * Standard Webhooks signatures (https://www.standardwebhooks.com): `webhook-signature` carries one or
 * more `v1,<base64 HMAC-SHA256>` of `{webhook-id}.{webhook-timestamp}.{raw body}`.
 *
 * Verified here with node:crypto on the raw bytes as received. The `standardwebhooks` package turns the
 * body into a string first, which maps every invalid UTF-8 sequence to U+FFFD: two different bodies
 * would then share one signature. Here a changed byte is a failed signature, whatever the byte.
 */
import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto';
import { WEBHOOK_SECRET_PREFIX } from './config';

/** Stable reasons a signature is refused; the 401 body and the metrics name them. */
export const SIGNATURE_FAILURES = [
  'MISSING_HEADERS',
  'MALFORMED_ID',
  'MALFORMED_TIMESTAMP',
  'TIMESTAMP_TOO_OLD',
  'TIMESTAMP_TOO_NEW',
  'MALFORMED_SIGNATURE',
  'NO_MATCH',
] as const;
export type SignatureFailure = (typeof SIGNATURE_FAILURES)[number];

/** A timestamp further than this from the ingress's clock, either way, is refused (Standard Webhooks' window). */
export const SIGNATURE_TOLERANCE_SECONDS = 5 * 60;

/**
 * Printable ASCII without spaces or dots. A dot would make `{id}.{timestamp}` ambiguous: an id ending in
 * `.<digits>` could move digits between the id and the timestamp under one signature.
 */
const WEBHOOK_ID = /^[\x21-\x2d\x2f-\x7e]{1,256}$/;
const TIMESTAMP = /^\d{1,12}$/;
/** Standard base64 of 32 bytes (an HMAC-SHA256), with its padding. */
const SIGNATURE = /^[A-Za-z0-9+/]{43}=$/;
/** More signatures than this in one header is not rotation but an attempt to make verification costly. */
const MAX_SIGNATURES = 16;

export interface SignedHeaders {
  id: string | undefined;
  timestamp: string | undefined;
  signature: string | undefined;
}

export type SignatureCheck = { ok: true; id: string } | { ok: false; reason: SignatureFailure; message: string };

const MESSAGES: Record<SignatureFailure, string> = {
  MISSING_HEADERS: 'webhook-id, webhook-timestamp and webhook-signature are all required',
  MALFORMED_ID: 'webhook-id must be 1 to 256 printable ASCII characters without spaces or dots',
  MALFORMED_TIMESTAMP: 'webhook-timestamp must be unix seconds (digits only)',
  TIMESTAMP_TOO_OLD: `webhook-timestamp is more than ${SIGNATURE_TOLERANCE_SECONDS} seconds in the past`,
  TIMESTAMP_TOO_NEW: `webhook-timestamp is more than ${SIGNATURE_TOLERANCE_SECONDS} seconds in the future`,
  MALFORMED_SIGNATURE: 'webhook-signature must hold space-separated v1,<base64 HMAC-SHA256> entries',
  NO_MATCH: 'no signature in webhook-signature matches the body under any configured secret',
};

function fail(reason: SignatureFailure): SignatureCheck {
  return { ok: false, reason, message: MESSAGES[reason] };
}

function hmac(secret: KeyObject, id: string, timestamp: string, body: Buffer): Buffer {
  return createHmac('sha256', secret).update(`${id}.${timestamp}.`, 'utf8').update(body).digest();
}

/** The v1 signatures of a header, decoded; `undefined` when there is none or too many entries. */
function v1Signatures(header: string): Buffer[] | undefined {
  const entries = header.trim().split(/\s+/);
  if (entries.length > MAX_SIGNATURES) return undefined;
  const signatures: Buffer[] = [];
  for (const entry of entries) {
    const comma = entry.indexOf(',');
    // Other versions (v1a is asymmetric) are skipped, as the scheme asks, so senders can add them freely.
    if (comma < 0 || entry.slice(0, comma) !== 'v1') continue;
    const encoded = entry.slice(comma + 1);
    if (SIGNATURE.test(encoded)) signatures.push(Buffer.from(encoded, 'base64'));
  }
  return signatures.length > 0 ? signatures : undefined;
}

/**
 * Checks a request's Standard Webhooks signature against every configured secret, on the raw body
 * bytes, before anything reads the body. `nowSeconds` is the ingress's clock in unix seconds.
 */
export function verifyWebhookSignature(
  headers: SignedHeaders,
  body: Buffer,
  secrets: readonly KeyObject[],
  nowSeconds: number,
): SignatureCheck {
  const { id, timestamp, signature } = headers;
  if (id === undefined || timestamp === undefined || signature === undefined) return fail('MISSING_HEADERS');
  if (!WEBHOOK_ID.test(id)) return fail('MALFORMED_ID');
  if (!TIMESTAMP.test(timestamp)) return fail('MALFORMED_TIMESTAMP');
  const skew = nowSeconds - Number(timestamp);
  if (skew > SIGNATURE_TOLERANCE_SECONDS) return fail('TIMESTAMP_TOO_OLD');
  if (skew < -SIGNATURE_TOLERANCE_SECONDS) return fail('TIMESTAMP_TOO_NEW');
  const given = v1Signatures(signature);
  if (!given) return fail('MALFORMED_SIGNATURE');
  for (const secret of secrets) {
    const expected = hmac(secret, id, timestamp, body);
    // Equal lengths by construction (32 bytes each): timingSafeEqual never throws here.
    if (given.some((candidate) => timingSafeEqual(candidate, expected))) return { ok: true, id };
  }
  return fail('NO_MATCH');
}

/** A `whsec_<base64>` secret as the key HMAC takes. */
export function webhookSecretKey(secret: string): KeyObject {
  if (!secret.startsWith(WEBHOOK_SECRET_PREFIX)) throw new TypeError('a webhook secret starts with whsec_');
  return createSecretKey(Buffer.from(secret.slice(WEBHOOK_SECRET_PREFIX.length), 'base64'));
}

/**
 * The `webhook-signature` value a sender puts on a request: `v1,<base64>`. For senders written in
 * TypeScript, the benchmark and the tests; docs/ingress.md shows the same with openssl.
 */
export function signWebhook(
  secret: KeyObject | string,
  id: string,
  timestamp: number | string,
  body: Buffer | string,
): string {
  const key = typeof secret === 'string' ? webhookSecretKey(secret) : secret;
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  return `v1,${hmac(key, id, String(timestamp), bytes).toString('base64')}`;
}
