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

type Child = ChildProcessByStdio<null, Readable, Readable>;

export interface ProcessOptions {
  /** The process's whole environment (default: this process's). */
  env?: NodeJS.ProcessEnv;
  /** Default: the project root, where relative script paths point. */
  cwd?: string;
}

export interface TestProcess {
  readonly child: Child;
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

/** What a child printed so far, and a call on every chunk and once at the end for whoever waits for a line. */
interface Printed {
  output: string;
  stdout: string;
  stderr: string;
  ended: boolean;
  readonly watchers: Set<() => void>;
}

/** Keeps `child`'s output; the promise settles at 'close', which comes after 'exit' and after both streams are drained. */
function keepOutput(child: Child, printed: Printed): Promise<number | null> {
  const tell = (): void => {
    for (const watcher of printed.watchers) watcher();
  };
  child.stdout.on('data', (chunk: Buffer) => {
    printed.stdout += chunk.toString();
    printed.output += chunk.toString();
    tell();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    printed.stderr += chunk.toString();
    printed.output += chunk.toString();
    tell();
  });
  return new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code: number | null) => {
      printed.ended = true;
      tell();
      resolve(code);
    });
  });
}

/**
 * The first match of `pattern` in what was printed. Looked at as each chunk arrives, not polled: a test
 * may have only moments before the process moves on.
 */
function firstMatch(script: string, child: Child, printed: Printed, pattern: RegExp, timeoutMs: number) {
  return new Promise<RegExpExecArray>((resolve, reject) => {
    const settle = (outcome: () => void): void => {
      clearTimeout(timer);
      printed.watchers.delete(look);
      outcome();
    };
    const look = (): void => {
      const match = pattern.exec(printed.output);
      if (match) settle(() => resolve(match));
      else if (printed.ended) {
        const error = new Error(
          `${script} ended (exit ${child.exitCode}) before printing ${pattern}:\n${printed.output}`,
        );
        settle(() => reject(error));
      }
    };
    const timer = setTimeout(
      () => settle(() => reject(new Error(`${script} printed no ${pattern} in ${timeoutMs} ms:\n${printed.output}`))),
      timeoutMs,
    );
    printed.watchers.add(look);
    look();
  });
}

/** Starts `node <script> ...args` (`.ts` scripts through tsx's loader). */
export function startProcess(script: string, args: string[] = [], options: ProcessOptions = {}): TestProcess {
  const loader = script.endsWith('.ts') ? ['--import', 'tsx'] : [];
  const child = spawn(process.execPath, [...loader, script, ...args], {
    cwd: options.cwd ?? PROJECT_ROOT,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const printed: Printed = { output: '', stdout: '', stderr: '', ended: false, watchers: new Set() };
  const exited = keepOutput(child, printed);
  // Awaited by whoever waits for the end; a spawn failure nobody waits for is not an unhandled rejection.
  void exited.catch(() => undefined);
  const running = (): boolean => child.exitCode === null && child.signalCode === null;
  return {
    child,
    output: () => printed.output,
    stdout: () => printed.stdout,
    stderr: () => printed.stderr,
    exited,
    stop: (signal = 'SIGTERM') => {
      if (running()) child.kill(signal);
      return exited;
    },
    kill: () => {
      if (running()) child.kill('SIGKILL');
    },
    waitForOutput: (pattern, timeoutMs = 60_000) => firstMatch(script, child, printed, pattern, timeoutMs),
  };
}
