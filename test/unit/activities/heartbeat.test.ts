/**
 * A tracker activity that dies with its worker must be retried within the heartbeat timeout, not after
 * its two-minute start-to-close: the chaos test lost a coalesced batch to exactly that.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { HEARTBEAT_EVERY_MS, whileBeating } from '../../../src/activities/heartbeat';

describe('whileBeating', () => {
  it('heartbeats at once and then on an interval while the work runs, and stops after', async () => {
    const env = new MockActivityEnvironment();
    let beats = 0;
    env.on('heartbeat', () => {
      beats += 1;
    });
    const result = await env.run(() =>
      whileBeating(() => new Promise<string>((resolve) => setTimeout(() => resolve('done'), HEARTBEAT_EVERY_MS * 2.5))),
    );
    expect(result).toBe('done');
    expect(beats).toBe(3);
    await new Promise((resolve) => setTimeout(resolve, HEARTBEAT_EVERY_MS * 1.5));
    expect(beats).toBe(3);
  }, 20_000);

  it('runs the work plainly outside an activity', async () => {
    await expect(whileBeating(async () => 42)).resolves.toBe(42);
  });
});
