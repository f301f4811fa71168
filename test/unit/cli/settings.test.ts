/**
 * The CLI reads its settings once per invocation, in the sections each command needs: a command runs
 * without the settings it does not use, names every problem of those it does in one message (exit code 2,
 * nothing started), and parses each section once however often it is asked for.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliSettings } from '../../../src/cli/settings';
import { ConfigError } from '../../../src/config';
import { runCaptured } from '../../support/cli';
import { thrownBy } from '../../support/errors';

const ID = '0123456789abcdef0123456789abcdef';
const REAL_TENANT = 'https://acme.api.identitynow.com';

const cli = (env: Record<string, string>, ...args: string[]) => runCaptured(env, args);

describe('the settings a command reads', () => {
  const noTemporal = { ISCFLOW_TASK_QUEUE: '', ISCFLOW_PSEUDONYM_KEY: 'unit-test-pseudonym-key' };

  it('identity ref needs only the pseudonym secret, not Temporal', async () => {
    const run = await cli(noTemporal, 'identity', 'ref', 'E1042');
    expect(run).toMatchObject({ code: 0, err: '' });
    expect(run.out).toMatch(/^employeeNumber E1042: [0-9a-f]+/);
  });

  it('a command that reads workflows names the Temporal problem', async () => {
    const run = await cli(noTemporal, 'status', 'iscflow-grant-x');
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/^iscflow: Invalid configuration:\n {2}- ISCFLOW_TASK_QUEUE: /);
  });

  it('policy check needs only ISC: its problems are named, Temporal is not read', async () => {
    const run = await cli({ ISCFLOW_TASK_QUEUE: '' }, 'policy', 'check', 'policy.yaml');
    expect(run.code).toBe(2);
    expect(run.err).toMatch(
      /SAIL_BASE_URL: .*\n.*SAIL_CLIENT_ID: is required\n.*SAIL_CLIENT_SECRET: is required .*SAIL_CLIENT_SECRET_FILE[^\n]*$/,
    );
    expect(run.err).not.toContain('ISCFLOW_TASK_QUEUE');
  });

  it('request names every problem of the sections it reads in one message', async () => {
    const env = { ISCFLOW_TASK_QUEUE: '', ISCFLOW_STATUS_POLL_SECONDS: 'often' };
    const run = await cli(env, 'request', '--for', ID, '--grant', `ROLE:${ID}`);
    expect(run.code).toBe(2);
    expect(run.err).toContain('- ISCFLOW_TASK_QUEUE: ');
    expect(run.err).toContain('- ISCFLOW_STATUS_POLL_SECONDS: ');
  });

  it('event with a real tenant names the missing payload keys and pseudonym secret together', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'iscflow-cli-settings-')), 'hire.json');
    writeFileSync(
      file,
      JSON.stringify({
        id: 'wd-1',
        source: 'workday',
        type: 'hire',
        identity: { employeeNumber: 'E1042' },
        effectiveAt: '2027-01-04T08:00:00Z',
      }),
    );
    const run = await cli({ SAIL_BASE_URL: REAL_TENANT, TEMPORAL_ADDRESS: '127.0.0.1:1' }, 'event', file);
    expect(run.code).toBe(2);
    expect(run.err).toContain('- ISCFLOW_PAYLOAD_KEYS: is required when SAIL_BASE_URL is a real tenant');
    expect(run.err).toContain('- ISCFLOW_PSEUDONYM_KEY: is required with a real tenant');
  });
});

describe('cliSettings', () => {
  /** An environment that counts how often `name` is read. */
  function counting(
    values: Record<string, string>,
    name: string,
  ): { env: Record<string, string>; reads: () => number } {
    let reads = 0;
    const env = new Proxy(values, {
      get(target, key: string) {
        if (key === name) reads += 1;
        return target[key];
      },
    });
    return { env, reads: () => reads };
  }

  it('parses a section the first time it is read, once, and freezes it', () => {
    const { env, reads } = counting({ ISCFLOW_STATUS_POLL_SECONDS: '5' }, 'ISCFLOW_STATUS_POLL_SECONDS');
    const settings = cliSettings(env);
    expect(reads()).toBe(0);
    const first = settings.read('changes').changes;
    expect(first.statusPollSeconds).toBe(5);
    expect(settings.read('changes', 'identities').changes).toBe(first);
    expect(reads()).toBe(1);
    expect(Object.isFrozen(first)).toBe(true);
  });

  it('a bad section fails every read with the same problems, parsed once', () => {
    const { env, reads } = counting({ ISCFLOW_STATUS_POLL_SECONDS: 'often' }, 'ISCFLOW_STATUS_POLL_SECONDS');
    const settings = cliSettings(env);
    const problems = () => thrownBy(() => settings.read('changes', 'policyFile'), ConfigError).problems;
    expect(problems()).toEqual([expect.stringMatching(/^ISCFLOW_STATUS_POLL_SECONDS: /)]);
    expect(problems()).toEqual([expect.stringMatching(/^ISCFLOW_STATUS_POLL_SECONDS: /)]);
    expect(reads()).toBe(1);
  });
});
