/** The iscflow CLI as its own process, as `npx iscflow` runs it (bin/iscflow.js). */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/local/temporal-binaries';
import type { CliRun } from './stack';

export interface CliProcessOptions {
  env: Record<string, string>;
  timeoutMs: number;
}

/** Runs `iscflow <args>` to its end; a run that outlives `timeoutMs` is killed and rejected. */
export function runCliProcess(args: string[], options: CliProcessOptions): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(PROJECT_ROOT, 'bin', 'iscflow.js'), ...args], {
      cwd: PROJECT_ROOT,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`iscflow ${args.join(' ')}: no exit after ${options.timeoutMs} ms`));
    }, options.timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      const stdout = Buffer.concat(out).toString('utf8').trim();
      resolve({
        code: code ?? 1,
        out: stdout,
        err: Buffer.concat(err).toString('utf8').trim(),
        json: <T>() => JSON.parse(stdout) as T,
      });
    });
  });
}
