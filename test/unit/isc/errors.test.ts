import { codeForStatus, IscError, parseRetryAfter } from '../../../src/isc/errors';
import { ISC_ERROR_CODES } from '../../../src/isc';

describe('IscError', () => {
  it.each([...ISC_ERROR_CODES])('%s has a fixed retryability', (code) => {
    const retryable = [
      'ISC_RATE_LIMITED',
      'ISC_SERVER_ERROR',
      'ISC_TIMEOUT',
      'ISC_NETWORK_ERROR',
      'ISC_UNAVAILABLE',
    ].includes(code);
    expect(new IscError(code, 'x').retryable).toBe(retryable);
  });

  it.each([
    [400, 'ISC_BAD_REQUEST'],
    [401, 'ISC_AUTH_FAILED'],
    [403, 'ISC_FORBIDDEN'],
    [404, 'ISC_NOT_FOUND'],
    [409, 'ISC_BAD_REQUEST'],
    [429, 'ISC_RATE_LIMITED'],
    [500, 'ISC_SERVER_ERROR'],
    [503, 'ISC_SERVER_ERROR'],
  ])('status %i is %s', (status, code) => {
    expect(codeForStatus(status)).toBe(code);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-06-01T12:00:00Z');
  it('reads delta-seconds', () => {
    expect(parseRetryAfter('7', now)).toBe(7_000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
  });
  it('reads an HTTP-date relative to now, never negative', () => {
    expect(parseRetryAfter('Mon, 01 Jun 2026 12:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Mon, 01 Jun 2026 11:00:00 GMT', now)).toBe(0);
  });
  it('falls back to 10 s when missing or unreadable', () => {
    expect(parseRetryAfter(null, now)).toBe(10_000);
    expect(parseRetryAfter('soon', now)).toBe(10_000);
  });
});
