/**
 * Pseudonyms of identity keys. HR's key (an employee number) is personal data: it never goes into a
 * workflow id, a search attribute or a log line in clear. Instead each key gets a ref, an HMAC-SHA256 of
 * the key under a deployment secret (`ISCFLOW_PSEUDONYM_KEY`): stable, so the same person always lands
 * on the same lifecycle, and not reversible by enumerating employee numbers without the secret.
 */
import { createHash, createHmac } from 'node:crypto';
import { identityKeyText, type HrEvent, type IdentityKey } from '../domain';

/** 32 lower-case hex characters. */
export function identityRef(key: IdentityKey, pseudonymKey: string): string {
  return createHmac('sha256', pseudonymKey).update(identityKeyText(key)).digest('hex').slice(0, 32);
}

/** The workflow id of an identity's lifecycle. */
export function lifecycleWorkflowId(ref: string): string {
  return `iscflow-identity-${ref}`;
}

/** The workflow id of an event's receipt: one per (source, id), whatever its content. */
export function receiptWorkflowId(event: Pick<HrEvent, 'source' | 'id'>): string {
  return `iscflow-event-${createHash('sha256').update(`${event.source}/${event.id}`).digest('hex').slice(0, 32)}`;
}

/**
 * What a person types to name an identity (`iscflow identity show KEY`): a 32-hex ISC id, or an employee
 * number. The lifecycle's key is the employee number whenever HR gave one, so that is tried first.
 */
export function keysFromInput(text: string): IdentityKey[] {
  const trimmed = text.trim();
  const byNumber: IdentityKey = { kind: 'employeeNumber', value: trimmed };
  return /^[0-9a-fA-F]{32}$/.test(trimmed) ? [byNumber, { kind: 'id', value: trimmed.toLowerCase() }] : [byNumber];
}
