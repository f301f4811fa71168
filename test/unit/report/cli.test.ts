/**
 * `iscflow report` input: a bad period, format or flag is refused with exit code 2 before the CLI
 * connects (Temporal is pointed at a closed port to prove it).
 */
import { runCaptured, type CliRun } from '../../support/cli';

const cli = (...args: string[]): Promise<CliRun> => runCaptured({ TEMPORAL_ADDRESS: '127.0.0.1:1' }, args);

describe('iscflow report input', () => {
  it.each([
    [['--since', 'yesterday'], /--since: must be an ISO 8601 time with a zone/],
    [['--until', '2026-13-01T00:00:00Z'], /--until/],
    [['--since', '2026-02-01T00:00:00Z', '--until', '2026-01-01T00:00:00Z'], /--since must be before --until/],
    [['--format', 'pdf'], /--format: must be table, csv, json, html/],
    [['--identity', '   '], /--identity/],
    [['--colour'], /Unknown option '--colour'/],
  ])('refuses %j', async (args, message) => {
    const run = await cli('report', ...args);
    expect(run.code).toBe(2);
    expect(run.err).toMatch(message);
    expect(run.out).toBe('');
  });

  it('is listed in the usage', async () => {
    const run = await cli('help');
    expect(run.err).toContain(
      'iscflow report [--since ISO] [--until ISO] [--identity KEY] [--format table|csv|json|html] [--out FILE]',
    );
  });
});
