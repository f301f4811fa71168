/**
 * The ingress fuzz against the real Temporal gateway: the same seeded cases as the fake-gateway fuzz
 * (test/unit/ingress/fuzz.test.ts), sent over HTTP to an ingress that records events by starting receipt
 * workflows on a dev server. A 503 (Temporal too busy to answer in time) is retried with the same bytes,
 * as a sender would. Asserts no 5xx but 503, every invalid request refused with a 4xx, and then counts the
 * receipts in Temporal: exactly one per distinct event the ingress acknowledged, and none for anything else.
 *
 * The worker is stopped: what is judged is what the ingress records, and receipts need no worker to be
 * recorded (the lifecycles they lead to are ingress.test.ts's subject).
 */
import { Agent } from 'node:http';
import { WORKFLOW_TYPES } from '../../src/common';
import { receiptWorkflowId } from '../../src/operations/identity-refs';
import { mulberry32 } from '../../src/simulator/prng';
import { startStack, type Stack } from '../support/stack';
import { waitFor } from '../support/wait';
import {
  type CaseKind,
  type FuzzAnswer,
  type FuzzCase,
  Generator,
  independentlyValid,
  sendCase,
} from '../support/ingress/fuzz-cases';
import { ISC_PASSWORD, ISC_TOKEN, ISC_USER, NOW, SECRET } from '../support/ingress/harness';

const SEED = Number(process.env.ISCFLOW_FUZZ_SEED ?? 20270301);
const REQUESTS = Number(process.env.ISCFLOW_FUZZ_REAL_REQUESTS ?? 10_000);
const CONCURRENCY = 32;
/** A sender's patience: a request still answered 503 after this many tries is a fault. */
const MAX_TRIES = 20;

interface Result extends FuzzAnswer {
  fuzzCase: FuzzCase;
  /** Answers 503 before this one. */
  retries: number;
}

describe('ingress fuzz against the Temporal gateway (dev server)', () => {
  let stack: Stack;
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });

  beforeAll(async () => {
    stack = await startStack({
      ingress: {
        env: {
          ISCFLOW_WEBHOOK_SECRETS: SECRET,
          ISCFLOW_ISC_TRIGGER_TOKEN: ISC_TOKEN,
          ISCFLOW_ISC_TRIGGER_BASIC: `${ISC_USER}:${ISC_PASSWORD}`,
        },
        // The generated cases are signed at this instant (and ISC triggers take effect then).
        now: () => NOW,
      },
    });
    await stack.stopWorker();
  });
  afterAll(async () => {
    agent.destroy();
    await stack?.close();
  });

  async function send(fuzzCase: FuzzCase): Promise<Result> {
    for (let retries = 0; ; retries++) {
      const answer = await sendCase(stack.ingress!.base, agent, fuzzCase);
      if (answer.status !== 503 || retries + 1 >= MAX_TRIES) return { fuzzCase, ...answer, retries };
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  it(`answers ${REQUESTS} generated requests; Temporal holds one receipt per acknowledged event (seed ${SEED})`, async () => {
    const generator = new Generator(mulberry32(SEED));
    const cases = Array.from({ length: REQUESTS }, () => generator.next());
    const results: Result[] = [];
    const started = Date.now();
    for (let offset = 0; offset < cases.length; offset += CONCURRENCY) {
      results.push(...(await Promise.all(cases.slice(offset, offset + CONCURRENCY).map(send))));
    }
    const seconds = (Date.now() - started) / 1000;

    const acknowledged = new Map<string, { source: string; id: string }>();
    let firstTimes = 0;
    for (const r of results) {
      if (r.status !== 200 && r.status !== 202) continue;
      const answer = JSON.parse(r.body) as { status?: string; source?: string; id?: string };
      if (answer.status !== 'accepted' && answer.status !== 'duplicate') continue;
      if (answer.status === 'accepted') firstTimes++;
      acknowledged.set(`${answer.source}/${answer.id}`, { source: answer.source!, id: answer.id! });
    }
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
        `real-gateway fuzz seed ${SEED}: ${results.length} requests in ${seconds.toFixed(1)} s ` +
          `(${Math.round(results.length / seconds)}/s), ${acknowledged.size} distinct events acknowledged, ` +
          `${results.reduce((n, r) => n + r.retries, 0)} retries after 503`,
        `by status: ${line(byStatus)}`,
        ...[...byKind]
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([kind, counts]) => `  ${kind.padEnd(22)} ${line(counts)}`),
      ].join('\n'),
    );

    expect(results).toHaveLength(REQUESTS);
    // No 5xx at all in the end: a 503 was retried until Temporal took the request.
    const faults = results.filter((r) => r.status >= 500);
    expect(faults.map((r) => `${r.fuzzCase.kind} ${r.status} ${r.body.slice(0, 200)}`)).toEqual([]);
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
        expect([r.fuzzCase.kind, valid, r.status === 200 || r.status === 202]).toEqual([r.fuzzCase.kind, valid, valid]);
      }
      if (r.fuzzCase.kind === 'valid' || r.fuzzCase.kind === 'valid-cloudevent') {
        expect([r.fuzzCase.kind, [200, 202].includes(r.status)]).toEqual([r.fuzzCase.kind, true]);
      }
    }
    // Exactly one 202 per distinct event: every later delivery of it was answered 200 duplicate.
    expect(firstTimes).toBe(acknowledged.size);

    // Temporal's own count: one receipt per acknowledged event, and no receipt for anything refused.
    const client = stack.temporal.client();
    const query = `WorkflowType = '${WORKFLOW_TYPES.hrEvent}' AND TaskQueue = '${stack.taskQueue}'`;
    await waitFor(
      async () => ((await client.workflow.count(query)).count === acknowledged.size ? true : undefined),
      60_000,
    ).catch(() => undefined);
    const receipts: string[] = [];
    for await (const execution of client.workflow.list({ query })) receipts.push(execution.workflowId);
    const expected = [...acknowledged.values()].map((event) => receiptWorkflowId(event));
    expect(receipts.length).toBe(acknowledged.size);
    expect(new Set(receipts)).toEqual(new Set(expected));

    // Still serving.
    expect((await fetch(`${stack.ingress!.base}/healthz`)).status).toBe(200);
  });
});
