/**
 * The ingress process: `npm run ingress`. Listens on ISCFLOW_INGRESS_HOST:ISCFLOW_INGRESS_PORT
 * (127.0.0.1:8080 by default); needs ISCFLOW_WEBHOOK_SECRETS, and ISCFLOW_ISC_TRIGGER_TOKEN or
 * ISCFLOW_ISC_TRIGGER_BASIC to take ISC triggers. See docs/ingress.md.
 *
 * With ISCFLOW_CODEC_TOKEN (and ISCFLOW_PAYLOAD_KEYS) it also serves the codec server's /codec/encode and
 * /codec/decode, for the Temporal Web UI and CLI (docs/privacy.md).
 *
 * Events go to Temporal (TEMPORAL_* settings) through the same operation as `iscflow event`. While
 * Temporal cannot be reached every event is answered 503 (and /readyz 503): nothing is acknowledged
 * that was not recorded, and senders retry.
 */
import { collectDefaultMetrics, Registry } from 'prom-client';
import { CODEC_PATH, codecRoutesFor, loadPrivacyConfig } from '../codec';
import { ConfigError, loadTogether } from '../config';
import { createLogger } from '../logger';
import { buildIngress } from './app';
import { loadIngressConfig } from './config';
import type { OpenGateway } from './gateway';
import { openTemporalGateway } from './temporal-gateway';

type Env = Record<string, string | undefined>;

/** Reads the configuration, opens the gateway, listens, and stops cleanly on SIGINT or SIGTERM. */
export async function runIngress(
  env: Env = process.env,
  openGateway: OpenGateway = openTemporalGateway(env),
): Promise<void> {
  const [config, codec] = loadTogether(
    () => loadIngressConfig(env),
    () => codecRoutesFor(loadPrivacyConfig(env)),
  );
  const logger = createLogger(config.logLevel);
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'iscflow_ingress_' });
  const handle = await openGateway(logger);
  const app = buildIngress({ config, gateway: handle.gateway, metrics: registry, logger, ...(codec ? { codec } : {}) });
  await app.listen({ host: config.host, port: config.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  logger.info(
    {
      component: 'ingress',
      endpoint: `http://${host}:${port}`,
      webhookSecretCount: config.webhookSecrets.length,
      iscTriggers: config.iscTrigger
        ? [config.iscTrigger.bearerTokenDigest ? 'bearer' : '', config.iscTrigger.basicDigest ? 'basic' : '']
            .filter(Boolean)
            .join(' or ')
        : 'off (no ISCFLOW_ISC_TRIGGER_TOKEN or ISCFLOW_ISC_TRIGGER_BASIC)',
      terminatedLifecycleStates: config.terminatedLifecycleStates,
      codecServer: codec
        ? `http://${host}:${port}${CODEC_PATH} (bearer token; origins: ${codec.corsOrigins.join(', ') || 'none'})`
        : 'off (set ISCFLOW_CODEC_TOKEN with ISCFLOW_PAYLOAD_KEYS to serve it)',
    },
    'ingress listening',
  );

  const stop = (): void => {
    app
      .close()
      .then(() => handle.close())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error({ err: error }, 'ingress did not stop cleanly');
          process.exit(1);
        },
      );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (require.main === module) {
  runIngress().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(error instanceof ConfigError ? 2 : 1);
  });
}
