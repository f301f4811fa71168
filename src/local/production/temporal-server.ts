/**
 * The Temporal server from the native build, started as the temporalio/server image starts it:
 * `temporal-server --env docker start` on the image's configuration template (`config/docker.yaml`),
 * which reads the same environment variables the compose service sets. Either one process with every
 * role, as the compose service runs, or one process per role (frontend, history, matching, worker), the
 * shape of a cluster, on one machine.
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

/** Starts the server and waits until its frontend serves. */
export async function startTemporalServer(options: TemporalServerOptions): Promise<RunningTemporalServer> {
  const readyTimeoutMs = options.readyTimeoutMs ?? 120_000;
  const groups: Array<{ name: string; roles: readonly TemporalRole[] }> =
    options.shape === 'single'
      ? [{ name: 'temporal', roles: TEMPORAL_ROLES }]
      : TEMPORAL_ROLES.map((role) => ({ name: `temporal-${role}`, roles: [role] }));
  const running = new Map<string, ManagedProcess>();

  const launch = (group: { name: string; roles: readonly TemporalRole[] }): void => {
    const args = [
      '--root',
      options.build.dir,
      '--config',
      'config',
      '--env',
      'docker',
      'start',
      ...group.roles.flatMap((role) => ['--service', role]),
    ];
    running.set(
      group.name,
      spawnManaged(group.name, options.build.serverBinary, args, {
        env: options.env,
        cwd: options.build.dir,
        logFile: join(options.logDir, `${group.name}.log`),
      }),
    );
  };

  const deadProcess = (): string | undefined => {
    const dead = [...running.values()].find((p) => !p.alive());
    return dead ? `${dead.name} exited (log ${dead.logFile}):\n${dead.tail()}` : undefined;
  };

  const stopGroups = async (names: string[]): Promise<void> => {
    await Promise.all(names.flatMap((name) => running.get(name)?.stop({ graceMs: 30_000 }) ?? []));
    for (const name of names) running.delete(name);
  };

  /** The groups' roles listen, and the frontend answers SERVING; a process that dies meanwhile fails it. */
  const ready = async (
    started: Array<{ roles: readonly TemporalRole[] }>,
    { frontend = true }: { frontend?: boolean } = {},
  ): Promise<void> => {
    const serving = started.flatMap((g) => g.roles).flatMap((role) => (role === 'worker' ? [] : [role]));
    let watch: NodeJS.Timeout | undefined;
    const death = new Promise<never>((_, reject) => {
      watch = setInterval(() => {
        const dead = deadProcess();
        if (dead) reject(new ProductionSetupError('TEMPORAL_START_FAILED', dead));
      }, 500);
    });
    try {
      const listening = Promise.all(
        serving.map((role) => waitForPort(options.grpcPorts[role], '127.0.0.1', readyTimeoutMs)),
      );
      await Promise.race([listening, death]);
    } finally {
      clearInterval(watch);
    }
    if (frontend) await waitForServing(options.address, readyTimeoutMs, deadProcess);
  };

  try {
    // Every role writes the cluster's metadata on its first start; started together on an empty database
    // they race, and the losers exit. One goes first; the others follow once it listens.
    const [first, ...rest] = groups;
    if (first && rest.length > 0) {
      launch(first);
      await ready([first], { frontend: false });
    }
    for (const group of rest.length > 0 ? rest : groups) launch(group);
    await ready(groups);
  } catch (error) {
    await stopGroups([...running.keys()]);
    throw error;
  }

  return {
    address: options.address,
    shape: options.shape,
    processes: () => running,
    async restart(roles = TEMPORAL_ROLES) {
      const affected = groups.filter((g) => g.roles.some((role) => roles.includes(role)));
      await stopGroups(affected.map((g) => g.name));
      for (const group of affected) launch(group);
      await ready(affected);
    },
    async stop() {
      await stopGroups([...running.keys()]);
    },
  };
}
