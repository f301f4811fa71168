/**
 * When payloads may be stored in clear. Pure: decided from facts the caller already holds.
 */
import { type PayloadKeyRing } from './keys';

/**
 * `encrypt`: keys are configured. `plaintext-dev`: no keys, and either no real tenant is involved or
 * `ISCFLOW_ALLOW_PLAINTEXT=true` says so explicitly; the process runs and says it stores payloads in
 * clear. `refuse`: a real tenant without keys and without that opt-in; the process must not start.
 */
export type PlaintextDecision = 'encrypt' | 'plaintext-dev' | 'refuse';

export interface PlaintextFacts {
  keys: PayloadKeyRing | undefined;
  /** Real HR data may flow: the process talks to an actual ISC tenant (see `isRealTenant`). */
  realTenant: boolean;
  allowPlaintext: boolean;
}

export function plaintextDecision({ keys, realTenant, allowPlaintext }: PlaintextFacts): PlaintextDecision {
  if (keys) return 'encrypt';
  if (!realTenant || allowPlaintext) return 'plaintext-dev';
  return 'refuse';
}

const LOOPBACK_HOSTS = new Set(['localhost', '[::1]', '::1']);

/** A host name or address that only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  const name = host.trim().toLowerCase();
  return LOOPBACK_HOSTS.has(name) || name.endsWith('.localhost') || /^127(?:\.\d{1,3}){3}$/.test(name);
}

/**
 * Whether `SAIL_BASE_URL` points at a real tenant. Unset, or a loopback host (the simulator that
 * `npm run dev` and the tests start), is not; anything else is, including a value that does not parse:
 * when in doubt the answer that protects data wins.
 */
export function isRealTenant(baseUrl: string | undefined): boolean {
  if (baseUrl === undefined || baseUrl.trim() === '') return false;
  try {
    return !isLoopbackHost(new URL(baseUrl.trim()).hostname);
  } catch {
    return true;
  }
}
