/**
 * The whole of iscflow for an integration test: a real Temporal dev server, the ISC simulator over HTTP,
 * an iscflow worker (the production `buildWorker`), and the CLI run in-process with the stack's settings.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { runCli } from '../../src/client';
import { loadWorkerConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { SIMULATOR_DEFAULT_CREDENTIALS, type SimulatorOptions } from '../../src/simulator';
import { buildWorker } from '../../src/worker';
import { startTestSimulator, type TestSimulator } from './simulator';
import { createDevEnvironment, uniqueTaskQueue, workflowBundle } from './temporal';

export interface CatalogItem {
  type: 'ROLE' | 'ACCESS_PROFILE' | 'ENTITLEMENT';
  id: string;
  name: string;
}

export interface Catalog {
  identities: Array<{ id: string; name: string }>;
  items: CatalogItem[];
}

export interface CliRun {
  code: number;
  out: string;
  err: string;
  json<T = unknown>(): T;
}

export interface SimRequestItem {
  accessRequestId: string;
  requestType: string;
  requestedFor: string;
  itemType: string;
  itemId: string;
  state: string;
  removeDate: string | null;
  clientMetadata: Record<string, string> | null;
}

export interface Stack {
  env: TestWorkflowEnvironment;
  sim: TestSimulator;
  taskQueue: string;
  catalog: Catalog;
  /** The settings the worker and the CLI read, as a user would export them. */
  settings: Record<string, string>;
  cli(...args: string[]): Promise<CliRun>;
  startWorker(): Promise<void>;
  stopWorker(): Promise<void>;
  simRequests(): Promise<SimRequestItem[]>;
  /** Entitlements that are neither birthright nor auto-rejected: safe to grant and revoke. */
  plainEntitlements(): CatalogItem[];
  close(): Promise<void>;
}

export interface StackOptions {
  simulator?: SimulatorOptions;
  /** Extra settings (environment variables) for the worker and the CLI. */
  settings?: Record<string, string>;
  /** Share a dev server between stacks of one file. */
  env?: TestWorkflowEnvironment;
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const sim = await startTestSimulator({ seed: 7, ...options.simulator });
  const ownEnv = options.env === undefined;
  const env = options.env ?? (await createDevEnvironment());
  const taskQueue = uniqueTaskQueue();
  const settings: Record<string, string> = {
    TEMPORAL_ADDRESS: env.address,
    TEMPORAL_NAMESPACE: env.namespace ?? 'default',
    ISCFLOW_TASK_QUEUE: taskQueue,
    SAIL_BASE_URL: sim.baseUrl,
    SAIL_CLIENT_ID: SIMULATOR_DEFAULT_CREDENTIALS.clientId,
    SAIL_CLIENT_SECRET: SIMULATOR_DEFAULT_CREDENTIALS.clientSecret,
    ISCFLOW_STATUS_POLL_SECONDS: '1',
    ISCFLOW_OUTCOME_RETRY_BACKOFF_SECONDS: '1',
    ISCFLOW_ISC_ACTIVITIES_PER_SECOND: '1000',
    ISCFLOW_SHUTDOWN_GRACE_SECONDS: '1',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    ...options.settings,
  };
  const catalog = (await sim.call<Catalog>('GET', '/__sim/catalog')).body;
  const bundle = await workflowBundle();
  const logger = createLogger(settings.LOG_LEVEL as 'warn');
  let running: { worker: Worker; done: Promise<void> } | undefined;

  const startWorker = async (): Promise<void> => {
    if (running) return;
    const config = loadWorkerConfig(settings);
    const worker = await buildWorker({ config, connection: env.nativeConnection, logger, workflowBundle: bundle });
    running = { worker, done: worker.run() };
  };
  const stopWorker = async (): Promise<void> => {
    if (!running) return;
    const { worker, done } = running;
    running = undefined;
    worker.shutdown();
    await done;
  };
  await startWorker();

  return {
    env,
    sim,
    taskQueue,
    catalog,
    settings,
    async cli(...args) {
      const out: string[] = [];
      const err: string[] = [];
      const code = await runCli(
        args,
        { out: (l) => out.push(l), err: (l) => err.push(l) },
        { ...process.env, ...settings },
      );
      const run: CliRun = {
        code,
        out: out.join('\n'),
        err: err.join('\n'),
        json: <T>() => JSON.parse(out.join('\n')) as T,
      };
      return run;
    },
    startWorker,
    stopWorker,
    async simRequests() {
      return (await sim.call<SimRequestItem[]>('GET', '/__sim/requests')).body;
    },
    plainEntitlements() {
      return catalog.items.filter((i) => i.type === 'ENTITLEMENT' && !/birthright|restricted/i.test(i.name));
    },
    async close() {
      await stopWorker();
      await sim.close();
      if (ownEnv) await env.teardown();
    },
  };
}

/** The `--json` shape of `iscflow request --wait`. */
export interface RequestJson {
  workflows: Array<{
    workflowId: string;
    state: string;
    items: Array<{
      identityId: string;
      itemType: string;
      itemId: string;
      outcome: string;
      iscState: string | null;
      accessRequestId: string | null;
      errorMessages: string[];
    }>;
  }>;
}
