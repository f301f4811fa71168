/**
 * One day-one run, for real: a Temporal dev server, the ISC simulator with N identities (a share of which
 * already hold their birthright) and ISC's rate limit, an iscflow worker process with a birthright policy of
 * three entitlements, then `iscflow adopt --yes` and, once everything has settled, an idle interval and
 * `iscflow drift`, both as the CLI runs them (child processes). Everything is judged from what the simulator
 * and Temporal recorded (see figures.ts).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { WORKFLOW_TYPES, iscTaskQueue } from '../../src/common';
import { checkPolicyDocument, desiredAccess, resolvePolicy, type ResolvedPolicy } from '../../src/domain';
import { startDevServer, type DevServer } from '../../src/local/dev-server';
import { freePort } from '../../src/local/ports';
import { runCommand, spawnManaged, type ManagedProcess } from '../../src/local/production/processes';
import { PROJECT_ROOT } from '../../src/local/temporal-binaries';
import { SIMULATOR_DEFAULT_CREDENTIALS, startSimulator, type RunningSimulator } from '../../src/simulator';
import { tallyNamespace } from '../support/billable-actions';
import {
  grantsOf,
  iscCallsOf,
  perIdentityDay,
  rateLimitedOf,
  round,
  type AdoptContext,
  type AdoptFigures,
  type SimRow,
  type SimStats,
} from './figures';

export interface AdoptBenchOptions {
  identities: number;
  /** The share of identities that already hold every item the policy gives them. */
  held: number;
  idleSeconds: number;
  deadlineSeconds: number;
  log: (line: string) => void;
}

const TASK_QUEUE = 'adopt-bench';
const BUDGET_PER_10S = 90;
const TQ = temporal.api.enums.v1.TaskQueueType;

interface Person {
  id: string;
  attributes: Record<string, string>;
}

interface Tenant {
  dir: string;
  devServer: DevServer;
  simulator: RunningSimulator;
  policyFile: string;
  heldBefore: Set<string>;
  itemsMissing: number;
}

const getJson = async <T>(base: string, path: string, body?: unknown): Promise<T> =>
  (await (
    await fetch(`${base}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    })
  ).json()) as T;

function policyOf(text: Record<string, unknown>): ResolvedPolicy {
  const checked = checkPolicyDocument(text);
  if (!checked.ok) throw new Error(checked.problems.join('; '));
  const resolved = resolvePolicy(checked.document, new Map());
  if (!resolved.ok) throw new Error(resolved.problems.join('; '));
  return resolved.policy;
}

/** Whether person `n` already holds its birthright: a fixed, well-spread share of the tenant. */
const holdsAlready = (n: number, share: number): boolean => ((n * 7919) % 1000) / 1000 < share;

/** The policy (three plain entitlements nobody holds at the start), and who holds what before iscflow. */
async function seedTenant(simulator: RunningSimulator, dir: string, held: number) {
  const catalog = await getJson<{ identities: Person[]; items: Array<{ type: string; id: string; name: string }> }>(
    simulator.baseUrl,
    '/__sim/catalog',
  );
  const [a, b, c] = catalog.items
    .filter((i) => i.type === 'ENTITLEMENT' && !/birthright|restricted|broken/i.test(i.name))
    .slice(-3);
  const document = {
    version: 1,
    rules: [
      { name: 'everyone', when: { workerType: 'employee' }, grant: [`ENTITLEMENT:${a!.id}`, `ENTITLEMENT:${b!.id}`] },
      { name: 'engineering', when: { department: 'Engineering' }, grant: [`ENTITLEMENT:${c!.id}`] },
    ],
  };
  const policyFile = join(dir, 'policy.yaml');
  writeFileSync(policyFile, JSON.stringify(document));
  const policy = policyOf(document);
  const heldBefore = new Set<string>();
  const holdings: Array<{ identityId: string; type: string; id: string }> = [];
  let itemsMissing = 0;
  catalog.identities.forEach((person, n) => {
    for (const item of desiredAccess(policy, person.attributes)) {
      if (!holdsAlready(n, held)) itemsMissing += 1;
      else {
        holdings.push({ identityId: person.id, type: item.type, id: item.id });
        heldBefore.add(`${person.id}|${item.id}`);
      }
    }
  });
  for (let at = 0; at < holdings.length; at += 5000)
    await getJson(simulator.baseUrl, '/__sim/holdings', { holdings: holdings.slice(at, at + 5000) });
  return { policyFile, heldBefore, itemsMissing };
}

async function startTenant(options: AdoptBenchOptions): Promise<Tenant> {
  const dir = mkdtempSync(join(tmpdir(), 'iscflow-adopt-bench-'));
  const devServer = await startDevServer({
    port: await freePort(),
    uiPort: await freePort(),
    dbFile: join(dir, 'temporal.db'),
    quiet: true,
  });
  const simulator = await startSimulator({
    port: 0,
    seed: 11,
    catalog: { identities: options.identities },
    config: {
      // Birthright is approved by rule in seconds; ISC's real budget.
      approval: { mode: 'auto', delayMs: 1000, delayMaxMs: 5000 },
      provisioning: { delayMs: 200 },
      rateLimit: { requests: 100, windowSeconds: 10 },
    },
  });
  return { dir, devServer, simulator, ...(await seedTenant(simulator, dir, options.held)) };
}

function environment(tenant: Tenant): Record<string, string | undefined> {
  return {
    PATH: process.env.PATH,
    TEMPORAL_ADDRESS: tenant.devServer.address,
    ISCFLOW_TASK_QUEUE: TASK_QUEUE,
    SAIL_BASE_URL: tenant.simulator.baseUrl,
    SAIL_CLIENT_ID: SIMULATOR_DEFAULT_CREDENTIALS.clientId,
    SAIL_CLIENT_SECRET: SIMULATOR_DEFAULT_CREDENTIALS.clientSecret,
    ISCFLOW_POLICY: tenant.policyFile,
    ISCFLOW_ISC_CALLS_PER_10S: String(BUDGET_PER_10S),
    ISCFLOW_MAX_CONCURRENT_ACTIVITIES: '50',
    LOG_LEVEL: 'warn',
  };
}

/** `iscflow ARGS --json` as a user runs it; its JSON answer. */
async function cli<T>(tenant: Tenant, args: string[], timeoutMs: number): Promise<{ json: T; ms: number }> {
  const started = performance.now();
  const run = await runCommand('iscflow', process.execPath, ['--import', 'tsx', 'src/client.ts', ...args, '--json'], {
    env: environment(tenant),
    cwd: PROJECT_ROOT,
    logFile: join(tenant.dir, 'cli.log'),
    timeoutMs,
  });
  const line = run.output.split('\n').find((l) => l.startsWith('{'));
  if (!line) throw new Error(`iscflow ${args.join(' ')} exited ${run.code}:\n${run.output.slice(-2000)}`);
  return { json: JSON.parse(line) as T, ms: performance.now() - started };
}

async function backlog(client: Client, taskQueue: string, type: temporal.api.enums.v1.TaskQueueType) {
  const answer = await client.workflowService.describeTaskQueue({
    namespace: 'default',
    taskQueue: { name: taskQueue },
    taskQueueType: type,
    reportStats: true,
  });
  return { pollers: answer.pollers?.length ?? 0, backlog: Number(answer.stats?.approximateBacklogCount ?? 0) };
}

const count = async (client: Client, query: string): Promise<number> => (await client.workflow.count(query)).count;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Until every grant is final in ISC, no access change runs and no task waits: the adoption has settled. */
async function settle(client: Client, tenant: Tenant, options: AdoptBenchOptions, deadline: number): Promise<boolean> {
  const changes = `WorkflowType = '${WORKFLOW_TYPES.accessRequest}'`;
  for (;;) {
    const rows = await getJson<SimRow[]>(tenant.simulator.baseUrl, '/__sim/requests');
    const done = rows.filter((r) => r.requestType === 'GRANT_ACCESS' && r.state === 'REQUEST_COMPLETED').length;
    const running = await count(client, `${changes} AND ExecutionStatus = 'Running'`);
    const queues = await Promise.all([
      backlog(client, TASK_QUEUE, TQ.TASK_QUEUE_TYPE_WORKFLOW),
      backlog(client, TASK_QUEUE, TQ.TASK_QUEUE_TYPE_ACTIVITY),
      backlog(client, iscTaskQueue(TASK_QUEUE), TQ.TASK_QUEUE_TYPE_ACTIVITY),
    ]);
    const waiting = queues.reduce((n, q) => n + q.backlog, 0);
    options.log(
      `${done}/${tenant.itemsMissing} grants final in ISC, ${running} changes running, ${waiting} tasks waiting`,
    );
    if (done >= tenant.itemsMissing && running === 0 && waiting === 0) return true;
    if (Date.now() > deadline) return false;
    await sleep(5000);
  }
}

/** Lifecycle actions over an idle interval (nothing happens to any identity): what idling costs. */
async function idleActions(client: Client, seconds: number): Promise<{ actions: number; seconds: number }> {
  const lifecycles = `WorkflowType = '${WORKFLOW_TYPES.identityLifecycle}'`;
  const before = await tallyNamespace(client, lifecycles);
  const from = Date.now();
  await sleep(seconds * 1000);
  const to = Date.now();
  const after = await tallyNamespace(client, lifecycles);
  return { actions: after.total.total - before.total.total, seconds: (to - from) / 1000 };
}

interface AdoptAnswer {
  adopted: number;
  alreadyManaged: number;
  failed: unknown[];
}
interface DriftAnswer {
  queried: number;
  counts: Record<string, number>;
}

async function startWorker(tenant: Tenant, client: Client, log: (line: string) => void): Promise<ManagedProcess> {
  const worker = spawnManaged('worker', process.execPath, ['--import', 'tsx', 'src/worker.ts'], {
    env: environment(tenant),
    cwd: PROJECT_ROOT,
    logFile: join(tenant.dir, 'worker.log'),
  });
  // Measured from a worker that polls: its start (bundling, the policy) is not the adoption's.
  while ((await backlog(client, TASK_QUEUE, TQ.TASK_QUEUE_TYPE_WORKFLOW)).pollers === 0) await sleep(500);
  log('worker polling');
  return worker;
}

/** Runs the adoption and everything after it; the tenant's servers are the caller's to stop. */
async function measure(tenant: Tenant, client: Client, options: AdoptBenchOptions) {
  const { log } = options;
  const started = Date.now();
  log(`adopting ${options.identities} identities (${Math.round(options.held * 100)}% hold their birthright)`);
  const adopt = await cli<AdoptAnswer>(tenant, ['adopt', '--yes'], options.deadlineSeconds * 1000);
  log(`iscflow adopt: ${JSON.stringify(adopt.json)} in ${(adopt.ms / 1000).toFixed(1)} s`);
  const settled = await settle(client, tenant, options, started + options.deadlineSeconds * 1000);
  const adoptSeconds = (Date.now() - started) / 1000;
  const stats = await getJson<SimStats>(tenant.simulator.baseUrl, '/__sim/stats');
  const rows = await getJson<SimRow[]>(tenant.simulator.baseUrl, '/__sim/requests');
  log(`settled: ${settled}; counting Temporal actions`);
  const actions = await tallyNamespace(client);
  const idle = await idleActions(client, options.idleSeconds);
  log(`idle: ${idle.actions} actions of lifecycles in ${idle.seconds.toFixed(0)} s`);
  const drift = await cli<DriftAnswer>(tenant, ['drift'], options.deadlineSeconds * 1000);
  const after = await getJson<SimStats>(tenant.simulator.baseUrl, '/__sim/stats');
  return { adopt: adopt.json, adoptSeconds, settled, stats, rows, actions, idle, drift, driftStats: after };
}

export async function runAdoptBench(
  options: AdoptBenchOptions,
): Promise<{ figures: AdoptFigures; context: AdoptContext & { settled: boolean } }> {
  const tenant = await startTenant(options);
  const connection = await Connection.connect({ address: tenant.devServer.address });
  const client = new Client({ connection });
  let worker: ManagedProcess | undefined;
  try {
    worker = await startWorker(tenant, client, options.log);
    const m = await measure(tenant, client, options);
    const identities = options.identities;
    const grants = grantsOf(m.rows, tenant.heldBefore);
    const iscCalls = iscCallsOf(m.stats);
    const figures: AdoptFigures = {
      identities,
      adoptSeconds: round(m.adoptSeconds, 1),
      iscCalls,
      callsPerIdentity: round(iscCalls / identities, 4),
      rateLimited: rateLimitedOf(m.stats),
      maxCallsIn10s: m.stats.maxCallsIn10s,
      grantsOfHeldAccess: grants.ofHeld,
      grantsSent: grants.sent,
      temporalActions: m.actions.total.total,
      temporalActionsPerIdentity: round(m.actions.total.total / identities, 2),
      idleActionsPerIdentityDay: perIdentityDay(m.idle.actions, identities, m.idle.seconds),
      driftSweepSeconds: round(m.drift.ms / 1000, 1),
      driftSweepCalls: iscCallsOf(m.driftStats) - iscCalls,
    };
    const context = {
      held: options.held,
      itemsMissing: tenant.itemsMissing,
      adopted: m.adopt.adopted,
      alreadyManaged: m.adopt.alreadyManaged,
      driftQueried: m.drift.json.queried,
      driftFindings: Object.values(m.drift.json.counts).reduce((a, b) => a + b, 0),
      actions: m.actions,
      idleSeconds: round(m.idle.seconds, 1),
      idleActions: m.idle.actions,
      settled: m.settled,
    };
    return { figures, context };
  } finally {
    await worker?.stop({ graceMs: 5000 });
    await connection.close();
    await tenant.simulator.close();
    await tenant.devServer.stop();
    rmSync(tenant.dir, { recursive: true, force: true });
  }
}
