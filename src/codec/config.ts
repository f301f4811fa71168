/**
 * Payload-protection settings, read once from the environment with zod and frozen, like the rest of
 * the configuration (src/config.ts); a bad value fails start-up with the same `ConfigError` listing every
 * problem. Messages never repeat a key or the codec token.
 */
import { z } from 'zod';
import { ConfigError } from '../config';
import { CodecError } from './errors';
import { parsePayloadKeys, type PayloadKeyRing } from './keys';

type Env = Record<string, string | undefined>;

/** A bearer token shorter than this is guessable; `openssl rand -base64 32` gives 44 characters. */
export const CODEC_TOKEN_MIN_LENGTH = 32;

const blankToUndefined = (value: string | undefined): string | undefined =>
  value === undefined || value.trim() === '' ? undefined : value.trim();
/** Compose passes unset variables through as empty strings: those mean "not set". */
const blankAsUnset = (value: unknown): unknown => (typeof value === 'string' ? blankToUndefined(value) : value);

function parseOrigin(entry: string): string | undefined {
  try {
    const url = new URL(entry);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
    // An origin has no path, query or credentials; `new URL` adds the trailing slash we allow here.
    return url.origin === entry.replace(/\/$/, '') ? url.origin : undefined;
  } catch {
    return undefined;
  }
}

/** The zod fragment for the privacy variables; merge it into a larger environment schema if needed. */
export const privacyEnvSchema = z.object({
  ISCFLOW_PAYLOAD_KEYS: z
    .string()
    .optional()
    .transform((value, ctx): PayloadKeyRing | undefined => {
      try {
        return parsePayloadKeys(value);
      } catch (error) {
        if (!(error instanceof CodecError)) throw error;
        for (const problem of error.problems) ctx.addIssue({ code: 'custom', message: problem });
        return z.NEVER;
      }
    }),
  ISCFLOW_ALLOW_PLAINTEXT: z
    .preprocess(blankAsUnset, z.enum(['true', 'false'], { error: 'must be true or false' }).default('false'))
    .transform((value) => value === 'true'),
  ISCFLOW_CODEC_TOKEN: z
    .string()
    .optional()
    .transform((value, ctx) => {
      const token = blankToUndefined(value);
      if (token !== undefined && token.length < CODEC_TOKEN_MIN_LENGTH) {
        ctx.addIssue({
          code: 'custom',
          message: `must be at least ${CODEC_TOKEN_MIN_LENGTH} characters (e.g. openssl rand -base64 32)`,
        });
        return z.NEVER;
      }
      return token;
    }),
  ISCFLOW_CODEC_CORS_ORIGINS: z
    .string()
    .optional()
    .transform((value, ctx) => {
      const entries = (blankToUndefined(value) ?? '').split(',').map((e) => e.trim());
      const origins: string[] = [];
      entries.forEach((entry, index) => {
        if (entry === '') return;
        const origin = parseOrigin(entry);
        if (origin === undefined) {
          ctx.addIssue({
            code: 'custom',
            message: `entry ${index + 1} ("${entry}"): must be an origin, scheme://host[:port] without a path or *`,
          });
        } else if (!origins.includes(origin)) origins.push(origin);
      });
      return Object.freeze(origins);
    }),
});

export interface PrivacyConfig {
  /** Undefined: no keys configured, payloads are stored as they are. */
  payloadKeys: PayloadKeyRing | undefined;
  /** `ISCFLOW_ALLOW_PLAINTEXT=true`: a real tenant may run without keys (a deliberate, logged choice). */
  allowPlaintext: boolean;
  /** The codec server's bearer token. A secret: never log this object whole. */
  codecToken: string | undefined;
  /** Browser origins (the Temporal UI) allowed to call the codec server. */
  codecCorsOrigins: readonly string[];
}

/** Reads the privacy variables; throws `ConfigError` naming every bad one. */
export function loadPrivacyConfig(env: Env = process.env): Readonly<PrivacyConfig> {
  const result = privacyEnvSchema.safeParse(env);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
  }
  return Object.freeze({
    payloadKeys: result.data.ISCFLOW_PAYLOAD_KEYS,
    allowPlaintext: result.data.ISCFLOW_ALLOW_PLAINTEXT,
    codecToken: result.data.ISCFLOW_CODEC_TOKEN,
    codecCorsOrigins: result.data.ISCFLOW_CODEC_CORS_ORIGINS,
  });
}
