/**
 * The worker as a user runs it: its own process (`node --import tsx src/worker.ts`, as the Dockerfile
 * starts it), configured from the environment, logging JSON lines with pino, never logging the secret,
 * doing real work, and draining cleanly on SIGTERM.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { runCli } from '../../src/client';
import { PROJECT_ROOT } from '../../src/local/temporal-binaries';
import { SIMULATOR_DEFAULT_CREDENTIALS } from '../../src/simulator';
import { startTestSimulator, type TestSimulator } from '../support/simulator';
import { createDevEnvironment, uniqueTaskQueue } from '../support/temporal';

describe('the worker process', () => {
  let env: TestWorkflowEnvironment;
  let sim: TestSimulator;
  beforeAll(async () => {
    [env, sim] = await Promise.all([createDevEnvironment(), startTestSimulator({ seed: 11 })]);
  });
  afterAll(async () => {
    await sim?.close();
    await env?.teardown();
  });

  it('works from its environment, logs with pino without the secret, and stops cleanly on SIGTERM', async () => {
    const taskQueue = uniqueTaskQueue();
    const settings = {
      TEMPORAL_ADDRESS: env.address,
      ISCFLOW_TASK_QUEUE: taskQueue,
      SAIL_BASE_URL: sim.baseUrl,
      SAIL_CLIENT_ID: SIMULATOR_DEFAULT_CREDENTIALS.clientId,
      SAIL_CLIENT_SECRET: SIMULATOR_DEFAULT_CREDENTIALS.clientSecret,
      LOG_LEVEL: 'debug',
    };
    const worker = spawn(process.execPath, ['--import', 'tsx', 'src/worker.ts'], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, ...settings },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    worker.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    worker.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    try {
      await until(() => output.includes('iscflow worker started'), 60_000);

      const catalog = (
        await sim.call<{ identities: Array<{ id: string }>; items: Array<{ type: string; id: string; name: string }> }>(
          'GET',
          '/__sim/catalog',
        )
      ).body;
      const entitlement = catalog.items.find(
        (i) => i.type === 'ENTITLEMENT' && !/birthright|restricted|broken/i.test(i.name),
      )!;
      const lines: string[] = [];
      const code = await runCli(
        ['request', '--for', catalog.identities[0]!.id, '--grant', `ENTITLEMENT:${entitlement.id}`, '--wait'],
        { out: (l) => lines.push(l), err: (l) => lines.push(l) },
        { ...process.env, ...settings },
      );
      expect(lines.join('\n')).toContain('GRANTED');
      expect(code).toBe(0);

      const exitCode = await stop(worker);
      expect(exitCode).toBe(0);
      const logLines = output.split('\n').filter((l) => l.startsWith('{'));
      expect(logLines.length).toBeGreaterThan(2);
      for (const line of logLines) expect(() => JSON.parse(line) as unknown).not.toThrow();
      expect(output).toContain('access request submitted');
      expect(output).toContain('iscflow worker stopped');
      expect(output).not.toContain(SIMULATOR_DEFAULT_CREDENTIALS.clientSecret);
      expect(output).not.toMatch(/Bearer [A-Za-z0-9]/);
    } finally {
      if (worker.exitCode === null) worker.kill('SIGKILL');
    }
  });

  it('refuses to start on a broken configuration, naming every problem', async () => {
    const worker = spawn(process.execPath, ['--import', 'tsx', 'src/worker.ts'], {
      cwd: PROJECT_ROOT,
      env: { PATH: process.env.PATH, SAIL_BASE_URL: 'not a url', SAIL_API_VERSION: 'v9' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    worker.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => worker.once('exit', resolve));
    expect(code).toBe(1);
    expect(output).toMatch(/SAIL_BASE_URL/);
    expect(output).toMatch(/SAIL_CLIENT_ID: is required/);
    expect(output).toMatch(/SAIL_API_VERSION/);
  });
});

async function until(probe: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

function stop(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.kill('SIGTERM');
  });
}
