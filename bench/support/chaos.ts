/**
 * The chaos harness shared by `test/integration/chaos.test.ts` and `npm run chaos` (`bench/chaos.ts`). It
 * lives with the benchmarks because a benchmark imports no test code; the test imports it from here.
 *
 * Everything that can crash runs as a real process: the Temporal dev server (SQLite state file, stopped
 * and started again once from that file) and the iscflow worker (`tsx src/worker.ts`, killed with SIGKILL
 * and started again several times). The ISC simulator runs in this process with faults on: 500/502/503,
 * 429s, lost responses (created, then the answer is dropped) and connection resets. Changes are grants of
 * distinct (identity, entitlement) pairs, plus deliberate duplicates started concurrently and later.
 *
 * At the end the harness reads the truth from the simulator (`GET /__sim/requests`, `/__sim/stats`, each
 * identity's access) and from Temporal (each workflow's result), and reports the figures.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mulberry32 } from '../../src/simulator/prng';
import { freePort } from '../../src/local/ports';
import { createWriteStream, mkdtempSync, rmSync, type WriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { AccessChange } from '../../src/domain';
import { startDevServer, type DevServer } from '../../src/local/dev-server';
import { PROJECT_ROOT } from '../../src/local/temporal-binaries';
import { SIMULATOR_DEFAULT_CREDENTIALS, startSimulator, type RunningSimulator } from '../../src/simulator';
import { startAccessChange } from '../../src/operations/access-changes';
import type { accessRequestWorkflow } from '../../src/workflows';
import type { AccessRequestOptions, AccessRequestResult } from '../../src/workflows/access-request/contracts';

export type Profile = 'current' | 'legacy';

export interface ChaosFaults {
  errorRate: number;
  rateLimitRate: number;
  lostResponseRate: number;
  resetRate: number;
}

export interface ChaosOptions {
  profile: Profile;
  /** Distinct changes (one identity, one entitlement each). */
  changes: number;
  /** Extra starts of changes already started: about half concurrently with the original, half later. */
  duplicates: number;
  /** SIGKILLs of the worker process, spread over the run; each is followed by a fresh worker. */
  workerKills: number;
  /** Restarts of the Temporal dev server from its state file (0 or more). */
  serverRestarts: number;
  /** Changes are started over this many seconds, so crashes hit starts, submissions and tracking alike. */
  startWindowSeconds: number;
  faults: ChaosFaults;
  /** ISC's rate limit in the simulator; ISC's own is 100 calls per 10 s. */
  rateLimit: { requests: number; windowSeconds: number };
  /** ISC calls per 10 s the worker fleet stays under (`ISCFLOW_ISC_CALLS_PER_10S`). */
  iscCallsPer10s: number;
  /** Give up waiting for outcomes after this long; what is not final by then counts as lost. */
  deadlineSeconds: number;
  seed: number;
  /** Progress lines; silent by default. */
  log?: (line: string) => void;
}

export const DEFAULT_FAULTS: ChaosFaults = {
  errorRate: 0.03,
  rateLimitRate: 0.03,
  lostResponseRate: 0.05,
  resetRate: 0.02,
};

export interface ChaosFigures {
  profile: Profile;
  changes: number;
  duplicatesInjected: number;
  workerKills: number;
  serverRestarts: number;
  /** Request items the simulator created (what reached ISC). */
  iscItemsCreated: number;
  /** Extra items for an (identity, item, request type) that already had one. */
  duplicateItems: number;
  /** Changes whose workflow did not complete (or does not exist) by the deadline. */
  lostChanges: number;
  /** Changes that completed with an outcome other than the expected one, or GRANTED without the access held. */
  wrongOutcomes: number;
  /** 429 answers the simulator sent, on every route: injected ones and ISC's budget. */
  rateLimited: number;
  /** Faults the simulator injected on POST /access-requests that left a created request unanswered. */
  lostResponses: number;
  wallSeconds: number;
}

export interface ChaosReport {
  figures: ChaosFigures;
  /** One line per problem found (lost change, wrong outcome, duplicate item); empty when all is well. */
  problems: string[];
}

interface PlannedChange {
  change: AccessChange;
  identityId: string;
  entitlementId: string;
  expected: 'GRANTED' | 'ALREADY_SATISFIED';
  workflowIds: Set<string>;
  /**
   * The runs its starts made or joined, in order. A start after the change completed is a new intent (a new
   * run that re-checks ISC); the first run is the change itself.
   */
  runs: string[];
}

interface SimRow {
  requestType: string;
  requestedFor: string;
  itemType: string;
  itemId: string;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Retries a call to Temporal while the dev server is down or restarting. */
async function persist<T>(call: () => Promise<T>, until = Date.now() + 120_000): Promise<T> {
  for (;;) {
    try {
      return await call();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const transient = /UNAVAILABLE|ECONNREFUSED|connect|Connection|DEADLINE_EXCEEDED|transport|socket/i.test(message);
      if (!transient || Date.now() > until) throw error;
      await sleep(500);
    }
  }
}

/** The worker as its own process group, so SIGKILL takes tsx and the node process it runs. */
class WorkerProcess {
  private child: ChildProcess | undefined;
  /** Set between a deliberate kill and the restart, so the watchdog does not start a second worker. */
  private killing = false;
  kills = 0;

  constructor(
    private readonly env: Record<string, string>,
    private readonly logFile: WriteStream,
  ) {}

  private alive(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  start(): void {
    if (this.alive()) throw new Error('A chaos worker is already running');
    const child = spawn(join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx'), ['src/worker.ts'], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, ...this.env },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.pipe(this.logFile, { end: false });
    child.stderr?.pipe(this.logFile, { end: false });
    this.child = child;
  }

  /** Restarts a worker that died on its own (e.g. it gave up on an unreachable server). */
  ensureRunning(): void {
    if (!this.killing && !this.alive()) this.start();
  }

  /** SIGKILL, then (unless `restart` is false) a fresh worker after `pauseMs`. */
  async kill(restart: boolean, pauseMs = 500): Promise<void> {
    this.killing = true;
    try {
      const child = this.child;
      if (child?.pid !== undefined && this.alive()) {
        const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        process.kill(-child.pid, 'SIGKILL');
        await gone;
        if (restart) this.kills += 1;
      }
      if (!restart) return;
      await sleep(pauseMs);
      this.start();
    } finally {
      this.killing = !restart;
    }
  }
}

function planChanges(
  options: ChaosOptions,
  identities: string[],
  entitlements: string[],
  held: Map<string, Set<string>>,
): PlannedChange[] {
  const capacity = identities.length * entitlements.length;
  if (options.changes > capacity) throw new Error(`At most ${capacity} distinct changes fit the catalog`);
  const pick = mulberry32(options.seed);
  const offset = Math.floor(pick() * entitlements.length);
  return Array.from({ length: options.changes }, (_, n) => {
    const identityId = identities[n % identities.length]!;
    const entitlementId = entitlements[(offset + Math.floor(n / identities.length)) % entitlements.length]!;
    return {
      change: {
        requestType: 'GRANT_ACCESS',
        identityIds: [identityId],
        items: [{ type: 'ENTITLEMENT', id: entitlementId }],
        comment: `chaos change ${n}`,
      },
      identityId,
      entitlementId,
      expected: held.get(identityId)?.has(entitlementId) ? 'ALREADY_SATISFIED' : 'GRANTED',
      workflowIds: new Set<string>(),
      runs: [],
    };
  });
}

export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const log = options.log ?? (() => undefined);
  const began = Date.now();
  const dir = mkdtempSync(join(tmpdir(), 'iscflow-chaos-'));
  const logFile = createWriteStream(join(dir, 'worker.log'));
  const [port, uiPort] = [await freePort(), await freePort()];
  const serverOptions = { port, uiPort, dbFile: join(dir, 'temporal.db'), logLevel: 'error' as const };
  let server: DevServer | undefined;
  let sim: RunningSimulator | undefined;
  let connection: Connection | undefined;
  let worker: WorkerProcess | undefined;
  try {
    server = await startDevServer(serverOptions);
    sim = await startSimulator({
      seed: options.seed,
      config: {
        profile: options.profile,
        faults: { latencyMs: 0, ...options.faults },
        rateLimit: options.rateLimit,
      },
    });
    const simBase = sim.baseUrl;
    const simGet = async <T>(path: string): Promise<T> => (await (await fetch(`${simBase}${path}`)).json()) as T;
    const taskQueue = `iscflow-chaos-${options.profile}`;
    worker = new WorkerProcess(
      {
        TEMPORAL_ADDRESS: server.address,
        TEMPORAL_NAMESPACE: 'default',
        ISCFLOW_TASK_QUEUE: taskQueue,
        SAIL_BASE_URL: simBase,
        SAIL_CLIENT_ID: SIMULATOR_DEFAULT_CREDENTIALS.clientId,
        SAIL_CLIENT_SECRET: SIMULATOR_DEFAULT_CREDENTIALS.clientSecret,
        SAIL_TENANT_PROFILE: options.profile,
        SAIL_REQUEST_TIMEOUT_MS: '5000',
        ISCFLOW_ISC_CALLS_PER_10S: String(options.iscCallsPer10s),
        ISCFLOW_SHUTDOWN_GRACE_SECONDS: '1',
        LOG_LEVEL: 'warn',
      },
      logFile,
    );
    worker.start();

    const catalog = await simGet<{
      identities: Array<{ id: string }>;
      items: Array<{ type: string; id: string; name: string }>;
    }>('/__sim/catalog');
    const identities = catalog.identities.map((i) => i.id);
    const entitlements = catalog.items
      .filter((i) => i.type === 'ENTITLEMENT' && !/birthright|restricted|broken/i.test(i.name))
      .map((i) => i.id);
    const held = new Map<string, Set<string>>();
    for (const id of identities) {
      const access = await simGet<Array<{ id: string }>>(`/__sim/identities/${id}/access`);
      held.set(id, new Set(access.map((a) => a.id)));
    }
    const planned = planChanges(options, identities, entitlements, held);
    log(
      `${options.profile}: ${planned.length} changes, ${options.duplicates} duplicates, worker log ${dir}/worker.log`,
    );

    connection = await Connection.connect({ address: server.address });
    const client = new Client({ connection, namespace: 'default' });
    // No tenantProfile here: the worker (SAIL_TENANT_PROFILE) tells each workflow, as in a deployment.
    const workflowOptions: Partial<AccessRequestOptions> = {
      activityTimeoutSeconds: 10,
      statusPollSeconds: 2,
      outcomeRetryBackoffSeconds: 1,
      missingRowGraceSeconds: 15,
    };
    const start = async (change: PlannedChange): Promise<void> => {
      const started = await persist(() =>
        startAccessChange(client, taskQueue, change.change, { options: workflowOptions }),
      );
      for (const s of started) {
        change.workflowIds.add(s.workflowId);
        const { runId } = s;
        if (runId && !change.runs.includes(runId)) change.runs.push(runId);
      }
    };

    // Which changes are started more than once, and when: concurrently with the original, or later.
    const pick = mulberry32(options.seed + 1);
    const concurrentTwins = new Map<number, number>();
    const laterTwins: number[] = [];
    for (let d = 0; d < options.duplicates; d += 1) {
      const target = Math.floor(pick() * planned.length);
      if (d % 2 === 0) concurrentTwins.set(target, (concurrentTwins.get(target) ?? 0) + 1);
      else laterTwins.push(target);
    }

    const startAll = async (): Promise<void> => {
      const gapMs = (options.startWindowSeconds * 1000) / Math.max(1, planned.length);
      const inFlight: Array<Promise<void>> = [];
      for (const [n, change] of planned.entries()) {
        const copies = 1 + (concurrentTwins.get(n) ?? 0);
        inFlight.push(...Array.from({ length: copies }, () => start(change)));
        await sleep(gapMs);
      }
      await Promise.all(inFlight);
      // Later duplicates: the same HR event replayed after (or while) the original ran.
      await Promise.all(laterTwins.map((n) => start(planned[n]!)));
    };

    const chaos = async (): Promise<number> => {
      const events = options.workerKills + options.serverRestarts;
      const everyMs = (options.startWindowSeconds * 1000 * 1.5) / Math.max(1, events + 1);
      let restarts = 0;
      for (let e = 1; e <= events; e += 1) {
        await sleep(everyMs);
        // The server restart sits in the middle of the kills.
        const restartHere = restarts < options.serverRestarts && e === Math.ceil((events + 1) / 2);
        if (restartHere) {
          log(`${options.profile}: restarting the Temporal dev server from ${serverOptions.dbFile}`);
          await server!.stop();
          await sleep(1000);
          server = await startDevServer(serverOptions);
          restarts += 1;
          continue;
        }
        log(`${options.profile}: SIGKILL worker (${worker!.kills + 1}/${options.workerKills})`);
        await worker!.kill(true);
      }
      return restarts;
    };

    // A worker that exits by itself (not killed) is restarted; the harness never leaves the queue unserved.
    const watchdog = setInterval(() => worker?.ensureRunning(), 2000);
    let serverRestarts = 0;
    try {
      [, serverRestarts] = await Promise.all([startAll(), chaos()]);

      // Every change to a final outcome, or the deadline.
      const deadline = began + options.deadlineSeconds * 1000;
      const results = new Map<string, AccessRequestResult>();
      const runs = planned.flatMap((p) =>
        [...p.workflowIds].flatMap((workflowId) => p.runs.map((runId) => ({ workflowId, runId }))),
      );
      for (;;) {
        for (const { workflowId, runId } of runs) {
          if (results.has(runId)) continue;
          try {
            const handle = client.workflow.getHandle<typeof accessRequestWorkflow>(workflowId, runId);
            if ((await handle.describe()).status.name === 'COMPLETED') results.set(runId, await handle.result());
          } catch {
            // Server restarting: asked again on the next round.
          }
        }
        log(`${options.profile}: ${results.size}/${runs.length} runs completed`);
        if (results.size === runs.length || Date.now() > deadline) break;
        await sleep(2000);
      }
      return await judge(options, planned, results, simGet, {
        workerKills: worker.kills,
        serverRestarts,
        began,
      });
    } finally {
      clearInterval(watchdog);
    }
  } finally {
    await worker?.kill(false);
    await connection?.close();
    await sim?.close();
    await server?.stop();
    logFile.end();
    if (!process.env.ISCFLOW_CHAOS_KEEP) rmSync(dir, { recursive: true, force: true });
  }
}

async function judge(
  options: ChaosOptions,
  planned: PlannedChange[],
  results: Map<string, AccessRequestResult>,
  simGet: <T>(path: string) => Promise<T>,
  run: { workerKills: number; serverRestarts: number; began: number },
): Promise<ChaosReport> {
  const problems: string[] = [];
  const rows = await simGet<SimRow[]>('/__sim/requests');
  const perKey = new Map<string, number>();
  for (const row of rows) {
    const key = `${row.requestType} ${row.requestedFor} ${row.itemType}:${row.itemId}`;
    perKey.set(key, (perKey.get(key) ?? 0) + 1);
  }
  let duplicateItems = 0;
  for (const [key, count] of perKey) {
    if (count > 1) {
      duplicateItems += count - 1;
      problems.push(`duplicate ISC items: ${count} for ${key}`);
    }
  }

  let lostChanges = 0;
  let wrongOutcomes = 0;
  const access = new Map<string, Set<string>>();
  const holds = async (identityId: string, entitlementId: string): Promise<boolean> => {
    if (!access.has(identityId)) {
      const held = await simGet<Array<{ id: string }>>(`/__sim/identities/${identityId}/access`);
      access.set(identityId, new Set(held.map((a) => a.id)));
    }
    return access.get(identityId)?.has(entitlementId) ?? false;
  };
  for (const p of planned) {
    const [workflowId, ...others] = [...p.workflowIds];
    if (others.length > 0) problems.push(`one change, several workflow ids: ${[...p.workflowIds].join(', ')}`);
    const [first, ...reruns] = p.runs;
    const result = first ? results.get(first) : undefined;
    if (!result) {
      lostChanges += 1;
      problems.push(`lost: ${workflowId ?? 'never started'} (${p.identityId} ENTITLEMENT:${p.entitlementId})`);
      continue;
    }
    const held = await holds(p.identityId, p.entitlementId);
    const outcome = result.items[0]?.outcome;
    if (outcome !== p.expected || !held) {
      wrongOutcomes += 1;
      problems.push(
        `wrong outcome: ${workflowId} ended ${outcome} (expected ${p.expected}, access ${held ? '' : 'not '}held)`,
      );
    }
    // A start after the change completed is a new intent: it finds the access held and submits nothing.
    for (const rerun of reruns) {
      const again = results.get(rerun)?.items[0]?.outcome;
      if (again !== 'ALREADY_SATISFIED') {
        wrongOutcomes += 1;
        problems.push(`wrong outcome: ${workflowId} run ${rerun} (a repeat) ended ${again ?? 'not at all'}`);
      }
    }
  }

  const stats = await simGet<{ calls: Record<string, Record<string, number>> }>('/__sim/stats');
  const rateLimited = Object.values(stats.calls).reduce((sum, byStatus) => sum + (byStatus['429'] ?? 0), 0);
  const lostResponses = Object.entries(stats.calls)
    .filter(([route]) => /^POST \/v\w+\/access-requests$/.test(route))
    .reduce((sum, [, byStatus]) => sum + (byStatus.lost ?? 0), 0);

  return {
    figures: {
      profile: options.profile,
      changes: planned.length,
      duplicatesInjected: options.duplicates,
      workerKills: run.workerKills,
      serverRestarts: run.serverRestarts,
      iscItemsCreated: rows.length,
      duplicateItems,
      lostChanges,
      wrongOutcomes,
      rateLimited,
      lostResponses,
      wallSeconds: Math.round((Date.now() - run.began) / 1000),
    },
    problems,
  };
}
