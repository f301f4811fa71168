/**
 * The ingress process: `npm run ingress`. Listens on ISCFLOW_INGRESS_HOST:ISCFLOW_INGRESS_PORT
 * (127.0.0.1:8080 by default); needs ISCFLOW_WEBHOOK_SECRETS, and ISCFLOW_ISC_TRIGGER_TOKEN or
 * ISCFLOW_ISC_TRIGGER_BASIC to take ISC triggers. See docs/ingress.md.
 *
 * The gateway to Temporal is handed in by whoever runs `runIngress`; run directly, the ingress has
 * none wired yet and answers every event 503 (and /readyz 503), so nothing is acknowledged unrecorded.
 */
import { collectDefaultMetrics, Registry } from 'prom-client';
import { ConfigError } from '../config';
import { createLogger, type Logger } from '../logger';
import { buildIngress } from './app';
import { loadIngressConfig } from './config';
import { type LifecycleGateway, unwiredGateway } from './gateway';

type Env = Record<string, string | undefined>;

/** A gateway and how to let go of it (its Temporal connection) when the ingress stops. */
export interface GatewayHandle {
  gateway: LifecycleGateway;
  close(): Promise<void>;
}

export type OpenGateway = (logger: Logger) => Promise<GatewayHandle>;

const openUnwired: OpenGateway = async (logger) => {
  logger.warn('no Temporal gateway is wired: every event is answered 503 and /readyz is 503');
  return { gateway: unwiredGateway(), close: async () => undefined };
};

/** Reads the configuration, opens the gateway, listens, and stops cleanly on SIGINT or SIGTERM. */
export async function runIngress(openGateway: OpenGateway = openUnwired, env: Env = process.env): Promise<void> {
  const config = loadIngressConfig(env);
  const logger = createLogger(config.logLevel);
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'iscflow_ingress_' });
  const handle = await openGateway(logger);
  const app = buildIngress({ config, gateway: handle.gateway, metrics: registry, logger });
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
