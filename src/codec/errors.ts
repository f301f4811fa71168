/**
 * The one catalogue of payload-protection failures. Codes are stable: operators search task failures
 * and logs for them, and the codec server answers with them.
 */
export const CODEC_ERROR_CODES = [
  /** `ISCFLOW_PAYLOAD_KEYS` is malformed; `problems` names every bad entry (never its key material). */
  'PAYLOAD_KEYS_INVALID',
  /** A payload was encrypted with a key id this process does not hold. */
  'PAYLOAD_KEY_UNKNOWN',
  /** Authentication failed: the ciphertext, nonce, tag or the clear metadata bound to it was changed. */
  'PAYLOAD_TAMPERED',
  /** A `binary/encrypted` payload without a key id, or whose decrypted content is not a payload. */
  'PAYLOAD_MALFORMED',
] as const;
export type CodecErrorCode = (typeof CODEC_ERROR_CODES)[number];

/**
 * A payload that cannot be protected or read. Thrown from `decode` rather than returning anything: in a
 * worker it fails the workflow task (visible in history, retried by Temporal) instead of handing the
 * workflow bytes it would misread.
 */
export class CodecError extends Error {
  override readonly name = 'CodecError';

  constructor(
    readonly code: CodecErrorCode,
    message: string,
    readonly details: { keyId?: string; problems?: readonly string[] } = {},
  ) {
    // The code leads the message: a workflow task failure in the UI shows only the message.
    super(`${code}: ${message}`);
  }

  get keyId(): string | undefined {
    return this.details.keyId;
  }

  get problems(): readonly string[] {
    return this.details.problems ?? [];
  }
}
