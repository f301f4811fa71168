/** `npm run bench:wave -- --outage START:SECONDS[:STATUS]`: what the option takes and refuses. */
import { parseOutage } from '../../../bench/wave/outage';

describe('the wave bench outage option', () => {
  it('reads START:SECONDS, START in seconds or as a share of the items, with 503 unless a status (or reset) is given', () => {
    expect(parseOutage('60:900')).toEqual({ start: { seconds: 60 }, seconds: 900, status: 503 });
    expect(parseOutage('0:30:502')).toEqual({ start: { seconds: 0 }, seconds: 30, status: 502 });
    expect(parseOutage('10:5:reset')).toEqual({ start: { seconds: 10 }, seconds: 5, status: 'reset' });
    expect(parseOutage('30%:900')).toEqual({ start: { share: 0.3 }, seconds: 900, status: 503 });
  });

  it.each(['900', '60:0', '-1:10', 'a:b', '60:900:200', '60:900:down', '0%:60', '100%:60', 'x%:60'])(
    'refuses %s',
    (text) => {
      expect(() => parseOutage(text)).toThrow(/expected START:SECONDS\[:STATUS\]/);
    },
  );
});
