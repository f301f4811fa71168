/**
 * The Temporal server and its schema tool, built from source with Go at the release compose pins
 * (`go install go.temporal.io/server/cmd/server@vX`, the same code as the temporalio/server image), and
 * kept in a git-ignored cache: `.cache/temporal-server/<version>/` holds `bin/temporal-server` and
 * `bin/temporal-sql-tool`. The server's configuration template is compiled into it, as in the image. A
 * cold build takes a few minutes; later runs reuse it.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { findExecutable, isExecutable, pathDirectories } from '../executables';
import { PROJECT_ROOT } from '../temporal-binaries';
import { ProductionSetupError } from './errors';
import { runCommand } from './processes';

const TEMPORAL_CACHE_DIR = join(PROJECT_ROOT, '.cache', 'temporal-server');

const MODULE = 'go.temporal.io/server';
const BUILD_TIMEOUT_MS = 30 * 60_000;

export interface TemporalServerBuild {
  version: string;
  /** The cache directory of this version. */
  dir: string;
  /** `temporal-server`: `start`, configured from the environment as the server image starts it. */
  serverBinary: string;
  /** `temporal-sql-tool`, the tool of the admin-tools image. */
  sqlTool: string;
  /** Seconds the build took when it was made (0 when this call reused it). */
  builtSeconds: number;
}

export interface BuildOptions {
  /** A release such as 1.32.0. */
  version: string;
  cacheRoot?: string;
  /** Progress lines ("building ...", "reusing ..."). */
  log?: (line: string) => void;
  /** Directories to look for `go` in; {@link defaultGoSearchPath} by default. */
  goSearchPath?: string[];
}

const manifestSchema = z.object({
  version: z.string(),
  goVersion: z.string(),
  builtAt: z.string(),
  seconds: z.number(),
});

/** Where `go` is looked for: PATH, then where Go's official archive installs it (often not on PATH). */
function defaultGoSearchPath(env: Record<string, string | undefined> = process.env): string[] {
  return [...pathDirectories(env), '/usr/local/go/bin'];
}

function layout(cacheRoot: string, version: string, dir = join(cacheRoot, version)) {
  return {
    dir,
    serverBinary: join(dir, 'bin', 'temporal-server'),
    sqlTool: join(dir, 'bin', 'temporal-sql-tool'),
    manifest: join(dir, 'build.json'),
  };
}

function reusable(paths: ReturnType<typeof layout>, version: string): boolean {
  if (!existsSync(paths.manifest)) return false;
  const manifest = manifestSchema.safeParse(JSON.parse(readFileSync(paths.manifest, 'utf8')));
  return (
    manifest.success &&
    manifest.data.version === version &&
    isExecutable(paths.serverBinary) &&
    isExecutable(paths.sqlTool)
  );
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * One build at a time per version, across processes (jest runs test files in parallel workers): the
 * lock is a directory, created atomically, holding the builder's pid so a crashed builder's lock is
 * taken over.
 */
async function withLock<T>(lockDir: string, work: () => Promise<T>, done: () => boolean): Promise<T | undefined> {
  for (;;) {
    try {
      mkdirSync(lockDir);
      writeFileSync(join(lockDir, 'pid'), String(process.pid));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (done()) return undefined;
      const holder = Number(existsSync(join(lockDir, 'pid')) ? readFileSync(join(lockDir, 'pid'), 'utf8') : NaN);
      if (Number.isInteger(holder) && !pidAlive(holder)) rmSync(lockDir, { recursive: true, force: true });
      else await sleep(2000);
    }
  }
  try {
    return await work();
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}

async function go(goBinary: string, args: string[], env: Record<string, string | undefined>, logFile: string) {
  const result = await runCommand(`go ${args[0] ?? ''}`, goBinary, args, { env, logFile, timeoutMs: BUILD_TIMEOUT_MS });
  if (result.code !== 0) {
    throw new ProductionSetupError(
      'TEMPORAL_BUILD_FAILED',
      `go ${args.join(' ')} exited with ${result.code} (log: ${logFile}):\n${result.output.trim().split('\n').slice(-25).join('\n')}`,
    );
  }
  return result.output;
}

async function build(goBinary: string, version: string, cacheRoot: string, log: (line: string) => void) {
  const began = Date.now();
  const partial = layout(cacheRoot, version, join(cacheRoot, `${version}.partial`));
  rmSync(partial.dir, { recursive: true, force: true });
  mkdirSync(join(partial.dir, 'bin'), { recursive: true });
  const logFile = join(cacheRoot, `${version}.build.log`);
  // The official release binaries are static; so are these.
  const env = { ...process.env, CGO_ENABLED: '0', GOBIN: join(partial.dir, 'bin') };

  log(`building Temporal server ${version} with ${goBinary} (a few minutes the first time; log: ${logFile})`);
  let goVersion: string;
  try {
    const packages = [`${MODULE}/cmd/server@v${version}`, `${MODULE}/cmd/tools/sql@v${version}`];
    await go(goBinary, ['install', ...packages], env, logFile);
    renameSync(join(partial.dir, 'bin', 'server'), partial.serverBinary);
    renameSync(join(partial.dir, 'bin', 'sql'), partial.sqlTool);
    goVersion = (await go(goBinary, ['env', 'GOVERSION'], env, logFile)).trim().split('\n').at(-1) ?? '';
  } catch (error) {
    rmSync(partial.dir, { recursive: true, force: true });
    throw error;
  }
  const seconds = Math.round((Date.now() - began) / 1000);
  writeFileSync(partial.manifest, JSON.stringify({ version, goVersion, builtAt: new Date().toISOString(), seconds }));

  const final = layout(cacheRoot, version);
  rmSync(final.dir, { recursive: true, force: true });
  renameSync(partial.dir, final.dir);
  log(`built Temporal server ${version} in ${seconds} s (${goVersion}) into ${final.dir}`);
  return seconds;
}

/** The cached build of `version`, built first when it is missing or incomplete. */
export async function ensureTemporalServerBuild(options: BuildOptions): Promise<TemporalServerBuild> {
  const cacheRoot = options.cacheRoot ?? TEMPORAL_CACHE_DIR;
  const log = options.log ?? (() => undefined);
  const paths = layout(cacheRoot, options.version);
  const describe = (builtSeconds: number): TemporalServerBuild => ({
    version: options.version,
    dir: paths.dir,
    serverBinary: paths.serverBinary,
    sqlTool: paths.sqlTool,
    builtSeconds,
  });
  if (reusable(paths, options.version)) {
    log(`reusing Temporal server ${options.version} from ${paths.dir}`);
    return describe(0);
  }
  const goBinary = findExecutable('go', options.goSearchPath ?? defaultGoSearchPath());
  if (!goBinary) {
    throw new ProductionSetupError(
      'GO_MISSING',
      `building Temporal server ${options.version} needs Go on PATH (${MODULE} builds with a current Go release: ` +
        'install it from https://go.dev/dl/ or your distribution), or a complete build in ' +
        `${paths.dir} (bin/temporal-server, bin/temporal-sql-tool, build.json)`,
    );
  }
  mkdirSync(cacheRoot, { recursive: true });
  const seconds = await withLock(
    join(cacheRoot, `${options.version}.lock`),
    async () => (reusable(paths, options.version) ? 0 : build(goBinary, options.version, cacheRoot, log)),
    () => reusable(paths, options.version),
  );
  if (!reusable(paths, options.version)) {
    throw new ProductionSetupError('TEMPORAL_BUILD_FAILED', `no complete build in ${paths.dir} after building`);
  }
  return describe(seconds ?? 0);
}
