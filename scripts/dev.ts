/**
 * `npm run dev [-- --fresh]`: everything on one machine with embedded defaults. Starts the Temporal dev
 * server (unless TEMPORAL_ADDRESS points elsewhere), the ISC simulator (unless SAIL_BASE_URL points at a
 * real tenant), the worker and the HR-event ingress (on ISCFLOW_INGRESS_HOST:ISCFLOW_INGRESS_PORT,
 * 127.0.0.1:8080 by default); prints where to look and what to try; Ctrl-C stops all of them.
 *
 * The ingress runs in this process over the same Temporal client. Without ISCFLOW_WEBHOOK_SECRETS it
 * uses the public development secret, and says so; with a real tenant the variable is required.
 *
 * With ISCFLOW_PAYLOAD_KEYS every payload is encrypted, and a codec server on 127.0.0.1:8888 (loopback, no
 * token: the Web UI cannot send one) lets the dev server's UI show them in clear; without keys histories
 * are stored in clear, and the banner says so.
 *
 * Both keep their state in `.temporal/` (Temporal's `dev.db`, the simulator's `simulator.json`), so a
 * restart keeps workflows and the access they granted consistent; `--fresh` starts both from nothing.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { type FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import {
  buildCodecServer,
  CODEC_PATH,
  codecRoutesFor,
  createEncryptionCodec,
  loadPayloadProtection,
} from '../src/codec';
import { loadWorkerConfig } from '../src/config';
import {
  buildIngress,
  loadIngressConfig,
  temporalGatewayFor,
  tryItCommands,
  withDevelopmentWebhookSecret,
} from '../src/ingress';
import { startDevServer, type DevServer } from '../src/local/dev-server';
import { PROJECT_ROOT, ensureTemporalBinaries } from '../src/local/temporal-binaries';
import { createLogger } from '../src/logger';
import { clientFor } from '../src/operations/connection';
import { installRuntimeLogging } from '../src/temporal-logging';
import { SIMULATOR_DEFAULT_CREDENTIALS, startSimulator, type RunningSimulator } from '../src/simulator';
import { buildWorker } from '../src/worker';

const STATE_DIR = join(PROJECT_ROOT, '.temporal');
const TEMPORAL_STATE = join(STATE_DIR, 'dev.db');
const SIMULATOR_STATE = join(STATE_DIR, 'simulator.json');
const EXAMPLE_POLICY = join(PROJECT_ROOT, 'policies', 'simulator.yaml');
/** Where `npm run dev` serves the codec (the standalone `npm run codec-server`'s default too). */
const CODEC_HOST = '127.0.0.1';
const CODEC_PORT = 8888;
const DEV_UI_PORT = 8233;

/**
 * The lines that send a first hire through the ingress: for a simulator employee (one a policy rule
 * grants to: an employee, in Engineering if there is one), or a placeholder against a real tenant.
 */
function tryIt(
  url: string,
  developmentSecret: string | undefined,
  identities: Array<{ attributes: Record<string, unknown> }> = [],
): string[] {
  const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
  const employees = identities.filter(
    (i) => i.attributes.workerType === 'employee' && text(i.attributes.employeeNumber),
  );
  const person = employees.find((i) => i.attributes.department === 'Engineering') ?? employees[0];
  const attributes = Object.fromEntries(
    ['workerType', 'department', 'location'].flatMap((name) => {
      const value = text(person?.attributes[name]);
      return value === undefined ? [] : [[name, value]];
    }),
  );
  return tryItCommands({
    url,
    // The user's own secret is read from their shell, never printed.
    secretWord: developmentSecret ? `'${developmentSecret}'` : '"${ISCFLOW_WEBHOOK_SECRETS%%,*}"',
    source: 'workday',
    employeeNumber: text(person?.attributes.employeeNumber) ?? '<employee number>',
    attributes: person ? attributes : { workerType: 'employee' },
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { fresh: { type: 'boolean', default: false } }, strict: true });
  if (values.fresh) {
    // Both or neither: a fresh Temporal with a kept simulator (or the reverse) would disagree from the start.
    for (const file of [TEMPORAL_STATE, `${TEMPORAL_STATE}-wal`, `${TEMPORAL_STATE}-shm`, SIMULATOR_STATE])
      rmSync(file, { force: true });
  }
  const env = { ...process.env };
  // Read before anything starts, and before SAIL_BASE_URL is pointed at the simulator: whether the
  // development secret may be used depends on the tenant the user named.
  const { env: ingressEnv, developmentSecret } = withDevelopmentWebhookSecret(env);
  const ingressConfig = loadIngressConfig(ingressEnv);
  const payloads = loadPayloadProtection(env);
  // With ISCFLOW_CODEC_TOKEN the ingress serves the codec too, as it does deployed (token required there).
  const ingressCodec = codecRoutesFor(payloads.privacy);
  let temporal: DevServer | undefined;
  let simulator: RunningSimulator | undefined;
  let codecServer: FastifyInstance | undefined;

  const keys = payloads.privacy.payloadKeys;
  if (keys) {
    // Loopback without a token, as docs/privacy.md describes for development: the UI cannot send one.
    codecServer = buildCodecServer({
      codec: createEncryptionCodec(keys),
      token: null,
      corsOrigins: [
        ...new Set([
          `http://localhost:${DEV_UI_PORT}`,
          `http://127.0.0.1:${DEV_UI_PORT}`,
          ...payloads.privacy.codecCorsOrigins,
        ]),
      ],
    });
    await codecServer.listen({ host: CODEC_HOST, port: CODEC_PORT }).catch((error: unknown) => {
      const busy = (error as { code?: string }).code === 'EADDRINUSE';
      throw busy
        ? new Error(`${CODEC_HOST}:${CODEC_PORT} (the codec server) is in use: stop what listens there`)
        : error;
    });
  }
  const codecEndpoint = keys ? `http://${CODEC_HOST}:${CODEC_PORT}${CODEC_PATH}` : undefined;

  if (!env.TEMPORAL_ADDRESS) {
    ensureTemporalBinaries();
    temporal = await startDevServer({
      dbFile: TEMPORAL_STATE,
      uiPort: DEV_UI_PORT,
      ...(codecEndpoint ? { uiCodecEndpoint: codecEndpoint } : {}),
    });
    env.TEMPORAL_ADDRESS = temporal.address;
  }
  if (!env.SAIL_BASE_URL) {
    // The example policy is written for the simulator's catalog; a real tenant needs its own.
    env.ISCFLOW_POLICY ??= EXAMPLE_POLICY;
    simulator = await startSimulator({
      port: Number(env.ISCFLOW_SIMULATOR_PORT ?? 7070),
      seed: 1,
      stateFile: SIMULATOR_STATE,
    });
    env.SAIL_BASE_URL = simulator.baseUrl;
    env.SAIL_CLIENT_ID = SIMULATOR_DEFAULT_CREDENTIALS.clientId;
    env.SAIL_CLIENT_SECRET = SIMULATOR_DEFAULT_CREDENTIALS.clientSecret;
  }

  const config = loadWorkerConfig(env);
  const logger = createLogger(config.logLevel);
  installRuntimeLogging(logger);
  const connection = await NativeConnection.connect(config.temporal.connection);
  const clientConnection = await Connection.connect(config.temporal.connection);
  const client = clientFor(clientConnection, config.temporal.namespace, payloads);
  const worker = await buildWorker({ config, connection, logger, client, payloads });

  const ingress = buildIngress({
    config: ingressConfig,
    gateway: temporalGatewayFor(client, env, logger),
    metrics: new Registry(),
    logger,
    ...(ingressCodec ? { codec: ingressCodec } : {}),
  });
  await ingress.listen({ host: ingressConfig.host, port: ingressConfig.port }).catch((error: unknown) => {
    const busy = (error as { code?: string }).code === 'EADDRINUSE';
    throw busy ? new Error(`${ingressConfig.host}:${ingressConfig.port} is in use: set ISCFLOW_INGRESS_PORT`) : error;
  });

  const catalog = simulator
    ? ((await (await fetch(`${simulator.baseUrl}/__sim/catalog`)).json()) as {
        identities: Array<{ id: string; attributes: Record<string, unknown> }>;
        items: Array<{ type: string; id: string; name: string }>;
      })
    : undefined;
  const identity = catalog?.identities[0]?.id ?? '<identity id>';
  // A plain entitlement: not a birthright (already held), nor one the simulator rejects or fails by design.
  const item = catalog?.items.find((i) => i.type === 'ENTITLEMENT' && !/birthright|restricted|broken/i.test(i.name));
  const address = ingress.server.address();
  const port = typeof address === 'object' && address ? address.port : ingressConfig.port;
  const ingressUrl = `http://${ingressConfig.host.includes(':') ? `[${ingressConfig.host}]` : ingressConfig.host}:${port}`;
  console.log(`
iscflow is running.
  Temporal UI:    ${temporal?.uiUrl ?? '(your Temporal server)'}
  Temporal:       ${config.temporal.connection.address}  namespace ${config.temporal.namespace}  task queue ${config.temporal.taskQueue}
  ISC:            ${config.isc.baseUrl}${simulator ? ' (the ISC simulator; its catalog: ' + simulator.baseUrl + '/__sim/catalog)' : ''}
  HR events:      ${ingressUrl}/v1/events  (signed; docs/ingress.md)
  Webhook secret: ${developmentSecret ? 'the DEVELOPMENT secret, built in and public (set ISCFLOW_WEBHOOK_SECRETS for your own)' : `ISCFLOW_WEBHOOK_SECRETS (${ingressConfig.webhookSecrets.length} secret(s))`}
  ISC triggers:   ${ingressConfig.iscTrigger ? `${ingressUrl}/v1/isc/triggers?trigger=idn:identity-created (and the others)` : 'off (set ISCFLOW_ISC_TRIGGER_TOKEN to take them)'}
  Payloads:       ${
    codecEndpoint
      ? `${payloads.summary}; the UI decodes them through the codec server ${codecEndpoint}`
      : 'IN CLEAR in Temporal (development); to encrypt them: ISCFLOW_PAYLOAD_KEYS=dev:$(openssl rand -base64 32) npm run dev'
  }
  State:          ${temporal || simulator ? `${STATE_DIR} (kept across restarts; npm run dev -- --fresh starts from nothing)` : '(your servers)'}

Try, in another terminal:
  npx iscflow request --for ${identity} --grant ENTITLEMENT:${item?.id ?? '<entitlement id>'} --wait
  npx iscflow list
Then find the workflow in the UI (filter: IscflowState = "COMPLETED").

Send an HR event: paste these lines into another terminal (a hire effective now, its standing, the lifecycle):
${tryIt(ingressUrl, developmentSecret ? ingressEnv.ISCFLOW_WEBHOOK_SECRETS : undefined, catalog?.identities)
  .map((line) => `  ${line}`)
  .join('\n')}
Ctrl-C stops everything.
`);
  const stopped = worker.run();
  await stopped.finally(async () => {
    await ingress.close();
    await codecServer?.close();
    await clientConnection.close();
    await connection.close();
    await simulator?.close();
    await temporal?.stop();
  });
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
