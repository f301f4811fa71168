/**
 * Runs `temporal server start-dev` for local use: state in a SQLite file (a restart keeps running
 * workflows), the Web UI, and iscflow's search attributes registered.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createConnection } from 'node:net';
import { dirname, join } from 'node:path';
import { SEARCH_ATTRIBUTE_TYPES } from '../common';
import { PROJECT_ROOT, ensureTemporalBinaries } from './temporal-binaries';

export interface DevServerOptions {
  port?: number;
  uiPort?: number;
  /** SQLite file; default `.temporal/dev.db` in the project. */
  dbFile?: string;
  namespace?: string;
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  /** Discard the server's own output (tests); by default it goes to this process's terminal. */
  quiet?: boolean;
  /** The codec server the Web UI decodes payloads through, e.g. `http://127.0.0.1:8888/codec`. */
  uiCodecEndpoint?: string;
}

export interface DevServer {
  address: string;
  uiUrl: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

export function devServerArgs(options: DevServerOptions = {}): string[] {
  const port = options.port ?? 7233;
  const uiPort = options.uiPort ?? 8233;
  const dbFile = options.dbFile ?? join(PROJECT_ROOT, '.temporal', 'dev.db');
  return [
    'server',
    'start-dev',
    '--port',
    String(port),
    '--ui-port',
    String(uiPort),
    '--namespace',
    options.namespace ?? 'default',
    '--db-filename',
    dbFile,
    // What the SDK's own CI uses: WAL and no fsync make the SQLite store much faster.
    '--sqlite-pragma',
    'journal_mode=WAL',
    '--sqlite-pragma',
    'synchronous=OFF',
    '--log-level',
    options.logLevel ?? 'warn',
    ...Object.entries(SEARCH_ATTRIBUTE_TYPES).flatMap(([name, type]) => ['--search-attribute', `${name}=${type}`]),
    ...(options.uiCodecEndpoint ? ['--ui-codec-endpoint', options.uiCodecEndpoint] : []),
  ];
}

/** Resolves once something accepts TCP connections on `host:port`; rejects after `timeoutMs`, or once `signal` aborts. */
export async function waitForPort(
  port: number,
  host = '127.0.0.1',
  timeoutMs = 30_000,
  signal?: AbortSignal,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    signal?.throwIfAborted();
    const open = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ port, host });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`Nothing listens on ${host}:${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function startDevServer(options: DevServerOptions = {}): Promise<DevServer> {
  const { cli } = ensureTemporalBinaries();
  const args = devServerArgs(options);
  const dbFile = args[args.indexOf('--db-filename') + 1];
  if (dbFile) mkdirSync(dirname(dbFile), { recursive: true });
  const output = options.quiet ? 'ignore' : 'inherit';
  const child = spawn(cli, args, { stdio: ['ignore', output, output] });
  const port = options.port ?? 7233;
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`temporal server start-dev exited with code ${code}`))),
  );
  await Promise.race([waitForPort(port), exited]);
  // The frontend port opens before the namespace is ready; the SDK's connection retries cover the gap.
  return {
    address: `127.0.0.1:${port}`,
    uiUrl: `http://localhost:${options.uiPort ?? 8233}`,
    process: child,
    async stop() {
      if (child.exitCode !== null) return;
      const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      await gone;
    },
  };
}
