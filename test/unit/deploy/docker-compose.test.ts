/**
 * The production-like stack cannot run on a machine without a Docker engine, so these tests read
 * docker-compose.yml (and the files it includes) and the Dockerfile the way Docker would, through the
 * loader the native run uses, and check what a broken deployment would get wrong: missing services, jobs
 * or variables, floating or drifting images, hard-coded secrets, a server started before its schema, a
 * worker that starts before its search attributes exist, a config the worker rejects at start, or
 * Prometheus and Grafana looking somewhere the worker is not. `npm run test:production` then runs the
 * same Temporal topology natively.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { DEV_PSEUDONYM_KEY, loadLifecycleStarterConfig, loadWorkerConfig } from '../../../src/config';
import { CODEC_PATH, loadPayloadProtection } from '../../../src/codec';
import { loadIngressConfig } from '../../../src/ingress/config';
import { PROBE_PATHS } from '../../../src/ingress/routes/probes';
import { loadMetricsConfig } from '../../../src/metrics/config';
import {
  commandSettings,
  environmentMap,
  hostPathOf,
  interpolate,
  interpolatedVariables,
  jobScript,
  loadCompose,
  serviceOf,
  type ComposeService,
} from '../../../src/local/production/compose';
import { nativeServerEnvironment, SETUP_JOBS, type NativePorts } from '../../../src/local/production/platform';
import { loadDeployVersions, parseEnvFile } from '../../../src/local/production/versions';
import { SEARCH_ATTRIBUTE_TYPES } from '../../../src/common';

const root = join(__dirname, '..', '..', '..');
const read = (file: string): string => readFileSync(join(root, file), 'utf8');

type Env = Record<string, string | undefined>;

const tenant = {
  SAIL_BASE_URL: 'https://acme.api.identitynow.com',
  SAIL_CLIENT_ID: 'client-id-from-env',
  SAIL_CLIENT_SECRET: 'client-secret-from-env',
  POSTGRES_PASSWORD: 'db-password-from-env',
  GRAFANA_ADMIN_PASSWORD: 'grafana-password-from-env',
  ISCFLOW_POLICY_FILE: '/srv/iscflow/policy.yaml',
  ISCFLOW_PAYLOAD_KEYS: `2026-11:${Buffer.alloc(32, 7).toString('base64')}`,
  ISCFLOW_WEBHOOK_SECRETS: `whsec_${Buffer.alloc(32, 1).toString('base64')}`,
  ISCFLOW_PSEUDONYM_KEY: 'pseudonym-secret-from-env',
  ISCFLOW_CODEC_TOKEN: 'codec-token-from-env-at-least-32-characters',
};

const project = (env: Env = tenant) => loadCompose({ root, env });
const compose = project();
const service = (name: string) => serviceOf(compose, name);
const resolvedEnvironment = (name: string, env: Env): Record<string, string> =>
  serviceOf(project(env), name).environment;
const rawEnvironment = (name: string): Record<string, string> => environmentMap(service(name).raw);

function dependencies(name: string): Record<string, { condition?: string }> {
  const deps = service(name).definition.depends_on ?? {};
  if (Array.isArray(deps)) return Object.fromEntries(deps.map((dep) => [dep, {}]));
  return deps;
}

function imageTag(image: string): string | undefined {
  const withoutDigest = image.split('@')[0] as string;
  const lastSegment = withoutDigest.slice(withoutDigest.lastIndexOf('/') + 1);
  const at = lastSegment.indexOf(':');
  return at < 0 ? undefined : lastSegment.slice(at + 1);
}

const image = (name: string): string => service(name).definition.image ?? '';

function seconds(duration: string): number {
  const m = /^(\d+)(ms|s|m|h)?$/.exec(duration);
  if (!m) throw new Error(`unsupported duration ${duration}`);
  const factor = { ms: 0.001, s: 1, m: 60, h: 3600 }[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
  return Number(m[1]) * factor;
}

const healthcheck = (svc: ComposeService): string => [svc.healthcheck?.test ?? []].flat().join(' ');

const PLATFORM_SERVICES = [
  'postgresql',
  'temporal-schema',
  'temporal',
  'temporal-namespace',
  'temporal-register-search-attributes',
  'temporal-ui',
];
const METRICS_SERVICES = ['prometheus', 'grafana'];

describe('docker-compose.yml', () => {
  it('includes the Temporal platform with the pinned versions, and defines iscflow’s own services', () => {
    const top = parse(read('docker-compose.yml')) as { include?: unknown; services: Record<string, unknown> };
    expect(top.include).toEqual([
      { path: 'deploy/temporal.compose.yml', env_file: 'deploy/versions.env' },
      { path: 'deploy/metrics.compose.yml', env_file: 'deploy/versions.env' },
    ]);
    expect(Object.keys(top.services)).toEqual(['worker', 'ingress']);
    expect(Object.keys(compose.services).sort()).toEqual(
      [...PLATFORM_SERVICES, ...METRICS_SERVICES, 'worker', 'ingress'].sort(),
    );
    for (const name of PLATFORM_SERVICES) expect(`${name} in ${service(name).file}`).toMatch(/temporal\.compose\.yml$/);
    for (const name of METRICS_SERVICES) expect(`${name} in ${service(name).file}`).toMatch(/metrics\.compose\.yml$/);
  });

  it('pins every image through deploy/versions.env: no literal tag, no latest, no auto-setup', () => {
    const versions = loadDeployVersions(root);
    const images = Object.fromEntries(
      Object.values(compose.services).flatMap((s) => (s.raw.image ? [[s.name, s.raw.image]] : [])),
    );
    for (const [name, raw] of Object.entries(images)) {
      // The tag is a required interpolation, so a missing pin stops compose before anything starts.
      expect(`${name}: ${raw}`).toMatch(/^[\w-]+: [\w./-]+:\$\{[A-Z_]+:\?[^}]+\}$/);
    }
    expect(image('postgresql')).toBe(`postgres:${versions.POSTGRESQL_VERSION}`);
    expect(image('temporal')).toBe(`temporalio/server:${versions.TEMPORAL_VERSION}`);
    for (const job of Object.values(SETUP_JOBS)) {
      expect(image(job)).toBe(`temporalio/admin-tools:${versions.TEMPORAL_ADMINTOOLS_VERSION}`);
    }
    expect(image('temporal-ui')).toBe(`temporalio/ui:${versions.TEMPORAL_UI_VERSION}`);
    const pinned = parseEnvFile(read('deploy/versions.env'));
    expect(pinned.PROMETHEUS_VERSION).toMatch(/^v\d+\.\d+\.\d+$/);
    expect(pinned.GRAFANA_VERSION).toMatch(/^\d+\.\d+\.\d+$/);
    expect(image('prometheus')).toBe(`prom/prometheus:${pinned.PROMETHEUS_VERSION}`);
    expect(image('grafana')).toBe(`grafana/grafana:${pinned.GRAFANA_VERSION}`);
    for (const file of compose.files) expect(readFileSync(file, 'utf8')).not.toMatch(/auto-setup|:latest\b/);
    for (const name of ['worker', 'ingress']) {
      const own = service(name).definition;
      expect(own.image).toBeUndefined();
      const build = typeof own.build === 'string' ? { context: own.build } : own.build;
      expect(`${name}: ${build?.context}`).toBe(`${name}: .`);
      expect(`${name}: ${build?.dockerfile ?? 'Dockerfile'}`).toBe(`${name}: Dockerfile`);
    }
  });

  it('stops when a pinned version is missing, naming the file to set it in', () => {
    expect(() => interpolate(service('temporal').raw.image ?? '', {})).toThrow(
      /TEMPORAL_VERSION.*deploy\/versions\.env/,
    );
  });

  it('runs the admin tools of the server’s own release', () => {
    expect(imageTag(image('temporal-schema'))?.split('-')[0]).toBe(imageTag(image('temporal')));
  });

  it('pins a Web UI with the "Send an Update" dialog (2.54 or later, the dev server’s UI)', () => {
    const [major, minor] = (imageTag(image('temporal-ui')) ?? '').split('.').map(Number) as [number, number];
    expect(major * 1000 + minor).toBeGreaterThanOrEqual(2 * 1000 + 54);
  });

  it('keeps PostgreSQL data in a volume, with connections for every server pool, healthy only over TCP', () => {
    const pg = service('postgresql').definition;
    expect(pg.volumes).toEqual([expect.stringMatching(/^postgresql-data:\/var\/lib\/postgresql\/data$/)]);
    expect(compose.volumes).toEqual(['postgresql-data', 'prometheus-data', 'grafana-data']);
    expect(healthcheck(pg)).toContain('pg_isready');
    expect(healthcheck(pg)).toMatch(/-h 127\.0\.0\.1/);
    expect(pg.ports).toBeUndefined();
    // Each of the server's four roles opens a pool to each database; the rest is room for the jobs and psql.
    const env = service('temporal').environment;
    const pools = 4 * (Number(env.SQL_MAX_CONNS) + Number(env.SQL_VIS_MAX_CONNS));
    expect(pools).toBeGreaterThan(0);
    expect(Number(commandSettings(service('postgresql')).max_connections)).toBeGreaterThanOrEqual(pools + 20);
  });

  it('creates and migrates the schema in a one-shot job before the server starts', () => {
    const job = service('temporal-schema');
    expect(dependencies('temporal-schema')).toEqual({ postgresql: { condition: 'service_healthy' } });
    const env = resolvedEnvironment('temporal-schema', tenant);
    const pg = resolvedEnvironment('postgresql', tenant);
    expect(env).toEqual({
      POSTGRES_SEEDS: 'postgresql',
      DB_PORT: '5432',
      POSTGRES_USER: pg.POSTGRES_USER,
      POSTGRES_PWD: pg.POSTGRES_PASSWORD,
    });
    expect(jobScript(job)).toBe(join(root, 'deploy', 'setup-schema.sh'));
    expect(job.definition.restart).toBe('no');
    expect(dependencies('temporal')).toEqual({ 'temporal-schema': { condition: 'service_completed_successfully' } });
  });

  it('runs the Temporal server on PostgreSQL, configured through the image’s own variables', () => {
    const env = resolvedEnvironment('temporal', tenant);
    const pg = resolvedEnvironment('postgresql', tenant);
    expect(env).toMatchObject({
      DB: 'postgres12',
      POSTGRES_SEEDS: 'postgresql',
      DB_PORT: '5432',
      VISIBILITY_DB_PORT: '5432',
      POSTGRES_USER: pg.POSTGRES_USER,
      POSTGRES_PWD: pg.POSTGRES_PASSWORD,
      BIND_ON_IP: '0.0.0.0',
    });
    // Fixed for the life of the cluster: a production count, not the development default of 4.
    expect(Number(env.NUM_HISTORY_SHARDS)).toBeGreaterThanOrEqual(128);
    expect(service('temporal').definition.ports).toEqual(['127.0.0.1:7233:7233']);
    expect(healthcheck(service('temporal').definition)).toContain('7233');
  });

  it('gives the server the dynamic config file of the repository, with Updates on', () => {
    const temporal = service('temporal');
    const file = hostPathOf(temporal, temporal.environment.DYNAMIC_CONFIG_FILE_PATH ?? '');
    expect(file).toBe(join(root, 'deploy', 'temporal-dynamicconfig.yaml'));
    expect(parse(readFileSync(file, 'utf8'))).toMatchObject({
      'frontend.enableUpdateWorkflowExecution': [{ value: true }],
    });
  });

  it('creates the namespace in a one-shot job once the server is up', () => {
    expect(dependencies('temporal-namespace')).toEqual({ temporal: { condition: 'service_healthy' } });
    expect(resolvedEnvironment('temporal-namespace', tenant)).toEqual({
      TEMPORAL_ADDRESS: 'temporal:7233',
      TEMPORAL_NAMESPACE: 'default',
      ISCFLOW_NAMESPACE_RETENTION: '720h',
    });
    expect(
      resolvedEnvironment('temporal-namespace', { ...tenant, ISCFLOW_NAMESPACE_RETENTION: '2160h' }),
    ).toMatchObject({ ISCFLOW_NAMESPACE_RETENTION: '2160h' });
    expect(jobScript(service('temporal-namespace'))).toBe(join(root, 'deploy', 'create-namespace.sh'));
  });

  it('registers exactly the search attributes the workflows upsert, once the namespace exists', () => {
    const env = resolvedEnvironment('temporal-register-search-attributes', tenant);
    expect(env.TEMPORAL_ADDRESS).toBe('temporal:7233');
    expect(env.TEMPORAL_NAMESPACE).toBe(resolvedEnvironment('temporal-namespace', tenant).TEMPORAL_NAMESPACE);
    const pairs = (env.ISCFLOW_SEARCH_ATTRIBUTES ?? '').trim().split(/\s+/);
    const registered = Object.fromEntries(pairs.map((pair) => pair.split('=') as [string, string]));
    expect(pairs).toHaveLength(Object.keys(registered).length);
    expect(registered).toEqual(SEARCH_ATTRIBUTE_TYPES);
    expect(dependencies('temporal-register-search-attributes')).toEqual({
      'temporal-namespace': { condition: 'service_completed_successfully' },
    });
    expect(jobScript(service('temporal-register-search-attributes'))).toBe(
      join(root, 'deploy', 'register-search-attributes.sh'),
    );
  });

  it('points the UI at the Temporal frontend and publishes it on loopback port 8080', () => {
    expect(resolvedEnvironment('temporal-ui', tenant)).toMatchObject({
      TEMPORAL_ADDRESS: 'temporal:7233',
      TEMPORAL_DEFAULT_NAMESPACE: 'default',
    });
    expect(service('temporal-ui').definition.ports).toEqual(['127.0.0.1:8080:8080']);
    expect(dependencies('temporal-ui')).toEqual({
      'temporal-namespace': { condition: 'service_completed_successfully' },
    });
  });

  it('gives the worker every variable it needs, ISC secrets only from the environment', () => {
    const raw = rawEnvironment('worker');
    for (const name of [
      'SAIL_BASE_URL',
      'SAIL_CLIENT_ID',
      'SAIL_CLIENT_SECRET',
      'SAIL_API_VERSION',
      'SAIL_TENANT_PROFILE',
      'TEMPORAL_ADDRESS',
      'TEMPORAL_NAMESPACE',
      'ISCFLOW_TASK_QUEUE',
      'ISCFLOW_REMOVAL_MODE',
      'LOG_LEVEL',
    ]) {
      expect(`${name}=${raw[name] === undefined ? '<missing>' : 'set'}`).toBe(`${name}=set`);
    }
    for (const secret of ['SAIL_BASE_URL', 'SAIL_CLIENT_ID', 'SAIL_CLIENT_SECRET']) {
      // A required interpolation: compose refuses to start when the variable is unset or empty.
      expect(`${secret}=${raw[secret] ?? ''}`).toMatch(new RegExp(`^${secret}=\\$\\{${secret}:\\?[^}]+\\}$`));
    }
    expect(resolvedEnvironment('worker', tenant).TEMPORAL_ADDRESS).toBe('temporal:7233');
    expect(resolvedEnvironment('worker', tenant).TEMPORAL_NAMESPACE).toBe(
      resolvedEnvironment('temporal-namespace', tenant).TEMPORAL_NAMESPACE,
    );
  });

  it('refuses to start the stack when a tenant setting, a secret or the database password is missing', () => {
    for (const missing of ['SAIL_BASE_URL', 'SAIL_CLIENT_ID', 'SAIL_CLIENT_SECRET', 'ISCFLOW_PAYLOAD_KEYS']) {
      const env: Env = { ...tenant, [missing]: undefined };
      expect(() => resolvedEnvironment('worker', env)).toThrow(missing);
      expect(() => resolvedEnvironment('worker', { ...tenant, [missing]: '' })).toThrow(missing);
    }
    expect(() => serviceOf(project({ ...tenant, ISCFLOW_POLICY_FILE: undefined }), 'worker').definition).toThrow(
      'ISCFLOW_POLICY_FILE',
    );
    for (const missing of [
      'SAIL_BASE_URL',
      'ISCFLOW_WEBHOOK_SECRETS',
      'ISCFLOW_PSEUDONYM_KEY',
      'ISCFLOW_PAYLOAD_KEYS',
      'ISCFLOW_CODEC_TOKEN',
    ]) {
      expect(() => resolvedEnvironment('ingress', { ...tenant, [missing]: '' })).toThrow(missing);
    }
    for (const name of ['postgresql', 'temporal-schema', 'temporal']) {
      expect(() => resolvedEnvironment(name, { ...tenant, POSTGRES_PASSWORD: undefined })).toThrow('POSTGRES_PASSWORD');
    }
    expect(() => resolvedEnvironment('grafana', { ...tenant, GRAFANA_ADMIN_PASSWORD: '' })).toThrow(
      'GRAFANA_ADMIN_PASSWORD',
    );
  });

  it('resolves to a worker configuration that the worker accepts', () => {
    const config = loadWorkerConfig(resolvedEnvironment('worker', tenant));
    expect(config.temporal.connection.address).toBe('temporal:7233');
    expect(config.temporal.namespace).toBe('default');
    expect(config.temporal.taskQueue).toBe('iscflow');
    expect(config.isc).toMatchObject({
      baseUrl: tenant.SAIL_BASE_URL,
      clientId: tenant.SAIL_CLIENT_ID,
      clientSecret: tenant.SAIL_CLIENT_SECRET,
      apiVersion: 'v3',
      tenantProfile: 'current',
    });
    expect(config.removalMode).toBe('isc');
    expect(config.logLevel).toBe('info');

    const overridden = loadWorkerConfig(
      resolvedEnvironment('worker', { ...tenant, SAIL_API_VERSION: 'v2025', ISCFLOW_TASK_QUEUE: 'iscflow-blue' }),
    );
    expect(overridden.isc.apiVersion).toBe('v2025');
    expect(overridden.temporal.taskQueue).toBe('iscflow-blue');
  });

  it('starts the worker and the ingress only after Temporal is healthy and the search attributes are registered', () => {
    for (const name of ['worker', 'ingress']) {
      expect(dependencies(name)).toEqual({
        temporal: { condition: 'service_healthy' },
        'temporal-register-search-attributes': { condition: 'service_completed_successfully' },
      });
    }
  });

  it('runs the worker on the birthright policy mounted from the file the deployment names', () => {
    const config = loadWorkerConfig(resolvedEnvironment('worker', tenant));
    expect(config.policyFile).toBe('/etc/iscflow/policy.yaml');
    expect(hostPathOf(service('worker'), config.policyFile ?? '')).toBe(tenant.ISCFLOW_POLICY_FILE);
    expect(service('worker').definition.volumes).toEqual([`${tenant.ISCFLOW_POLICY_FILE}:/etc/iscflow/policy.yaml:ro`]);
  });

  it('encrypts payloads in the worker and the ingress with the same keys', () => {
    const worker = resolvedEnvironment('worker', tenant);
    const ingress = resolvedEnvironment('ingress', tenant);
    expect(worker.ISCFLOW_PAYLOAD_KEYS).toBe(tenant.ISCFLOW_PAYLOAD_KEYS);
    expect(ingress.ISCFLOW_PAYLOAD_KEYS).toBe(worker.ISCFLOW_PAYLOAD_KEYS);
    for (const env of [worker, ingress]) {
      const protection = loadPayloadProtection(env);
      expect(protection.mode).toBe('encrypt');
      expect(protection.privacy.payloadKeys?.encryptKeyId).toBe('2026-11');
    }
    for (const name of ['worker', 'ingress']) {
      expect(rawEnvironment(name).ISCFLOW_PAYLOAD_KEYS).toMatch(/^\$\{ISCFLOW_PAYLOAD_KEYS:\?[^}]+\}$/);
    }
  });

  it('lets the worker drain in-flight work before Docker kills it', () => {
    const config = loadWorkerConfig(resolvedEnvironment('worker', tenant));
    const grace = service('worker').definition.stop_grace_period;
    expect(grace).toBeDefined();
    expect(seconds(grace as string)).toBeGreaterThan(config.shutdownGraceSeconds);
  });

  it('documents every variable the compose files read in docs/deployment.md (metrics: docs/operator.md)', () => {
    const docs = read('docs/deployment.md') + read('docs/operator.md');
    const variables = compose.files.flatMap((file) => interpolatedVariables(readFileSync(file, 'utf8')));
    expect(variables).toEqual(
      expect.arrayContaining(['SAIL_BASE_URL', 'POSTGRES_PASSWORD', 'TEMPORAL_VERSION', 'TEMPORAL_UI_VERSION']),
    );
    const undocumented = [...new Set(variables)].filter((name) => !docs.includes(`\`${name}\``));
    expect(undocumented).toEqual([]);
  });
});

describe('the HR-event ingress and the codec in the stack', () => {
  const ingressEnv = () => resolvedEnvironment('ingress', tenant);
  /** `127.0.0.1:HOST:CONTAINER` of a service's one published port. */
  const published = (name: string): { host: string; hostPort: number; containerPort: number } => {
    const ports = service(name).definition.ports ?? [];
    expect(ports).toHaveLength(1);
    const [host, hostPort, containerPort] = (ports[0] as string).split(':');
    return { host: host as string, hostPort: Number(hostPort), containerPort: Number(containerPort) };
  };

  it('runs src/ingress/main.ts in the worker’s image, with node as the main process', () => {
    const command = [service('ingress').definition.command ?? []].flat();
    // The Dockerfile's CMD with the entry swapped: no npm or tsx CLI in between to swallow SIGTERM.
    const cmd = JSON.parse(
      read('Dockerfile')
        .split(/\r?\n/)
        .filter((line) => line.startsWith('CMD '))
        .at(-1)
        ?.slice(4) ?? '[]',
    ) as string[];
    expect(command).toEqual([...cmd.slice(0, -1), 'src/ingress/main.ts']);
    expect(service('ingress').definition.init).toBe(true);
  });

  it('resolves to a configuration the ingress accepts, listening on the stack’s network', () => {
    const config = loadIngressConfig(ingressEnv());
    expect(config).toMatchObject({ host: '0.0.0.0', port: 8080 });
    expect(config.webhookSecrets).toHaveLength(1);
    // ISC triggers are optional: off unless a credential is set, then on.
    expect(config.iscTrigger).toBeUndefined();
    const token = 'isc-trigger-token-from-env-0123456789';
    expect(
      loadIngressConfig(resolvedEnvironment('ingress', { ...tenant, ISCFLOW_ISC_TRIGGER_TOKEN: token })).iscTrigger
        ?.bearerTokenDigest,
    ).toBeDefined();
    for (const secret of [
      'ISCFLOW_WEBHOOK_SECRETS',
      'ISCFLOW_PSEUDONYM_KEY',
      'ISCFLOW_PAYLOAD_KEYS',
      'ISCFLOW_CODEC_TOKEN',
    ]) {
      expect(`${secret}=${rawEnvironment('ingress')[secret] ?? ''}`).toMatch(
        new RegExp(`^${secret}=\\$\\{${secret}:\\?[^}]+\\}$`),
      );
    }
  });

  it('starts lifecycles on the workers’ queue of the same Temporal, under the deployment’s pseudonym key', () => {
    const worker = resolvedEnvironment('worker', tenant);
    const env = ingressEnv();
    for (const name of ['TEMPORAL_ADDRESS', 'TEMPORAL_NAMESPACE', 'ISCFLOW_TASK_QUEUE']) {
      expect(`${name}=${env[name]}`).toBe(`${name}=${worker[name]}`);
    }
    expect(resolvedEnvironment('ingress', { ...tenant, ISCFLOW_TASK_QUEUE: 'iscflow-blue' }).ISCFLOW_TASK_QUEUE).toBe(
      resolvedEnvironment('worker', { ...tenant, ISCFLOW_TASK_QUEUE: 'iscflow-blue' }).ISCFLOW_TASK_QUEUE,
    );
    // SAIL_BASE_URL marks the real tenant: without it the ingress would fall back to the public
    // development pseudonym key and to payloads in clear.
    expect(env.SAIL_BASE_URL).toBe(tenant.SAIL_BASE_URL);
    const starter = loadLifecycleStarterConfig(env);
    expect(starter.pseudonymKey).toBe(tenant.ISCFLOW_PSEUDONYM_KEY);
    expect(starter.pseudonymKey).not.toBe(DEV_PSEUDONYM_KEY);
    // The ISC credentials stay with the worker: the ingress never calls ISC.
    expect(env.SAIL_CLIENT_SECRET).toBeUndefined();
    expect(env.SAIL_CLIENT_ID).toBeUndefined();
  });

  it('publishes the ingress on loopback and checks its health route', () => {
    const port = published('ingress');
    expect(port.host).toBe('127.0.0.1');
    expect(port.containerPort).toBe(loadIngressConfig(ingressEnv()).port);
    // Not the UI's, Prometheus' or Grafana's host port.
    const others = ['temporal-ui', 'prometheus', 'grafana'].map((name) => published(name).hostPort);
    expect(others).not.toContain(port.hostPort);
    const check = healthcheck(service('ingress').definition);
    expect(check).toContain(`http://127.0.0.1:${port.containerPort}${PROBE_PATHS.health}`);
    expect(check.startsWith('CMD node -e ')).toBe(true);
  });

  it('points the Web UI at the ingress’s /codec as the browser reaches it, and lets the UI’s origin in', () => {
    const ui = resolvedEnvironment('temporal-ui', tenant);
    const ingressPort = published('ingress');
    const uiPort = published('temporal-ui');
    const endpoint = new URL(ui.TEMPORAL_CODEC_ENDPOINT ?? '');
    // The browser calls it: a host it can resolve, not the compose network's `ingress`.
    expect(endpoint.hostname).toBe('localhost');
    expect(Number(endpoint.port)).toBe(ingressPort.hostPort);
    expect(endpoint.pathname).toBe(CODEC_PATH);
    expect(ui.TEMPORAL_CODEC_PASS_ACCESS_TOKEN).toBe('false');
    expect(ui.TEMPORAL_CODEC_INCLUDE_CREDENTIALS).toBe('false');

    const privacy = loadPayloadProtection(ingressEnv()).privacy;
    expect(privacy.codecToken).toBe(tenant.ISCFLOW_CODEC_TOKEN);
    // Whichever of the two names the user typed, the UI's origin is allowed.
    expect(privacy.codecCorsOrigins).toEqual([
      `http://localhost:${uiPort.hostPort}`,
      `http://127.0.0.1:${uiPort.hostPort}`,
    ]);
    expect(privacy.codecCorsOrigins).toContain(`${endpoint.protocol}//${endpoint.hostname}:${uiPort.hostPort}`);
  });

  it('follows a proxy in front: its codec URL for the UI, the UI’s origin for the ingress, credentials on', () => {
    const env = {
      ...tenant,
      ISCFLOW_CODEC_ENDPOINT: 'https://iscflow.example.com/codec',
      ISCFLOW_UI_ORIGINS: 'https://temporal.example.com',
      ISCFLOW_CODEC_INCLUDE_CREDENTIALS: 'true',
    };
    expect(resolvedEnvironment('temporal-ui', env)).toMatchObject({
      TEMPORAL_CODEC_ENDPOINT: 'https://iscflow.example.com/codec',
      TEMPORAL_CODEC_INCLUDE_CREDENTIALS: 'true',
    });
    expect(loadPayloadProtection(resolvedEnvironment('ingress', env)).privacy.codecCorsOrigins).toEqual([
      'https://temporal.example.com',
    ]);
  });

  it('lets the ingress answer in-flight requests before Docker kills it', () => {
    expect(seconds(service('ingress').definition.stop_grace_period ?? '0')).toBeGreaterThanOrEqual(10);
  });
});

describe('metrics in the stack (deploy/metrics.compose.yml)', () => {
  const prometheus = () => service('prometheus');
  const grafana = () => service('grafana');
  const mounted = (name: string, target: string): string => hostPathOf(service(name), target);

  interface ScrapeJob {
    job_name: string;
    dns_sd_configs?: Array<{ names: string[]; type: string; port: number }>;
  }
  const scrapeJobs = (): ScrapeJob[] =>
    (
      parse(readFileSync(mounted('prometheus', '/etc/prometheus/prometheus.yml'), 'utf8')) as {
        scrape_configs: ScrapeJob[];
      }
    ).scrape_configs;
  const job = (name: string): ScrapeJob => scrapeJobs().find((j) => j.job_name === name)!;

  it('has every worker serve /metrics on the stack’s network, on the port Prometheus scrapes', () => {
    const metrics = loadMetricsConfig(resolvedEnvironment('worker', tenant));
    expect(metrics.bindAddress).toBe('0.0.0.0:9464');
    const [worker] = job('iscflow-worker').dns_sd_configs!;
    // By the service's DNS name: one address per replica of --scale worker=N, each scraped on its own.
    expect(worker).toMatchObject({ names: ['worker'], type: 'A' });
    expect(compose.services[worker!.names[0]!]).toBeDefined();
    expect(`0.0.0.0:${worker!.port}`).toBe(metrics.bindAddress);
    // The metrics port is not published: scaled replicas would collide on the host.
    expect(service('worker').definition.ports).toBeUndefined();
  });

  it('scrapes the ingress service on the port it listens on', () => {
    const ingress = loadIngressConfig(resolvedEnvironment('ingress', tenant));
    const [target] = job('iscflow-ingress').dns_sd_configs!;
    expect(target).toMatchObject({ names: ['ingress'], type: 'A', port: ingress.port });
    expect(compose.services[target!.names[0]!]).toBeDefined();
  });

  it('keeps Prometheus’ data in a volume, for a retention the deployment chooses', () => {
    expect(prometheus().definition.volumes).toContain('prometheus-data:/prometheus');
    const command = [prometheus().definition.command ?? []].flat();
    expect(command).toEqual(
      expect.arrayContaining([
        '--config.file=/etc/prometheus/prometheus.yml',
        '--storage.tsdb.path=/prometheus',
        '--storage.tsdb.retention.time=30d',
      ]),
    );
    const longer = serviceOf(project({ ...tenant, ISCFLOW_METRICS_RETENTION: '90d' }), 'prometheus');
    expect([longer.definition.command ?? []].flat()).toContain('--storage.tsdb.retention.time=90d');
    expect(healthcheck(prometheus().definition)).toContain('/-/ready');
  });

  it('wires Grafana to that Prometheus and provisions the dashboard from the repository', () => {
    expect(dependencies('grafana')).toEqual({ prometheus: { condition: 'service_healthy' } });
    const provisioning = mounted('grafana', '/etc/grafana/provisioning');
    expect(provisioning).toBe(join(root, 'deploy', 'grafana', 'provisioning'));
    const datasources = parse(read('deploy/grafana/provisioning/datasources/prometheus.yaml')) as {
      datasources: Array<{ uid: string; type: string; url: string; isDefault: boolean }>;
    };
    expect(datasources.datasources).toEqual([
      expect.objectContaining({ type: 'prometheus', url: 'http://prometheus:9090', isDefault: true }),
    ]);
    expect(prometheus().definition.ports).toEqual(['127.0.0.1:9090:9090']);
    const providers = parse(read('deploy/grafana/provisioning/dashboards/iscflow.yaml')) as {
      providers: Array<{ options: { path: string } }>;
    };
    const dashboards = providers.providers[0]!.options.path;
    expect(mounted('grafana', dashboards)).toBe(join(root, 'deploy', 'grafana', 'dashboards'));
    const home = grafana().environment.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH ?? '';
    expect(home.startsWith(`${dashboards}/`)).toBe(true);
    const dashboard = JSON.parse(
      readFileSync(join(mounted('grafana', dashboards), home.slice(dashboards.length + 1)), 'utf8'),
    ) as { panels: Array<{ datasource?: { uid: string }; targets?: Array<{ datasource?: { uid: string } }> }> };
    const uids = new Set(
      dashboard.panels.flatMap((p) => [p.datasource?.uid, ...(p.targets ?? []).map((t) => t.datasource?.uid)]),
    );
    uids.delete(undefined);
    expect([...uids]).toEqual([datasources.datasources[0]!.uid]);
  });

  it('asks for Grafana’s admin password from the environment, and publishes both on loopback only', () => {
    const raw = rawEnvironment('grafana');
    expect(raw.GF_SECURITY_ADMIN_PASSWORD).toMatch(/^\$\{GRAFANA_ADMIN_PASSWORD:\?[^}]+\}$/);
    expect(resolvedEnvironment('grafana', tenant).GF_SECURITY_ADMIN_PASSWORD).toBe(tenant.GRAFANA_ADMIN_PASSWORD);
    expect(resolvedEnvironment('grafana', tenant)).toMatchObject({
      GF_AUTH_ANONYMOUS_ENABLED: 'false',
      GF_USERS_ALLOW_SIGN_UP: 'false',
    });
    expect(grafana().definition.ports).toEqual(['127.0.0.1:3000:3000']);
    expect(grafana().definition.volumes).toContain('grafana-data:/var/lib/grafana');
  });
});

describe('the native run of the same topology (npm run test:production)', () => {
  const versions = loadDeployVersions(root);

  it('builds the server release compose pins', () => {
    // platform.ts builds go.temporal.io/server at versions.TEMPORAL_VERSION: the tag compose runs.
    expect(imageTag(image('temporal'))).toBe(versions.TEMPORAL_VERSION);
    expect(imageTag(image('temporal-schema'))).toBe(versions.TEMPORAL_ADMINTOOLS_VERSION);
  });

  it('runs the one-shot jobs compose runs, from the scripts compose mounts', () => {
    for (const job of Object.values(SETUP_JOBS)) {
      expect(`${job}: ${jobScript(service(job))}`).toMatch(new RegExp(`^${job}: ${root}/deploy/[\\w-]+\\.sh$`));
    }
  });

  it('gives the server compose’s environment, changing only hosts, ports and the mounted file’s path', () => {
    const composeEnv = service('temporal').environment;
    const ports: NativePorts = {
      postgres: 15432,
      frontendGrpc: 17233,
      frontendHttp: 17243,
      membership: { frontend: 16933, history: 16934, matching: 16935, worker: 16939 },
      grpc: { history: 17234, matching: 17235, worker: 17239 },
    };
    const native = nativeServerEnvironment(composeEnv, ports, '/repo/deploy/temporal-dynamicconfig.yaml');
    const changed = Object.keys(composeEnv).filter((key) => native[key] !== composeEnv[key]);
    expect(changed.sort()).toEqual(
      ['BIND_ON_IP', 'DB_PORT', 'DYNAMIC_CONFIG_FILE_PATH', 'POSTGRES_SEEDS', 'VISIBILITY_DB_PORT'].sort(),
    );
    expect(native).toMatchObject({ POSTGRES_SEEDS: '127.0.0.1', DB_PORT: '15432', BIND_ON_IP: '127.0.0.1' });
    const added = Object.keys(native).filter((key) => !(key in composeEnv));
    expect(added.every((key) => key.endsWith('_PORT'))).toBe(true);
  });

  it('starts PostgreSQL with the compose service’s settings', () => {
    expect(commandSettings(service('postgresql'))).toEqual({ max_connections: '200' });
  });
});

describe('Dockerfile', () => {
  const instructions = read('Dockerfile')
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const at = line.search(/\s/);
      return { op: line.slice(0, at).toUpperCase(), args: line.slice(at + 1).trim() };
    });
  const all = (op: string) => instructions.filter((i) => i.op === op).map((i) => i.args);

  it('starts from a Node 20 image', () => {
    const from = all('FROM');
    expect(from.at(-1)).toMatch(/^node:20(\.\d+)*(-[\w.-]+)?(\s|$)/);
  });

  it('installs production dependencies from the lockfile and copies the sources', () => {
    expect(all('RUN').join('\n')).toMatch(/npm ci --omit=dev/);
    const copied = all('COPY').join(' ');
    for (const file of ['package.json', 'package-lock.json', 'tsconfig.json', 'src']) {
      expect(copied.split(/\s+/)).toContain(file);
    }
  });

  it('runs as a non-root user', () => {
    const user = all('USER').at(-1);
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^(root|0)(:|$)/);
    const lastUser = instructions.map((i) => i.op).lastIndexOf('USER');
    const cmd = instructions.map((i) => i.op).lastIndexOf('CMD');
    expect(lastUser).toBeLessThan(cmd);
  });

  it('runs src/worker.ts with node as the main process, in exec form', () => {
    const cmd = all('CMD').at(-1) ?? '';
    const argv = JSON.parse(cmd) as string[];
    expect(argv[0]).toBe('node');
    expect(argv.at(-1)).toBe('src/worker.ts');
    expect(all('ENTRYPOINT')).toEqual([]);
  });

  it('keeps host dependencies and secrets out of the build context', () => {
    const ignored = read('.dockerignore')
      .split(/\r?\n/)
      .map((line) => line.trim());
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', '.env', '.git', '.temporal', '.cache']));
  });
});
