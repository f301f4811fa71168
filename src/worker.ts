/**
 * The iscflow worker: runs the workflows and the ISC activities on one task queue.
 * `npm run worker`. Configuration comes from the environment (see README); SIGINT/SIGTERM drain it.
 */
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities } from './activities';
import { loadWorkerConfig, type WorkerConfig } from './config';
import { createIscClient } from './isc';
import { createLogger, type Logger } from './logger';
import { installRuntimeLogging } from './temporal-logging';

export interface BuildWorkerOptions {
  config: Readonly<WorkerConfig>;
  connection: NativeConnection;
  logger: Logger;
  /** A pre-bundled workflow bundle (tests bundle once for many workers). */
  workflowBundle?: WorkerOptions['workflowBundle'];
}

/** Builds (but does not run) a worker; the ISC client is created here, once, and shared by activities. */
export async function buildWorker({ config, connection, logger, workflowBundle }: BuildWorkerOptions): Promise<Worker> {
  const isc = createIscClient({
    baseUrl: config.isc.baseUrl,
    clientId: config.isc.clientId,
    clientSecret: config.isc.clientSecret,
    apiVersion: config.isc.apiVersion,
    requestTimeoutMs: config.isc.requestTimeoutMs,
    logger: logger.child({ component: 'isc' }),
  });
  return Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    ...(workflowBundle ? { workflowBundle } : { workflowsPath: require.resolve('./workflows') }),
    activities: createActivities({
      isc,
      logger: logger.child({ component: 'activities' }),
      tenantProfile: config.isc.tenantProfile,
      removalMode: config.removalMode,
    }),
    // Enforced by the server across every worker of the queue: the fleet stays under ISC's rate limit.
    maxTaskQueueActivitiesPerSecond: config.iscActivitiesPerSecond,
    maxConcurrentActivityTaskExecutions: config.maxConcurrentActivities,
    shutdownGraceTime: `${config.shutdownGraceSeconds}s`,
  });
}

async function main(): Promise<void> {
  const config = loadWorkerConfig();
  const logger = createLogger(config.logLevel);
  installRuntimeLogging(logger);
  const connection = await NativeConnection.connect(config.temporal.connection);
  const worker = await buildWorker({ config, connection, logger });
  logger.info(
    { taskQueue: config.temporal.taskQueue, namespace: config.temporal.namespace, isc: config.isc.baseUrl },
    'iscflow worker started',
  );
  // The Runtime turns SIGINT/SIGTERM into worker.shutdown(): in-flight activities get the grace time.
  await worker.run();
  await connection.close();
  logger.info('iscflow worker stopped');
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
