/**
 * Bad input on the command line: a message naming the option as it was typed (`--for bob`, never the
 * change's `identityIds[0]`) and the rule, exit code 2, and nothing started (these fail before the CLI
 * connects to Temporal, which is pointed at a closed port to prove it).
 */
import { runCaptured } from '../../support/cli';

const ID = '0123456789abcdef0123456789abcdef';
const ENV = { TEMPORAL_ADDRESS: '127.0.0.1:1' };

const cli = (...args: string[]) => runCaptured(ENV, args);

describe('CLI input', () => {
  it.each([
    [
      ['request', '--for', ID, '--grant', 'GROUP:' + ID],
      /--grant GROUP:0123\S+ \(TYPE\): .*\(rule UNKNOWN_ITEM_TYPE\)/,
    ],
    [['request', '--for', 'bob', '--grant', 'ROLE:' + ID], /--for bob: must be an ISC id.*\(rule MALFORMED_ID\)/],
    [
      ['request', '--for', ID, '--grant', 'ROLE:' + ID, '--remove-date', '2020-01-01T00:00:00Z'],
      /--remove-date 2020-01-01T00:00:00Z: must be in the future \(rule DATE_IN_PAST\)/,
    ],
    [
      ['request', '--for', ID, '--grant', 'ROLE:' + ID, '--remove-date', '2030-01-01T00:00:00+02:00'],
      /--remove-date 2030-01-01T00:00:00\+02:00: .*\(rule DATE_NOT_UTC\)/,
    ],
    [['request', '--for', ID, '--grant', 'ROLE:' + ID, '--start-date', 'soon'], /--start-date soon: .*DATE_MALFORMED/],
    [
      [
        'request',
        '--for',
        ID,
        '--grant',
        'ROLE:' + ID,
        '--start-date',
        '2031-01-01T00:00:00Z',
        '--remove-date',
        '2030-01-01T00:00:00Z',
      ],
      /--start-date 2031-01-01T00:00:00Z: must be before --remove-date \(rule START_NOT_BEFORE_REMOVE\)/,
    ],
    [
      ['request', '--for', ID, '--revoke', 'ROLE:' + ID],
      /--comment: is required for --revoke \(rule REVOKE_COMMENT_REQUIRED\)/,
    ],
    [['request', '--grant', 'ROLE:' + ID], /--for: must contain at least one entry \(rule EMPTY_LIST\)/],
    [
      ['request', '--for', ID, '--for', ID, '--grant', 'ROLE:' + ID],
      new RegExp(`--for ${ID}: repeats identity ${ID} \\(rule DUPLICATE_IDENTITY\\)`),
    ],
    [
      ['request', '--for', ID, '--revoke', `ROLE:${ID}`, '--revoke', `ENTITLEMENT:${ID}`, '--comment', 'x'],
      /--revoke: ISC revokes one item per request/,
    ],
    [['request', '--for', ID, '--grant', 'ROLE'], /--grant ROLE: expected TYPE:ID/],
    [['request', '--for', ID], /--grant or --revoke/],
    [
      ['request', '--for', ID, '--grant', 'ROLE:' + ID, '--removal', 'soonish'],
      /--removal soonish: must be isc or exact/,
    ],
    [['request', '--bogus'], /Unknown option '--bogus'[\s\S]*Usage: iscflow request /],
    [['skip', 'iscflow-grant-x'], /skip: --reason is required/],
    [['remove-date', 'iscflow-grant-x', 'next week'], /remove-date "next week": must be an ISO-8601 .*DATE_MALFORMED/],
    [['list', '--identity', 'a b'], /--identity a b: ids and states are letters/],
    [['frobnicate'], /^iscflow: unknown command frobnicate\nUsage:/],
  ])('%j is refused with exit code 2', async (args, message) => {
    const run = await cli(...args);
    expect(run.code).toBe(2);
    expect(run.err).toMatch(message);
    expect(run.out).toBe('');
  });

  it('reports every violation at once, each by the option it came from, never by its path in the change', async () => {
    const run = await cli(
      'request',
      '--for',
      'bob',
      '--grant',
      'GROUP:1',
      '--remove-date',
      'tomorrow',
      '--start-date',
      '2020-01-01T00:00:00Z',
    );
    const lines = run.err.replace(/^iscflow: /, '').split('\n');
    expect(lines).toEqual([
      expect.stringMatching(/^--for bob: .*MALFORMED_ID/),
      expect.stringMatching(/^--grant GROUP:1 \(TYPE\): .*UNKNOWN_ITEM_TYPE/),
      expect.stringMatching(/^--grant GROUP:1 \(ID\): .*MALFORMED_ID/),
      expect.stringMatching(/^--start-date 2020-01-01T00:00:00Z: .*DATE_IN_PAST/),
      expect.stringMatching(/^--remove-date tomorrow: .*DATE_MALFORMED/),
    ]);
    expect(run.err).not.toMatch(/identityIds|items\[|removeDate|startDate/);
  });
});
