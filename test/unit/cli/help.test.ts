/**
 * `--help` and `--version`: every command answers `--help` (and `-h`) with its own usage on standard output
 * and exit code 0, without reading a setting or connecting anywhere (the environment here is one no
 * command could run with: a real tenant without credentials or keys, an empty task queue).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCaptured } from '../../support/cli';

const UNUSABLE = {
  SAIL_BASE_URL: 'https://acme.api.identitynow.com',
  ISCFLOW_TASK_QUEUE: '',
  TEMPORAL_ADDRESS: '127.0.0.1:1',
};
const COMMANDS = [
  'request',
  'status',
  'list',
  'retry',
  'skip',
  'cancel',
  'remove-date',
  'event',
  'identity',
  'policy',
  'adopt',
  'drift',
  'report',
];

const cli = (...args: string[]) => runCaptured(UNUSABLE, args);

describe('iscflow --help and --version', () => {
  it.each([['--help'], ['-h']])('iscflow %s lists every command and exits 0', async (flag) => {
    const run = await cli(flag);
    expect(run).toMatchObject({ code: 0, err: '' });
    expect(run.out).toMatch(/^Usage:\n/);
    for (const command of COMMANDS) expect(run.out).toContain(`iscflow ${command} `);
    expect(run.out).toContain('iscflow --help | --version');
  });

  it("iscflow --version prints package.json's version", async () => {
    const { version } = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as {
      version: string;
    };
    const { code, out, err } = await cli('--version');
    expect({ code, out, err }).toEqual({ code: 0, out: version, err: '' });
  });

  it.each(
    COMMANDS.flatMap((command) => [
      [command, '--help'],
      [command, '-h'],
    ]),
  )('iscflow %s %s prints its own usage and exits 0', async (command, flag) => {
    const run = await cli(command, flag);
    expect(run).toMatchObject({ code: 0, err: '' });
    expect(run.out).toMatch(new RegExp(`^Usage: iscflow ${command} `));
    expect(run.out).toMatch(/\n {2}-h, --help +print this usage$/);
  });

  it.each([
    [['identity', 'show', '--help'], 'identity'],
    [['policy', 'check', '-h'], 'policy'],
    [['request', '--for', 'bob', '--help'], 'request'],
    [['report', '--format', 'pdf', '--help'], 'report'],
  ])('%j asks for help wherever it stands among the options', async (args, command) => {
    const run = await cli(...args);
    expect(run).toMatchObject({ code: 0, err: '' });
    expect(run.out).toMatch(new RegExp(`^Usage: iscflow ${command} `));
  });

  it('after --, --help is an argument like any other', async () => {
    const run = await cli('event', '--', '--help');
    expect(run.code).toBe(2);
    expect(run.err).toBe('iscflow: --help: cannot be read (ENOENT)');
  });

  it('usage errors keep exit code 2: an unknown option prints the usage of its command on standard error', async () => {
    const run = await cli('report', '--bogus');
    expect(run.code).toBe(2);
    expect(run.out).toBe('');
    expect(run.err).toMatch(/^iscflow: Unknown option '--bogus'.*\nUsage: iscflow report /s);
  });

  it('no command at all is a usage error', async () => {
    const run = await cli();
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/^Usage:\n/);
  });
});
