/**
 * Ingress throughput: signed HR events POSTed to /v1/events as fast as the ingress takes them, for a
 * fixed count, over keep-alive HTTP with a fixed concurrency; accepted/s and p50/p99 latency, each side
 * by side with the same count of calls made directly, so the ratio is what the ingress adds.
 *
 *   npm run bench:ingress -- [--count 2000] [--concurrency 32] [--target memory|temporal|both] [--json FILE]
 *
 * - memory: the ingress in front of an in-memory gateway, against `gateway.send` on that gateway: what
 *   the HTTP front door (parsing, signature, validation) costs by itself.
 * - temporal: the ingress in front of the Temporal gateway on a dev server (a SQLite file in a temporary
 *   directory, as `npm run dev` keeps it; or TEMPORAL_ADDRESS), against bare `client.workflow.start` calls
 *   of the same receipt workflow, and bare `signalWithStart` calls on lifecycles (what recording an event
 *   without a receipt would cost). No worker runs: an event counts once Temporal has recorded it, which is
 *   when the ingress answers 202.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { Registry } from 'prom-client';
import { z } from 'zod';
import { WORKFLOW_TYPES } from '../src/common';
import { loadLifecycleStarterConfig, loadTemporalConfig } from '../src/config';
import { type HrEvent, type ReceivedEvent } from '../src/domain';
import {
  buildIngress,
  eventLocation,
  type EventAcceptance,
  type LifecycleGateway,
  loadIngressConfig,
  openTemporalGateway,
  signWebhook,
} from '../src/ingress';
import { startDevServer } from '../src/local/dev-server';
import { freePort } from '../src/local/ports';
import { createLogger } from '../src/logger';
import { identityTarget } from '../src/operations/hr-events';
import { receiptWorkflowId } from '../src/operations/identity-refs';
import type { hrEventWorkflow, identityLifecycleWorkflow } from '../src/workflows';
import type { HrEventInput } from '../src/workflows/hr-event/contracts';
import { hrEventSignal, type LifecycleInput } from '../src/workflows/identity-lifecycle/contracts';

type Env = Record<string, string | undefined>;

/** Opened once per target; `call(index)` resolves once event `index` is taken and rejects otherwise. */
interface Opened {
  call(index: number): Promise<void>;
  close(): Promise<void>;
}

interface BenchTarget {
  /** Stable name in the JSON. */
  key: string;
  label: string;
  open(): Promise<Opened>;
}

interface BenchFigures {
  key: string;
  label: string;
  count: number;
  failures: number;
  seconds: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
}

/** What the ingress costs on top of the direct call it wraps. */
interface BenchRatio {
  ingress: string;
  direct: string;
  /** The ingress's accepted/s as a share of the direct calls' (1: it costs nothing). */
  throughput: number;
  /** The ingress's p50 latency over the direct calls'. */
  p50: number;
}

/** Keeps workflow ids and event ids apart from any earlier run against the same server. */
const RUN = randomBytes(4).toString('hex');

function benchEvent(index: number, prefix: string): HrEvent {
  return {
    id: `${prefix}-${RUN}-${index}`,
    source: 'bench',
    type: 'hire',
    identity: { employeeNumber: `${prefix}-${index}` },
    effectiveAt: '2027-01-04T08:00:00Z',
    attributes: { department: 'Engineering', location: 'Berlin' },
  };
}

/**
 * A gateway that records in memory, for measuring the ingress alone. Not a test fake (benchmarks import
 * no test code): just the least a gateway can do.
 */
export function inMemoryGateway(): LifecycleGateway {
  const seen = new Set<string>();
  return {
    async send(event): Promise<EventAcceptance> {
      const key = `${event.source}/${event.id}`;
      const status = seen.has(key) ? 'duplicate' : 'accepted';
      seen.add(key);
      return { status, source: event.source, id: event.id, location: eventLocation(event.source, event.id) };
    },
    standing: async () => undefined,
    hintAccessRequests: async () => undefined,
    ready: async () => true,
  };
}

/** One POST over a keep-alive agent; resolves with the status once the answer is read. */
function post(agent: Agent, port: number, headers: Record<string, string>, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const call = request(
      { host: '127.0.0.1', port, path: '/v1/events', method: 'POST', agent, headers },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      },
    );
    call.on('error', reject);
    call.end(body);
  });
}

/** The ingress in-process on a free port, in front of `gateway`; each call is one signed POST answered 202. */
function ingressTarget(gateway: LifecycleGateway, key: string, label: string): BenchTarget {
  const secret = `whsec_${randomBytes(32).toString('base64')}`;
  return {
    key,
    label,
    async open() {
      const app = buildIngress({
        config: loadIngressConfig({ ISCFLOW_WEBHOOK_SECRETS: secret }),
        gateway,
        metrics: new Registry(),
        logger: false,
      });
      await app.listen({ host: '127.0.0.1', port: 0 });
      const address = app.server.address();
      if (typeof address !== 'object' || !address) throw new Error('the ingress is not listening');
      const agent = new Agent({ keepAlive: true });
      return {
        async call(index) {
          const body = JSON.stringify(benchEvent(index, key));
          const id = `msg_${RUN}_${key}_${index}`;
          const timestamp = Math.floor(Date.now() / 1000);
          const status = await post(
            agent,
            address.port,
            {
              'content-type': 'application/json',
              'content-length': String(Buffer.byteLength(body)),
              'webhook-id': id,
              'webhook-timestamp': String(timestamp),
              'webhook-signature': signWebhook(secret, id, timestamp, body),
            },
            body,
          );
          if (status !== 202) throw new Error(`answered ${status}`);
        },
        async close() {
          agent.destroy();
          await app.close();
        },
      };
    },
  };
}

/** The same events handed straight to a gateway. */
function gatewayTarget(gateway: LifecycleGateway, key: string, label: string): BenchTarget {
  return {
    key,
    label,
    async open() {
      return {
        async call(index) {
          const { status } = await gateway.send(benchEvent(index, key), { channel: 'api' });
          if (status !== 'accepted') throw new Error(`gateway said ${status}`);
        },
        close: async () => undefined,
      };
    },
  };
}

/**
 * The receipt workflow started straight from a client, with the input the Temporal gateway gives it:
 * what the ingress does for one event, without the ingress.
 */
function bareStartTarget(client: Client, taskQueue: string, pseudonymKey: string): BenchTarget {
  const key = 'temporal-start';
  return {
    key,
    label: 'client.workflow.start (the receipt)',
    async open() {
      return {
        async call(index) {
          const event = benchEvent(index, key);
          const target = identityTarget({ kind: 'employeeNumber', value: `${key}-${index}` }, pseudonymKey);
          const input: HrEventInput = {
            received: { event, delivery: { channel: 'api' }, receivedAt: new Date().toISOString() },
            lifecycle: { workflowId: target.workflowId, input: { identity: target.key, ref: target.ref } },
          };
          await client.workflow.start<typeof hrEventWorkflow>(WORKFLOW_TYPES.hrEvent, {
            workflowId: receiptWorkflowId(event),
            taskQueue,
            args: [input],
          });
        },
        close: async () => undefined,
      };
    },
  };
}

/** The event signalled straight into its identity's lifecycle, started if need be: no receipt at all. */
function bareSignalWithStartTarget(client: Client, taskQueue: string, pseudonymKey: string): BenchTarget {
  const key = 'temporal-signal-with-start';
  return {
    key,
    label: 'client.workflow.signalWithStart (the lifecycle)',
    async open() {
      return {
        async call(index) {
          const event = benchEvent(index, key);
          const target = identityTarget({ kind: 'employeeNumber', value: `${key}-${index}` }, pseudonymKey);
          const input: LifecycleInput = { identity: target.key, ref: target.ref };
          const received: ReceivedEvent = { event, delivery: { channel: 'api' }, receivedAt: new Date().toISOString() };
          await client.workflow.signalWithStart<typeof identityLifecycleWorkflow, [ReceivedEvent]>(
            WORKFLOW_TYPES.identityLifecycle,
            { workflowId: target.workflowId, taskQueue, args: [input], signal: hrEventSignal, signalArgs: [received] },
          );
        },
        close: async () => undefined,
      };
    },
  };
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

/**
 * Opens `target`, warms it up (JIT, connections, the server's caches) with `warmUp` calls of their own,
 * then runs `count` calls with `concurrency` in flight and measures each one.
 */
async function measure(target: BenchTarget, count: number, concurrency: number, warmUp: number): Promise<BenchFigures> {
  const opened = await target.open();
  const run = async (from: number, to: number, latencies: number[]): Promise<number> => {
    let failures = 0;
    let next = from;
    const worker = async (): Promise<void> => {
      for (let index = next++; index < to; index = next++) {
        const began = performance.now();
        try {
          await opened.call(index);
          latencies.push(performance.now() - began);
        } catch {
          failures++;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, to - from) }, worker));
    return failures;
  };
  try {
    // Indexes past `count`: the measured calls never repeat an event of the warm-up.
    await run(count, count + warmUp, []);
    const latencies: number[] = [];
    const started = performance.now();
    const failures = await run(0, count, latencies);
    const seconds = (performance.now() - started) / 1000;
    latencies.sort((a, b) => a - b);
    return {
      key: target.key,
      label: target.label,
      count,
      failures,
      seconds,
      perSecond: latencies.length / seconds,
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
    };
  } finally {
    await opened.close();
  }
}

function ratio(ingress: BenchFigures, direct: BenchFigures): BenchRatio {
  return {
    ingress: ingress.key,
    direct: direct.key,
    throughput: ingress.perSecond / direct.perSecond,
    p50: ingress.p50Ms / direct.p50Ms,
  };
}

/** The figures as a table, one row per target. */
function table(figures: readonly BenchFigures[]): string {
  const rows = [
    ['target', 'events', 'failed', 'seconds', 'accepted/s', 'p50 ms', 'p99 ms'],
    ...figures.map((f) => [
      f.label,
      String(f.count),
      String(f.failures),
      f.seconds.toFixed(2),
      f.perSecond.toFixed(0),
      f.p50Ms.toFixed(2),
      f.p99Ms.toFixed(2),
    ]),
  ];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows
    .map((row) =>
      row
        .map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!)))
        .join('  '),
    )
    .join('\n');
}

/** The ingress in front of an in-memory gateway, and that gateway called directly. */
async function memoryRun(count: number, concurrency: number, warmUp: number): Promise<BenchFigures[]> {
  const gateway = inMemoryGateway();
  return [
    await measure(ingressTarget(gateway, 'memory-ingress', 'ingress -> in-memory gateway'), count, concurrency, warmUp),
    await measure(gatewayTarget(gateway, 'memory-direct', 'gateway.send, in memory'), count, concurrency, warmUp),
  ];
}

/**
 * The ingress in front of the Temporal gateway (its own connection, as `npm run ingress` opens it), and
 * bare client calls on a connection of their own, against a dev server started for the run (a SQLite
 * file, as `npm run dev` keeps its state) or the server TEMPORAL_ADDRESS names.
 */
async function temporalRun(
  count: number,
  concurrency: number,
  warmUp: number,
): Promise<{ figures: BenchFigures[]; server: string }> {
  const temporalEnv: Env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => name.startsWith('TEMPORAL_')),
  );
  const dir = temporalEnv.TEMPORAL_ADDRESS ? undefined : mkdtempSync(join(tmpdir(), 'iscflow-bench-ingress-'));
  const server = dir
    ? await startDevServer({
        port: await freePort(),
        uiPort: await freePort(),
        dbFile: join(dir, 'dev.db'),
        quiet: true,
      })
    : undefined;
  const env: Env = {
    ...temporalEnv,
    ...(server ? { TEMPORAL_ADDRESS: server.address } : {}),
    ISCFLOW_TASK_QUEUE: `bench-ingress-${RUN}`,
  };
  const temporal = loadTemporalConfig(env);
  const { pseudonymKey } = loadLifecycleStarterConfig(env);
  const handle = await openTemporalGateway(env)(createLogger('error'));
  const connection = await Connection.connect(temporal.connection);
  const client = new Client({ connection, namespace: temporal.namespace });
  try {
    const figures = [
      await measure(
        ingressTarget(handle.gateway, 'temporal-ingress', 'ingress -> Temporal gateway'),
        count,
        concurrency,
        warmUp,
      ),
      await measure(bareStartTarget(client, temporal.taskQueue, pseudonymKey), count, concurrency, warmUp),
      await measure(bareSignalWithStartTarget(client, temporal.taskQueue, pseudonymKey), count, concurrency, warmUp),
    ];
    return {
      figures,
      server: server
        ? 'dev server (SQLite file, started for the run)'
        : (temporal.connection.address ?? 'localhost:7233'),
    };
  } finally {
    await handle.close();
    await connection.close();
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

const argsSchema = z.object({
  count: z.coerce.number().int().positive().default(2000),
  concurrency: z.coerce.number().int().positive().max(1024).default(32),
  target: z.enum(['memory', 'temporal', 'both']).default('both'),
  json: z.string().min(1).optional(),
});

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      count: { type: 'string' },
      concurrency: { type: 'string' },
      target: { type: 'string' },
      json: { type: 'string' },
    },
    strict: true,
  });
  const args = argsSchema.parse(values);
  const warmUp = Math.min(200, args.count);
  console.log(
    `ingress bench: ${args.count} signed events per target, ${args.concurrency} in flight, ${warmUp} to warm up`,
  );
  const figures: BenchFigures[] = [];
  const ratios: BenchRatio[] = [];
  let server: string | undefined;
  if (args.target !== 'temporal') {
    const [ingress, direct] = await memoryRun(args.count, args.concurrency, warmUp);
    figures.push(ingress!, direct!);
    ratios.push(ratio(ingress!, direct!));
  }
  if (args.target !== 'memory') {
    const run = await temporalRun(args.count, args.concurrency, warmUp);
    const [ingress, start, signalWithStart] = run.figures;
    figures.push(...run.figures);
    ratios.push(ratio(ingress!, start!), ratio(ingress!, signalWithStart!));
    server = run.server;
  }
  console.log(`\n${table(figures)}\n`);
  const label = (key: string): string => figures.find((f) => f.key === key)?.label ?? key;
  for (const r of ratios) {
    console.log(
      `${label(r.ingress)}: ${(r.throughput * 100).toFixed(0)}% of the throughput of ${label(r.direct)}, ` +
        `${r.p50.toFixed(2)}x its p50`,
    );
  }
  if (args.json) {
    const machine = { cpus: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', node: process.version };
    const { count, concurrency, target } = args;
    const report = {
      at: new Date().toISOString(),
      machine,
      count,
      concurrency,
      target,
      warmUp,
      server,
      figures,
      ratios,
    };
    writeFileSync(args.json, `${JSON.stringify(report, null, 2)}\n`);
  }
  if (figures.some((f) => f.failures > 0)) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
