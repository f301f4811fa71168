/**
 * Chaos, bounded for the test suite: 50 changes (plus duplicates) under injected ISC faults while the
 * worker process is SIGKILLed three times and the Temporal dev server restarts once from its state file.
 * `npm run chaos` runs the same harness with hundreds of changes and prints the figures.
 */
import { DEFAULT_FAULTS, runChaos, type Profile } from '../../bench/support/chaos';

describe('chaos (worker and dev server processes, simulator faults)', () => {
  it.each([['current'], ['legacy']] as Array<[Profile]>)(
    'every change reaches its outcome exactly once (%s profile)',
    async (profile) => {
      const report = await runChaos({
        profile,
        changes: 50,
        duplicates: 15,
        workerKills: 3,
        serverRestarts: 1,
        startWindowSeconds: 30,
        faults: DEFAULT_FAULTS,
        rateLimit: { requests: 100, windowSeconds: 10 },
        iscCallsPer10s: 90,
        deadlineSeconds: 120,
        seed: profile === 'current' ? 41 : 42,
      });

      expect(report.problems).toEqual([]);
      expect(report.figures).toMatchObject({
        changes: 50,
        duplicatesInjected: 15,
        workerKills: 3,
        serverRestarts: 1,
        iscItemsCreated: expect.any(Number),
        duplicateItems: 0,
        lostChanges: 0,
        wrongOutcomes: 0,
      });
      // Each change that needed ISC reached it exactly once: no more items than changes.
      expect(report.figures.iscItemsCreated).toBeLessThanOrEqual(50);
    },
    170_000,
  );
});
