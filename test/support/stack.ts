/**
 * The whole of iscflow for an integration test: a real Temporal dev server, the ISC simulator over HTTP,
 * an iscflow worker (the production `buildWorker`), the CLI run in-process with the stack's settings, and
 * on request the HR-event ingress over HTTP in front of the Temporal gateway.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Client, Connection } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { NativeConnection } from '@temporalio/worker';
import type { DestinationStream } from 'pino';
import { Registry } from 'prom-client';
import { codecRoutesFor, loadPayloadProtection, type PayloadProtection } from '../../src/codec';
import { startDevServer, type DevServer } from '../../src/local/dev-server';
import { freePort } from '../../src/local/ports';
import { loadWorkerConfig } from '../../src/config';
import { buildIngress, loadIngressConfig, openTemporalGateway, signWebhook } from '../../src/ingress';
import { createLogger, type Logger } from '../../src/logger';
import { clientFor } from '../../src/operations/connection';
import { SIMULATOR_DEFAULT_CREDENTIALS, type SimulatorOptions } from '../../src/simulator';
import { buildWorker, type IscflowWorker } from '../../src/worker';
import { plainEntitlements, type Catalog, type CatalogItem } from './catalog';
import { changeCommands, runCaptured, type ChangeCommands, type CliRun } from './cli';
import { answer, listenOnLoopback, type Answer } from './http';
import { startTestSimulator, type TestSimulator } from './simulator';
import { createDevEnvironment, uniqueTaskQueue, workflowBundle } from './temporal';

export interface SimRequestItem {
  accessRequestId: string;
  requestType: string;
  requestedFor: string;
  itemType: string;
  itemId: string;
  state: string;
  removeDate: string | null;
  startDate: string | null;
  clientMetadata: Record<string, string> | null;
}

/** The Temporal side of a stack: an SDK test environment, or a dev-server process that can be restarted. */
interface TemporalSide {
  address: string;
  namespace: string;
  nativeConnection(): NativeConnection;
  /** A client with the stack's payload keys (it reads what the worker wrote). */
  client(): Client;
  /** Stops the server and starts it again from its state file (process servers only), running `whileDown` between. */
  restart?(whileDown?: () => Promise<void>): Promise<void>;
  teardown(): Promise<void>;
}

/** What the ingress answered, read whole. */
export type IngressAnswer = Answer;

/** The ingress as an HR system and ISC reach it: over HTTP, with the stack's secret and token. */
export interface StackIngress {
  /** `http://127.0.0.1:PORT` */
  base: string;
  /** The Standard Webhooks secret the ingress takes (`whsec_...`). */
  secret: string;
  /** The bearer token ISC trigger subscriptions send. */
  iscToken: string;
  /** The three Standard Webhooks headers for `body`, as a sender makes them (a new delivery id unless given). */
  signed(body: string, options?: { id?: string; timestamp?: number }): Record<string, string>;
  /** POST /v1/events with `body`, signed afresh unless `headers` (a delivery to repeat) are given. */
  post(body: string, headers?: Record<string, string>): Promise<IngressAnswer>;
  /** A signed GET of an ingress path (a Location). */
  get(path: string): Promise<IngressAnswer>;
  /** POST /v1/isc/triggers?trigger=TRIGGER with the bearer token. */
  trigger(trigger: string, payload: unknown): Promise<IngressAnswer>;
}

export interface StackIngressOptions {
  /** Extra ingress settings; the webhook secret and the ISC trigger token are made up unless given here. */
  env?: Record<string, string>;
  /** The ingress's clock (signature window, when a trigger happened). Default: the system clock. */
  now?: () => Date;
}

export interface Stack extends ChangeCommands {
  temporal: TemporalSide;
  /** The simulator now running (replaced by `restartSimulator`). */
  sim: TestSimulator;
  taskQueue: string;
  catalog: Catalog;
  /** The settings the worker and the CLI read, as a user would export them. */
  settings: Record<string, string>;
  /** How the stack's worker, CLI, ingress and clients encode payloads (from `ISCFLOW_PAYLOAD_KEYS`). */
  payloads: Readonly<PayloadProtection>;
  /** `iscflow ...args` in this process, with the stack's settings. */
  cli(...args: string[]): Promise<CliRun>;
  startWorker(): Promise<void>;
  stopWorker(): Promise<void>;
  /**
   * Stops the simulator and starts it again on the same address (from its state file, when it has one),
   * with `changes` to its options (e.g. another client secret: credentials rotated in ISC).
   */
  restartSimulator(changes?: SimulatorOptions): Promise<void>;
  /**
   * Restarts the Temporal dev server from its state file; the worker is stopped and started around it.
   * `whileDown` runs while nothing listens (what a client sees when Temporal cannot be reached).
   */
  restartTemporal(whileDown?: () => Promise<void>): Promise<void>;
  simRequests(): Promise<SimRequestItem[]>;
  /** The ingress, when the stack was started with `ingress`. */
  ingress: StackIngress | undefined;
  /** Entitlements that are not birthright, auto-rejected or failing by design: safe to grant and revoke. */
  plainEntitlements(): CatalogItem[];
  close(): Promise<void>;
}

export interface StackOptions {
  simulator?: SimulatorOptions;
  /**
   * Extra settings (environment variables) for the worker, the CLI and the ingress. Payloads are encrypted
   * when `ISCFLOW_PAYLOAD_KEYS` is among them, or set in the test's own environment; in clear otherwise.
   */
  settings?: Record<string, string>;
  /** Where the worker and the ingress log (pino lines, at the stack's LOG_LEVEL); default stdout. */
  logDestination?: DestinationStream;
  /** Share a dev server between stacks of one file. */
  env?: TestWorkflowEnvironment;
  /** Run `temporal server start-dev` as a process with a SQLite state file, so it can be restarted. */
  devServerProcess?: boolean;
  /**
   * Also run the ingress (in-process, on a free port) with the production Temporal gateway on a connection
   * of its own: it sees Temporal go away and come back as a separate process would.
   */
  ingress?: boolean | StackIngressOptions;
}

/**
 * A sender of an ingress at `base`: signs HR events the Standard Webhooks way with `secret` and sends ISC
 * triggers with `iscToken`, as the in-process stack's ingress and the production run's ingress process
 * are both reached.
 */
export function ingressClient(options: {
  base: string;
  secret: string;
  iscToken: string;
  /** Delivery ids are `<prefix>_<pid>_<n>` unless a test gives its own. */
  deliveryPrefix: string;
  now?: () => Date;
}): StackIngress {
  const { base, secret, iscToken } = options;
  const clock = options.now ?? (() => new Date());
  let deliveries = 0;
  const signed = (body: string, sign: { id?: string; timestamp?: number } = {}): Record<string, string> => {
    const id = sign.id ?? `${options.deliveryPrefix}_${process.pid}_${++deliveries}`;
    const timestamp = sign.timestamp ?? Math.floor(clock().getTime() / 1000);
    return {
      'webhook-id': id,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': signWebhook(secret, id, timestamp, body),
    };
  };
  return {
    base,
    secret,
    iscToken,
    signed,
    post: async (body, headers = signed(body)) =>
      answer(
        await fetch(`${base}/v1/events`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body,
        }),
      ),
    get: async (path) => answer(await fetch(`${base}${path}`, { headers: signed('') })),
    trigger: async (trigger, payload) =>
      answer(
        await fetch(`${base}/v1/isc/triggers?trigger=${encodeURIComponent(trigger)}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${iscToken}` },
          body: JSON.stringify(payload),
        }),
      ),
  };
}

async function startIngress(
  settings: Record<string, string>,
  options: StackIngressOptions,
  logger: Logger,
): Promise<StackIngress & { close(): Promise<void> }> {
  const secret = `whsec_${randomBytes(32).toString('base64')}`;
  const iscToken = randomBytes(33).toString('base64url');
  const env = { ...settings, ISCFLOW_WEBHOOK_SECRETS: secret, ISCFLOW_ISC_TRIGGER_TOKEN: iscToken, ...options.env };
  const handle = await openTemporalGateway(env)(logger);
  // As runIngress does: the codec routes at /codec when ISCFLOW_CODEC_TOKEN is set.
  const codec = codecRoutesFor(loadPayloadProtection(env).privacy);
  const app = buildIngress({
    config: loadIngressConfig(env),
    gateway: handle.gateway,
    metrics: new Registry(),
    logger,
    ...(options.now ? { now: options.now } : {}),
    ...(codec ? { codec } : {}),
  });
  const client = ingressClient({
    base: await listenOnLoopback(app),
    secret: env.ISCFLOW_WEBHOOK_SECRETS ?? secret,
    iscToken: env.ISCFLOW_ISC_TRIGGER_TOKEN ?? iscToken,
    deliveryPrefix: 'msg_stack',
    ...(options.now ? { now: options.now } : {}),
  });
  return {
    ...client,
    async close() {
      await app.close();
      await handle.close();
    },
  };
}

function fromEnvironment(env: TestWorkflowEnvironment, owned: boolean, payloads: PayloadProtection): TemporalSide {
  const namespace = env.namespace ?? 'default';
  // The environment may be shared with stacks of other keys: this stack's client is its own.
  const client = clientFor(env.connection, namespace, payloads);
  return {
    address: env.address,
    namespace,
    nativeConnection: () => env.nativeConnection,
    client: () => client,
    teardown: async () => {
      if (owned) await env.teardown();
    },
  };
}

async function processServer(payloads: PayloadProtection): Promise<TemporalSide> {
  const options = {
    port: await freePort(),
    uiPort: await freePort(),
    dbFile: join(mkdtempSync(join(tmpdir(), 'iscflow-')), 'dev.db'),
    quiet: true,
  };
  let server: DevServer = await startDevServer(options);
  let native = await NativeConnection.connect({ address: server.address });
  let connection = await Connection.connect({ address: server.address });
  let client = clientFor(connection, 'default', payloads);
  const close = async (): Promise<void> => {
    await native.close();
    await connection.close();
    await server.stop();
  };
  return {
    address: server.address,
    namespace: 'default',
    nativeConnection: () => native,
    client: () => client,
    async restart(whileDown) {
      await close();
      await whileDown?.();
      server = await startDevServer(options);
      native = await NativeConnection.connect({ address: server.address });
      connection = await Connection.connect({ address: server.address });
      client = clientFor(connection, 'default', payloads);
    },
    teardown: close,
  };
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const simulatorOptions = { seed: 7, ...options.simulator };
  const keys = options.settings?.ISCFLOW_PAYLOAD_KEYS ?? process.env.ISCFLOW_PAYLOAD_KEYS;
  const keySettings: Record<string, string> = keys ? { ISCFLOW_PAYLOAD_KEYS: keys } : {};
  // Read first: bad keys stop the test before anything starts.
  const payloads = loadPayloadProtection(keySettings);
  let sim = await startTestSimulator(simulatorOptions);
  const temporal = options.devServerProcess
    ? await processServer(payloads)
    : fromEnvironment(options.env ?? (await createDevEnvironment()), options.env === undefined, payloads);
  const taskQueue = uniqueTaskQueue();
  const settings: Record<string, string> = {
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_NAMESPACE: temporal.namespace,
    ISCFLOW_TASK_QUEUE: taskQueue,
    SAIL_BASE_URL: sim.baseUrl,
    SAIL_CLIENT_ID: SIMULATOR_DEFAULT_CREDENTIALS.clientId,
    // A stack whose secret is kept in a file takes it from there alone (the two cannot be set together).
    ...(options.settings?.SAIL_CLIENT_SECRET_FILE
      ? {}
      : { SAIL_CLIENT_SECRET: SIMULATOR_DEFAULT_CREDENTIALS.clientSecret }),
    ISCFLOW_STATUS_POLL_SECONDS: '1',
    ISCFLOW_OUTCOME_RETRY_BACKOFF_SECONDS: '1',
    ISCFLOW_SHUTDOWN_GRACE_SECONDS: '1',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    ...keySettings,
    ...options.settings,
  };
  const catalog = (await sim.call<Catalog>('GET', '/__sim/catalog')).body;
  const bundle = await workflowBundle(payloads.dataConverter);
  const logger = createLogger(settings.LOG_LEVEL as 'warn', options.logDestination);
  let running: { worker: IscflowWorker; done: Promise<void> } | undefined;

  const startWorker = async (): Promise<void> => {
    if (running) return;
    const config = loadWorkerConfig(settings);
    const worker = await buildWorker({
      config,
      connection: temporal.nativeConnection(),
      logger,
      workflowBundle: bundle,
      client: temporal.client(),
      payloads,
    });
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
  const ingress = options.ingress
    ? await startIngress(settings, options.ingress === true ? {} : options.ingress, logger)
    : undefined;

  const cli = (...args: string[]): Promise<CliRun> => runCaptured({ ...process.env, ...settings }, args);

  const stack: Stack = {
    temporal,
    sim,
    taskQueue,
    catalog,
    settings,
    payloads,
    cli,
    ...changeCommands(cli),
    startWorker,
    stopWorker,
    async restartSimulator(changes = {}) {
      const port = Number(new URL(sim.baseUrl).port);
      await sim.close();
      sim = await startTestSimulator({ ...simulatorOptions, ...changes, port });
      stack.sim = sim;
    },
    async restartTemporal(whileDown) {
      if (!temporal.restart) throw new Error('restartTemporal needs startStack({ devServerProcess: true })');
      await stopWorker();
      await temporal.restart(whileDown);
      await startWorker();
    },
    async simRequests() {
      return (await sim.call<SimRequestItem[]>('GET', '/__sim/requests')).body;
    },
    ingress,
    plainEntitlements: () => plainEntitlements(catalog),
    async close() {
      await ingress?.close();
      await stopWorker();
      await sim.close();
      await temporal.teardown();
    },
  };
  return stack;
}

/** The `--json` shape of `iscflow request --wait`. */
export interface RequestJson {
  workflows: Array<{
    workflowId: string;
    action: 'started' | 'joined' | 'duplicate' | 'rescheduled' | 'removing';
    state: string;
    run: { runId: string; status: string; startedAt: string; closedAt: string | null; live: boolean };
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
