/**
 * Comparing a credential someone sent with the one configured, in constant time. Both sides are hashed
 * first: `timingSafeEqual` needs equal lengths, and comparing digests takes the same time whatever
 * length was sent, so the time taken says nothing about the secret.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

export function credentialDigest(credential: string): Buffer {
  return createHash('sha256').update(credential, 'utf8').digest();
}

export function matchesDigest(given: string, expectedDigest: Buffer): boolean {
  return timingSafeEqual(credentialDigest(given), expectedDigest);
}
