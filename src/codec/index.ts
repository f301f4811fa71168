/**
 * Payload protection: the encryption codec every Temporal client and worker uses, the settings and the
 * plaintext rule that choose it, and the codec server the Web UI decodes through. See docs/privacy.md.
 */
export { CODEC_ERROR_CODES, CodecError, type CodecErrorCode } from './errors';
export { parsePayloadKeys, PAYLOAD_KEY_BYTES, type PayloadKeyRing } from './keys';
export { createEncryptionCodec, ENCRYPTED_ENCODING, KEY_ID_METADATA } from './encryption';
export { CODEC_TOKEN_MIN_LENGTH, loadPrivacyConfig, privacyEnvSchema, type PrivacyConfig } from './config';
export { isLoopbackHost, isRealTenant, plaintextDecision, type PlaintextDecision, type PlaintextFacts } from './policy';
export {
  codecRoutesFor,
  dataConverterFor,
  FAILURE_CONVERTER_PATH,
  loadPayloadProtection,
  type PayloadProtection,
} from './protection';
export { buildCodecServer, CODEC_PATH, codecRoutes, type CodecRoutesOptions, type CodecServerOptions } from './server';
