/**
 * How ISC authenticates a trigger delivery: not with a signature but with the subscription's
 * `BEARER_TOKEN` or `BASIC_AUTH` credentials in `Authorization`. Compared in constant time against the
 * digests in the configuration; the answer says what was wrong, never what was sent.
 */
import { type IscTriggerAuth } from './config';
import { matchesDigest } from './credentials';

export const CREDENTIAL_FAILURES = ['MISSING_CREDENTIALS', 'MALFORMED_CREDENTIALS', 'WRONG_CREDENTIALS'] as const;
export type CredentialFailure = (typeof CREDENTIAL_FAILURES)[number];

export type CredentialCheck = { ok: true } | { ok: false; reason: CredentialFailure; message: string };

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** The challenge a 401 carries: the schemes this ingress accepts. */
export function challengeFor(auth: Readonly<IscTriggerAuth>): string {
  return [auth.bearerTokenDigest ? 'Bearer' : undefined, auth.basicDigest ? 'Basic realm="iscflow"' : undefined]
    .filter((scheme) => scheme !== undefined)
    .join(', ');
}

export function checkIscCredentials(header: string | undefined, auth: Readonly<IscTriggerAuth>): CredentialCheck {
  if (header === undefined || header.trim() === '') {
    return { ok: false, reason: 'MISSING_CREDENTIALS', message: 'Authorization is required (Bearer or Basic)' };
  }
  const match = /^(\S+)\s+(\S+)\s*$/.exec(header.trim());
  const scheme = match?.[1]?.toLowerCase();
  const credentials = match?.[2] ?? '';
  if (scheme === 'bearer') {
    return auth.bearerTokenDigest && matchesDigest(credentials, auth.bearerTokenDigest)
      ? { ok: true }
      : { ok: false, reason: 'WRONG_CREDENTIALS', message: 'the bearer token is not the one configured for ISC' };
  }
  if (scheme === 'basic' && BASE64.test(credentials)) {
    const decoded = Buffer.from(credentials, 'base64').toString('utf8');
    return auth.basicDigest && matchesDigest(decoded, auth.basicDigest)
      ? { ok: true }
      : {
          ok: false,
          reason: 'WRONG_CREDENTIALS',
          message: 'the user and password are not the ones configured for ISC',
        };
  }
  return {
    ok: false,
    reason: 'MALFORMED_CREDENTIALS',
    message: 'Authorization must be Bearer <token> or Basic <base64 of user:password>',
  };
}
