/**
 * Bad input on the command line: a message naming the field and the rule, exit code 2, and nothing
 * started (these fail before the CLI connects to Temporal, which is pointed at a closed port to prove it).
 */
import { runCli } from '../../../src/client';

const ID = '0123456789abcdef0123456789abcdef';
const ENV = { TEMPORAL_ADDRESS: '127.0.0.1:1' };

async function cli(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, { out: (l) => out.push(l), err: (l) => err.push(l) }, ENV);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('CLI input', () => {
  it.each([
    [['request', '--for', ID, '--grant', 'GROUP:' + ID], /items\[0\]\.type.*UNKNOWN_ITEM_TYPE/],
    [['request', '--for', 'bob', '--grant', 'ROLE:' + ID], /identityIds\[0\].*MALFORMED_ID/],
    [
      ['request', '--for', ID, '--grant', 'ROLE:' + ID, '--remove-date', '2020-01-01T00:00:00Z'],
      /removeDate.*DATE_IN_PAST/,
    ],
    [
      ['request', '--for', ID, '--grant', 'ROLE:' + ID, '--remove-date', '2030-01-01T00:00:00+02:00'],
      /removeDate.*DATE_NOT_UTC/,
    ],
    [['request', '--for', ID, '--grant', 'ROLE:' + ID, '--start-date', 'soon'], /startDate.*DATE_MALFORMED/],
    [['request', '--for', ID, '--revoke', 'ROLE:' + ID], /comment.*REVOKE_COMMENT_REQUIRED/],
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
    [['request', '--bogus'], /Unknown option/],
    [['skip', 'iscflow-grant-x'], /skip: --reason is required/],
    [['remove-date', 'iscflow-grant-x', 'next week'], /removeDate.*DATE_MALFORMED/],
    [['frobnicate'], /Usage:/],
  ])('%j is refused with exit code 2', async (args, message) => {
    const run = await cli(...args);
    expect(run.code).toBe(2);
    expect(run.err).toMatch(message);
    expect(run.out).toBe('');
  });

  it('reports every violation at once', async () => {
    const run = await cli('request', '--for', 'bob', '--grant', 'GROUP:1', '--remove-date', 'tomorrow');
    expect(run.err.split('\n').length).toBeGreaterThanOrEqual(3);
  });
});
