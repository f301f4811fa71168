/**
 * ISC's error bodies. 400/403/404/500 use ErrorResponseDto; 401 and 429 have their own small bodies.
 * Handlers throw {@link IscHttpError}; the error handler renders it.
 */
export interface ErrorMessage {
  locale: string;
  localeOrigin: 'DEFAULT';
  text: string;
}

export interface ErrorResponseDto {
  detailCode: string;
  trackingId: string;
  messages: ErrorMessage[];
  causes: ErrorMessage[];
}

const DETAIL_CODES = {
  400: '400.1 Bad Request Content',
  403: '403 Forbidden',
  404: '404 Not found',
  // Only the control API answers 409 (an employee number taken twice); ISC documents no body for it.
  409: '409 Conflict',
  500: '500.0 Internal Fault',
} as const;

export type ErrorStatus = keyof typeof DETAIL_CODES;

export function message(text: string): ErrorMessage {
  return { locale: 'en-US', localeOrigin: 'DEFAULT', text };
}

export function errorResponse(status: ErrorStatus, trackingId: string, text: string): ErrorResponseDto {
  return { detailCode: DETAIL_CODES[status], trackingId, messages: [message(text)], causes: [] };
}

export class IscHttpError extends Error {
  constructor(
    readonly statusCode: ErrorStatus,
    message: string,
  ) {
    super(message);
    this.name = 'IscHttpError';
  }
}

export const badRequest = (text: string): IscHttpError => new IscHttpError(400, text);
export const notFound = (text: string): IscHttpError => new IscHttpError(404, text);
export const conflict = (text: string): IscHttpError => new IscHttpError(409, text);

/** ISC's 429 body, leading and trailing spaces included. */
export const RATE_LIMIT_BODY = { message: ' Rate Limit Exceeded ' } as const;
