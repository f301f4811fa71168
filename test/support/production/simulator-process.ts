/** The ISC simulator as its own process (`npm run simulator`), standing where the tenant would be. */
import { readFileSync } from 'node:fs';
import { spawnManaged, type ManagedProcess } from '../../../src/local/production/processes';
import { PROJECT_ROOT } from '../../../src/local/temporal-binaries';

export interface SimulatorProcess {
  baseUrl: string;
  process: ManagedProcess;
  /** GET of a JSON route, e.g. `/__sim/requests`; a non-2xx answer rejects. */
  get<T>(path: string): Promise<T>;
  /** POST of a JSON body, e.g. `/__sim/config` to change approval delays or inject faults. */
  post<T>(path: string, body: unknown): Promise<T>;
}

export interface SimulatorProcessOptions {
  seed: number;
  profile: 'current' | 'legacy';
  logFile: string;
}

const LISTENING = /ISC simulator listening on (http:\/\/\S+)/;

async function json<T>(response: Response, what: string): Promise<T> {
  if (!response.ok) throw new Error(`${what}: HTTP ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/** Starts `src/simulator/main.ts` on a free port and waits until it says where it listens. */
export async function startSimulatorProcess(options: SimulatorProcessOptions): Promise<SimulatorProcess> {
  const child = spawnManaged(
    'simulator',
    process.execPath,
    [
      '--import',
      'tsx',
      'src/simulator/main.ts',
      '--port',
      '0',
      '--seed',
      String(options.seed),
      '--profile',
      options.profile,
    ],
    { cwd: PROJECT_ROOT, env: { PATH: process.env.PATH ?? '/usr/bin:/bin' }, logFile: options.logFile },
  );
  const deadline = Date.now() + 60_000;
  let baseUrl: string | undefined;
  while (!baseUrl) {
    baseUrl = LISTENING.exec(readFileSync(options.logFile, 'utf8'))?.[1];
    if (baseUrl) break;
    if (!child.alive()) throw new Error(`simulator exited at start:\n${child.tail()}`);
    if (Date.now() > deadline) {
      await child.stop();
      throw new Error(`simulator not listening after 60 s:\n${child.tail()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const base = baseUrl;
  return {
    baseUrl: base,
    process: child,
    get: async <T>(path: string) => json<T>(await fetch(`${base}${path}`), `GET ${path}`),
    post: async <T>(path: string, body: unknown) =>
      json<T>(
        await fetch(`${base}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        }),
        `POST ${path}`,
      ),
  };
}
