/**
 * The ingress's settings, read once from the environment with zod and frozen; a bad value stops
 * start-up with one `ConfigError` naming every problem. Messages never repeat a secret, a token or a
 * password, and the parsed secrets are held so that logging this object by mistake shows none of them
 * (HMAC keys as `KeyObject`s, ISC credentials as SHA-256 digests).
 */
import { createSecretKey, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { ConfigError } from '../config';
import { credentialDigest } from './credentials';

type Env = Record<string, string | undefined>;

/** Standard Webhooks: a secret is 24 to 64 random bytes, shown as `whsec_` + base64. */
export const WEBHOOK_SECRET_PREFIX = 'whsec_';
const WEBHOOK_SECRET_MIN_BYTES = 24;
const WEBHOOK_SECRET_MAX_BYTES = 64;
/** A bearer token shorter than this is guessable; `openssl rand -base64 32` gives 44 characters. */
const ISC_TRIGGER_TOKEN_MIN_LENGTH = 32;
const ISC_TRIGGER_PASSWORD_MIN_LENGTH = 16;

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Compose passes unset variables through as empty strings: those mean "not set". */
const blankAsUnset = (value: unknown): unknown =>
  typeof value === 'string' && value.trim() === '' ? undefined : typeof value === 'string' ? value.trim() : value;

const ingressEnvSchema = z.object({
  ISCFLOW_INGRESS_HOST: z.preprocess(blankAsUnset, z.string().default('127.0.0.1')),
  ISCFLOW_INGRESS_PORT: z.preprocess(
    blankAsUnset,
    z.coerce
      .number({ error: 'must be a port number' })
      .int({ error: 'must be a whole number' })
      .min(0, { error: 'must be 0 to 65535' })
      .max(65535, { error: 'must be 0 to 65535' })
      .default(8080),
  ),
  ISCFLOW_WEBHOOK_SECRETS: z.preprocess(
    blankAsUnset,
    z
      .string({ error: 'is required: one or more whsec_<base64> secrets, comma-separated' })
      .transform((value, ctx): readonly KeyObject[] => {
        const keys: KeyObject[] = [];
        value.split(',').forEach((raw, index) => {
          const entry = raw.trim();
          const where = `entry ${index + 1}`;
          if (entry === '')
            return void ctx.addIssue({ code: 'custom', message: `${where}: is empty (a stray comma?)` });
          // An entry without the prefix may be some other secret pasted here: it is not repeated.
          if (!entry.startsWith(WEBHOOK_SECRET_PREFIX) || !BASE64.test(entry.slice(WEBHOOK_SECRET_PREFIX.length))) {
            return void ctx.addIssue({ code: 'custom', message: `${where}: must be whsec_ followed by base64` });
          }
          const bytes = Buffer.from(entry.slice(WEBHOOK_SECRET_PREFIX.length), 'base64');
          if (bytes.length < WEBHOOK_SECRET_MIN_BYTES || bytes.length > WEBHOOK_SECRET_MAX_BYTES) {
            return void ctx.addIssue({
              code: 'custom',
              message: `${where}: must be ${WEBHOOK_SECRET_MIN_BYTES} to ${WEBHOOK_SECRET_MAX_BYTES} bytes, not ${bytes.length}`,
            });
          }
          keys.push(createSecretKey(bytes));
        });
        return Object.freeze(keys);
      }),
  ),
  ISCFLOW_ISC_TRIGGER_TOKEN: z.preprocess(
    blankAsUnset,
    z
      .string()
      .min(ISC_TRIGGER_TOKEN_MIN_LENGTH, {
        error: `must be at least ${ISC_TRIGGER_TOKEN_MIN_LENGTH} characters (e.g. openssl rand -base64 32)`,
      })
      .regex(/^[\x21-\x7e]+$/, { error: 'must be printable ASCII without spaces (ISC sends it as a bearer token)' })
      .optional(),
  ),
  ISCFLOW_ISC_TRIGGER_BASIC: z.preprocess(
    blankAsUnset,
    z
      .string()
      .superRefine((value, ctx) => {
        const separator = value.indexOf(':');
        if (separator <= 0) {
          ctx.addIssue({ code: 'custom', message: 'must be user:password with a non-empty user' });
        } else if (value.length - separator - 1 < ISC_TRIGGER_PASSWORD_MIN_LENGTH) {
          ctx.addIssue({
            code: 'custom',
            message: `the password must be at least ${ISC_TRIGGER_PASSWORD_MIN_LENGTH} characters`,
          });
        }
      })
      .optional(),
  ),
  ISCFLOW_TERMINATED_LIFECYCLE_STATES: z.preprocess(
    blankAsUnset,
    z
      .string()
      .default('terminated,inactive')
      .transform((value, ctx): readonly string[] => {
        const states = value.split(',').map((s) => s.trim().toLowerCase());
        if (states.some((s) => s === '')) {
          ctx.addIssue({ code: 'custom', message: 'must be lifecycle state names, comma-separated, none empty' });
          return z.NEVER;
        }
        return Object.freeze([...new Set(states)]);
      }),
  ),
  LOG_LEVEL: z.preprocess(
    blankAsUnset,
    z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ),
});

/** How ISC authenticates to /v1/isc/triggers; digests only, compared in constant time. */
export interface IscTriggerAuth {
  /** SHA-256 of `ISCFLOW_ISC_TRIGGER_TOKEN` (ISC's `BEARER_TOKEN` authentication). */
  bearerTokenDigest?: Buffer;
  /** SHA-256 of `ISCFLOW_ISC_TRIGGER_BASIC`, `user:password` (ISC's `BASIC_AUTH` authentication). */
  basicDigest?: Buffer;
}

/** What `buildIngress` needs: who may send, and how ISC's identity triggers map to HR events. */
export interface IngressAppConfig {
  /** Standard Webhooks secrets; a signature by any one passes (so a secret can be rotated). */
  webhookSecrets: readonly KeyObject[];
  /** Undefined: no ISC credentials configured, /v1/isc/triggers is not served. */
  iscTrigger: Readonly<IscTriggerAuth> | undefined;
  /** `cloudLifecycleState` values (lower case) that make an attribute change a leaver. */
  terminatedLifecycleStates: readonly string[];
}

export interface IngressConfig extends IngressAppConfig {
  host: string;
  port: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
}

/** Reads the ingress variables; throws `ConfigError` naming every bad one. */
export function loadIngressConfig(env: Env = process.env): Readonly<IngressConfig> {
  const result = ingressEnvSchema.safeParse(env);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
  }
  const data = result.data;
  const token = data.ISCFLOW_ISC_TRIGGER_TOKEN;
  const basic = data.ISCFLOW_ISC_TRIGGER_BASIC;
  const iscTrigger =
    token === undefined && basic === undefined
      ? undefined
      : Object.freeze({
          ...(token === undefined ? {} : { bearerTokenDigest: credentialDigest(token) }),
          ...(basic === undefined ? {} : { basicDigest: credentialDigest(basic) }),
        });
  return Object.freeze({
    host: data.ISCFLOW_INGRESS_HOST,
    port: data.ISCFLOW_INGRESS_PORT,
    webhookSecrets: data.ISCFLOW_WEBHOOK_SECRETS,
    iscTrigger,
    terminatedLifecycleStates: data.ISCFLOW_TERMINATED_LIFECYCLE_STATES,
    logLevel: data.LOG_LEVEL,
  });
}

/**
 * The webhook secret a development stack (`npm run dev`) runs with when ISCFLOW_WEBHOOK_SECRETS is unset,
 * so the curl it prints works as printed. It is in the source, so it protects nothing: it is never used
 * when SAIL_BASE_URL names a real tenant.
 */
export const DEV_WEBHOOK_SECRET = `${WEBHOOK_SECRET_PREFIX}${Buffer.from('iscflow development webhooks, not secret').toString('base64')}`;

/** Whether a URL is this machine: the simulator, or a tunnel the developer runs. */
function onLoopback(url: string): boolean {
  try {
    return ['localhost', '127.0.0.1', '[::1]'].includes(new URL(url).hostname);
  } catch {
    return false;
  }
}

/**
 * The environment a development stack starts the ingress with: as given when ISCFLOW_WEBHOOK_SECRETS is
 * set; otherwise with `DEV_WEBHOOK_SECRET` (`developmentSecret: true`, for the caller to say so). Throws
 * `ConfigError` when the secret is unset and `SAIL_BASE_URL` is a real tenant: real people's access is
 * then behind the ingress, and a secret anyone can read would let anyone hire or fire.
 */
export function withDevelopmentWebhookSecret(env: Env): { env: Env; developmentSecret: boolean } {
  if (blankAsUnset(env.ISCFLOW_WEBHOOK_SECRETS) !== undefined) return { env, developmentSecret: false };
  const tenant = blankAsUnset(env.SAIL_BASE_URL);
  if (typeof tenant === 'string' && !onLoopback(tenant)) {
    throw new ConfigError([
      'ISCFLOW_WEBHOOK_SECRETS: is required with a real tenant (SAIL_BASE_URL): one or more whsec_<base64> ' +
        'secrets, comma-separated (e.g. whsec_$(openssl rand -base64 32)); the development secret is public',
    ]);
  }
  return { env: { ...env, ISCFLOW_WEBHOOK_SECRETS: DEV_WEBHOOK_SECRET }, developmentSecret: true };
}
