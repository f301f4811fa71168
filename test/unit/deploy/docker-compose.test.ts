/**
 * The production-like stack cannot run on a machine without a Docker engine, so these tests read
 * docker-compose.yml, the Dockerfile and the search-attribute registration script the way Docker would,
 * and check what a broken deployment would get wrong: missing services or variables, floating images,
 * hard-coded secrets, a worker that starts before its search attributes exist, or a config the worker
 * rejects at start.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { loadWorkerConfig } from '../../../src/config';
import { SEARCH_ATTRIBUTE_TYPES } from '../../../src/common';

const root = join(__dirname, '..', '..', '..');
const read = (file: string): string => readFileSync(join(root, file), 'utf8');

interface DependsOn {
  condition?: string;
}
interface Service {
  image?: string;
  build?: string | { context?: string; dockerfile?: string };
  environment?: Record<string, string | number | boolean | null> | string[];
  depends_on?: string[] | Record<string, DependsOn>;
  ports?: string[];
  volumes?: string[];
  entrypoint?: string | string[];
  healthcheck?: { test?: string | string[] };
  stop_grace_period?: string;
}
interface Compose {
  services: Record<string, Service>;
}

const composeText = read('docker-compose.yml');
const compose = parse(composeText) as Compose;

function service(name: string): Service {
  const found = compose.services[name];
  if (!found) throw new Error(`docker-compose.yml has no service '${name}'`);
  return found;
}

/** The raw (uninterpolated) environment of a service, in either of compose's two forms. */
function rawEnvironment(name: string): Record<string, string> {
  const env = service(name).environment ?? {};
  if (Array.isArray(env)) {
    return Object.fromEntries(
      env.map((entry) => {
        const at = entry.indexOf('=');
        return at < 0 ? [entry, ''] : [entry.slice(0, at), entry.slice(at + 1)];
      }),
    );
  }
  return Object.fromEntries(Object.entries(env).map(([key, value]) => [key, value === null ? '' : String(value)]));
}

/**
 * Compose's interpolation: `$$`, `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?error}`,
 * `${VAR?error}` (an error fails `docker compose up` before anything starts).
 */
function interpolate(text: string, env: Record<string, string | undefined>): string {
  return text.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (match, name?: string, colon?: string, op?: string, arg?: string, bare?: string) => {
      if (match === '$$') return '$';
      const key = (name ?? bare) as string;
      const value = env[key];
      const missing = colon === ':' ? value === undefined || value === '' : value === undefined;
      if (!missing) return value as string;
      if (op === '-') return arg ?? '';
      if (op === '?') throw new Error(`required variable ${key} is missing: ${arg ?? ''}`);
      return '';
    },
  );
}

/** Names of every variable compose interpolates anywhere in the file. */
function interpolatedVariables(text: string): string[] {
  const names = new Set<string>();
  for (const m of text.replace(/\$\$/g, '').matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)|\$([A-Za-z_][A-Za-z0-9_]*)/g)) {
    names.add((m[1] ?? m[2]) as string);
  }
  return [...names].sort();
}

function resolvedEnvironment(name: string, hostEnv: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(rawEnvironment(name)).map(([key, value]) => [key, interpolate(value, hostEnv)]),
  );
}

function dependencies(name: string): Record<string, DependsOn> {
  const deps = service(name).depends_on ?? {};
  if (Array.isArray(deps)) return Object.fromEntries(deps.map((dep) => [dep, {}]));
  return deps;
}

function imageTag(image: string): string | undefined {
  const withoutDigest = image.split('@')[0] as string;
  const lastSegment = withoutDigest.slice(withoutDigest.lastIndexOf('/') + 1);
  const at = lastSegment.indexOf(':');
  return at < 0 ? undefined : lastSegment.slice(at + 1);
}

function seconds(duration: string): number {
  const m = /^(\d+)(ms|s|m|h)?$/.exec(duration);
  if (!m) throw new Error(`unsupported duration ${duration}`);
  const factor = { ms: 0.001, s: 1, m: 60, h: 3600 }[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
  return Number(m[1]) * factor;
}

const tenant = {
  SAIL_BASE_URL: 'https://acme.api.identitynow.com',
  SAIL_CLIENT_ID: 'client-id-from-env',
  SAIL_CLIENT_SECRET: 'client-secret-from-env',
  POSTGRES_PASSWORD: 'db-password-from-env',
};

describe('docker-compose.yml', () => {
  it('defines the Temporal stack and the worker', () => {
    expect(Object.keys(compose.services).sort()).toEqual(
      ['postgresql', 'temporal', 'temporal-register-search-attributes', 'temporal-ui', 'worker'].sort(),
    );
  });

  it('pins every image to an explicit tag (never latest) and builds the worker from the Dockerfile', () => {
    for (const [name, svc] of Object.entries(compose.services)) {
      if (svc.image === undefined) {
        expect(`${name} build: ${svc.build === undefined ? 'none' : 'yes'}`).toBe(`${name} build: yes`);
        continue;
      }
      // A version tag, so `docker compose pull` never silently moves the stack to another release.
      expect(`${name} tag: ${imageTag(svc.image) ?? 'none'}`).toMatch(new RegExp(`^${name} tag: \\d`));
    }
    expect(service('postgresql').image).toMatch(/^postgres:\d/);
    expect(service('temporal').image).toMatch(/^temporalio\/auto-setup:\d+\.\d+\.\d+$/);
    expect(service('temporal-register-search-attributes').image).toMatch(/^temporalio\/admin-tools:\d+\.\d+\.\d+/);
    expect(service('temporal-ui').image).toMatch(/^temporalio\/ui:\d+\.\d+\.\d+$/);
    const worker = service('worker');
    expect(worker.image).toBeUndefined();
    const build = typeof worker.build === 'string' ? { context: worker.build } : worker.build;
    expect(build?.context).toBe('.');
    expect(build?.dockerfile ?? 'Dockerfile').toBe('Dockerfile');
  });

  it('runs the admin tools at the same server version as the server', () => {
    const serverVersion = imageTag(service('temporal').image ?? '');
    const toolsVersion = imageTag(service('temporal-register-search-attributes').image ?? '');
    expect(serverVersion).toBeDefined();
    expect(toolsVersion?.split('-')[0]).toBe(serverVersion);
  });

  it('keeps PostgreSQL data in a volume and reports healthy only once it accepts TCP connections', () => {
    const pg = service('postgresql');
    expect(pg.volumes).toEqual(
      expect.arrayContaining([expect.stringMatching(/^[\w-]+:\/var\/lib\/postgresql\/data$/)]),
    );
    const test = [pg.healthcheck?.test ?? []].flat().join(' ');
    expect(test).toContain('pg_isready');
    expect(test).toMatch(/-h\s+127\.0\.0\.1/);
    expect(pg.ports).toBeUndefined();
  });

  it('runs Temporal on PostgreSQL and starts it only when the database is healthy', () => {
    const env = resolvedEnvironment('temporal', tenant);
    expect(env).toMatchObject({
      DB: 'postgres12',
      DB_PORT: '5432',
      POSTGRES_SEEDS: 'postgresql',
      POSTGRES_USER: 'temporal',
      POSTGRES_PWD: tenant.POSTGRES_PASSWORD,
      SKIP_ADD_CUSTOM_SEARCH_ATTRIBUTES: 'true',
    });
    expect(resolvedEnvironment('postgresql', tenant)).toMatchObject({
      POSTGRES_USER: env.POSTGRES_USER,
      POSTGRES_PASSWORD: env.POSTGRES_PWD,
    });
    expect(dependencies('temporal')).toEqual({ postgresql: { condition: 'service_healthy' } });
    expect(service('temporal').ports).toEqual([expect.stringMatching(/:7233:7233$/)]);
    expect([service('temporal').healthcheck?.test ?? []].flat().join(' ')).toContain('cluster health');
  });

  it('points the UI at the Temporal frontend and publishes it on 8080', () => {
    expect(resolvedEnvironment('temporal-ui', tenant).TEMPORAL_ADDRESS).toBe('temporal:7233');
    expect(service('temporal-ui').ports).toEqual([expect.stringMatching(/:8080:8080$/)]);
    expect(dependencies('temporal-ui').temporal?.condition).toBe('service_healthy');
  });

  it('registers exactly the search attributes the workflows upsert, with their types', () => {
    const env = resolvedEnvironment('temporal-register-search-attributes', tenant);
    expect(env.TEMPORAL_ADDRESS).toBe('temporal:7233');
    expect(env.TEMPORAL_NAMESPACE).toBe('default');
    const pairs = (env.ISCFLOW_SEARCH_ATTRIBUTES ?? '').trim().split(/\s+/);
    const registered = Object.fromEntries(pairs.map((pair) => pair.split('=') as [string, string]));
    expect(pairs).toHaveLength(Object.keys(registered).length);
    expect(registered).toEqual(SEARCH_ATTRIBUTE_TYPES);
    expect(dependencies('temporal-register-search-attributes').temporal?.condition).toBe('service_healthy');
  });

  it('runs the registration script that is in the repository', () => {
    const svc = service('temporal-register-search-attributes');
    const mount = (svc.volumes ?? []).find((v) => v.startsWith('./deploy/register-search-attributes.sh:'));
    expect(mount).toBeDefined();
    const target = (mount as string).split(':')[1] as string;
    expect([svc.entrypoint ?? []].flat()).toEqual(['/bin/sh', target]);
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
  });

  it('refuses to start the stack when a tenant setting is missing', () => {
    for (const missing of ['SAIL_BASE_URL', 'SAIL_CLIENT_ID', 'SAIL_CLIENT_SECRET']) {
      const env: Record<string, string | undefined> = { ...tenant, [missing]: undefined };
      expect(() => resolvedEnvironment('worker', env)).toThrow(missing);
      expect(() => resolvedEnvironment('worker', { ...tenant, [missing]: '' })).toThrow(missing);
    }
    expect(() => resolvedEnvironment('temporal', { ...tenant, POSTGRES_PASSWORD: undefined })).toThrow(
      'POSTGRES_PASSWORD',
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

  it('starts the worker only after Temporal is healthy and the search attributes are registered', () => {
    expect(dependencies('worker')).toEqual({
      temporal: { condition: 'service_healthy' },
      'temporal-register-search-attributes': { condition: 'service_completed_successfully' },
    });
  });

  it('lets the worker drain in-flight work before Docker kills it', () => {
    const config = loadWorkerConfig(resolvedEnvironment('worker', tenant));
    const grace = service('worker').stop_grace_period;
    expect(grace).toBeDefined();
    expect(seconds(grace as string)).toBeGreaterThan(config.shutdownGraceSeconds);
  });

  it('documents every variable it reads in docs/deployment.md', () => {
    const docs = read('docs/deployment.md');
    const variables = interpolatedVariables(composeText);
    expect(variables).toEqual(expect.arrayContaining(['SAIL_BASE_URL', 'SAIL_CLIENT_ID', 'SAIL_CLIENT_SECRET']));
    const undocumented = variables.filter((name) => !docs.includes(`\`${name}\``));
    expect(undocumented).toEqual([]);
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
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', '.env', '.git', '.temporal']));
  });
});

describe('deploy/register-search-attributes.sh', () => {
  const script = join(root, 'deploy', 'register-search-attributes.sh');
  let dir: string;

  /**
   * A stand-in for the `temporal` CLI: keeps the namespace's attributes in a file, answers like the
   * server does for duplicates, and logs every call.
   */
  const fakeCli = `#!/bin/sh
echo "$*" >> "$FAKE_DIR/calls"
if [ -f "$FAKE_DIR/unready" ]; then rm "$FAKE_DIR/unready"; echo "namespace not found" >&2; exit 1; fi
name=""; type=""; prev=""
for arg in "$@"; do
  case $prev in --name) name=$arg ;; --type) type=$arg ;; esac
  prev=$arg
done
case "$1 $2 $3" in
  "operator search-attribute list") cat "$FAKE_DIR/state" 2>/dev/null; exit 0 ;;
  "operator search-attribute create")
    existing=$(grep "^$name " "$FAKE_DIR/state" 2>/dev/null | cut -d' ' -f2)
    if [ -n "$existing" ] && [ "$existing" != "$type" ]; then
      echo "search attribute \\"$name\\" already exists and has different type \\"$existing\\"" >&2; exit 1
    fi
    if [ -n "$existing" ]; then echo "Search attribute $name already exists." >&2; exit 1; fi
    echo "$name $type" >> "$FAKE_DIR/state"; echo "Search attributes have been added"; exit 0 ;;
esac
echo "unexpected call: $*" >&2; exit 2
`;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'iscflow-register-'));
    writeFileSync(join(dir, 'temporal'), fakeCli);
    chmodSync(join(dir, 'temporal'), 0o755);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function run() {
    const env = {
      ...resolvedEnvironment('temporal-register-search-attributes', tenant),
      PATH: `${dir}:${process.env.PATH ?? '/usr/bin:/bin'}`,
      FAKE_DIR: dir,
      ISCFLOW_REGISTER_WAIT_SECONDS: '10',
    };
    const result = spawnSync('sh', [script], { env, encoding: 'utf8' });
    const calls = readFileSync(join(dir, 'calls'), 'utf8').trim().split('\n');
    return { ...result, calls };
  }

  const state = () =>
    Object.fromEntries(
      readFileSync(join(dir, 'state'), 'utf8')
        .trim()
        .split('\n')
        .map((line) => line.split(' ') as [string, string]),
    );

  it('waits for the namespace, then creates each attribute against temporal:7233 in namespace default', () => {
    writeFileSync(join(dir, 'unready'), '');
    const result = run();
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(state()).toEqual(SEARCH_ATTRIBUTE_TYPES);
    const creates = result.calls.filter((c) => c.startsWith('operator search-attribute create'));
    expect(creates).toHaveLength(Object.keys(SEARCH_ATTRIBUTE_TYPES).length);
    for (const call of result.calls) {
      expect(call).toContain('--address temporal:7233');
      expect(call).toContain('--namespace default');
    }
  });

  it('succeeds again when the attributes already exist (a second `docker compose up`)', () => {
    expect(run().status).toBe(0);
    const again = run();
    expect(again.status).toBe(0);
    expect(again.stdout).toContain('IscflowState (Keyword): already registered');
    expect(state()).toEqual(SEARCH_ATTRIBUTE_TYPES);
  });

  it('fails, so the worker does not start, when an attribute exists with another type', () => {
    writeFileSync(join(dir, 'state'), 'IscflowState KeywordList\n');
    const result = run();
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('IscflowState exists with a type other than Keyword');
  });
});
