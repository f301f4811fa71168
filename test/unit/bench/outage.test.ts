/** `npm run bench:wave -- --outage START:SECONDS[:STATUS]`: what the option takes and refuses. */
import { parseOutage } from '../../../bench/wave/outage';

describe('the wave bench outage option', () => {
  it('reads START:SECONDS, with 503 unless a status (or reset) is given', () => {
    expect(parseOutage('60:900')).toEqual({ startSeconds: 60, seconds: 900, status: 503 });
    expect(parseOutage('0:30:502')).toEqual({ startSeconds: 0, seconds: 30, status: 502 });
    expect(parseOutage('10:5:reset')).toEqual({ startSeconds: 10, seconds: 5, status: 'reset' });
  });

  it.each(['900', '60:0', '-1:10', 'a:b', '60:900:200', '60:900:down'])('refuses %s', (text) => {
    expect(() => parseOutage(text)).toThrow(/expected START:SECONDS\[:STATUS\]/);
  });
});
