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
import { type CodecRoutesOptions } from './server';

type Env = Record<string, string | undefined>;

/**
 * The failure converter that moves failure messages and stack traces into an (encrypted) payload. A
 * workflow bundle built ahead of time (`bundleWorkflowCode`) must be given it as `failureConverterPath`
 * when keys are set, so failures raised by workflow code are encoded too; a worker given `workflowsPath`
 * bundles it on its own.
 */
export const FAILURE_CONVERTER_PATH = require.resolve('./failure-converter');

/**
 * For `new Client({ dataConverter })`, `Worker.create({ dataConverter })`,
 * `TestWorkflowEnvironment.create*({ client: { dataConverter } })`: the encryption codec and the failure
 * converter that routes failure messages through it, or `{}` (the SDK's defaults) without keys, where
 * messages stay readable with the plain `temporal` CLI. The codec runs outside the workflow sandbox.
 */
export function dataConverterFor(ring: PayloadKeyRing | undefined): DataConverter {
  return ring ? { payloadCodecs: [createEncryptionCodec(ring)], failureConverterPath: FAILURE_CONVERTER_PATH } : {};
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

/**
 * The codec routes a long-running iscflow process (the ingress) serves beside its own, so the Web UI and
 * `temporal --codec-endpoint` can decode through it: only when `ISCFLOW_CODEC_TOKEN` is set, as anyone who
 * can call them can read HR data. Undefined when it is not. A token without keys is a `ConfigError`: it
 * says a codec is wanted, and there is nothing to decode with.
 */
export function codecRoutesFor(privacy: Readonly<PrivacyConfig>): CodecRoutesOptions | undefined {
  if (privacy.codecToken === undefined) return undefined;
  if (!privacy.payloadKeys) {
    throw new ConfigError([
      'ISCFLOW_CODEC_TOKEN: is set, but ISCFLOW_PAYLOAD_KEYS is not: the codec routes need the keys to decode with',
    ]);
  }
  return {
    codec: createEncryptionCodec(privacy.payloadKeys),
    token: privacy.codecToken,
    corsOrigins: privacy.codecCorsOrigins,
  };
}
