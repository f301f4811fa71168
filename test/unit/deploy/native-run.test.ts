/**
 * The pieces of the native production run that can be checked without building or starting anything:
 * the pinned versions file, the build cache and its failures, finding PostgreSQL, that no child
 * process outlives the run that started it, the ingress's environment, and reading a worker's /metrics.
 */
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPayloadProtection } from '../../../src/codec';
import { loadIngressConfig } from '../../../src/ingress/config';
import { environmentMap, loadCompose, serviceOf } from '../../../src/local/production/compose';
import { findPostgres } from '../../../src/local/production/postgres';
import { runCommand } from '../../../src/local/production/processes';
import { ensureTemporalServerBuild } from '../../../src/local/production/temporal-build';
import { loadDeployVersions, parseEnvFile } from '../../../src/local/production/versions';
import { startProcess } from '../../support/process';
import { nativeIngressEnvironment } from '../../support/production/ingress-process';
import { sumOfSeries } from '../../support/prometheus';

const root = join(__dirname, '..', '..', '..');

describe('deploy/versions.env', () => {
  it('reads the dotenv lines compose reads: comments, quotes, export', () => {
    expect(parseEnvFile('# pins\nA=1\n\nexport B = "two words"\nC=\'3\'\nD=4 # why\n')).toEqual({
      A: '1',
      B: 'two words',
      C: '3',
      D: '4',
    });
    expect(() => parseEnvFile('A=1\nnot a pair\n')).toThrow("line 2: expected NAME=value, got 'not a pair'");
  });

  it('pins a server release, its admin tools, a UI and a PostgreSQL major', () => {
    const versions = loadDeployVersions(root);
    expect(versions.TEMPORAL_VERSION).toMatch(/^\d+\.\d+\.\d+$/);
    expect(versions.TEMPORAL_ADMINTOOLS_VERSION.startsWith(`${versions.TEMPORAL_VERSION}`)).toBe(true);
  });

  it('refuses admin tools of another release than the server, naming the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'iscflow-versions-'));
    try {
      mkdirSync(join(dir, 'deploy'));
      writeFileSync(
        join(dir, 'deploy', 'versions.env'),
        'TEMPORAL_VERSION=1.29.1\nTEMPORAL_ADMINTOOLS_VERSION=1.28.0\nTEMPORAL_UI_VERSION=2.54.1\nPOSTGRESQL_VERSION=16\n',
      );
      expect(() => loadDeployVersions(dir)).toThrow(/COMPOSE_INVALID: .*versions\.env: .*same server release/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the Temporal server build cache', () => {
  let cacheRoot: string;
  beforeEach(() => {
    cacheRoot = mkdtempSync(join(tmpdir(), 'iscflow-build-'));
  });
  afterEach(() => rmSync(cacheRoot, { recursive: true, force: true }));

  function executable(path: string, content = '#!/bin/sh\nexit 0\n'): void {
    writeFileSync(path, content);
    chmodSync(path, 0o755);
  }

  it('reuses a complete build without Go', async () => {
    const dir = join(cacheRoot, '1.29.1');
    mkdirSync(join(dir, 'bin'), { recursive: true });
    executable(join(dir, 'bin', 'temporal-server'));
    executable(join(dir, 'bin', 'temporal-sql-tool'));
    writeFileSync(
      join(dir, 'build.json'),
      JSON.stringify({ version: '1.29.1', goVersion: 'go1.24', builtAt: '2026-01-01T00:00:00Z', seconds: 120 }),
    );
    const build = await ensureTemporalServerBuild({ version: '1.29.1', cacheRoot, goSearchPath: [] });
    expect(build).toMatchObject({ version: '1.29.1', dir, builtSeconds: 0 });
    expect(build.serverBinary).toBe(join(dir, 'bin', 'temporal-server'));
  });

  it('fails with what to install when there is neither a build nor Go', async () => {
    // An interrupted build (no build.json) is not a build.
    mkdirSync(join(cacheRoot, '1.29.1', 'bin'), { recursive: true });
    await expect(ensureTemporalServerBuild({ version: '1.29.1', cacheRoot, goSearchPath: [] })).rejects.toThrow(
      /^GO_MISSING: building Temporal server 1\.29\.1 needs Go on PATH .*go\.dev\/dl/,
    );
  });

  it('fails with go’s own words when the build fails, and leaves no half build behind', async () => {
    const goDir = join(cacheRoot, 'go-bin');
    mkdirSync(goDir);
    executable(
      join(goDir, 'go'),
      '#!/bin/sh\necho "go: module go.temporal.io/server@v1.29.1: no such host" >&2\nexit 1\n',
    );
    await expect(ensureTemporalServerBuild({ version: '1.29.1', cacheRoot, goSearchPath: [goDir] })).rejects.toThrow(
      /^TEMPORAL_BUILD_FAILED: go install .* exited with 1 .*\n.*no such host/s,
    );
    expect(readdirSync(cacheRoot).sort()).toEqual(['1.29.1.build.log', 'go-bin']);
    await expect(ensureTemporalServerBuild({ version: '1.29.1', cacheRoot, goSearchPath: [] })).rejects.toThrow(
      'GO_MISSING',
    );
  });
});

describe('finding PostgreSQL', () => {
  it('fails with what to install when PG_BIN_DIR holds no server', () => {
    expect(() => findPostgres({ PG_BIN_DIR: '/nonexistent/postgresql/bin', PATH: '' })).toThrow(
      /^POSTGRES_MISSING: .* not found in PG_BIN_DIR=\/nonexistent\/postgresql\/bin: .*apt-get install postgresql/,
    );
  });
});

describe('child processes of the native run', () => {
  const alive = (pid: number): boolean => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };

  let logDir: string;
  beforeEach(() => {
    logDir = mkdtempSync(join(tmpdir(), 'iscflow-owner-'));
  });
  afterEach(() => rmSync(logDir, { recursive: true, force: true }));

  /** Starts the owner fixture, returns its child's pid and the owner's exit. */
  async function owner(how: 'crash' | 'exit' | 'signal') {
    const fixture = join(__dirname, 'fixtures', 'process-owner.ts');
    const run = startProcess(fixture, [how, join(logDir, 'owner.log')], { cwd: root });
    const [, pid] = await run.waitForOutput(/^(\d+)$/m, 30_000);
    return { owner: run.child, pid: Number(pid), exited: run.exited };
  }

  const gone = async (pid: number): Promise<boolean> => {
    for (let i = 0; i < 50 && alive(pid); i += 1) await new Promise((r) => setTimeout(r, 100));
    return !alive(pid);
  };

  it('returns each command’s own output when commands running at once share a log file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'iscflow-run-'));
    try {
      const logFile = join(dir, 'shared.log');
      const run = (tag: string) =>
        runCommand(tag, 'sh', ['-c', `echo ${tag}1; sleep 0.2; echo ${tag}2`], {
          env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
          logFile,
          timeoutMs: 10_000,
        });
      const [a, b] = await Promise.all([run('a'), run('b')]);
      expect(a).toEqual({ code: 0, output: 'a1\na2\n' });
      expect(b).toEqual({ code: 0, output: 'b1\nb2\n' });
      expect(readFileSync(logFile, 'utf8').split('\n').filter(Boolean).sort()).toEqual(['a1', 'a2', 'b1', 'b2']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each([['crash'], ['exit']] as const)('are ended when the run ends by %s', async (how) => {
    const { pid, exited } = await owner(how);
    expect(alive(pid)).toBe(true);
    expect(await exited).not.toBe(0);
    expect(await gone(pid)).toBe(true);
  });

  it('are ended on Ctrl-C', async () => {
    const { owner: run, pid, exited } = await owner('signal');
    expect(alive(pid)).toBe(true);
    run.kill('SIGINT');
    await exited;
    expect(await gone(pid)).toBe(true);
  });
});

describe('the native ingress process (npm run test:production)', () => {
  const compose = loadCompose({ root, env: {} });
  const settings = {
    TEMPORAL_ADDRESS: '127.0.0.1:17233',
    TEMPORAL_NAMESPACE: 'default',
    ISCFLOW_TASK_QUEUE: 'iscflow',
    SAIL_BASE_URL: 'http://127.0.0.1:4010',
    SAIL_CLIENT_ID: 'sim-client',
    SAIL_CLIENT_SECRET: 'sim-secret',
    ISCFLOW_PAYLOAD_KEYS: `run:${Buffer.alloc(32, 3).toString('base64')}`,
    ISCFLOW_PSEUDONYM_KEY: 'pseudonym-key-of-the-run',
    LOG_LEVEL: 'debug',
  };
  const options = { compose, settings, base: { PATH: '/usr/bin' }, uiOrigins: ['http://localhost:8080'] };

  it('gets every variable compose’s ingress service sets, on loopback, and no ISC credentials', () => {
    const env = nativeIngressEnvironment(options, 18081);
    const composeNames = Object.keys(environmentMap(serviceOf(compose, 'ingress').raw));
    expect(composeNames.filter((name) => env[name] === undefined)).toEqual([]);
    expect(env).toMatchObject({ ISCFLOW_INGRESS_HOST: '127.0.0.1', ISCFLOW_INGRESS_PORT: '18081' });
    expect(env.SAIL_CLIENT_SECRET).toBeUndefined();
    expect(env.SAIL_CLIENT_ID).toBeUndefined();
    const config = loadIngressConfig(env);
    expect(config.iscTrigger?.bearerTokenDigest).toBeDefined();
    expect(config.iscTrigger?.basicDigest).toBeDefined();
    const protection = loadPayloadProtection(env);
    expect(protection.mode).toBe('encrypt');
    expect(protection.privacy.codecToken).toBe(env.ISCFLOW_CODEC_TOKEN);
    expect(protection.privacy.codecCorsOrigins).toEqual(['http://localhost:8080']);
  });

  it('refuses to start when compose’s ingress sets a variable the run does not provide', () => {
    const { TEMPORAL_NAMESPACE: _dropped, ...without } = settings;
    expect(() => nativeIngressEnvironment({ ...options, settings: without }, 18081)).toThrow(
      "docker-compose.yml's ingress sets TEMPORAL_NAMESPACE, which the native run does not",
    );
  });
});

describe('reading a worker’s /metrics', () => {
  it('sums a series over its label sets, ignoring series that only share its prefix', () => {
    const text = [
      '# HELP temporal_activity_execution_latency Histogram',
      'temporal_activity_execution_latency_count{activity_type="submit"} 3',
      'temporal_activity_execution_latency_count{activity_type="status",task_queue="iscflow"} 4 1764530000000',
      'temporal_activity_execution_latency_count_extra 100',
      'temporal_activity_execution_latency_sum{activity_type="submit"} 0.5',
    ].join('\n');
    expect(sumOfSeries(text, 'temporal_activity_execution_latency_count')).toBe(7);
    expect(sumOfSeries(text, 'temporal_workflow_task_execution_latency_count')).toBe(0);
  });
});
