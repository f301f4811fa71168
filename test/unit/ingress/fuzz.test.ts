/**
 * Fuzz: at least 10,000 generated requests (seeded, so a failure reproduces) against a running ingress
 * over real HTTP with the fake gateway, part of them while Temporal is "unavailable". Asserts: no 5xx
 * other than 503 and those only while unavailable, no dropped connection, no crash, and no `send` for
 * any invalid request. Prints the counts by kind and status.
 */
import { Agent } from 'node:http';
import { validateHrEvent } from '../../../src/domain';
import { mulberry32 } from '../../../src/simulator/prng';
import {
  type CaseKind,
  type FuzzCase,
  Generator,
  independentlyValid,
  sendCase,
} from '../../support/ingress/fuzz-cases';
import { type RunningIngress, startIngress } from '../../support/ingress/harness';

const SEED = Number(process.env.ISCFLOW_FUZZ_SEED ?? 20270301);
const REQUESTS = Number(process.env.ISCFLOW_FUZZ_REQUESTS ?? 10_000);
const CONCURRENCY = 32;
/** Batches whose first request falls in this share of the run see an unavailable gateway. */
const UNAVAILABLE_FROM = 0.4;
const UNAVAILABLE_TO = 0.5;

interface Result {
  fuzzCase: FuzzCase;
  status: number;
  body: string;
  unavailable: boolean;
}

describe('ingress fuzz', () => {
  let ingress: RunningIngress;
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });

  beforeAll(async () => {
    ingress = await startIngress();
  });
  afterAll(async () => {
    agent.destroy();
    await ingress.close();
  });

  async function send(fuzzCase: FuzzCase, unavailable: boolean): Promise<Result> {
    return { fuzzCase, ...(await sendCase(ingress.base, agent, fuzzCase)), unavailable };
  }

  it(`answers ${REQUESTS} generated requests without a fault (seed ${SEED})`, async () => {
    const generator = new Generator(mulberry32(SEED));
    const cases = Array.from({ length: REQUESTS }, () => generator.next());
    const results: Result[] = [];
    const started = Date.now();
    for (let offset = 0; offset < cases.length; offset += CONCURRENCY) {
      const share = offset / cases.length;
      const unavailable = share >= UNAVAILABLE_FROM && share < UNAVAILABLE_TO;
      ingress.gateway.unavailable = unavailable;
      results.push(...(await Promise.all(cases.slice(offset, offset + CONCURRENCY).map((c) => send(c, unavailable)))));
    }
    ingress.gateway.unavailable = false;
    const seconds = (Date.now() - started) / 1000;

    const byStatus = new Map<number, number>();
    const byKind = new Map<CaseKind, Map<number, number>>();
    for (const { fuzzCase, status } of results) {
      byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
      const kind = byKind.get(fuzzCase.kind) ?? new Map<number, number>();
      kind.set(status, (kind.get(status) ?? 0) + 1);
      byKind.set(fuzzCase.kind, kind);
    }
    const line = (counts: Map<number, number>): string =>
      [...counts]
        .sort(([a], [b]) => a - b)
        .map(([status, n]) => `${status}: ${n}`)
        .join(', ');
    console.log(
      [
        `fuzz seed ${SEED}: ${results.length} requests in ${seconds.toFixed(1)} s (${Math.round(results.length / seconds)}/s), ` +
          `${ingress.gateway.sendCalls.length} gateway sends, ${ingress.gateway.recorded.size} events recorded`,
        `by status: ${line(byStatus)}`,
        ...[...byKind]
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([kind, counts]) => `  ${kind.padEnd(22)} ${line(counts)}`),
      ].join('\n'),
    );

    expect(results).toHaveLength(REQUESTS);
    // No 5xx but 503, and 503 only while Temporal was unavailable.
    const faults = results.filter((r) => r.status >= 500 && !(r.status === 503 && r.unavailable));
    expect(faults.map((r) => `${r.fuzzCase.kind} ${r.status} ${r.body.slice(0, 200)}`)).toEqual([]);

    // Every event handed to the gateway is a valid HR event.
    const invalidSent = ingress.gateway.sendCalls.filter((call) => !validateHrEvent(call.event).ok);
    expect(invalidSent).toEqual([]);

    // One send per request answered as recorded (200/202 with an acceptance) or 503: none for a refusal.
    const sendAnswers = results.filter((r) => {
      if (r.status === 503) return r.fuzzCase.method === 'POST';
      if (r.status !== 200 && r.status !== 202) return false;
      const status = (JSON.parse(r.body) as { status?: string }).status;
      return status === 'accepted' || status === 'duplicate';
    });
    expect(ingress.gateway.sendCalls.length).toBe(sendAnswers.length);

    // Requests the test itself knows to be invalid or unauthenticated were all refused with a 4xx.
    for (const r of results) {
      if (
        ['signed-then-tampered', 'bad-signature-headers', 'garbage', 'oversize', 'wrong-route'].includes(
          r.fuzzCase.kind,
        )
      ) {
        expect([r.fuzzCase.kind, r.status >= 400 && r.status < 500]).toEqual([r.fuzzCase.kind, true]);
      }
      if (r.fuzzCase.kind === 'mutated-then-signed' && r.fuzzCase.headers['content-type'] === 'application/json') {
        const valid = independentlyValid(r.fuzzCase);
        const recorded = r.status === 200 || r.status === 202 || r.status === 503;
        expect([r.fuzzCase.kind, valid, recorded]).toEqual([r.fuzzCase.kind, valid, valid]);
      }
      if (r.fuzzCase.kind === 'valid' || r.fuzzCase.kind === 'valid-cloudevent') {
        expect([r.fuzzCase.kind, r.status]).toEqual([r.fuzzCase.kind, r.unavailable ? 503 : expect.any(Number)]);
        if (!r.unavailable) expect([200, 202]).toContain(r.status);
      }
    }

    // Still serving.
    expect((await fetch(`${ingress.base}/healthz`)).status).toBe(200);
  });
});
