/**
 * How fast `iscflow report` reads a period of thousands of changes. Makes N real access changes (grants of
 * distinct (identity, entitlement) pairs, a few of them failing and skipped by an operator with a reason)
 * on a dev server with a SQLite file, as `npm run dev` keeps it, against the simulator with its delays and
 * ISC's rate limit out of the way; then reads the report several times at a few concurrencies and renders
 * every format. Prints the figures; `--json FILE` writes them too.
 *
 * `npm run bench:report -- [--changes 2000] [--broken-every 50] [--concurrency 4,16,32] [--repeat 3] [--json FILE]`
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { STATE, WORKFLOW_TYPES } from '../src/common';
import { loadWorkerConfig } from '../src/config';
import { startDevServer } from '../src/local/dev-server';
import { freePort } from '../src/local/ports';
import { createLogger } from '../src/logger';
import { startAccessChange } from '../src/operations/access-changes';
import { mapBounded, readReport, renderReport, REPORT_FORMATS, type Report } from '../src/report';
import { SIMULATOR_DEFAULT_CREDENTIALS, startSimulator } from '../src/simulator';
import { installRuntimeLogging } from '../src/temporal-logging';
import { buildWorker } from '../src/worker';
import { skipUpdate } from '../src/workflows/access-request/contracts';

const { values } = parseArgs({
  options: {
    changes: { type: 'string', default: '2000' },
    'broken-every': { type: 'string', default: '50' },
    concurrency: { type: 'string', default: '4,16,32' },
    repeat: { type: 'string', default: '3' },
    json: { type: 'string' },
  },
});

function count(name: string, value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed <= 0) throw new Error(`--${name} ${value}: expected a whole number > 0`);
  return parsed;
}

const CHANGES = count('changes', values.changes);
const BROKEN_EVERY = count('broken-every', values['broken-every']);
const CONCURRENCIES = values.concurrency.split(',').map((c) => count('concurrency', c));
const REPEAT = count('repeat', values.repeat);

interface CatalogView {
  identities: Array<{ id: string }>;
  items: Array<{ type: string; id: string; name: string }>;
}

const seconds = (ms: number): number => Math.round(ms / 10) / 100;

async function timed<T>(body: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const start = performance.now();
  const value = await body();
  return { value, ms: performance.now() - start };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'iscflow-bench-report-'));
  const server = await startDevServer({
    port: await freePort(),
    uiPort: await freePort(),
    dbFile: join(dir, 'dev.db'),
    quiet: true,
  });
  const sim = await startSimulator({
    seed: 2026,
    catalog: { identities: 120, entitlements: 200 },
    config: {
      approval: { delayMs: 0 },
      provisioning: { delayMs: 0 },
      rateLimit: { requests: 1_000_000, windowSeconds: 1 },
    },
  });
  const settings = {
    TEMPORAL_ADDRESS: server.address,
    ISCFLOW_TASK_QUEUE: 'bench-report',
    SAIL_BASE_URL: sim.baseUrl,
    SAIL_CLIENT_ID: SIMULATOR_DEFAULT_CREDENTIALS.clientId,
    SAIL_CLIENT_SECRET: SIMULATOR_DEFAULT_CREDENTIALS.clientSecret,
    ISCFLOW_MAX_CONCURRENT_ACTIVITIES: '50',
    ISCFLOW_SHUTDOWN_GRACE_SECONDS: '1',
    LOG_LEVEL: 'error',
  };
  const logger = createLogger('error');
  installRuntimeLogging(logger);
  const native = await NativeConnection.connect({ address: server.address });
  const worker = await buildWorker({ config: loadWorkerConfig(settings), connection: native, logger });
  const running = worker.run();
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection });
  try {
    const catalog = (await (await fetch(`${sim.baseUrl}/__sim/catalog`)).json()) as CatalogView;
    const plain = catalog.items.filter(
      (i) => i.type === 'ENTITLEMENT' && !/birthright|restricted|broken/i.test(i.name),
    );
    const broken = catalog.items.find((i) => i.type === 'ENTITLEMENT' && /^Broken/.test(i.name));
    if (!broken) throw new Error('the simulator catalog has no Broken entitlement');
    const pairs = catalog.identities.flatMap((identity) => plain.map((item) => ({ identity, item })));
    if (pairs.length < CHANGES) throw new Error(`only ${pairs.length} distinct pairs for ${CHANGES} changes`);

    console.log(`starting ${CHANGES} changes (one in ${BROKEN_EVERY} fails and is skipped by an operator)`);
    const made = await timed(() =>
      mapBounded(
        pairs.slice(0, CHANGES).map((pair, index) => ({ ...pair, index })),
        16,
        async ({ identity, item, index }) => {
          // A failing change replaces this pair with the broken item for an identity of its own: distinct changes.
          const failing = index % BROKEN_EVERY === 0;
          const who = failing ? catalog.identities[(index / BROKEN_EVERY) % catalog.identities.length]! : identity;
          const id = failing ? broken.id : item.id;
          await startAccessChange(
            client,
            settings.ISCFLOW_TASK_QUEUE,
            { requestType: 'GRANT_ACCESS', identityIds: [who.id], items: [{ type: 'ENTITLEMENT', id }] },
            {
              options: { statusPollSeconds: 1, outcomeRetries: 0 },
              cause: { kind: 'api', ref: `bench-${identity.id}` },
            },
          );
        },
      ),
    );
    const open = `WorkflowType = '${WORKFLOW_TYPES.accessRequest}' AND ExecutionStatus = 'Running'`;
    const waiting = `${open} AND ${STATE.name} = 'AWAITING_OPERATOR'`;
    const settled = await timed(async () => {
      for (;;) {
        for await (const wf of client.workflow.list({ query: waiting })) {
          await client.workflow
            .getHandle(wf.workflowId)
            .executeUpdate(skipUpdate, { args: [{ reason: 'bench: connector known to be down' }] })
            .catch(() => undefined);
        }
        const left = (await client.workflow.count(open)).count;
        if (left === 0) return;
        await new Promise((r) => setTimeout(r, 1000));
      }
    });
    console.log(`made in ${seconds(made.ms)} s, all completed after ${seconds(settled.ms)} s more`);

    const runs: Array<{ concurrency: number; rows: number; seconds: number; rowsPerSecond: number }> = [];
    let report: Report | undefined;
    for (const concurrency of CONCURRENCIES) {
      for (let i = 0; i < REPEAT; i++) {
        const read = await timed(() =>
          readReport(client, { period: { since: null, until: null }, pseudonymKey: '', concurrency }),
        );
        report = read.value;
        runs.push({
          concurrency,
          rows: read.value.rows.length,
          seconds: seconds(read.ms),
          rowsPerSecond: Math.round(read.value.rows.length / (read.ms / 1000)),
        });
        console.log(`read: concurrency ${concurrency}, ${read.value.rows.length} rows in ${seconds(read.ms)} s`);
      }
    }
    const renders = REPORT_FORMATS.map((format) => {
      const start = performance.now();
      const text = renderReport(report!, format);
      return { format, ms: Math.round(performance.now() - start), bytes: Buffer.byteLength(text) };
    });
    for (const r of renders) console.log(`render ${r.format}: ${r.ms} ms, ${(r.bytes / 1024).toFixed(0)} KiB`);
    const decisions = report!.rows.filter((r) => r.decisions.length > 0).length;
    console.log(`${decisions} rows carry an operator decision`);
    if (values.json)
      writeFileSync(values.json, `${JSON.stringify({ changes: CHANGES, runs, renders, decisions }, null, 2)}\n`);
  } finally {
    worker.shutdown();
    await running;
    await native.close();
    await connection.close();
    await sim.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
