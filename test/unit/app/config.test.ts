import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ConfigError,
  iscClientOptions,
  loadIscBudget,
  loadIscConfig,
  loadTemporalConfig,
  loadWorkerConfig,
  loadWorkflowDefaults,
} from '../../../src/config';
import { thrownBy } from '../../support/errors';

const VALID = {
  SAIL_BASE_URL: 'https://acme.api.identitynow.com/',
  SAIL_CLIENT_ID: 'client',
  SAIL_CLIENT_SECRET: 'secret',
};

describe('configuration', () => {
  it('reads a complete environment, with defaults, and freezes it', () => {
    const config = loadWorkerConfig({ ...VALID, TEMPORAL_ADDRESS: 'temporal.example:7233', TEMPORAL_NAMESPACE: 'idm' });
    expect(config).toMatchObject({
      isc: {
        baseUrl: 'https://acme.api.identitynow.com',
        apiVersion: 'v3',
        tenantProfile: 'current',
        requestTimeoutMs: 30_000,
      },
      temporal: { namespace: 'idm', taskQueue: 'iscflow', connection: { address: 'temporal.example:7233' } },
      removalMode: 'isc',
      iscCallsPer10s: 90,
      iscActivitiesPerSecond: 9,
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('names every problem in one error and starts nothing', () => {
    let error: unknown;
    try {
      loadWorkerConfig({ SAIL_BASE_URL: 'acme', SAIL_API_VERSION: 'v4', ISCFLOW_REMOVAL_MODE: 'later' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const { problems, message } = error as ConfigError;
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^SAIL_BASE_URL: must be an absolute http\(s\) URL/),
        'SAIL_CLIENT_ID: is required',
        expect.stringMatching(/^SAIL_CLIENT_SECRET: is required .* or SAIL_CLIENT_SECRET_FILE/),
        expect.stringMatching(/^SAIL_API_VERSION: /),
        expect.stringMatching(/^ISCFLOW_REMOVAL_MODE: /),
      ]),
    );
    expect(message.split('\n')[0]).toBe('Invalid configuration:');
  });

  it('never puts the secret into an error message', () => {
    const { message } = thrownBy(
      () => loadWorkerConfig({ ...VALID, SAIL_CLIENT_SECRET: 'hunter2', SAIL_BASE_URL: 'nope' }),
      Error,
    );
    expect(message).toMatch(/SAIL_BASE_URL/);
    expect(message).not.toContain('hunter2');
  });

  it('one ISC budget: the paced queue runs a tenth of the calls per 10 s, a third of that in poll mode', () => {
    const budget = (settings: Record<string, string>) => {
      const { iscCallsPer10s, iscActivitiesPerSecond } = loadWorkerConfig({ ...VALID, ...settings });
      return { iscCallsPer10s, iscActivitiesPerSecond };
    };
    expect(budget({ ISCFLOW_TRACKING: 'poll' })).toEqual({ iscCallsPer10s: 90, iscActivitiesPerSecond: 3 });
    expect(budget({ ISCFLOW_ISC_CALLS_PER_10S: '60' })).toEqual({ iscCallsPer10s: 60, iscActivitiesPerSecond: 6 });
    expect(budget({ ISCFLOW_ISC_CALLS_PER_10S: '60', ISCFLOW_TRACKING: 'poll' })).toEqual({
      iscCallsPer10s: 60,
      iscActivitiesPerSecond: 2,
    });
    expect(() => budget({ ISCFLOW_ISC_CALLS_PER_10S: '150' })).toThrow(/ISCFLOW_ISC_CALLS_PER_10S: /);
  });

  it('the same budget for a command that reads ISC beside the workers (adopt, drift)', () => {
    expect(loadIscBudget({})).toBe(90);
    expect(loadIscBudget({ ISCFLOW_ISC_CALLS_PER_10S: '45' })).toBe(45);
    expect(() => loadIscBudget({ ISCFLOW_ISC_CALLS_PER_10S: '0' })).toThrow(/ISCFLOW_ISC_CALLS_PER_10S: /);
  });

  it('drift sweeps on a schedule: an ISO interval of a minute or more; unset or empty, none', () => {
    const every = (value?: string) =>
      loadWorkerConfig({ ...VALID, ...(value === undefined ? {} : { ISCFLOW_DRIFT_SCHEDULE: value }) }).driftScheduleMs;
    expect(every()).toBeUndefined();
    expect(every('')).toBeUndefined();
    expect(every('P1D')).toBe(86_400_000);
    expect(every('PT12H')).toBe(43_200_000);
    for (const bad of ['PT30S', 'daily', 'P1M'])
      expect(() => every(bad)).toThrow(/ISCFLOW_DRIFT_SCHEDULE: must be an ISO interval of at least a minute/);
  });

  it('refuses the replaced ISCFLOW_ISC_ACTIVITIES_PER_SECOND, naming the setting that replaces it', () => {
    expect(() => loadWorkerConfig({ ...VALID, ISCFLOW_ISC_ACTIVITIES_PER_SECOND: '3' })).toThrow(
      /ISCFLOW_ISC_ACTIVITIES_PER_SECOND: is no longer read: set ISCFLOW_ISC_CALLS_PER_10S instead/,
    );
  });

  it('ISC settings alone, and the ISC client options made of them', () => {
    const isc = loadIscConfig({ ...VALID, SAIL_API_VERSION: 'v2025' });
    expect(iscClientOptions(isc)).toEqual({
      baseUrl: 'https://acme.api.identitynow.com',
      clientId: 'client',
      clientSecret: 'secret',
      apiVersion: 'v2025',
      requestTimeoutMs: 30_000,
    });
    expect(() => loadIscConfig({})).toThrow(/SAIL_BASE_URL/);
  });

  it('reads the secret from SAIL_CLIENT_SECRET_FILE at start, and names the file so the client reads it again', () => {
    const dir = mkdtempSync(join(tmpdir(), 'iscflow-config-'));
    const file = join(dir, 'secret');
    writeFileSync(file, 'from-the-file\n');
    const { SAIL_CLIENT_SECRET: _secret, ...withoutSecret } = VALID;
    const isc = loadIscConfig({ ...withoutSecret, SAIL_CLIENT_SECRET_FILE: file });
    expect(iscClientOptions(isc)).toMatchObject({ clientSecret: 'from-the-file', clientSecretFile: file });
    const problems = (env: Record<string, string>) => {
      try {
        loadIscConfig({ ...withoutSecret, ...env });
        return [];
      } catch (error) {
        return (error as ConfigError).problems;
      }
    };
    expect(problems({ SAIL_CLIENT_SECRET: 's', SAIL_CLIENT_SECRET_FILE: file })).toEqual([
      'SAIL_CLIENT_SECRET_FILE: set it or SAIL_CLIENT_SECRET, not both',
    ]);
    expect(problems({ SAIL_CLIENT_SECRET_FILE: join(dir, 'missing') })).toEqual([
      `SAIL_CLIENT_SECRET_FILE: ${join(dir, 'missing')} cannot be read (ENOENT)`,
    ]);
    writeFileSync(file, '  \n');
    expect(problems({ SAIL_CLIENT_SECRET_FILE: file })).toEqual([`SAIL_CLIENT_SECRET_FILE: ${file} is empty`]);
  });

  it('escalates an ISC outage after ISCFLOW_OUTAGE_ESCALATE_AFTER, six hours unless set, under a day', () => {
    expect(loadWorkerConfig(VALID).outageEscalateAfterMs).toBe(6 * 3600 * 1000);
    expect(loadWorkerConfig({ ...VALID, ISCFLOW_OUTAGE_ESCALATE_AFTER: 'PT90S' }).outageEscalateAfterMs).toBe(90_000);
    for (const bad of ['P1D', 'PT0S', '6h', 'P1M']) {
      expect(() => loadWorkerConfig({ ...VALID, ISCFLOW_OUTAGE_ESCALATE_AFTER: bad })).toThrow(
        /ISCFLOW_OUTAGE_ESCALATE_AFTER: must be an ISO 8601 duration above zero and under a day/,
      );
    }
  });

  it('the CLI needs only Temporal: no ISC credentials', () => {
    expect(loadTemporalConfig({ ISCFLOW_TASK_QUEUE: 'q' })).toMatchObject({ taskQueue: 'q', namespace: 'default' });
  });

  it('workflow defaults: stuck requests are never declared without a setting, and a bad one is named', () => {
    expect(loadWorkflowDefaults({})).toMatchObject({ stuckAfterSeconds: null, stuckAction: 'ask', outcomeRetries: 2 });
    expect(loadWorkflowDefaults({ ISCFLOW_STUCK_AFTER_SECONDS: '3600' }).stuckAfterSeconds).toBe(3600);
    expect(() => loadWorkflowDefaults({ ISCFLOW_STUCK_AFTER_SECONDS: '-5' })).toThrow(
      /ISCFLOW_STUCK_AFTER_SECONDS: must be a positive/,
    );
  });
});
