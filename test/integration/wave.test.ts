/**
 * A small Monday wave, judged by counts (never by times): 100 joiners with three birthright items each go
 * through the shared tracker against the simulator's rate limit of 100 calls per 10 s. Every item reaches
 * ISC exactly once, no call is refused with a 429, the busiest 10 s stay under the configured budget, and
 * a handful of ISC calls serve each item. `npm run bench:wave` runs the same harness at 1,000 and more.
 */
import { runWave } from '../../bench/wave/run';

describe('a wave of joiners through the shared tracker (dev server, simulator, worker process)', () => {
  it('grants 300 items with no 429, under the budget, at well under one ISC call per item', async () => {
    const figures = await runWave({ mode: 'shared', identities: 100, deadlineSeconds: 360, log: () => undefined });
    expect(figures).toMatchObject({
      identities: 100,
      items: 300,
      completedItems: 300,
      rateLimited: 0,
      duplicateItems: 0,
      deadlineHit: false,
    });
    expect(figures.maxCallsIn10s).toBeLessThanOrEqual(90);
    // Coalesced: ten joiners per submission at most, so far fewer submit calls than joiners.
    expect(figures.submitCalls).toBeLessThanOrEqual(40);
    // What moved is read from ISC's status feed, about one call per round for all of them: fewer status
    // calls than joiners, however long the wave takes on a busy machine.
    expect(figures.statusCalls).toBeLessThan(100);
    expect(figures.callsPerItem).toBeLessThan(0.5);
  }, 420_000);
});
