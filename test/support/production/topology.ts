/**
 * iscflow as production runs it, on one machine without Docker: the Temporal platform of
 * docker-compose.yml (PostgreSQL, the server built from source, compose's setup jobs), iscflow workers
 * as separate processes (`node --import tsx src/worker.ts`, the container's command), each serving
 * /metrics on a port of its own, the HR-event ingress as its own process (the compose service's command
 * and variables), the ISC simulator as its own process in the tenant's place, and the CLI run as
 * `npx iscflow` runs it. Payloads are encrypted with keys made for the run, and the workers run the
 * example birthright policy (policies/simulator.yaml) against the simulator's catalog.
 *
 * ```ts
 * const topology = await startProductionTopology({ workers: 2 });
 * const run = await topology.grant(identityId, entitlementId, '--json');
 * await topology.killWorker('worker-2');
 * await topology.restartServer();
 * await topology.close();
 * ```
 * Every process it starts is stopped by `close()`, and also when the test process dies or is
 * interrupted (src/local/production/processes.ts).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { dataConverterFor, parsePayloadKeys } from '../../../src/codec';
import { freePort } from '../../../src/local/ports';
import { startNativePlatform, type NativePlatform } from '../../../src/local/production/platform';
import { spawnManaged, type ManagedProcess } from '../../../src/local/production/processes';
import type { TemporalRole } from '../../../src/local/production/temporal-server';
import { PROJECT_ROOT } from '../../../src/local/temporal-binaries';
import { SIMULATOR_DEFAULT_CREDENTIALS } from '../../../src/simulator';
import { changeCommands, runCliProcess, type ChangeCommands, type CliRun } from '../cli';
import { plainEntitlements, type Catalog, type CatalogItem } from '../catalog';
import type { SimRequestItem } from '../stack';
import { startIngressProcess, type IngressProcess } from './ingress-process';
import { startSimulatorProcess, type SimulatorProcess } from './simulator-process';
import { countWorkerTasksInFile, type WorkerTaskCounts } from './worker-log';
import { scrapeTaskCounts, type ScrapedTaskCounts } from './worker-metrics';

export interface ProductionTopologyOptions {
  /** The server as one process (compose's service) or one process per role. Default `single`. */
  shape?: 'single' | 'per-role';
  /** Worker processes to start with. Default 2. */
  workers?: number;
  profile?: 'current' | 'legacy';
  /** Simulator seed (its catalog and identities). Default 1: the catalog policies/simulator.yaml names. */
  seed?: number;
  /** Settings (environment variables) for the workers and the CLI, over the defaults here. */
  settings?: Record<string, string>;
  /** Progress lines. */
  log?: (line: string) => void;
}

/** One iscflow worker process. */
export interface WorkerHandle {
  name: string;
  process: ManagedProcess;
  /** Its pino output (LOG_LEVEL=debug unless the settings say otherwise). */
  logFile: string;
  /** Its Prometheus endpoint, `http://127.0.0.1:PORT/metrics` (its own ISCFLOW_METRICS_PORT). */
  metricsUrl: string;
}

export interface ProductionTopology extends ChangeCommands {
  platform: NativePlatform;
  simulator: SimulatorProcess;
  /** The HR-event ingress process, signing as an HR system does. */
  ingress: IngressProcess;
  catalog: Catalog;
  taskQueue: string;
  /** The environment the workers and the CLI get, as an operator would export it. */
  settings: Record<string, string>;
  /** Directory with every process's log. */
  runDir: string;
  /** Workers started so far, running or not, by start order. */
  workers(): WorkerHandle[];
  /** Starts a worker process and waits until it polls; named `worker-<n>` unless given a name. */
  startWorker(name?: string): Promise<WorkerHandle>;
  /** SIGTERM: the worker drains in-flight activities for its shutdown grace, as `docker compose stop`. */
  stopWorker(name: string): Promise<void>;
  /** SIGKILL: the worker vanishes mid-task, as when its machine dies. */
  killWorker(name: string): Promise<void>;
  /** Stops the Temporal server (the given roles, all by default) gracefully and starts it again. */
  restartServer(roles?: readonly TemporalRole[]): Promise<void>;
  /** `iscflow <args>` as its own process, with {@link settings}. */
  cli(...args: string[]): Promise<CliRun>;
  /** A Temporal client on the platform's frontend (for queries the CLI does not make). */
  client(): Promise<Client>;
  /** Every request item the simulated tenant holds (`/__sim/requests`). */
  simRequests(): Promise<SimRequestItem[]>;
  /** Tasks each worker has logged so far, by worker name. */
  taskCounts(): Record<string, WorkerTaskCounts>;
  /** Tasks each running worker has counted in its /metrics so far, by worker name. */
  scrapedTaskCounts(): Promise<Record<string, ScrapedTaskCounts>>;
  /** Entitlements that are not birthright, auto-rejected or failing by design. */
  plainEntitlements(): CatalogItem[];
  /** Stops every process; the logs are removed unless ISCFLOW_PRODUCTION_KEEP is set. */
  close(): Promise<void>;
}

const WORKER_READY = /"msg":"iscflow worker started"/;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Settings a deployment would choose differently, shortened so a test run takes minutes, not hours. */
function defaultSettings(platform: NativePlatform, sim: SimulatorProcess, profile: string): Record<string, string> {
  return {
    TEMPORAL_ADDRESS: platform.address,
    TEMPORAL_NAMESPACE: platform.namespace,
    ISCFLOW_TASK_QUEUE: 'iscflow',
    SAIL_BASE_URL: sim.baseUrl,
    SAIL_CLIENT_ID: SIMULATOR_DEFAULT_CREDENTIALS.clientId,
    SAIL_CLIENT_SECRET: SIMULATOR_DEFAULT_CREDENTIALS.clientSecret,
    SAIL_TENANT_PROFILE: profile,
    SAIL_REQUEST_TIMEOUT_MS: '5000',
    ISCFLOW_STATUS_POLL_SECONDS: '1',
    ISCFLOW_OUTCOME_RETRY_BACKOFF_SECONDS: '1',
    // A killed worker's activities are retried elsewhere after this, instead of after two minutes.
    ISCFLOW_ACTIVITY_TIMEOUT_SECONDS: '10',
    ISCFLOW_SHUTDOWN_GRACE_SECONDS: '2',
    // The example policy, written for the catalog of seed 1.
    ISCFLOW_POLICY: join(PROJECT_ROOT, 'policies', 'simulator.yaml'),
    // Made for the run, as a deployment makes its own: payloads encrypted by every process, lifecycle
    // ids under a secret the CLI and the ingress share.
    ISCFLOW_PAYLOAD_KEYS: `run:${randomBytes(32).toString('base64')}`,
    ISCFLOW_PSEUDONYM_KEY: randomBytes(24).toString('base64url'),
    // The SDK logs each activity and workflow at debug: the per-worker task counts come from there.
    LOG_LEVEL: 'debug',
  };
}

/** PATH and HOME only: a TEMPORAL_ADDRESS exported in the developer's shell must not leak in. */
function baseEnvironment(): Record<string, string> {
  const keep = ['PATH', 'HOME', 'TMPDIR', 'LANG'];
  return Object.fromEntries(keep.flatMap((k) => (process.env[k] ? [[k, process.env[k]]] : [])));
}

export async function startProductionTopology(options: ProductionTopologyOptions = {}): Promise<ProductionTopology> {
  const log = options.log ?? (() => undefined);
  const runDir = mkdtempSync(join(tmpdir(), 'iscflow-production-'));
  const profile = options.profile ?? 'current';
  let platform: NativePlatform | undefined;
  let simulator: SimulatorProcess | undefined;
  let ingress: IngressProcess | undefined;
  let connection: Connection | undefined;
  const started: WorkerHandle[] = [];

  const close = async (keepLogs = Boolean(process.env.ISCFLOW_PRODUCTION_KEEP)): Promise<void> => {
    await ingress?.process.stop({ graceMs: 10_000 });
    await Promise.all(started.map((w) => w.process.stop({ graceMs: 10_000 })));
    await connection?.close().catch(() => undefined);
    await simulator?.process.stop();
    await platform?.stop();
    if (keepLogs) log(`logs kept in ${runDir}`);
    else rmSync(runDir, { recursive: true, force: true });
  };

  try {
    platform = await startNativePlatform({ shape: options.shape ?? 'single', runDir, log });
    simulator = await startSimulatorProcess({
      seed: options.seed ?? 1,
      profile,
      logFile: join(runDir, 'simulator.log'),
    });
    log(`simulator on ${simulator.baseUrl}`);
    const sim = simulator;
    const settings = { ...defaultSettings(platform, sim, profile), ...options.settings };
    const catalog = await sim.get<Catalog>('/__sim/catalog');
    const live = platform;

    const startWorker = async (name = `worker-${started.length + 1}`): Promise<WorkerHandle> => {
      if (started.some((w) => w.name === name && w.process.alive())) throw new Error(`${name} is already running`);
      const logFile = join(runDir, `${name}.log`);
      // Its own port, as each replica has its own address in compose: two workers on one host
      // cannot share one.
      const metricsPort = await freePort();
      const child = spawnManaged(name, process.execPath, ['--import', 'tsx', 'src/worker.ts'], {
        cwd: PROJECT_ROOT,
        env: {
          ...baseEnvironment(),
          ...settings,
          ISCFLOW_METRICS_HOST: '127.0.0.1',
          ISCFLOW_METRICS_PORT: String(metricsPort),
        },
        logFile,
      });
      const handle = { name, process: child, logFile, metricsUrl: `http://127.0.0.1:${metricsPort}/metrics` };
      started.push(handle);
      const deadline = Date.now() + 180_000;
      while (!WORKER_READY.test(readFileSync(logFile, 'utf8'))) {
        if (!child.alive()) throw new Error(`${name} exited at start:\n${child.tail()}`);
        if (Date.now() > deadline) throw new Error(`${name} not started after 180 s:\n${child.tail()}`);
        await sleep(250);
      }
      log(`${name} polling (pid ${child.pid})`);
      return handle;
    };
    const worker = (name: string): WorkerHandle => {
      const found = [...started].reverse().find((w) => w.name === name);
      if (!found) throw new Error(`no worker named ${name}`);
      return found;
    };

    // One after another: two workers bundling the workflow code at once on a small machine only
    // slows both down.
    for (let n = 0; n < (options.workers ?? 2); n += 1) await startWorker();
    ingress = await startIngressProcess({
      compose: live.compose,
      settings,
      base: baseEnvironment(),
      // The origins a Web UI on port 8080 has (compose publishes the UI there).
      uiOrigins: ['http://localhost:8080', 'http://127.0.0.1:8080'],
      logFile: join(runDir, 'ingress.log'),
    });
    log(`ingress on ${ingress.base} (pid ${ingress.process.pid})`);
    const front = ingress;
    const dataConverter = dataConverterFor(parsePayloadKeys(settings.ISCFLOW_PAYLOAD_KEYS));

    const cli = (...args: string[]): Promise<CliRun> =>
      runCliProcess(args, { env: { ...baseEnvironment(), ...settings }, timeoutMs: 120_000 });

    return {
      platform: live,
      simulator: sim,
      ingress: front,
      catalog,
      taskQueue: settings.ISCFLOW_TASK_QUEUE ?? 'iscflow',
      settings,
      runDir,
      workers: () => [...started],
      startWorker,
      async stopWorker(name) {
        await worker(name).process.stop({ graceMs: 30_000 });
        log(`${name} stopped`);
      },
      async killWorker(name) {
        await worker(name).process.kill();
        log(`${name} killed (SIGKILL)`);
      },
      async restartServer(roles) {
        const began = Date.now();
        await live.restartServer(roles);
        log(
          `temporal restarted (${roles?.join(', ') ?? 'all roles'}) in ${((Date.now() - began) / 1000).toFixed(1)} s`,
        );
      },
      cli,
      ...changeCommands(cli),
      async client() {
        connection ??= await Connection.connect({ address: live.address });
        return new Client({ connection, namespace: live.namespace, dataConverter });
      },
      simRequests: () => sim.get<SimRequestItem[]>('/__sim/requests'),
      taskCounts: () => Object.fromEntries(started.map((w) => [w.name, countWorkerTasksInFile(w.logFile)])),
      scrapedTaskCounts: async () =>
        Object.fromEntries(
          await Promise.all(
            started
              .filter((w) => w.process.alive())
              .map(async (w) => [w.name, await scrapeTaskCounts(w.metricsUrl)] as const),
          ),
        ),
      plainEntitlements: () => plainEntitlements(catalog),
      close: () => close(),
    };
  } catch (error) {
    // Kept: they say why it failed.
    await close(true);
    throw error;
  }
}
