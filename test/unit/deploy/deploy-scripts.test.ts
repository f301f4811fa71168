/**
 * The one-shot jobs' scripts (deploy/*.sh), run with the environment compose gives their service and
 * stand-ins for the admin-tools image's `temporal-sql-tool` and `temporal` CLI that record every call.
 * `npm run test:production` runs the same scripts against real tools.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jobScript, loadCompose, serviceOf } from '../../../src/local/production/compose';
import { SEARCH_ATTRIBUTE_TYPES } from '../../../src/common';

const root = join(__dirname, '..', '..', '..');
const tenant = {
  SAIL_BASE_URL: 'https://acme.api.identitynow.com',
  SAIL_CLIENT_ID: 'client-id-from-env',
  SAIL_CLIENT_SECRET: 'client-secret-from-env',
  POSTGRES_PASSWORD: 'db-password-from-env',
};
const compose = loadCompose({ root, env: tenant });

/** A directory holding one fake tool; `run` executes the job's script with it first on PATH. */
function fakeTool(name: string, script: string) {
  let dir = '';
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'iscflow-job-'));
    writeFileSync(join(dir, name), script);
    chmodSync(join(dir, name), 0o755);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  return {
    dir: () => dir,
    flag: (file: string, content = '') => writeFileSync(join(dir, file), content),
    run(service: string, env: Record<string, string> = {}) {
      const svc = serviceOf(compose, service);
      const result = spawnSync('sh', [jobScript(svc)], {
        env: { ...svc.environment, PATH: `${dir}:${process.env.PATH ?? '/usr/bin:/bin'}`, FAKE_DIR: dir, ...env },
        encoding: 'utf8',
      });
      const callsFile = join(dir, 'calls');
      const calls = existsSync(callsFile) ? readFileSync(callsFile, 'utf8').trim().split('\n') : [];
      return { ...result, calls };
    },
  };
}

describe('deploy/setup-schema.sh (temporal-schema)', () => {
  const tool = fakeTool(
    'temporal-sql-tool',
    `#!/bin/sh
echo "$* | $SQL_PLUGIN $SQL_HOST:$SQL_PORT $SQL_USER/$SQL_PASSWORD" >> "$FAKE_DIR/calls"
if [ -f "$FAKE_DIR/down" ]; then
  left=$(cat "$FAKE_DIR/down")
  if [ "$left" -gt 0 ]; then echo $((left - 1)) > "$FAKE_DIR/down"; echo "dial tcp: connection refused" >&2; exit 1; fi
fi
case "$*" in *update-schema*) if [ -f "$FAKE_DIR/broken-migration" ]; then echo "update failed: boom" >&2; exit 1; fi ;; esac
exit 0
`,
  );

  it('creates both databases and brings them to the embedded schemas, the password only in the environment', () => {
    const result = tool.run('temporal-schema');
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const connection = ' | postgres12 postgresql:5432 temporal/db-password-from-env';
    expect(result.calls).toEqual(
      [
        '--database temporal create-database',
        '--database temporal setup-schema -v 0.0',
        '--database temporal update-schema --schema-name postgresql/v12/temporal',
        '--database temporal_visibility create-database',
        '--database temporal_visibility setup-schema -v 0.0',
        '--database temporal_visibility update-schema --schema-name postgresql/v12/visibility',
      ].map((call) => call + connection),
    );
    expect(result.stdout).toContain('Temporal schemas ready');
  });

  it('waits while PostgreSQL refuses connections', () => {
    tool.flag('down', '2');
    const result = tool.run('temporal-schema');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('waiting for PostgreSQL at postgresql:5432');
    expect(result.calls.filter((c) => c.startsWith('--database temporal create-database'))).toHaveLength(3);
  });

  it('gives up, so the server does not start, when PostgreSQL never answers', () => {
    tool.flag('down', '100');
    const result = tool.run('temporal-schema', { ISCFLOW_SCHEMA_WAIT_SECONDS: '2' });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('database temporal: not reachable at postgresql:5432 after 2s');
  });

  it('fails, so the server does not start, when a migration fails', () => {
    tool.flag('broken-migration');
    const result = tool.run('temporal-schema');
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('update failed: boom');
    expect(result.calls.some((c) => c.includes('temporal_visibility'))).toBe(false);
  });
});

describe('deploy/create-namespace.sh (temporal-namespace)', () => {
  const tool = fakeTool(
    'temporal',
    `#!/bin/sh
echo "$*" >> "$FAKE_DIR/calls"
case "$1 $2 $3" in
  "operator cluster health")
    if [ -f "$FAKE_DIR/never" ]; then echo NOT_SERVING; exit 0; fi
    if [ -f "$FAKE_DIR/starting" ]; then rm "$FAKE_DIR/starting"; echo "connection refused" >&2; exit 1; fi
    echo SERVING; exit 0 ;;
  "operator namespace describe")
    if [ -f "$FAKE_DIR/namespace" ]; then cat "$FAKE_DIR/namespace"; exit 0; fi
    echo "Namespace default is not found." >&2; exit 1 ;;
  "operator namespace create") echo "$*" > "$FAKE_DIR/namespace"; echo "Namespace default successfully registered."; exit 0 ;;
esac
echo "unexpected call: $*" >&2; exit 2
`,
  );

  it('waits until the server serves, then creates the namespace with its retention', () => {
    tool.flag('starting');
    const result = tool.run('temporal-namespace');
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.calls).toEqual([
      'operator cluster health --address temporal:7233',
      'operator cluster health --address temporal:7233',
      'operator namespace describe --namespace default --address temporal:7233',
      'operator namespace create --namespace default --retention 720h --address temporal:7233',
    ]);
  });

  it('leaves an existing namespace as it is (a second `docker compose up`)', () => {
    expect(tool.run('temporal-namespace').status).toBe(0);
    const again = tool.run('temporal-namespace');
    expect(again.status).toBe(0);
    expect(again.stdout).toContain("namespace 'default': already exists");
    expect(again.calls.filter((c) => c.startsWith('operator namespace create'))).toHaveLength(1);
  });

  it('fails when the server never serves', () => {
    tool.flag('never');
    const result = tool.run('temporal-namespace', { ISCFLOW_NAMESPACE_WAIT_SECONDS: '2' });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('Temporal at temporal:7233 is not serving after 2s');
  });
});

describe('deploy/register-search-attributes.sh (temporal-register-search-attributes)', () => {
  /** Keeps the namespace's attributes in a file and answers like the server does for duplicates. */
  const tool = fakeTool(
    'temporal',
    `#!/bin/sh
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
`,
  );
  const run = () => tool.run('temporal-register-search-attributes', { ISCFLOW_REGISTER_WAIT_SECONDS: '10' });
  const state = () =>
    Object.fromEntries(
      readFileSync(join(tool.dir(), 'state'), 'utf8')
        .trim()
        .split('\n')
        .map((line) => line.split(' ') as [string, string]),
    );

  it('waits for the namespace, then creates each attribute against temporal:7233 in namespace default', () => {
    tool.flag('unready');
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
    tool.flag('state', 'IscflowState KeywordList\n');
    const result = run();
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('IscflowState exists with a type other than Keyword');
  });
});
