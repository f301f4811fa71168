/**
 * Child processes of the native production topology: each with its output in a log file, stoppable
 * gracefully or with SIGKILL, and ended when this process ends, however it ends (normal exit, an
 * exception, Ctrl-C or SIGTERM). Nothing started here outlives the run that started it, except through
 * a SIGKILL of this process, which no process can intercept.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, closeSync, openSync, readFileSync } from 'node:fs';
import { ProductionSetupError } from './errors';

export interface SpawnOptions {
  env: Record<string, string | undefined>;
  cwd?: string;
  /** Output (stdout and stderr) is appended here. */
  logFile: string;
  /** Run as this user and group (the `postgres` user when this process is root). */
  uid?: number;
  gid?: number;
  /**
   * Its own process group, killed as a whole: for a process with children of its own (PostgreSQL's
   * backends), which would otherwise outlive a SIGKILL of the parent for a moment and keep writing.
   */
  group?: boolean;
}

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A child process this run owns. */
export interface ManagedProcess {
  readonly name: string;
  readonly pid: number;
  readonly logFile: string;
  /** Settles when the process has exited, for whatever reason. */
  readonly exited: Promise<ExitStatus>;
  alive(): boolean;
  /** Sends `signal` (SIGTERM by default), then SIGKILL if it is still running after `graceMs`. */
  stop(options?: { signal?: NodeJS.Signals; graceMs?: number }): Promise<ExitStatus>;
  /** SIGKILL: the process gets no chance to clean up, as when a machine dies. */
  kill(): Promise<ExitStatus>;
  /** The last lines of its log, for error messages. */
  tail(lines?: number): string;
}

const live = new Set<ManagedProcess>();
const exitHooks = new Set<() => void>();
let hooksInstalled = false;

/** The SIGKILL of a process, or of its whole group when it leads one. */
function killHard(pid: number, group: boolean): void {
  try {
    process.kill(group ? -pid : pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

const groups = new WeakMap<ManagedProcess, boolean>();

function killAllNow(): void {
  for (const p of live) killHard(p.pid, groups.get(p) ?? false);
  live.clear();
  for (const hook of exitHooks) {
    try {
      hook();
    } catch {
      // Best effort: the process is exiting.
    }
  }
  exitHooks.clear();
}

function installHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', killAllNow);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = (): void => {
      killAllNow();
      // Then die of the signal as this process would have without the handler.
      process.removeListener(signal, onSignal);
      process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
  }
}

/**
 * Registers synchronous cleanup (e.g. removing a temporary directory) to run if this process exits
 * before the owner undoes it; returns the function that unregisters it.
 */
export function onAbnormalExit(hook: () => void): () => void {
  installHooks();
  exitHooks.add(hook);
  return () => exitHooks.delete(hook);
}

function tailOf(file: string, lines: number): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no output)';
  }
}

/** Registers a started child as owned by this run and wraps it. */
function own(name: string, command: string, child: ChildProcess, logFile: string, group = false): ManagedProcess {
  let status: ExitStatus | undefined;
  // Listening before anything can throw: an unheard 'error' (e.g. ENOENT) would end this process.
  const exited = new Promise<ExitStatus>((resolve) => {
    child.once('error', () => resolve((status ??= { code: null, signal: null })));
    child.once('exit', (code, signal) => resolve((status ??= { code, signal })));
  });
  if (child.pid === undefined) {
    throw new ProductionSetupError('PROCESS_FAILED', `${name}: could not start ${command}`);
  }
  const pid = child.pid;

  const managed: ManagedProcess = {
    name,
    pid,
    logFile,
    exited,
    alive: () => status === undefined,
    async stop({ signal = 'SIGTERM', graceMs = 15_000 } = {}) {
      if (status) return status;
      child.kill(signal);
      const timer = setTimeout(() => killHard(pid, group), graceMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
    async kill() {
      if (status) return status;
      killHard(pid, group);
      return exited;
    },
    tail: (lines = 30) => tailOf(logFile, lines),
  };
  live.add(managed);
  groups.set(managed, group);
  void exited.then(() => live.delete(managed));
  return managed;
}

/** Starts `command` as a child this run owns; its output goes to `options.logFile`. */
export function spawnManaged(name: string, command: string, args: string[], options: SpawnOptions): ManagedProcess {
  installHooks();
  const fd = openSync(options.logFile, 'a');
  try {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', fd, fd],
      uid: options.uid,
      gid: options.gid,
      detached: options.group ?? false,
    });
    return own(name, command, child, options.logFile, options.group ?? false);
  } finally {
    // The child holds its own copy of the descriptor.
    closeSync(fd);
  }
}

export interface CommandResult {
  code: number | null;
  /** What this run of the command printed (stdout and stderr, interleaved as they came). */
  output: string;
}

/**
 * Runs a command to completion, failing after `timeoutMs`. Its output is returned and also appended to
 * `logFile`, which commands running at the same time may share.
 */
export async function runCommand(
  name: string,
  command: string,
  args: string[],
  options: SpawnOptions & { timeoutMs: number },
): Promise<CommandResult> {
  installHooks();
  const started = Date.now();
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    uid: options.uid,
    gid: options.gid,
  });
  const managed = own(name, command, child, options.logFile);
  const chunks: Buffer[] = [];
  const collect = (chunk: Buffer): void => {
    chunks.push(chunk);
    appendFileSync(options.logFile, chunk);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  // 'close' comes after both streams are drained, so no output is lost.
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const timer = setTimeout(() => void managed.kill(), options.timeoutMs);
  const { code, signal } = await managed.exited.finally(() => clearTimeout(timer));
  await closed;
  const output = Buffer.concat(chunks).toString('utf8');
  if (signal === 'SIGKILL' && Date.now() - started >= options.timeoutMs) {
    throw new ProductionSetupError('PROCESS_FAILED', `${name}: timed out after ${options.timeoutMs} ms\n${output}`);
  }
  return { code, output };
}
