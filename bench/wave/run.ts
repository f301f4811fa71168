/**
 * One Monday wave, run for real: a Temporal dev server, the ISC simulator with N identities and ISC's rate
 * limit, an iscflow worker process in the given tracking mode with a birthright policy of three items, and
 * N `hire` events effective now sent through the same operation as the ingress. Everything is judged from
 * what the simulator and Temporal recorded (see figures.ts).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { IDENTITY_IDS, WORKFLOW_TYPES } from '../../src/common';
import { DEV_PSEUDONYM_KEY } from '../../src/config';
import { startDevServer } from '../../src/local/dev-server';
import { freePort } from '../../src/local/ports';
import { spawnManaged, type ManagedProcess } from '../../src/local/production/processes';
import { PROJECT_ROOT } from '../../src/local/temporal-binaries';
import { sendHrEvent } from '../../src/operations/hr-events';
import { SIMULATOR_DEFAULT_CREDENTIALS, startSimulator } from '../../src/simulator';
import type { TrackerView } from '../../src/workflows/status-tracker/contracts';
import { figuresOf, type SimRow, type WaveFigures } from './figures';
import { runOutage, type OutageFigures, type OutagePlan } from './outage';

export interface WaveOptions {
  mode: 'shared' | 'poll';
  identities: number;
  /** SIGKILL the worker this many seconds into the wave (and start another). */
  killAfterSeconds?: number;
  deadlineSeconds: number;
  log: (line: string) => void;
  /** ISC down for a while in the middle of the wave (outage.ts). */
  outage?: OutagePlan;
}

const ITEMS_PER_IDENTITY = 3;
const COMPLETED_TASK = temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED;
const BUDGET_PER_10S = 90;

async function mapLimit<T>(items: T[], limit: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    for (let i = next++; i < items.length; i = next++) await work(items[i] as T, i);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}

export async function runWave(options: WaveOptions): Promise<WaveFigures & Partial<OutageFigures>> {
  const { mode, identities, log } = options;
  const dir = mkdtempSync(join(tmpdir(), `iscflow-wave-${mode}-`));
  const devServer = await startDevServer({
    port: await freePort(),
    uiPort: await freePort(),
    dbFile: join(dir, 'temporal.db'),
    quiet: true,
  });
  const simulator = await startSimulator({
    port: 0,
    seed: 11,
    catalog: { identities },
    config: {
      // Approvers answer within 5 to 60 s, uniformly; provisioning is quick; ISC's real budget.
      approval: { mode: 'auto', delayMs: 5_000, delayMaxMs: 60_000 },
      provisioning: { delayMs: 200 },
      rateLimit: { requests: 100, windowSeconds: 10 },
    },
  });
  const workers: ManagedProcess[] = [];
  const connection = await Connection.connect({ address: devServer.address });
  try {
    const catalog = (await (await fetch(`${simulator.baseUrl}/__sim/catalog`)).json()) as {
      identities: Array<{ id: string; attributes: Record<string, string> }>;
      items: Array<{ type: string; id: string; name: string }>;
    };
    const birthright = catalog.items
      .filter((i) => i.type === 'ENTITLEMENT' && !/birthright|restricted|broken/i.test(i.name))
      // The last plain ones: no role bundles them, so nobody holds them at the start.
      .slice(-ITEMS_PER_IDENTITY);
    const policy = join(dir, 'policy.yaml');
    writeFileSync(
      policy,
      [
        'version: 1',
        'rules:',
        '  - name: everyone',
        `    grant: [ ${birthright.map((i) => `"ENTITLEMENT:${i.id}"`).join(', ')} ]`,
      ].join('\n'),
    );
    const taskQueue = `wave-${mode}`;
    const env = {
      PATH: process.env.PATH,
      TEMPORAL_ADDRESS: devServer.address,
      ISCFLOW_TASK_QUEUE: taskQueue,
      SAIL_BASE_URL: simulator.baseUrl,
      SAIL_CLIENT_ID: SIMULATOR_DEFAULT_CREDENTIALS.clientId,
      SAIL_CLIENT_SECRET: SIMULATOR_DEFAULT_CREDENTIALS.clientSecret,
      ISCFLOW_POLICY: policy,
      ISCFLOW_TRACKING: mode,
      ISCFLOW_ISC_CALLS_PER_10S: String(BUDGET_PER_10S),
      ISCFLOW_MAX_CONCURRENT_ACTIVITIES: '50',
      LOG_LEVEL: 'warn',
    };
    const startWorker = (): ManagedProcess => {
      const worker = spawnManaged(
        `worker-${workers.length + 1}`,
        process.execPath,
        ['--import', 'tsx', 'src/worker.ts'],
        {
          env,
          cwd: PROJECT_ROOT,
          logFile: join(dir, `worker-${workers.length + 1}.log`),
        },
      );
      workers.push(worker);
      return worker;
    };
    startWorker();
    const client = new Client({ connection });
    const people = catalog.identities.slice(0, identities);
    const sentAt = new Map<string, number>();
    const settings = { pseudonymKey: DEV_PSEUDONYM_KEY, identityPollSeconds: 5, identityWaitSeconds: 3600, change: {} };
    log(`${mode}: sending ${people.length} hire events`);
    const firstEventAt = Date.now();
    const outage =
      options.outage &&
      runOutage({
        plan: options.outage,
        baseUrl: simulator.baseUrl,
        client,
        taskQueue,
        firstEventAt,
        items: identities * ITEMS_PER_IDENTITY,
        log,
      });
    let killed = 0;
    const kill =
      options.killAfterSeconds === undefined
        ? undefined
        : setTimeout(() => {
            killed += 1;
            log(`${mode}: SIGKILL of the worker`);
            void workers[workers.length - 1]?.kill().then(() => startWorker());
          }, options.killAfterSeconds * 1000);
    await mapLimit(people, 16, async (person, n) => {
      const event = {
        id: `wave-${n}`,
        source: 'bench',
        type: 'hire' as const,
        identity: { employeeNumber: person.attributes.employeeNumber ?? `E${1000 + n}`, id: person.id },
        effectiveAt: new Date().toISOString(),
        attributes: { workerType: person.attributes.workerType ?? 'employee' },
      };
      sentAt.set(person.id, Date.now());
      await sendHrEvent(client, taskQueue, event, { channel: 'api' }, settings);
    });
    log(`${mode}: events sent in ${((Date.now() - firstEventAt) / 1000).toFixed(1)} s`);

    const deadline = firstEventAt + options.deadlineSeconds * 1000;
    const items = people.length * ITEMS_PER_IDENTITY;
    let deadlineHit = false;
    for (;;) {
      const rows = (await (await fetch(`${simulator.baseUrl}/__sim/requests`)).json()) as SimRow[];
      const done = rows.filter((r) => r.requestType === 'GRANT_ACCESS' && r.state === 'REQUEST_COMPLETED').length;
      const changes = `WorkflowType = '${WORKFLOW_TYPES.accessRequest}'`;
      const total = (await client.workflow.count(changes)).count;
      const running = (await client.workflow.count(`${changes} AND ExecutionStatus = 'Running'`)).count;
      log(`${mode}: ${done}/${items} items granted in ISC, ${total - running}/${people.length} access changes done`);
      // Every identity's change started and closed: each saw its items final.
      if (total >= people.length && running === 0) break;
      if (Date.now() > deadline) {
        deadlineHit = true;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 5000));
    }
    if (kill) clearTimeout(kill);
    // What each tracker shard did (its counts carry across continue-as-new): where the status calls went.
    for await (const wf of client.workflow.list({
      query: `WorkflowType = '${WORKFLOW_TYPES.statusTracker}' AND ExecutionStatus = 'Running'`,
    })) {
      const view = await client.workflow.getHandle(wf.workflowId).query<TrackerView>('status');
      log(`${mode}: ${wf.workflowId} ${JSON.stringify(view.counts)}`);
    }

    const closedAt = new Map<string, number>();
    for await (const wf of client.workflow.list({ query: `WorkflowType = '${WORKFLOW_TYPES.accessRequest}'` })) {
      const identity = wf.typedSearchAttributes.get(IDENTITY_IDS)?.[0];
      if (identity && wf.closeTime)
        closedAt.set(identity, Math.max(closedAt.get(identity) ?? 0, wf.closeTime.getTime()));
    }
    let workflowTasks = 0;
    const ids: Array<{ workflowId: string; runId: string }> = [];
    for await (const wf of client.workflow.list({})) ids.push({ workflowId: wf.workflowId, runId: wf.runId });
    await mapLimit(ids, 16, async ({ workflowId, runId }) => {
      const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
      workflowTasks += (history.events ?? []).filter((e) => e.eventType === COMPLETED_TASK).length;
    });
    const stats = (await (await fetch(`${simulator.baseUrl}/__sim/stats`)).json()) as {
      calls: Record<string, Record<string, number>>;
      apiCalls: number;
      maxCallsIn10s: number;
    };
    const rows = (await (await fetch(`${simulator.baseUrl}/__sim/requests`)).json()) as SimRow[];
    const figures = figuresOf({
      mode,
      identities: people.length,
      itemsPerIdentity: ITEMS_PER_IDENTITY,
      firstEventAt,
      sentAt,
      rows,
      calls: stats.calls,
      apiCalls: stats.apiCalls,
      maxCallsIn10s: stats.maxCallsIn10s,
      closedAt,
      workflowTasks,
      budgetPerSecond: BUDGET_PER_10S / 10,
      workerKills: killed,
      deadlineHit,
    });
    return outage ? { ...figures, ...(await outage.done(Math.max(0, ...closedAt.values()))) } : figures;
  } finally {
    await Promise.all(workers.map((w) => w.stop({ graceMs: 5000 })));
    await connection.close();
    await simulator.close();
    await devServer.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
