/**
 * `iscflow adopt` and `iscflow drift --repair` change access for many people: with no `--yes` and no one at
 * a terminal to ask, they refuse before reading anything (exit 2), rather than act unasked.
 */
import { runCaptured } from '../../support/cli';

// Nothing here can be reached: a refusal must come before any connection.
const ENV = { TEMPORAL_ADDRESS: '127.0.0.1:1', SAIL_BASE_URL: 'http://127.0.0.1:1' };

describe('day-one commands refuse to act unasked', () => {
  it('adopt without --yes, not on a terminal: exit 2, nothing read, nothing started', async () => {
    const run = await runCaptured(ENV, ['adopt']);
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/add --yes/);
  });

  it('drift --repair without --yes, not on a terminal: exit 2', async () => {
    const run = await runCaptured(ENV, ['drift', '--repair']);
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/add --yes/);
  });

  it.each([
    [['adopt', '--filter', ' ', '--dry-run']],
    [['adopt', 'everyone', '--dry-run']],
    [['drift', 'now']],
    [['adopt', '--dry-run', '--size', '3']],
  ])('%j is bad input: exit 2', async (args) => {
    expect((await runCaptured(ENV, args)).code).toBe(2);
  });
});
