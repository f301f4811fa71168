/**
 * The one catalogue of ISC client failures. Activities turn an `IscError` into an `ApplicationFailure`
 * with `code` as its type and `retryable` deciding `nonRetryable`; workflows branch on the code. The codes
 * and which of them are retryable live in `src/common`, where workflows read them too.
 */
import { RETRYABLE_ISC_ERROR_CODES, type IscErrorCode } from '../common/error-codes';

export { ISC_ERROR_CODES, type IscErrorCode } from '../common/error-codes';

const RETRYABLE_CODES: ReadonlySet<IscErrorCode> = new Set(RETRYABLE_ISC_ERROR_CODES);

export interface IscErrorDetails {
  status?: number;
  detailCode?: string;
  messages?: string[];
  retryAfterMs?: number;
}

/**
 * A failed ISC call. The message names the call and ISC's own explanation; it never contains a token or
 * a secret (the client never puts request headers or bodies into it).
 */
export class IscError extends Error {
  override readonly name = 'IscError';
  readonly code: IscErrorCode;
  /** HTTP status, when ISC answered at all. */
  readonly status?: number;
  /** ISC's `detailCode`, e.g. `400.1 Bad Request Content`. */
  readonly detailCode?: string;
  /** ISC's message texts (ErrorResponseDto `messages[].text`), possibly empty. */
  readonly messages: string[];
  /**
   * How long to wait before trying again: for ISC_RATE_LIMITED what ISC asked (`Retry-After`), for
   * ISC_UNAVAILABLE the circuit's time to its next probe.
   */
  readonly retryAfterMs?: number;
  /** Whether repeating the same call later may succeed. */
  readonly retryable: boolean;

  constructor(code: IscErrorCode, message: string, details: IscErrorDetails = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.status = details.status;
    this.detailCode = details.detailCode;
    this.messages = details.messages ?? [];
    this.retryAfterMs = details.retryAfterMs;
    this.retryable = RETRYABLE_CODES.has(code);
  }
}

/** The code for an HTTP error status from an API call (not the token endpoint). */
export function codeForStatus(status: number): IscErrorCode {
  if (status === 400) return 'ISC_BAD_REQUEST';
  if (status === 401) return 'ISC_AUTH_FAILED';
  if (status === 403) return 'ISC_FORBIDDEN';
  if (status === 404) return 'ISC_NOT_FOUND';
  if (status === 429) return 'ISC_RATE_LIMITED';
  if (status >= 500) return 'ISC_SERVER_ERROR';
  // Other 4xx (405, 409, 415, ...) are as final as a 400: the same call would fail again.
  return 'ISC_BAD_REQUEST';
}

/** `Retry-After` as milliseconds: delta-seconds or an HTTP-date; 10 s when missing or unreadable. */
export function parseRetryAfter(header: string | null, nowMs: number): number {
  const fallback = 10_000;
  if (header === null || header.trim() === '') return fallback;
  const trimmed = header.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return fallback;
  return Math.max(0, at - nowMs);
}
