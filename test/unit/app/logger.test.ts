import { createLogger } from '../../../src/logger';
import { captureLines } from '../../support/logs';

function capture() {
  const { lines, stream } = captureLines();
  return { lines, logger: createLogger('debug', stream) };
}

describe('logger', () => {
  it('redacts secrets and tokens wherever they sit in a logged object', () => {
    const { lines, logger } = capture();
    logger.info(
      {
        clientSecret: 's3cret',
        access_token: 'eyJhbGciOi.token',
        headers: { authorization: 'Bearer eyJhbGciOi.token' },
        config: { isc: { clientSecret: 's3cret' } },
        SAIL_CLIENT_SECRET: 's3cret',
      },
      'call',
    );
    const text = lines.join('\n');
    expect(text).not.toContain('s3cret');
    expect(text).not.toContain('eyJhbGciOi');
    expect(text).toContain('[redacted]');
  });
});
