/**
 * The worker as a user runs it: its own process (`node --import tsx src/worker.ts`, as the Dockerfile
 * starts it), configured from the environment, logging JSON lines with pino, never logging the secret,
 * doing real work, and draining cleanly on SIGTERM.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { SIMULATOR_DEFAULT_CREDENTIALS } from '../../src/simulator';
import { plainEntitlements, type Catalog } from '../support/catalog';
import { changeCommands, runCaptured } from '../support/cli';
import { startProcess } from '../support/process';
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
    const worker = startProcess('src/worker.ts', [], { env: { ...process.env, ...settings } });
    try {
      await worker.waitForOutput(/iscflow worker started/, 60_000);

      const catalog = (await sim.call<Catalog>('GET', '/__sim/catalog')).body;
      const entitlement = plainEntitlements(catalog)[0]!;
      const cli = (...args: string[]) => runCaptured({ ...process.env, ...settings }, args);
      const run = await changeCommands(cli).grant(catalog.identities[0]!.id, entitlement.id, '--wait');
      expect(`${run.out}\n${run.err}`).toContain('GRANTED');
      expect(run.code).toBe(0);

      const exitCode = await worker.stop('SIGTERM');
      expect(exitCode).toBe(0);
      const output = worker.output();
      const logLines = output.split('\n').filter((l) => l.startsWith('{'));
      expect(logLines.length).toBeGreaterThan(2);
      for (const line of logLines) expect(() => JSON.parse(line) as unknown).not.toThrow();
      expect(output).toContain('access request submitted');
      expect(output).toContain('iscflow worker stopped');
      expect(output).not.toContain(SIMULATOR_DEFAULT_CREDENTIALS.clientSecret);
      expect(output).not.toMatch(/Bearer [A-Za-z0-9]/);
    } finally {
      worker.kill();
    }
  });

  it('refuses to start on a broken configuration, naming every problem', async () => {
    const worker = startProcess('src/worker.ts', [], {
      env: { PATH: process.env.PATH, SAIL_BASE_URL: 'not a url', SAIL_API_VERSION: 'v9' },
    });
    expect(await worker.exited).toBe(1);
    expect(worker.stderr()).toMatch(/SAIL_BASE_URL/);
    expect(worker.stderr()).toMatch(/SAIL_CLIENT_ID: is required/);
    expect(worker.stderr()).toMatch(/SAIL_API_VERSION/);
  });
});
