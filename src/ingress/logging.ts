/**
 * The ingress's logger: a child of the project's root logger that keeps its redaction (REDACTED_KEYS)
 * and adds the ingress's own credentials. The request line never logs headers; this is the net under
 * that rule, for whoever logs a request's headers one day.
 */
import { type Logger, REDACTED_KEYS } from '../logger';

/** Header and field names the ingress adds to the redaction; some need bracket paths (they have dashes). */
const INGRESS_REDACTED_KEYS = ['webhook-signature', 'authorization', 'webhookSecrets', 'basicAuth', 'bearerToken'];

const pathFor = (key: string): string => (/^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `["${key}"]`);

function redactPaths(): string[] {
  const keys = [...new Set([...REDACTED_KEYS, ...INGRESS_REDACTED_KEYS])];
  return keys.flatMap((key) => {
    const tail = pathFor(key);
    const top = tail.startsWith('.') ? tail.slice(1) : tail;
    return [top, `*${tail}`, `*.*${tail}`, `headers${tail}`, `req.headers${tail}`];
  });
}

/** A child logger for the ingress; pino replaces a parent's redaction in a child, so every path is listed. */
export function ingressLogger(root: Logger): Logger {
  return root.child({ component: 'ingress' }, { redact: { paths: redactPaths(), censor: '[redacted]' } });
}
