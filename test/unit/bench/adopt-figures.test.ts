/** The day-one bench's figures from what the simulator recorded: calls, 429s, grants of held access, idle cost. */
import { grantsOf, iscCallsOf, perIdentityDay, rateLimitedOf } from '../../../bench/adopt/figures';

const stats = {
  calls: {
    'POST /oauth/token': { '200': 2 },
    'POST /v3/search': { '200': 40, '429': 1 },
    'POST /v3/access-requests': { '202': 100 },
  },
  apiCalls: 141,
  maxCallsIn10s: 33,
};

describe('day-one figures', () => {
  it('count ISC calls with the token exchanges, and every 429', () => {
    expect(iscCallsOf(stats)).toBe(143);
    expect(rateLimitedOf(stats)).toBe(1);
  });

  it('count grants sent, and those for access held before the run (never one in a good run)', () => {
    const rows = [
      { requestType: 'GRANT_ACCESS', requestedFor: 'a', itemId: 'x', state: 'REQUEST_COMPLETED', ignored: false },
      { requestType: 'GRANT_ACCESS', requestedFor: 'b', itemId: 'x', state: 'CANCELLED', ignored: false },
      { requestType: 'GRANT_ACCESS', requestedFor: 'c', itemId: 'x', state: null, ignored: true },
      { requestType: 'REVOKE_ACCESS', requestedFor: 'b', itemId: 'x', state: 'REQUEST_COMPLETED', ignored: false },
    ];
    expect(grantsOf(rows, new Set(['b|x']))).toEqual({ sent: 2, ofHeld: 1 });
  });

  it('scale idle actions to a day per identity', () => {
    expect(perIdentityDay(0, 10_000, 60)).toBe(0);
    expect(perIdentityDay(10, 1000, 864)).toBe(1);
  });
});
