/**
 * A throwaway PostgreSQL server from the machine's own packages (Debian's `postgresql`): a new cluster
 * in a temporary directory, on a loopback port, with a password user like the postgres image creates,
 * removed again on stop. `postgres` runs as this run's child (not daemonised by pg_ctl), so it is
 * stopped with everything else, even on Ctrl-C.
 */
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, realpathSync } from 'node:fs';
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { isExecutable, pathDirectories } from '../executables';
import { ProductionSetupError } from './errors';
import { onAbnormalExit, runCommand, spawnManaged, type ManagedProcess, type SpawnOptions } from './processes';

/** Temporal's postgres12 persistence plugin supports PostgreSQL 12 and later. */
const MIN_MAJOR = 12;

export interface PostgresOptions {
  port: number;
  /** The superuser to create, as the postgres image's POSTGRES_USER. */
  user: string;
  password: string;
  /** Server settings, e.g. `{ max_connections: '200' }` from the compose service's `-c` flags. */
  settings?: Record<string, string>;
  /** Where the log goes; the data directory is a new temporary one. */
  logFile: string;
}

export interface RunningPostgres {
  host: string;
  port: number;
  user: string;
  major: number;
  dataDir: string;
  process: ManagedProcess;
  /** Runs one SQL statement with psql and returns its unaligned output. */
  query(sql: string, database?: string): Promise<string>;
  /** Fast shutdown, then the data directory is removed. */
  stop(): Promise<void>;
}

interface Binaries {
  bin: string;
  major: number;
}

const REQUIRED = ['initdb', 'postgres', 'pg_isready', 'psql'];

function complete(bin: string): boolean {
  return REQUIRED.every((name) => isExecutable(join(bin, name)));
}

/**
 * The server binaries: those in PG_BIN_DIR when it is set (and only those), else the directory `initdb`
 * on PATH resolves to (Debian keeps the real ones in /usr/lib/postgresql/<major>/bin), else the newest
 * major under /usr/lib/postgresql.
 */
export function findPostgres(env: Record<string, string | undefined> = process.env): Binaries {
  const candidates: string[] = [];
  if (env.PG_BIN_DIR) {
    candidates.push(env.PG_BIN_DIR);
  } else {
    for (const dir of pathDirectories(env)) {
      const initdb = join(dir, 'initdb');
      if (isExecutable(initdb)) candidates.push(dirname(realpathSync(initdb)));
    }
    const debian = '/usr/lib/postgresql';
    if (existsSync(debian)) {
      const majors = readdirSync(debian).filter((d) => /^\d+$/.test(d));
      majors.sort((a, b) => Number(b) - Number(a));
      candidates.push(...majors.map((m) => join(debian, m, 'bin')));
    }
  }
  const bin = candidates.find(complete);
  if (!bin) {
    const where = env.PG_BIN_DIR ? `in PG_BIN_DIR=${env.PG_BIN_DIR}` : 'on PATH or in /usr/lib/postgresql';
    throw new ProductionSetupError(
      'POSTGRES_MISSING',
      `PostgreSQL server binaries (${REQUIRED.join(', ')}) not found ${where}: install PostgreSQL ${MIN_MAJOR} ` +
        'or later (Debian: apt-get install postgresql) or point PG_BIN_DIR at its bin directory',
    );
  }
  const version = execFileSync(join(bin, 'postgres'), ['--version'], { encoding: 'utf8' });
  const major = Number(/(\d+)(?:\.\d+)?/.exec(version)?.[1]);
  if (!(major >= MIN_MAJOR)) {
    throw new ProductionSetupError(
      'POSTGRES_MISSING',
      `${bin}: ${version.trim()} is older than PostgreSQL ${MIN_MAJOR}, which Temporal needs`,
    );
  }
  return { bin, major };
}

/** initdb refuses to run as root: as root, the cluster belongs to the `postgres` system user. */
function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch {
    throw new ProductionSetupError(
      'POSTGRES_MISSING',
      'running as root, PostgreSQL needs the `postgres` system user (Debian’s postgresql package creates it)',
    );
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** One throwaway cluster: its binaries, its temporary directory, and how psql and the server reach it. */
interface Cluster {
  bin: string;
  root: string;
  dataDir: string;
  port: number;
  user: string;
  env: NodeJS.ProcessEnv;
  /** Removes the temporary directory, and the exit hook that would have removed it. */
  discard(): void;
}

/** A temporary directory holding the password file (owned by `owner` when there is one) and, later, the data. */
function createCluster(bin: string, options: PostgresOptions, owner: ReturnType<typeof runAs>): Cluster {
  const root = mkdtempSync(join(tmpdir(), 'iscflow-postgres-'));
  // Retried: a server killed a moment ago may still be finishing a write into it.
  const removeRoot = (): void => rmSync(root, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
  const forget = onAbnormalExit(removeRoot);
  const passwordFile = join(root, 'password');
  writeFileSync(passwordFile, `${options.password}\n`, { mode: 0o600 });
  if (owner) {
    chownSync(root, owner.uid, owner.gid);
    chownSync(passwordFile, owner.uid, owner.gid);
  }
  return {
    bin,
    root,
    dataDir: join(root, 'data'),
    port: options.port,
    user: options.user,
    env: { ...process.env, LC_ALL: 'C.UTF-8', TZ: 'UTC' },
    discard: () => {
      removeRoot();
      forget();
    },
  };
}

async function initCluster(cluster: Cluster, spawnAs: SpawnOptions): Promise<void> {
  const init = await runCommand(
    'initdb',
    join(cluster.bin, 'initdb'),
    [
      '--pgdata',
      cluster.dataDir,
      '--username',
      cluster.user,
      '--pwfile',
      join(cluster.root, 'password'),
      // TCP clients must give the password, as with the postgres image; the Unix socket is the owner's.
      '--auth-host',
      'scram-sha-256',
      '--auth-local',
      'trust',
      '--encoding',
      'UTF8',
      '--no-sync',
    ],
    { ...spawnAs, timeoutMs: 120_000 },
  );
  if (init.code !== 0) {
    cluster.discard();
    throw new ProductionSetupError('POSTGRES_START_FAILED', `initdb failed:\n${init.output}`);
  }
}

function serverArgs(cluster: Cluster, extra: Record<string, string> = {}): string[] {
  const settings = {
    listen_addresses: '127.0.0.1',
    port: String(cluster.port),
    unix_socket_directories: cluster.root,
    // A throwaway cluster: durability buys nothing here and costs the tests time.
    fsync: 'off',
    ...extra,
  };
  return ['-D', cluster.dataDir, ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`])];
}

/** Runs one SQL statement with psql, as the superuser over TCP, and returns its unaligned output. */
function psql(cluster: Cluster, password: string): RunningPostgres['query'] {
  return async (sql, database = 'postgres') => {
    const result = await runCommand(
      'psql',
      join(cluster.bin, 'psql'),
      ['-h', '127.0.0.1', '-p', String(cluster.port), '-U', cluster.user, '-d', database, '-XAtc', sql],
      { env: { ...cluster.env, PGPASSWORD: password }, logFile: join(cluster.root, 'psql.log'), timeoutMs: 30_000 },
    );
    if (result.code !== 0) throw new Error(`psql: ${sql}: ${result.output.trim()}`);
    return result.output.trim();
  };
}

/** Polls pg_isready for up to 60 s; a server that exits or never gets ready is stopped and fails the start. */
async function waitUntilReady(cluster: Cluster, server: ManagedProcess, stop: () => Promise<void>): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (!server.alive()) {
      const tail = server.tail();
      cluster.discard();
      throw new ProductionSetupError('POSTGRES_START_FAILED', `postgres exited at start:\n${tail}`);
    }
    const ready = await runCommand(
      'pg_isready',
      join(cluster.bin, 'pg_isready'),
      ['-h', '127.0.0.1', '-p', String(cluster.port), '-U', cluster.user],
      { env: cluster.env, logFile: join(cluster.root, 'psql.log'), timeoutMs: 10_000 },
    );
    if (ready.code === 0) return;
    if (Date.now() > deadline) {
      await stop();
      throw new ProductionSetupError('POSTGRES_START_FAILED', `postgres not ready after 60 s:\n${server.tail()}`);
    }
    await sleep(250);
  }
}

/** Creates a cluster in a temporary directory and starts it on 127.0.0.1:`port`. */
export async function startPostgres(options: PostgresOptions): Promise<RunningPostgres> {
  const { bin, major } = findPostgres();
  const owner = runAs();
  const cluster = createCluster(bin, options, owner);
  const spawnAs = { env: cluster.env, logFile: options.logFile, ...owner };
  await initCluster(cluster, spawnAs);
  const server = spawnManaged('postgres', join(bin, 'postgres'), serverArgs(cluster, options.settings), {
    ...spawnAs,
    group: true,
  });
  const stop = async (): Promise<void> => {
    // SIGINT is PostgreSQL's fast shutdown: sessions are cut, nothing is lost that was committed.
    await server.stop({ signal: 'SIGINT', graceMs: 20_000 });
    cluster.discard();
  };
  await waitUntilReady(cluster, server, stop);
  return {
    host: '127.0.0.1',
    port: options.port,
    user: options.user,
    major,
    dataDir: cluster.dataDir,
    process: server,
    query: psql(cluster, options.password),
    stop,
  };
}
