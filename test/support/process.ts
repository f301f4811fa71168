/**
 * The one way tests start a program of this project as its own process: `node` on a script (TypeScript
 * through tsx's loader, so one process as the Dockerfile starts it, not tsx's CLI with a child of its
 * own), in the project root, its output kept in memory, its end awaited.
 *
 * ```ts
 * const codec = startProcess('src/codec/main.ts', ['--port', '0'], { env: { PATH, ...settings } });
 * try {
 *   const [, endpoint] = await codec.waitForOutput(/"endpoint":"([^"]+)"/, 30_000);
 *   expect(await codec.stop()).toBe(0);
 * } finally {
 *   codec.kill();
 * }
 * ```
 * The production topology's long-running processes (output in log files, ended with the run however it
 * ends) are `spawnManaged`'s, in src/local/production/processes.ts.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import { PROJECT_ROOT } from '../../src/local/temporal-binaries';

export interface ProcessOptions {
  /** The process's whole environment (default: this process's). */
  env?: NodeJS.ProcessEnv;
  /** Default: the project root, where relative script paths point. */
  cwd?: string;
}

export interface TestProcess {
  readonly child: ChildProcessByStdio<null, Readable, Readable>;
  /** stdout and stderr so far, interleaved as they came. */
  output(): string;
  stdout(): string;
  stderr(): string;
  /**
   * Settles once the process has exited and its output is read to the end, with its exit code (null
   * when a signal ended it).
   */
  readonly exited: Promise<number | null>;
  /** Sends `signal` (SIGTERM by default) and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /** SIGKILL if it still runs: for a test's `finally`. */
  kill(): void;
  /**
   * The first match of `pattern` in the output, once it is there; rejects when the process exits first,
   * or after `timeoutMs`, with the output so far.
   */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
}

/** Starts `node <script> ...args` (`.ts` scripts through tsx's loader). */
export function startProcess(script: string, args: string[] = [], options: ProcessOptions = {}): TestProcess {
  const loader = script.endsWith('.ts') ? ['--import', 'tsx'] : [];
  const child = spawn(process.execPath, [...loader, script, ...args], {
    cwd: options.cwd ?? PROJECT_ROOT,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let stdout = '';
  let stderr = '';
  /** Called on every chunk of output and once at the end: the pending `waitForOutput`s. */
  const watchers = new Set<() => void>();
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    output += chunk.toString();
    for (const watcher of watchers) watcher();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    output += chunk.toString();
    for (const watcher of watchers) watcher();
  });
  let ended = false;
  // 'close' comes after 'exit' and after both streams are drained: nothing printed is missed.
  const exited = new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code: number | null) => {
      ended = true;
      for (const watcher of watchers) watcher();
      resolve(code);
    });
  });
  // Awaited by whoever waits for the end; a spawn failure nobody waits for is not an unhandled rejection.
  void exited.catch(() => undefined);
  const running = (): boolean => child.exitCode === null && child.signalCode === null;

  // Looked at as each chunk arrives, not polled: a test may have only moments before the process moves on.
  const waitForOutput = (pattern: RegExp, timeoutMs = 60_000): Promise<RegExpExecArray> =>
    new Promise((resolve, reject) => {
      const settle = (outcome: () => void): void => {
        clearTimeout(timer);
        watchers.delete(look);
        outcome();
      };
      const look = (): void => {
        const match = pattern.exec(output);
        if (match) settle(() => resolve(match));
        else if (ended) {
          const error = new Error(`${script} ended (exit ${child.exitCode}) before printing ${pattern}:\n${output}`);
          settle(() => reject(error));
        }
      };
      const timer = setTimeout(
        () => settle(() => reject(new Error(`${script} printed no ${pattern} in ${timeoutMs} ms:\n${output}`))),
        timeoutMs,
      );
      watchers.add(look);
      look();
    });

  return {
    child,
    output: () => output,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    stop: (signal = 'SIGTERM') => {
      if (running()) child.kill(signal);
      return exited;
    },
    kill: () => {
      if (running()) child.kill('SIGKILL');
    },
    waitForOutput,
  };
}
