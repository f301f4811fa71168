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
import { sendCase, type FuzzCase } from '../support/ingress/fuzz-cases';
import {
  expectFuzzVerdicts,
  FUZZ_CONCURRENCY,
  FUZZ_SEED,
  fuzzTally,
  runFuzz,
  type FuzzResult,
} from '../support/ingress/fuzz';
import { ISC_PASSWORD, ISC_TOKEN, ISC_USER, NOW, SECRET } from '../support/ingress/harness';
import { startStack, type Stack } from '../support/stack';
import { waitFor } from '../support/wait';

const REQUESTS = Number(process.env.ISCFLOW_FUZZ_REAL_REQUESTS ?? 10_000);
/** A sender's patience: a request still answered 503 after this many tries is a fault. */
const MAX_TRIES = 20;

describe('ingress fuzz against the Temporal gateway (dev server)', () => {
  let stack: Stack;
  const agent = new Agent({ keepAlive: true, maxSockets: FUZZ_CONCURRENCY });

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

  async function send(fuzzCase: FuzzCase): Promise<FuzzResult> {
    for (let retries = 0; ; retries++) {
      const answer = await sendCase(stack.ingress!.base, agent, fuzzCase);
      if (answer.status !== 503 || retries + 1 >= MAX_TRIES) return { fuzzCase, ...answer, retries };
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  it(`answers ${REQUESTS} generated requests; Temporal holds one receipt per acknowledged event (seed ${FUZZ_SEED})`, async () => {
    const run = await runFuzz(REQUESTS, (batch) => Promise.all(batch.map(send)));
    const { results } = run;

    const acknowledged = new Map<string, { source: string; id: string }>();
    let firstTimes = 0;
    for (const r of results) {
      if (r.status !== 200 && r.status !== 202) continue;
      const answer = JSON.parse(r.body) as { status?: string; source?: string; id?: string };
      if (answer.status !== 'accepted' && answer.status !== 'duplicate') continue;
      if (answer.status === 'accepted') firstTimes++;
      acknowledged.set(`${answer.source}/${answer.id}`, { source: answer.source!, id: answer.id! });
    }
    const retries = results.reduce((n, r) => n + (r.retries ?? 0), 0);
    console.log(
      fuzzTally(
        'real-gateway fuzz',
        run,
        `${acknowledged.size} distinct events acknowledged, ${retries} retries after 503`,
      ),
    );

    expect(results).toHaveLength(REQUESTS);
    // No 5xx at all in the end (a 503 was retried until Temporal took the request); every request the
    // test knows to be invalid refused, every valid event recorded.
    expectFuzzVerdicts(results);
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
