/**
 * What each process (worker, CLI, ingress, tests) plugs into Temporal: a `DataConverter` that encrypts
 * payloads when keys are configured. One call at start-up, `loadPayloadProtection(env)`, decides and
 * explains; `dataConverterFor(ring)` is the piece for callers that already hold a ring.
 */
import { type DataConverter } from '@temporalio/common';
import { ConfigError } from '../config';
import { loadPrivacyConfig, type PrivacyConfig } from './config';
import { createEncryptionCodec } from './encryption';
import { type PayloadKeyRing } from './keys';
import { isRealTenant, plaintextDecision } from './policy';

type Env = Record<string, string | undefined>;

/**
 * For `new Client({ dataConverter })`, `Worker.create({ dataConverter })`,
 * `TestWorkflowEnvironment.create*({ client: { dataConverter } })`: the encryption codec, or `{}` (the
 * SDK's defaults) without keys. The codec runs outside the workflow sandbox, so a pre-built workflow
 * bundle needs nothing extra.
 */
export function dataConverterFor(ring: PayloadKeyRing | undefined): DataConverter {
  return ring ? { payloadCodecs: [createEncryptionCodec(ring)] } : {};
}

export interface PayloadProtection {
  mode: 'encrypt' | 'plaintext-dev';
  dataConverter: DataConverter;
  privacy: Readonly<PrivacyConfig>;
  /** One sentence for the start-up log: key ids only, never keys. */
  summary: string;
}

/**
 * Reads the privacy settings and applies the plaintext rule with `SAIL_BASE_URL` deciding whether a real
 * tenant is involved. Throws `ConfigError` for bad settings and for a real tenant without keys (unless
 * `ISCFLOW_ALLOW_PLAINTEXT=true`), so the process stops before it stores anything in clear.
 */
export function loadPayloadProtection(env: Env = process.env): Readonly<PayloadProtection> {
  const privacy = loadPrivacyConfig(env);
  const keys = privacy.payloadKeys;
  const realTenant = isRealTenant(env.SAIL_BASE_URL);
  const decision = plaintextDecision({ keys, realTenant, allowPlaintext: privacy.allowPlaintext });
  if (decision === 'refuse') {
    throw new ConfigError([
      'ISCFLOW_PAYLOAD_KEYS: is required when SAIL_BASE_URL is a real tenant: without it HR data would be ' +
        'stored in Temporal in clear (set ISCFLOW_ALLOW_PLAINTEXT=true to accept that deliberately)',
    ]);
  }
  let summary: string;
  if (keys) {
    const others = keys.keyIds.filter((id) => id !== keys.encryptKeyId);
    summary =
      `payloads encrypted with key "${keys.encryptKeyId}"` +
      (others.length > 0 ? `; also decrypting with ${others.map((id) => `"${id}"`).join(', ')}` : '');
  } else {
    summary = realTenant
      ? 'payloads stored in clear: ISCFLOW_ALLOW_PLAINTEXT=true with a real tenant'
      : 'payloads stored in clear (development: no ISCFLOW_PAYLOAD_KEYS, no real tenant)';
  }
  return Object.freeze({ mode: decision, dataConverter: dataConverterFor(keys), privacy, summary });
}
