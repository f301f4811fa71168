/**
 * Real Temporal servers for tests: the dev server (`temporal server start-dev`) and the time-skipping
 * test server, both from the binaries the project installs itself. Nothing here skips when a binary is
 * missing: ensureTemporalBinaries installs it or fails loudly.
 */
import type { DataConverter } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Runtime, Worker, bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { ensureTemporalBinaries } from '../../src/local/temporal-binaries';
import { createLogger } from '../../src/logger';
import { SEARCH_ATTRIBUTE_KEYS } from '../../src/common';
import { temporalLogger } from '../../src/temporal-logging';

let runtimeInstalled = false;
/** SDK logs at WARN and above through pino, minus the expected "no news yet" polling failures. */
function installTestRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  Runtime.install({ logger: temporalLogger(createLogger((process.env.LOG_LEVEL as 'warn' | undefined) ?? 'warn')) });
}

export interface DevEnvironmentOptions {
  /** Also serve the Temporal Web UI (the dev server's own build) there, for browser tests. */
  uiPort?: number;
  /** The codec server the UI decodes payloads through (`--ui-codec-endpoint`). */
  uiCodecEndpoint?: string;
  /** The environment's own client (`env.client`) encodes payloads with this (`dataConverterFor(keys)`). */
  dataConverter?: DataConverter;
}

export async function createDevEnvironment(options: DevEnvironmentOptions = {}): Promise<TestWorkflowEnvironment> {
  installTestRuntime();
  const { cli } = ensureTemporalBinaries();
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: cli },
      searchAttributes: SEARCH_ATTRIBUTE_KEYS,
      ip: '127.0.0.1',
      ...(options.uiPort ? { ui: true, uiPort: options.uiPort } : {}),
      ...(options.uiCodecEndpoint ? { extraArgs: ['--ui-codec-endpoint', options.uiCodecEndpoint] } : {}),
    },
    ...(options.dataConverter ? { client: { dataConverter: options.dataConverter } } : {}),
  });
}

export async function createTimeSkippingEnvironment(): Promise<TestWorkflowEnvironment> {
  installTestRuntime();
  const { testServer } = ensureTemporalBinaries();
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: testServer } },
  });
  // The test server takes no --search-attribute flag; it refuses upserts of attributes it does not know.
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: Object.fromEntries(
      SEARCH_ATTRIBUTE_KEYS.map((key) => [
        key.name,
        temporal.api.enums.v1.IndexedValueType[`INDEXED_VALUE_TYPE_${key.type}`],
      ]),
    ),
  });
  return env;
}

/** webpack's progress kept out of test output; its errors still shown. */
export const silentBundlerLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: (message: string) => console.error(message),
};

/**
 * One environment for the tests of a file (or of a `describe`): created before the first, torn down after
 * the last. Returns its reader, for tests and hooks: `const env = environmentPerFile(); ... env().client`.
 */
export function environmentPerFile(
  create: () => Promise<TestWorkflowEnvironment> = createTimeSkippingEnvironment,
): () => TestWorkflowEnvironment {
  let env: TestWorkflowEnvironment | undefined;
  beforeAll(async () => {
    env = await create();
  });
  afterAll(async () => {
    await env?.teardown();
  });
  return () => {
    if (!env) throw new Error('the environment is made in beforeAll: read it in a test or a hook');
    return env;
  };
}

const bundles = new Map<string, Promise<WorkflowBundleWithSourceMap>>();

/**
 * The workflow bundle, built once per test file (webpack takes a few seconds) for each failure converter.
 * Pass the data converter the worker runs with: with payload keys, failures raised by workflow code must
 * be encoded in the sandbox too, so the bundle carries the converter's `failureConverterPath`.
 */
export function workflowBundle(dataConverter: DataConverter = {}): Promise<WorkflowBundleWithSourceMap> {
  const { failureConverterPath } = dataConverter;
  const key = failureConverterPath ?? '';
  let bundle = bundles.get(key);
  if (!bundle) {
    bundle = bundleWorkflowCode({
      workflowsPath: require.resolve('../../src/workflows'),
      logger: silentBundlerLogger,
      ...(failureConverterPath ? { failureConverterPath } : {}),
    });
    bundles.set(key, bundle);
  }
  return bundle;
}

let queueCounter = 0;
/** A task queue of its own for each test, so workers of different tests never steal each other's tasks. */
export function uniqueTaskQueue(prefix = 'iscflow-test'): string {
  queueCounter += 1;
  return `${prefix}-${process.pid}-${queueCounter}-${Date.now().toString(36)}`;
}

/** Runs `body` while a worker with the given activities serves a task queue (a fresh one by default) on `env`. */
export async function withTestWorker<T>(
  env: TestWorkflowEnvironment,
  activities: object,
  body: (taskQueue: string) => Promise<T>,
  taskQueue: string = uniqueTaskQueue(),
): Promise<T> {
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: await workflowBundle(),
    activities,
  });
  return worker.runUntil(body(taskQueue));
}
