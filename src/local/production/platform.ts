/**
 * The Temporal platform of docker-compose.yml, run natively: PostgreSQL from the machine's packages, the
 * server built from source at the pinned release, and compose's one-shot jobs (schema, namespace, search
 * attributes) run from the very scripts compose mounts, with the environment compose gives them. Only
 * what cannot be the same outside containers differs: host names become 127.0.0.1, fixed ports become
 * free ones, mounted files are read where they lie in the repository.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { ensureTemporalBinaries } from '../temporal-binaries';
import { freePort } from '../ports';
import { commandSettings, hostPathOf, jobScript, loadCompose, serviceOf, type ComposeProject } from './compose';
import { ProductionSetupError } from './errors';
import { startPostgres, type RunningPostgres } from './postgres';
import { runCommand } from './processes';
import { ensureTemporalServerBuild, type TemporalServerBuild } from './temporal-build';
import { startTemporalServer, TEMPORAL_ROLES, type RunningTemporalServer, type TemporalRole } from './temporal-server';
import { loadDeployVersions, type DeployVersions } from './versions';

/** Compose's one-shot jobs, in the order compose runs them around the server. */
export const SETUP_JOBS = {
  schema: 'temporal-schema',
  namespace: 'temporal-namespace',
  searchAttributes: 'temporal-register-search-attributes',
} as const;

export interface NativePlatformOptions {
  /** `single` (the compose service: one process) or `per-role` (one process per server role). */
  shape?: 'single' | 'per-role';
  /** Progress lines. */
  log?: (line: string) => void;
  /** Where logs go; a new temporary directory by default. */
  runDir?: string;
  /** The build cache (`.cache/temporal-server` by default). */
  cacheRoot?: string;
}

/** Ports on this machine for what compose publishes or keeps inside its network. */
export interface NativePorts {
  postgres: number;
  frontendGrpc: number;
  frontendHttp: number;
  membership: Record<TemporalRole, number>;
  grpc: Record<Exclude<TemporalRole, 'frontend'>, number>;
}

export interface NativePlatform {
  versions: DeployVersions;
  compose: ComposeProject;
  build: TemporalServerBuild;
  postgres: RunningPostgres;
  server: RunningTemporalServer;
  /** host:port of the frontend. */
  address: string;
  namespace: string;
  runDir: string;
  /** The `temporal` service's environment as compose resolves it, and as this run gives it to the server. */
  serverEnvironment: { compose: Record<string, string>; native: Record<string, string> };
  /** Runs one of compose's one-shot jobs (they are idempotent) and returns its output. */
  runJob(service: string): Promise<string>;
  /** Stops the server (the given roles' processes, all by default) gracefully and starts it again. */
  restartServer(roles?: readonly TemporalRole[]): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The server's environment for this machine: the compose service's, with the database and listening
 * addresses moved to loopback and free ports. Every other setting (shards, pools, dynamic config, auth)
 * passes through unchanged.
 */
export function nativeServerEnvironment(
  composeEnv: Record<string, string>,
  ports: NativePorts,
  dynamicConfigPath: string,
): Record<string, string> {
  return {
    ...composeEnv,
    POSTGRES_SEEDS: '127.0.0.1',
    DB_PORT: String(ports.postgres),
    VISIBILITY_DB_PORT: String(ports.postgres),
    BIND_ON_IP: '127.0.0.1',
    DYNAMIC_CONFIG_FILE_PATH: dynamicConfigPath,
    FRONTEND_GRPC_PORT: String(ports.frontendGrpc),
    FRONTEND_HTTP_PORT: String(ports.frontendHttp),
    FRONTEND_MEMBERSHIP_PORT: String(ports.membership.frontend),
    HISTORY_GRPC_PORT: String(ports.grpc.history),
    HISTORY_MEMBERSHIP_PORT: String(ports.membership.history),
    MATCHING_GRPC_PORT: String(ports.grpc.matching),
    MATCHING_MEMBERSHIP_PORT: String(ports.membership.matching),
    WORKER_GRPC_PORT: String(ports.grpc.worker),
    WORKER_MEMBERSHIP_PORT: String(ports.membership.worker),
  };
}

/**
 * A free loopback port below 32768: the server records each role's membership port in a PostgreSQL
 * `smallint`, so the kernel's ephemeral ports (32768 and up, what `freePort` hands out) do not fit.
 */
async function freeMembershipPort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const port = randomInt(20_000, 32_000);
    const free = await new Promise<boolean>((resolve) => {
      const probe = createServer();
      probe.once('error', () => resolve(false));
      probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new ProductionSetupError('TEMPORAL_START_FAILED', 'no free port between 20000 and 32000 for membership');
}

async function allocatePorts(): Promise<NativePorts> {
  const membership = {} as Record<TemporalRole, number>;
  for (const role of TEMPORAL_ROLES) membership[role] = await freeMembershipPort();
  return {
    postgres: await freePort(),
    frontendGrpc: await freePort(),
    frontendHttp: await freePort(),
    membership,
    grpc: { history: await freePort(), matching: await freePort(), worker: await freePort() },
  };
}

/** Only what a process needs from this one's environment, so a TEMPORAL_* exported in the shell stays out. */
function baseEnvironment(path: string): Record<string, string> {
  const keep = ['HOME', 'TMPDIR', 'LANG', 'TZ'];
  const base = Object.fromEntries(keep.flatMap((k) => (process.env[k] ? [[k, process.env[k]]] : [])));
  return { ...base, PATH: path };
}

/**
 * The compose project as compose would resolve it for this run: the pinned versions, and the password
 * an .env would hold. Every service the run reads is checked to exist before anything starts.
 */
function resolveCompose(versions: DeployVersions, password: string): ComposeProject {
  const compose = loadCompose({ env: { ...versions, POSTGRES_PASSWORD: password } });
  for (const name of ['postgresql', 'temporal', ...Object.values(SETUP_JOBS)]) serviceOf(compose, name);
  return compose;
}

/** The jobs call `temporal` and `temporal-sql-tool` by name, as in the admin-tools image: a PATH that has them. */
function toolsPath(runDir: string, build: TemporalServerBuild): string {
  const { cli } = ensureTemporalBinaries();
  const toolsDir = join(runDir, 'bin');
  mkdirSync(toolsDir, { recursive: true });
  symlinkSync(cli, join(toolsDir, 'temporal'));
  symlinkSync(build.sqlTool, join(toolsDir, 'temporal-sql-tool'));
  return [toolsDir, process.env.PATH ?? '/usr/bin:/bin'].join(delimiter);
}

/** What a one-shot job needs to run here: the tools' PATH, the database's port, the frontend's address. */
interface JobContext {
  compose: ComposeProject;
  path: string;
  ports: NativePorts;
  address: string;
  runDir: string;
  log: (line: string) => void;
}

/** Runs one of compose's one-shot jobs with the environment compose gives it, moved to this machine. */
async function runSetupJob(name: string, { compose, path, ports, address, runDir, log }: JobContext): Promise<string> {
  const service = serviceOf(compose, name);
  const env: Record<string, string> = { ...baseEnvironment(path), ...service.environment };
  // Compose's host names are this machine here.
  if ('POSTGRES_SEEDS' in env) Object.assign(env, { POSTGRES_SEEDS: '127.0.0.1', DB_PORT: String(ports.postgres) });
  if ('TEMPORAL_ADDRESS' in env) env.TEMPORAL_ADDRESS = address;
  const result = await runCommand(name, 'sh', [jobScript(service)], {
    env,
    logFile: join(runDir, `${name}.log`),
    timeoutMs: 300_000,
  });
  if (result.code !== 0) {
    throw new ProductionSetupError('SETUP_JOB_FAILED', `${name} exited with ${result.code}:\n${result.output}`);
  }
  log(`${name}: ${result.output.trim().split('\n').at(-1) ?? 'done'}`);
  return result.output;
}

function startDatabase(context: JobContext, password: string): Promise<RunningPostgres> {
  const service = serviceOf(context.compose, 'postgresql');
  return startPostgres({
    port: context.ports.postgres,
    user: service.environment.POSTGRES_USER ?? 'postgres',
    password: service.environment.POSTGRES_PASSWORD ?? password,
    settings: commandSettings(service),
    logFile: join(context.runDir, 'postgresql.log'),
  });
}

/** The `temporal` service's environment as compose resolves it, and as this machine's server gets it. */
function serverEnvironments(compose: ComposeProject, ports: NativePorts): NativePlatform['serverEnvironment'] {
  const service = serviceOf(compose, 'temporal');
  const dynamicConfig = hostPathOf(service, service.environment.DYNAMIC_CONFIG_FILE_PATH ?? '');
  return { compose: service.environment, native: nativeServerEnvironment(service.environment, ports, dynamicConfig) };
}

/** Starts the platform and runs the setup jobs; on any failure everything started is stopped again. */
export async function startNativePlatform(options: NativePlatformOptions = {}): Promise<NativePlatform> {
  const log = options.log ?? (() => undefined);
  const runDir = options.runDir ?? mkdtempSync(join(tmpdir(), 'iscflow-production-'));
  mkdirSync(runDir, { recursive: true });
  const versions = loadDeployVersions();
  const password = randomBytes(18).toString('base64url');
  const compose = resolveCompose(versions, password);
  const cacheRoot = options.cacheRoot ? { cacheRoot: options.cacheRoot } : {};
  const build = await ensureTemporalServerBuild({ version: versions.TEMPORAL_VERSION, log, ...cacheRoot });
  const path = toolsPath(runDir, build);
  const ports = await allocatePorts();
  const address = `127.0.0.1:${ports.frontendGrpc}`;
  const jobs: JobContext = { compose, path, ports, address, runDir, log };
  const runJob = (name: string): Promise<string> => runSetupJob(name, jobs);
  const shape = options.shape ?? 'single';
  let postgres: RunningPostgres | undefined;
  let server: RunningTemporalServer | undefined;
  const stop = async (): Promise<void> => {
    await server?.stop();
    await postgres?.stop();
  };

  try {
    postgres = await startDatabase(jobs, password);
    log(`postgresql ${postgres.major} on 127.0.0.1:${postgres.port}`);
    await runJob(SETUP_JOBS.schema);
    const serverEnvironment = serverEnvironments(compose, ports);
    const grpcPorts = { frontend: ports.frontendGrpc, history: ports.grpc.history, matching: ports.grpc.matching };
    const env = { ...baseEnvironment(path), ...serverEnvironment.native };
    server = await startTemporalServer({ build, env, shape, address, grpcPorts, logDir: runDir });
    log(`temporal ${versions.TEMPORAL_VERSION} (${shape}) serving on ${address}`);
    await runJob(SETUP_JOBS.namespace);
    await runJob(SETUP_JOBS.searchAttributes);
    const namespace = serviceOf(compose, SETUP_JOBS.namespace).environment.TEMPORAL_NAMESPACE ?? 'default';
    const running = server;
    const restartServer = (roles?: readonly TemporalRole[]): Promise<void> => running.restart(roles);
    return {
      versions,
      compose,
      build,
      postgres,
      server,
      address,
      namespace,
      runDir,
      serverEnvironment,
      runJob,
      restartServer,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
