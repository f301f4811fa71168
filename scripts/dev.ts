/**
 * `npm run dev`: everything on one machine with embedded defaults. Starts the Temporal dev server (unless
 * TEMPORAL_ADDRESS points elsewhere), the ISC simulator (unless SAIL_BASE_URL points at a real tenant)
 * and the worker; prints where to look and what to try; Ctrl-C stops all of them.
 */
import { NativeConnection } from '@temporalio/worker';
import { loadWorkerConfig } from '../src/config';
import { startDevServer, type DevServer } from '../src/local/dev-server';
import { ensureTemporalBinaries } from '../src/local/temporal-binaries';
import { createLogger } from '../src/logger';
import { installRuntimeLogging } from '../src/temporal-logging';
import { SIMULATOR_DEFAULT_CREDENTIALS, startSimulator, type RunningSimulator } from '../src/simulator';
import { buildWorker } from '../src/worker';

async function main(): Promise<void> {
  const env = { ...process.env };
  let temporal: DevServer | undefined;
  let simulator: RunningSimulator | undefined;

  if (!env.TEMPORAL_ADDRESS) {
    ensureTemporalBinaries();
    temporal = await startDevServer();
    env.TEMPORAL_ADDRESS = temporal.address;
  }
  if (!env.SAIL_BASE_URL) {
    simulator = await startSimulator({ port: Number(env.ISCFLOW_SIMULATOR_PORT ?? 7070), seed: 1 });
    env.SAIL_BASE_URL = simulator.baseUrl;
    env.SAIL_CLIENT_ID = SIMULATOR_DEFAULT_CREDENTIALS.clientId;
    env.SAIL_CLIENT_SECRET = SIMULATOR_DEFAULT_CREDENTIALS.clientSecret;
  }

  const config = loadWorkerConfig(env);
  const logger = createLogger(config.logLevel);
  installRuntimeLogging(logger);
  const connection = await NativeConnection.connect(config.temporal.connection);
  const worker = await buildWorker({ config, connection, logger });

  const catalog = simulator
    ? ((await (await fetch(`${simulator.baseUrl}/__sim/catalog`)).json()) as {
        identities: Array<{ id: string }>;
        items: Array<{ type: string; id: string; name: string }>;
      })
    : undefined;
  const identity = catalog?.identities[0]?.id ?? '<identity id>';
  // A plain entitlement: not a birthright (already held), nor one the simulator rejects or fails by design.
  const item = catalog?.items.find((i) => i.type === 'ENTITLEMENT' && !/birthright|restricted|broken/i.test(i.name));
  console.log(`
iscflow is running.
  Temporal UI:    ${temporal?.uiUrl ?? '(your Temporal server)'}
  Temporal:       ${config.temporal.connection.address}  namespace ${config.temporal.namespace}  task queue ${config.temporal.taskQueue}
  ISC:            ${config.isc.baseUrl}${simulator ? ' (the ISC simulator; its catalog: ' + simulator.baseUrl + '/__sim/catalog)' : ''}

Try, in another terminal:
  npx iscflow request --for ${identity} --grant ENTITLEMENT:${item?.id ?? '<entitlement id>'} --wait
  npx iscflow list
Then find the workflow in the UI (filter: IscflowState = "COMPLETED"). Ctrl-C stops everything.
`);
  const stopped = worker.run();
  await stopped.finally(async () => {
    await connection.close();
    await simulator?.close();
    await temporal?.stop();
  });
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
