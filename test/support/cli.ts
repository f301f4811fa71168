/**
 * The iscflow CLI for tests: run in-process with its output captured (fast, for most tests), or as its
 * own process as `npx iscflow` runs it (bin/iscflow.js, for the production topology). Both answer a
 * `CliRun`.
 */
import { join } from 'node:path';
import { runCli } from '../../src/client';
import type { Env } from '../../src/config';
import { PROJECT_ROOT } from '../../src/local/temporal-binaries';
import { startProcess } from './process';

export interface CliRun {
  code: number;
  out: string;
  err: string;
  /** `out` parsed (after `--json`). */
  json<T = unknown>(): T;
}

function cliRun(code: number, out: string, err: string): CliRun {
  return { code, out, err, json: <T>() => JSON.parse(out) as T };
}

/** `iscflow ...args` in this process, with `env` as its whole environment: spawning one per case would be slow. */
export async function runCaptured(env: Env, args: string[]): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, { out: (l) => out.push(l), err: (l) => err.push(l) }, env);
  return cliRun(code, out.join('\n'), err.join('\n'));
}

export interface CliProcessOptions {
  env: Record<string, string>;
  timeoutMs: number;
}

/** Runs `iscflow <args>` as its own process to its end; a run that outlives `timeoutMs` is killed and rejected. */
export async function runCliProcess(args: string[], options: CliProcessOptions): Promise<CliRun> {
  const cli = startProcess(join(PROJECT_ROOT, 'bin', 'iscflow.js'), args, { env: options.env });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    cli.kill();
  }, options.timeoutMs);
  const code = await cli.exited.finally(() => clearTimeout(timer));
  if (timedOut) throw new Error(`iscflow ${args.join(' ')}: no exit after ${options.timeoutMs} ms`);
  return cliRun(code ?? 1, cli.stdout().trim(), cli.stderr().trim());
}

/** What the stack and the production topology both offer over their CLI: one grant or revoke of an entitlement. */
export interface ChangeCommands {
  /** `iscflow request --for IDENTITY --grant ENTITLEMENT:ITEM ...flags`. */
  grant: (identityId: string, entitlementId: string, ...flags: string[]) => Promise<CliRun>;
  /** `iscflow request --for IDENTITY --revoke ENTITLEMENT:ITEM ...flags` (flags include `--comment`). */
  revoke: (identityId: string, entitlementId: string, ...flags: string[]) => Promise<CliRun>;
}

export function changeCommands(cli: (...args: string[]) => Promise<CliRun>): ChangeCommands {
  return {
    grant: (identityId, entitlementId, ...flags) =>
      cli('request', '--for', identityId, '--grant', `ENTITLEMENT:${entitlementId}`, ...flags),
    revoke: (identityId, entitlementId, ...flags) =>
      cli('request', '--for', identityId, '--revoke', `ENTITLEMENT:${entitlementId}`, ...flags),
  };
}
