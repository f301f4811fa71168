/** Runs the CLI in-process with its output captured: spawning a process per case would be slow. */
import { runCli } from '../../../src/client';

export interface CliRun {
  code: number;
  out: string;
  err: string;
}

/** `iscflow ...args` with `env` as its whole environment. */
export async function runCaptured(env: Record<string, string>, args: string[]): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, { out: (l) => out.push(l), err: (l) => err.push(l) }, env);
  return { code, out: out.join('\n'), err: err.join('\n') };
}
