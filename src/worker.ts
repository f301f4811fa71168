/**
 * The iscflow worker: runs the workflows and the activities on one task queue.
 * `npm run worker`. Configuration comes from the environment (see README); SIGINT/SIGTERM drain it.
 * Prometheus metrics (the SDK's and iscflow's) on ISCFLOW_METRICS_HOST:ISCFLOW_METRICS_PORT/metrics.
 */
import { type Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { TrackingSettings } from './activities/contracts';
import { iscTaskQueue } from './common';
import { EMPTY_POLICY, createActivities, type IscflowActivities } from './activities';
import { loadPayloadProtection, type PayloadProtection } from './codec';
import { iscClientOptions, loadTogether, loadWorkerConfig, type Env, type WorkerConfig } from './config';
import type { ResolvedPolicy } from './domain';
import { createIscClient, type IscClient } from './isc';
import { createLogger, type Logger } from './logger';
import { loadMetricsConfig, type MetricsConfig } from './metrics/config';
import type { IscflowMetrics } from './metrics/instruments';
import { iscCallObserver } from './metrics/isc-calls';
import { runtimeMetrics, watchOperatorBacklog } from './metrics/runtime';
import { clientFor } from './operations/connection';
import { driftSweeper } from './operations/drift';
import { ensureDriftSchedule } from './operations/drift-schedule';
import { loadPolicy } from './policy/load';
import { installRuntime } from './temporal-logging';

export interface BuildWorkerOptions {
  config: Readonly<WorkerConfig>;
  connection: NativeConnection;
  logger: Logger;
  /** A pre-bundled workflow bundle (tests bundle once for many workers). */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /**
   * A client of the same Temporal, for activities that read workflows (how a change ended); made with the
   * same `payloads` (`clientFor`), or it cannot read what the workers wrote.
   */
  client?: Client;
  /**
   * How both Temporal workers encode payloads (`loadPayloadProtection`). Default: no keys, which
   * `loadPayloadProtection` allows only when `config.isc.baseUrl` is not a real tenant.
   */
  payloads?: Pick<PayloadProtection, 'dataConverter'>;
  /** Where ISC calls are counted; the Temporal runtime's meter (the worker's /metrics) by default. */
  metrics?: IscflowMetrics;
}

/** The policy the worker runs: `ISCFLOW_POLICY` resolved through ISC, or none (lifecycles desire nothing). */
async function policyFor(config: Readonly<WorkerConfig>, isc: IscClient, logger: Logger): Promise<ResolvedPolicy> {
  if (!config.policyFile) {
    logger.warn('No ISCFLOW_POLICY: identity lifecycles will desire no access');
    return EMPTY_POLICY;
  }
  const policy = await loadPolicy(config.policyFile, isc);
  logger.info({ policy: config.policyFile, hash: policy.hash, rules: policy.rules.length }, 'birthright policy loaded');
  return policy;
}

/** The worker of a process: one or two Temporal workers, run and stopped together. */
export interface IscflowWorker {
  run(): Promise<void>;
  shutdown(): void;
}

/** What the activities are told about tracking: the mode, the queues, the shards and ISC's budget. */
function trackingSettings(config: Readonly<WorkerConfig>): TrackingSettings {
  const { taskQueue } = config.temporal;
  return {
    mode: config.tracking.mode,
    taskQueue,
    iscTaskQueue: iscTaskQueue(taskQueue),
    shards: config.tracking.shards,
    budgetPer10s: config.iscCallsPer10s,
  };
}

/**
 * The Temporal workers of a process, running `activities` (and, the first, the workflows). In shared
 * tracking the ISC-calling activities run on a queue of their own and only that queue is paced; in poll
 * mode every ISC call runs on the one queue, which is paced instead. Either way the server holds the
 * paced queue to `iscActivitiesPerSecond` across every worker of the deployment: one ISC budget.
 */
async function createWorkers(
  { config, connection, workflowBundle }: BuildWorkerOptions,
  dataConverter: PayloadProtection['dataConverter'],
  activities: IscflowActivities,
  tracking: TrackingSettings,
): Promise<Worker[]> {
  const shared = tracking.mode === 'shared';
  const common = {
    connection,
    namespace: config.temporal.namespace,
    dataConverter,
    activities,
    maxConcurrentActivityTaskExecutions: config.maxConcurrentActivities,
    shutdownGraceTime: `${config.shutdownGraceSeconds}s`,
  } satisfies Partial<WorkerOptions>;
  const paced = { maxTaskQueueActivitiesPerSecond: config.iscActivitiesPerSecond };
  const main = await Worker.create({
    ...common,
    taskQueue: tracking.taskQueue,
    ...(workflowBundle ? { workflowBundle } : { workflowsPath: require.resolve('./workflows') }),
    ...(shared ? {} : paced),
  });
  if (!shared) return [main];
  return [main, await Worker.create({ ...common, taskQueue: tracking.iscTaskQueue, ...paced })];
}

/**
 * Builds (but does not run) the worker; the ISC client is created here, once, and shared by activities.
 * Rejects (naming every problem) when the policy names access ISC does not have.
 */
export async function buildWorker(options: BuildWorkerOptions): Promise<IscflowWorker> {
  const { config, logger, client, metrics = runtimeMetrics() } = options;
  const payloads = options.payloads ?? loadPayloadProtection({ SAIL_BASE_URL: config.isc.baseUrl });
  const isc = createIscClient({
    ...iscClientOptions(config.isc),
    logger: logger.child({ component: 'isc' }),
    observe: iscCallObserver(metrics),
    // One circuit for the process: its activities back off together while ISC is down.
    circuit: { escalateAfterMs: config.outageEscalateAfterMs, onChange: ({ up }) => metrics.iscUp(up) },
  });
  const tracking = trackingSettings(config);
  const policy = await policyFor(config, isc, logger);
  const budgetPer10s = config.iscCallsPer10s;
  const activities = createActivities({
    isc,
    logger: logger.child({ component: 'activities' }),
    tenantProfile: config.isc.tenantProfile,
    removalMode: config.removalMode,
    apiVersion: config.isc.apiVersion,
    tracking,
    policy,
    ...(client
      ? {
          temporal: client,
          driftSweeper: driftSweeper({
            client,
            isc,
            policy,
            budgetPer10s,
            metrics,
            logger: logger.child({ component: 'drift' }),
          }),
        }
      : {}),
  });
  const workers = await createWorkers(options, payloads.dataConverter, activities, tracking);
  if (client && config.driftScheduleMs !== undefined) {
    const done = await ensureDriftSchedule(client, { taskQueue: tracking.taskQueue, everyMs: config.driftScheduleMs });
    logger.info({ everyMs: config.driftScheduleMs }, `drift sweep schedule ${done}`);
  }
  return {
    async run() {
      await Promise.all(workers.map((w) => w.run()));
    },
    shutdown() {
      for (const w of workers) w.shutdown();
    },
  };
}

/**
 * The worker's settings, its metrics endpoint's and its payload protection, with every problem of all
 * three in one `ConfigError`. Refuses a real tenant without `ISCFLOW_PAYLOAD_KEYS` (unless
 * `ISCFLOW_ALLOW_PLAINTEXT=true`): the worker would store HR data in clear.
 */
export function loadWorkerSettings(env: Env = process.env): {
  config: Readonly<WorkerConfig>;
  metrics: MetricsConfig;
  payloads: Readonly<PayloadProtection>;
} {
  const [config, metrics, payloads] = loadTogether(
    () => loadWorkerConfig(env),
    () => loadMetricsConfig(env),
    () => loadPayloadProtection(env),
  );
  return { config, metrics, payloads };
}

async function main(): Promise<void> {
  const { config, metrics, payloads } = loadWorkerSettings();
  const logger = createLogger(config.logLevel);
  const { metricsUrl } = installRuntime(logger, { metrics });
  const connection = await NativeConnection.connect(config.temporal.connection);
  const clientConnection = await Connection.connect(config.temporal.connection);
  const client = clientFor(clientConnection, config.temporal.namespace, payloads);
  const worker = await buildWorker({ config, connection, logger, client, payloads });
  const backlog = watchOperatorBacklog({
    client,
    taskQueue: config.temporal.taskQueue,
    metrics: runtimeMetrics(),
    logger: logger.child({ component: 'metrics' }),
  });
  logger.info(
    {
      taskQueue: config.temporal.taskQueue,
      namespace: config.temporal.namespace,
      isc: config.isc.baseUrl,
      metrics: metricsUrl ?? 'off',
      payloads: payloads.summary,
    },
    'iscflow worker started',
  );
  // The Runtime turns SIGINT/SIGTERM into worker.shutdown(): in-flight activities get the grace time.
  await worker.run();
  await backlog.stop();
  await clientConnection.close();
  await connection.close();
  logger.info('iscflow worker stopped');
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
