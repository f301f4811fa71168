/**
 * Ingress throughput: signed HR events POSTed to /v1/events as fast as the ingress takes them, for a
 * fixed count, over keep-alive HTTP with a fixed concurrency. Reports accepted/s and p50/p99 latency,
 * then the same count through a comparison target and the ratio between the two.
 *
 *   npm run bench:ingress -- --count 5000 [--concurrency 32] [--compare direct|none]
 *
 * For now the ingress runs in-process in front of an in-memory gateway, and `direct` (the default
 * comparison) hands the same events straight to that gateway: the ratio is what the HTTP front door
 * costs. `runIngressBench` takes any gateway and any comparison target, so the Temporal gateway and
 * bare `signalWithStart` calls plug in without changing the measurement.
 */
import { randomBytes } from 'node:crypto';
import { Agent, request } from 'node:http';
import { parseArgs } from 'node:util';
import { Registry } from 'prom-client';
import { z } from 'zod';
import { type HrEvent } from '../src/domain';
import {
  buildIngress,
  eventLocation,
  type EventAcceptance,
  type LifecycleGateway,
  loadIngressConfig,
  signWebhook,
} from '../src/ingress';

/** Something that can take event number `index`; resolves once it is taken, rejects otherwise. */
export interface BenchTarget {
  label: string;
  open(): Promise<{ call(index: number): Promise<void>; close(): Promise<void> }>;
}

export interface BenchFigures {
  label: string;
  count: number;
  failures: number;
  seconds: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
}

export interface IngressBenchOptions {
  count: number;
  concurrency: number;
  /** The gateway behind the ingress. */
  gateway: LifecycleGateway;
  /** What the ingress is compared with; `undefined`: no comparison. */
  compare?: BenchTarget;
}

const RUN = randomBytes(4).toString('hex');

export function benchEvent(index: number, prefix = 'bench'): HrEvent {
  return {
    id: `${prefix}-${RUN}-${index}`,
    source: 'bench',
    type: 'hire',
    identity: { employeeNumber: `B${index}` },
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

/**
 * The ingress in-process on a free port, in front of `gateway`; each call is one signed POST that must
 * be answered 202. `prefix` keeps event ids apart between runs against the same gateway.
 */
export function ingressTarget(gateway: LifecycleGateway, prefix = 'bench'): BenchTarget {
  const secret = `whsec_${randomBytes(32).toString('base64')}`;
  return {
    label: 'ingress (HTTP, signed)',
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
          const body = JSON.stringify(benchEvent(index, prefix));
          const id = `msg_${RUN}_${prefix}_${index}`;
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

/** The same events handed straight to a gateway: what the ingress is measured against. */
export function directTarget(gateway: LifecycleGateway, label = 'gateway.send (direct)'): BenchTarget {
  return {
    label,
    async open() {
      return {
        async call(index) {
          const { status } = await gateway.send(benchEvent(index, 'direct'), { channel: 'cli' });
          if (status !== 'accepted') throw new Error(`gateway said ${status}`);
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

/** Runs `count` calls with `concurrency` in flight and measures each one. */
export async function measure(target: BenchTarget, count: number, concurrency: number): Promise<BenchFigures> {
  const opened = await target.open();
  const latencies: number[] = [];
  let failures = 0;
  let next = 0;
  const started = performance.now();
  try {
    const worker = async (): Promise<void> => {
      for (let index = next++; index < count; index = next++) {
        const began = performance.now();
        try {
          await opened.call(index);
          latencies.push(performance.now() - began);
        } catch {
          failures++;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  } finally {
    await opened.close();
  }
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    label: target.label,
    count,
    failures,
    seconds,
    perSecond: latencies.length / seconds,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
  };
}

function report(figures: BenchFigures): string {
  const { label, count, failures, seconds, perSecond, p50Ms, p99Ms } = figures;
  return (
    `${label.padEnd(26)} ${count} events in ${seconds.toFixed(2)} s: ${perSecond.toFixed(0)} accepted/s, ` +
    `p50 ${p50Ms.toFixed(2)} ms, p99 ${p99Ms.toFixed(2)} ms${failures > 0 ? `, ${failures} FAILED` : ''}`
  );
}

/** Measures the ingress in front of `gateway`, then the comparison, and prints both and their ratio. */
export async function runIngressBench(options: IngressBenchOptions): Promise<BenchFigures[]> {
  const { count, concurrency } = options;
  console.log(`ingress bench: ${count} signed events, ${concurrency} in flight`);
  // A short warm-up so JIT and connection set-up do not count against the first target.
  await measure(ingressTarget(options.gateway, 'warm-up'), Math.min(500, count), concurrency);
  const ingress = await measure(ingressTarget(options.gateway), count, concurrency);
  console.log(report(ingress));
  if (!options.compare) return [ingress];
  const baseline = await measure(options.compare, count, concurrency);
  console.log(report(baseline));
  console.log(
    `ratio: the ingress takes ${(ingress.perSecond / baseline.perSecond).toFixed(3)}x the throughput of ` +
      `${baseline.label}, at ${(ingress.p50Ms / baseline.p50Ms).toFixed(1)}x its p50 latency`,
  );
  return [ingress, baseline];
}

const argsSchema = z.object({
  count: z.coerce.number().int().positive().default(5000),
  concurrency: z.coerce.number().int().positive().max(1024).default(32),
  compare: z.enum(['direct', 'none']).default('direct'),
});

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { count: { type: 'string' }, concurrency: { type: 'string' }, compare: { type: 'string' } },
    strict: true,
  });
  const args = argsSchema.parse(values);
  const gateway = inMemoryGateway();
  const figures = await runIngressBench({
    count: args.count,
    concurrency: args.concurrency,
    gateway,
    ...(args.compare === 'direct' ? { compare: directTarget(gateway) } : {}),
  });
  if (figures.some((f) => f.failures > 0)) process.exitCode = 1;
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
