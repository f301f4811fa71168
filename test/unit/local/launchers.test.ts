/**
 * The local launchers' pieces that need neither a Temporal build nor a database: finding programs, and
 * how the native Temporal server's start fails when a server process dies before it serves.
 */
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { waitForPort } from '../../../src/local/dev-server';
import { findExecutable, isExecutable, pathDirectories } from '../../../src/local/executables';
import { freePort } from '../../../src/local/ports';
import { startTemporalServer } from '../../../src/local/production/temporal-server';
import type { TemporalServerBuild } from '../../../src/local/production/temporal-build';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'iscflow-launchers-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function script(path: string, body: string, mode = 0o755): string {
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, mode);
  return path;
}

describe('finding programs', () => {
  it('takes the first executable of that name, passing over a file that cannot be run', () => {
    const [first, second, third] = ['a', 'b', 'c'].map((name) => join(dir, name));
    for (const d of [first, second, third]) mkdirSync(d as string);
    script(join(first as string, 'tool'), 'exit 0', 0o644);
    const runnable = script(join(second as string, 'tool'), 'exit 0');
    script(join(third as string, 'tool'), 'exit 0');

    expect(isExecutable(join(first as string, 'tool'))).toBe(false);
    expect(findExecutable('tool', [first, second, third] as string[])).toBe(runnable);
    expect(findExecutable('missing', [first, second, third] as string[])).toBeUndefined();
  });

  it('reads PATH in order and leaves out its empty entries', () => {
    expect(pathDirectories({ PATH: ['/x', '', '/y'].join(delimiter) })).toEqual(['/x', '/y']);
    expect(pathDirectories({})).toEqual([]);
  });
});

describe('waiting for a port', () => {
  it('stops polling as soon as the wait is given up, long before its timeout', async () => {
    const giveUp = new AbortController();
    const began = Date.now();
    const waiting = waitForPort(await freePort(), '127.0.0.1', 60_000, giveUp.signal);
    setTimeout(() => giveUp.abort(new Error('a server process died')), 300);

    await expect(waiting).rejects.toThrow('a server process died');
    expect(Date.now() - began).toBeLessThan(5000);
  });
});

describe('the native Temporal server', () => {
  /** A build whose server prints its command line and exits at once, as a misconfigured server does. */
  function failingBuild(): TemporalServerBuild {
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    const serverBinary = script(join(bin, 'temporal-server'), 'echo "args: $*"\necho "unable to start" >&2\nexit 3');
    return { version: '0.0.0', dir, serverBinary, sqlTool: '', builtSeconds: 0 };
  }

  async function start(shape: 'single' | 'per-role', logDir: string): Promise<unknown> {
    const grpcPorts = { frontend: await freePort(), history: await freePort(), matching: await freePort() };
    return startTemporalServer({
      build: failingBuild(),
      env: { PATH: process.env.PATH ?? '' },
      shape,
      address: `127.0.0.1:${grpcPorts.frontend}`,
      grpcPorts,
      logDir,
      readyTimeoutMs: 3000,
    }).catch((error: unknown) => error);
  }

  it('fails naming the process that exited and the end of its log', async () => {
    const logDir = join(dir, 'logs');
    mkdirSync(logDir);
    const error = (await start('single', logDir)) as Error & { code?: string };

    expect(error).toBeInstanceOf(Error);
    expect(error.message).toContain('TEMPORAL_START_FAILED');
    expect(error.message).toContain(`temporal exited (log ${join(logDir, 'temporal.log')})`);
    expect(error.message).toContain('unable to start');
    const args = readFileSync(join(logDir, 'temporal.log'), 'utf8');
    // As the image starts it: the configuration comes from the environment, not from a file.
    expect(args).toContain('args: start --service history --service matching --service frontend --service worker\n');
  });

  it('starts one role first, one process per role, and no other when that one dies', async () => {
    const logDir = join(dir, 'logs');
    mkdirSync(logDir);
    const error = (await start('per-role', logDir)) as Error;

    expect(error.message).toContain('temporal-history exited');
    expect(readdirSync(logDir)).toEqual(['temporal-history.log']);
    expect(readFileSync(join(logDir, 'temporal-history.log'), 'utf8')).toContain('args: start --service history\n');
  });
});
