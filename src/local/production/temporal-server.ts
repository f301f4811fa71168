/**
 * The Temporal server from the native build, started as the temporalio/server image starts it:
 * `temporal-server start` on the configuration template compiled into the server, which reads the same
 * environment variables the compose service sets. Either one process with every role, as the compose
 * service runs, or one process per role (frontend, history, matching, worker), the shape of a cluster, on
 * one machine.
 */
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { grpc } from '@temporalio/proto';
import { waitForPort } from '../dev-server';
import { ProductionSetupError } from './errors';
import { spawnManaged, type ManagedProcess } from './processes';
import type { TemporalServerBuild } from './temporal-build';

export const TEMPORAL_ROLES = ['history', 'matching', 'frontend', 'worker'] as const;
export type TemporalRole = (typeof TEMPORAL_ROLES)[number];

export interface TemporalServerOptions {
  build: TemporalServerBuild;
  /** The server's whole environment (the compose service's, with this machine's hosts and ports). */
  env: Record<string, string>;
  /** `single`: one process, every role (as compose runs it); `per-role`: one process per role. */
  shape: 'single' | 'per-role';
  /** host:port of the frontend's gRPC endpoint. */
  address: string;
  /**
   * The gRPC ports on 127.0.0.1 of the roles that serve gRPC: a (re)started role counts as up once its
   * port accepts connections. The worker role serves none (it is a client of the frontend).
   */
  grpcPorts: Record<Exclude<TemporalRole, 'worker'>, number>;
  logDir: string;
  /** How long to wait for the frontend to report SERVING. */
  readyTimeoutMs?: number;
}

export interface RunningTemporalServer {
  address: string;
  shape: 'single' | 'per-role';
  /** The live processes by name: `temporal`, or `temporal-<role>` per role. */
  processes(): ReadonlyMap<string, ManagedProcess>;
  /** Stops the given roles' processes gracefully (all of them by default) and starts them again. */
  restart(roles?: readonly TemporalRole[]): Promise<void>;
  stop(): Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until the frontend at `address` answers the gRPC health check with SERVING. */
async function waitForServing(address: string, timeoutMs: number, alive: () => string | undefined) {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  for (;;) {
    const dead = alive();
    if (dead) throw new ProductionSetupError('TEMPORAL_START_FAILED', dead);
    let connection: Connection | undefined;
    try {
      connection = await Connection.connect({ address, connectTimeout: 2000 });
      const { status } = await connection.healthService.check({});
      if (status === grpc.health.v1.HealthCheckResponse.ServingStatus.SERVING) return;
      last = `health status ${String(status)}`;
    } catch (error) {
      last = (error as Error).message;
    } finally {
      await connection?.close().catch(() => undefined);
    }
    if (Date.now() > deadline) {
      throw new ProductionSetupError('TEMPORAL_START_FAILED', `${address} not SERVING after ${timeoutMs} ms: ${last}`);
    }
    await sleep(500);
  }
}

/** The processes one `temporal-server` command line runs: every role, or one. */
interface ProcessGroup {
  name: string;
  roles: readonly TemporalRole[];
}

function processGroups(shape: TemporalServerOptions['shape']): ProcessGroup[] {
  return shape === 'single'
    ? [{ name: 'temporal', roles: TEMPORAL_ROLES }]
    : TEMPORAL_ROLES.map((role) => ({ name: `temporal-${role}`, roles: [role] }));
}

/** The server's live processes by group name: launched, watched for an early death, stopped. */
class ServerProcesses {
  readonly running = new Map<string, ManagedProcess>();

  constructor(
    private readonly options: TemporalServerOptions,
    private readonly readyTimeoutMs: number,
  ) {}

  launch(group: ProcessGroup): void {
    const { build, env, logDir } = this.options;
    const args = ['start', ...group.roles.flatMap((role) => ['--service', role])];
    const logFile = join(logDir, `${group.name}.log`);
    this.running.set(group.name, spawnManaged(group.name, build.serverBinary, args, { env, cwd: build.dir, logFile }));
  }

  /** Why the server cannot come up: a process that exited, with the end of its log; undefined while all live. */
  deadProcess(): string | undefined {
    const dead = [...this.running.values()].find((p) => !p.alive());
    return dead ? `${dead.name} exited (log ${dead.logFile}):\n${dead.tail()}` : undefined;
  }

  async stop(names: string[] = [...this.running.keys()]): Promise<void> {
    await Promise.all(names.flatMap((name) => this.running.get(name)?.stop({ graceMs: 30_000 }) ?? []));
    for (const name of names) this.running.delete(name);
  }

  /** The groups' roles listen, and the frontend answers SERVING; a process that dies meanwhile fails it. */
  async ready(started: readonly ProcessGroup[], { frontend = true }: { frontend?: boolean } = {}): Promise<void> {
    const serving = started.flatMap((g) => g.roles).flatMap((role) => (role === 'worker' ? [] : [role]));
    // Once one process has died nobody waits for the others' ports: the polls stop with the start.
    const giveUp = new AbortController();
    let watch: NodeJS.Timeout | undefined;
    const death = new Promise<never>((_, reject) => {
      watch = setInterval(() => {
        const dead = this.deadProcess();
        if (dead) reject(new ProductionSetupError('TEMPORAL_START_FAILED', dead));
      }, 500);
    });
    try {
      const ports = this.options.grpcPorts;
      const listening = Promise.all(
        serving.map((role) => waitForPort(ports[role], '127.0.0.1', this.readyTimeoutMs, giveUp.signal)),
      );
      await Promise.race([listening, death]);
    } finally {
      clearInterval(watch);
      giveUp.abort();
    }
    if (frontend) await waitForServing(this.options.address, this.readyTimeoutMs, () => this.deadProcess());
  }
}

/**
 * Every role writes the cluster's metadata on its first start; started together on an empty database
 * they race, and the losers exit. One goes first; the others follow once it listens. On failure, whatever
 * was started is stopped again.
 */
async function startInTurn(processes: ServerProcesses, groups: ProcessGroup[]): Promise<void> {
  try {
    const [first, ...rest] = groups;
    if (first && rest.length > 0) {
      processes.launch(first);
      await processes.ready([first], { frontend: false });
    }
    for (const group of rest.length > 0 ? rest : groups) processes.launch(group);
    await processes.ready(groups);
  } catch (error) {
    await processes.stop();
    throw error;
  }
}

/** Starts the server and waits until its frontend serves. */
export async function startTemporalServer(options: TemporalServerOptions): Promise<RunningTemporalServer> {
  const groups = processGroups(options.shape);
  const processes = new ServerProcesses(options, options.readyTimeoutMs ?? 120_000);
  await startInTurn(processes, groups);
  return {
    address: options.address,
    shape: options.shape,
    processes: () => processes.running,
    async restart(roles = TEMPORAL_ROLES) {
      const affected = groups.filter((g) => g.roles.some((role) => roles.includes(role)));
      await processes.stop(affected.map((g) => g.name));
      for (const group of affected) processes.launch(group);
      await processes.ready(affected);
    },
    stop: () => processes.stop(),
  };
}
