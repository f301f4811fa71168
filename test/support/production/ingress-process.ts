/**
 * The HR-event ingress as its own process (`node --import tsx src/ingress/main.ts`, the compose
 * service's command), with the environment compose gives it: every variable the `ingress` service of
 * docker-compose.yml sets is set here too (only hosts and ports differ), or the start fails naming it.
 */
import { randomBytes } from 'node:crypto';
import { environmentMap, serviceOf, type ComposeProject } from '../../../src/local/production/compose';
import { spawnManaged, type ManagedProcess } from '../../../src/local/production/processes';
import { freePort } from '../../../src/local/ports';
import { PROJECT_ROOT } from '../../../src/local/temporal-binaries';
import { ingressClient, type StackIngress } from '../stack';

export interface IngressProcess extends StackIngress {
  process: ManagedProcess;
  /** The environment it runs with (secrets included: for the tests' own use only). */
  env: Record<string, string>;
}

export interface IngressProcessOptions {
  compose: ComposeProject;
  /** The run's settings (Temporal, task queue, tenant, payload keys, pseudonym key, tuning). */
  settings: Record<string, string>;
  /** PATH and the like. */
  base: Record<string, string>;
  /** Browser origins allowed to call /codec (the Web UI's). */
  uiOrigins: string[];
  logFile: string;
}

/** Compose gives the ISC client credentials to the worker only: the ingress never calls ISC. */
const WORKER_ONLY = ['SAIL_CLIENT_ID', 'SAIL_CLIENT_SECRET'];

/** The ingress's environment for this machine; throws when compose sets a variable this run does not. */
export function nativeIngressEnvironment(
  options: Omit<IngressProcessOptions, 'logFile'>,
  port: number,
): Record<string, string> {
  const run = Object.fromEntries(Object.entries(options.settings).filter(([name]) => !WORKER_ONLY.includes(name)));
  const env: Record<string, string> = {
    ...options.base,
    ...run,
    ISCFLOW_INGRESS_HOST: '127.0.0.1',
    ISCFLOW_INGRESS_PORT: String(port),
    ISCFLOW_WEBHOOK_SECRETS: `whsec_${randomBytes(32).toString('base64')}`,
    ISCFLOW_ISC_TRIGGER_TOKEN: randomBytes(33).toString('base64url'),
    ISCFLOW_ISC_TRIGGER_BASIC: `iscflow:${randomBytes(24).toString('base64url')}`,
    ISCFLOW_CODEC_TOKEN: randomBytes(33).toString('base64url'),
    ISCFLOW_CODEC_CORS_ORIGINS: options.uiOrigins.join(','),
  };
  const missing = Object.keys(environmentMap(serviceOf(options.compose, 'ingress').raw)).filter(
    (name) => env[name] === undefined,
  );
  if (missing.length > 0) {
    throw new Error(`docker-compose.yml's ingress sets ${missing.join(', ')}, which the native run does not`);
  }
  return env;
}

/** Starts the ingress on a free port and waits until it is ready (Temporal answers it). */
export async function startIngressProcess(options: IngressProcessOptions): Promise<IngressProcess> {
  const port = await freePort();
  const env = nativeIngressEnvironment(options, port);
  const child = spawnManaged('ingress', process.execPath, ['--import', 'tsx', 'src/ingress/main.ts'], {
    cwd: PROJECT_ROOT,
    env,
    logFile: options.logFile,
  });
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    const status = await fetch(`${base}/readyz`).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 200) break;
    if (!child.alive()) throw new Error(`ingress exited at start:\n${child.tail()}`);
    if (Date.now() > deadline) {
      await child.stop();
      throw new Error(`ingress not ready after 120 s (last /readyz: ${status}):\n${child.tail()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }

  return {
    ...ingressClient({
      base,
      secret: env.ISCFLOW_WEBHOOK_SECRETS as string,
      iscToken: env.ISCFLOW_ISC_TRIGGER_TOKEN as string,
      deliveryPrefix: 'msg_production',
    }),
    process: child,
    env,
  };
}
