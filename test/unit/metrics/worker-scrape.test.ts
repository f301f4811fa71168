/**
 * The worker's `/metrics` as Prometheus scrapes it: a worker process (`node --import tsx src/worker.ts`,
 * as the Dockerfile runs it) against a dev server and the ISC simulator, which answers 429 for a while.
 * One endpoint serves the Temporal SDK's metrics and iscflow's, the 429s, the submitted item and its
 * outcome are counted, no label holds an id, and the operator backlog is counted from visibility. Like
 * the codec's Temporal test, it starts servers although it lives with the unit tests of its module.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import pino from 'pino';
import { freePort } from '../../../src/local/ports';
import { ISCFLOW_METRICS, SDK_METRICS_ON_DASHBOARD, exposedName } from '../../../src/metrics/catalog';
import { createIscflowMetrics } from '../../../src/metrics/instruments';
import { watchOperatorBacklog } from '../../../src/metrics/runtime';
import { SIMULATOR_DEFAULT_CREDENTIALS } from '../../../src/simulator';
import type { accessRequestWorkflow } from '../../../src/workflows';
import { changeCommands, runCaptured, type CliRun } from '../../support/cli';
import { startProcess, type TestProcess } from '../../support/process';
import { samples } from '../../support/prometheus';
import { brokenEntitlement, plainEntitlements, type Catalog } from '../../support/catalog';
import { startTestSimulator, type TestSimulator } from '../../support/simulator';
import { createDevEnvironment, uniqueTaskQueue } from '../../support/temporal';
import { waitFor } from '../../support/wait';
import { RecordingMeter } from '../../support/recording-meter';

describe('the worker’s /metrics (worker process, dev server, simulator answering 429)', () => {
  let env: TestWorkflowEnvironment;
  let sim: TestSimulator;
  let worker: TestProcess | undefined;
  let metricsUrl: string;
  let catalog: Catalog;
  const dir = mkdtempSync(join(tmpdir(), 'iscflow-metrics-'));
  const settings: Record<string, string> = {};

  const scrape = async (): Promise<string> => {
    const response = await fetch(metricsUrl);
    expect(response.status).toBe(200);
    return response.text();
  };
  const value = async (name: string, labels: Record<string, string> = {}): Promise<number> =>
    samples(await scrape())
      .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
      .reduce((sum, s) => sum + s.value, 0);
  const cli = (...args: string[]): Promise<CliRun> => runCaptured({ ...process.env, ...settings }, args);
  const { grant } = changeCommands(cli);
  const simConfig = (faults: Record<string, number>) => sim.call('POST', '/__sim/config', { faults });

  beforeAll(async () => {
    [env, sim] = await Promise.all([createDevEnvironment(), startTestSimulator({ seed: 13 })]);
    const port = await freePort();
    metricsUrl = `http://127.0.0.1:${port}/metrics`;
    Object.assign(settings, {
      TEMPORAL_ADDRESS: env.address,
      ISCFLOW_TASK_QUEUE: uniqueTaskQueue('iscflow-metrics'),
      SAIL_BASE_URL: sim.baseUrl,
      SAIL_CLIENT_ID: SIMULATOR_DEFAULT_CREDENTIALS.clientId,
      SAIL_CLIENT_SECRET: SIMULATOR_DEFAULT_CREDENTIALS.clientSecret,
      ISCFLOW_STATUS_POLL_SECONDS: '1',
      ISCFLOW_OUTCOME_RETRIES: '0',
      ISCFLOW_METRICS_PORT: String(port),
      LOG_LEVEL: 'info',
    });
    catalog = (await sim.call<Catalog>('GET', '/__sim/catalog')).body;
    worker = startProcess('src/worker.ts', [], { env: { ...process.env, ...settings } });
    await worker.waitForOutput(/iscflow worker started/, 90_000);
  });
  afterAll(async () => {
    await worker?.stop('SIGTERM');
    await sim?.close();
    await env?.teardown();
    rmSync(dir, { recursive: true, force: true });
  });

  it('says where it serves them', () => {
    expect(worker?.output()).toContain(`"metrics":"${metricsUrl}"`);
  });

  it('counts the 429s, the submitted item and its outcome next to the SDK’s own metrics, with no id in a label', async () => {
    const identityId = catalog.identities[2]!.id;
    const entitlement = plainEntitlements(catalog)[0]!;
    // Every ISC call refused for a while: the activity retries each after its Retry-After.
    await simConfig({ rateLimitRate: 1 });
    const started = await grant(identityId, entitlement.id, '--json');
    expect(started.code).toBe(0);
    const workflowId = (JSON.parse(started.out) as { workflows: Array<{ workflowId: string }> }).workflows[0]!
      .workflowId;
    await waitFor(async () => ((await value('iscflow_isc_rate_limited_total')) >= 2 ? true : undefined), 30_000);
    await simConfig({ rateLimitRate: 0 });

    const result = await env.client.workflow.getHandle<typeof accessRequestWorkflow>(workflowId).result();
    expect(result.items.map((i) => i.outcome)).toEqual(['GRANTED']);
    await waitFor(
      async () => ((await value('iscflow_outcomes_total', { outcome: 'GRANTED' })) === 1 ? true : undefined),
      10_000,
    );

    const text = await scrape();
    const all = samples(text);
    const iscflow = all.filter((s) => s.name.startsWith('iscflow_'));
    const limited = iscflow.filter((s) => s.name === 'iscflow_isc_rate_limited_total');
    expect(limited.every((s) => /^\/v3\/[a-z-]+$/.test(s.labels.endpoint ?? ''))).toBe(true);
    const refused = await value('iscflow_isc_calls_total', { status: '429' });
    expect(refused).toBe(limited.reduce((sum, s) => sum + s.value, 0));
    expect(
      await value('iscflow_isc_calls_total', { method: 'POST', endpoint: '/v3/access-requests', status: '202' }),
    ).toBe(1);
    expect(await value('iscflow_isc_calls_total', { endpoint: '/oauth/token', status: '200' })).toBeGreaterThanOrEqual(
      1,
    );
    expect(
      await value('iscflow_submitted_items_total', { request_type: 'GRANT_ACCESS', disposition: 'SUBMITTED' }),
    ).toBe(1);
    expect(await value('iscflow_outcomes_total', { request_type: 'GRANT_ACCESS', outcome: 'GRANTED' })).toBe(1);
    expect(await value('iscflow_isc_call_duration_seconds_count')).toBeGreaterThan(refused);

    // The SDK's own metrics on the same endpoint: those the dashboard reads, in seconds.
    const names = new Set(all.map((s) => s.name.replace(/_(bucket|sum|count)$/, '')));
    for (const name of SDK_METRICS_ON_DASHBOARD) expect(`${name}: ${names.has(name)}`).toBe(`${name}: true`);
    // Only what the catalog defines under iscflow_, and no label value that could be an id.
    const defined = new Set(Object.values(ISCFLOW_METRICS).map(exposedName));
    for (const s of iscflow) {
      expect(defined.has(s.name.replace(/_(bucket|sum|count)$/, ''))).toBe(true);
      for (const labelValue of Object.values(s.labels)) expect(labelValue).not.toMatch(/[0-9a-f]{32}/i);
    }
    expect(text).not.toContain(identityId);
    expect(text).not.toContain(entitlement.id);
  });

  it('counts an HR event its receipt delivered, by type, never by person', async () => {
    const file = join(dir, 'hire.json');
    writeFileSync(
      file,
      JSON.stringify({
        id: 'metrics-hire-1',
        source: 'workday',
        type: 'hire',
        identity: { employeeNumber: 'E9901' },
        effectiveAt: new Date().toISOString(),
        attributes: { workerType: 'employee' },
      }),
    );
    const sent = await cli('event', file, '--json');
    expect(sent.code).toBe(0);
    await waitFor(
      async () =>
        (await value('iscflow_lifecycle_events_total', { type: 'hire', result: 'accepted' })) === 1 ? true : undefined,
      30_000,
    );
    expect(await scrape()).not.toContain('E9901');
  });

  it('counts the requests waiting for an operator from visibility', async () => {
    const broken = brokenEntitlement(catalog);
    const run = await grant(catalog.identities[3]!.id, broken.id, '--wait', '--json');
    expect(JSON.parse(run.out)).toMatchObject({ workflows: [{ state: 'AWAITING_OPERATOR' }] });
    // The worker counts every 30 s; the same watcher, faster, over this test's own client.
    const meter = new RecordingMeter();
    const backlog = watchOperatorBacklog({
      client: env.client,
      taskQueue: settings.ISCFLOW_TASK_QUEUE!,
      metrics: createIscflowMetrics(meter),
      logger: pino({ level: 'silent' }),
      intervalMs: 200,
    });
    try {
      await waitFor(
        async () =>
          meter.total('iscflow_awaiting_operator', { workflow_type: 'accessRequestWorkflow' }) === 1 ? true : undefined,
        20_000,
      );
    } finally {
      await backlog.stop();
    }
    expect(meter.total('iscflow_awaiting_operator', { workflow_type: 'identityLifecycleWorkflow' })).toBe(0);
    // The worker's own count, made when it started, is on the endpoint.
    expect(samples(await scrape()).filter((s) => s.name === 'iscflow_awaiting_operator')).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ labels: expect.objectContaining({ workflow_type: 'accessRequestWorkflow' }) }),
      ]),
    );
  });

  it('runs on without metrics when its port is taken, saying so', async () => {
    const taken: Server = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const address = taken.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    try {
      const child = startProcess(join(__dirname, 'fixtures', 'install-runtime.ts'), [], {
        env: { ...process.env, ISCFLOW_METRICS_PORT: String(port) },
      });
      expect(await child.exited).toBe(0);
      const out = child.output();
      expect(out).toMatch(/"level":50.*metrics not served: set ISCFLOW_METRICS_PORT/);
      expect(out).toContain('runtime installed: {}');
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });
});
