/**
 * Fuzz: at least 10,000 generated requests (seeded, so a failure reproduces) against a running ingress
 * over real HTTP with the fake gateway, part of them while Temporal is "unavailable". Asserts: no 5xx
 * other than 503 and those only while unavailable, no dropped connection, no crash, and no `send` for
 * any invalid request. Prints the counts by kind and status.
 */
import { Agent } from 'node:http';
import { validateHrEvent } from '../../../src/domain';
import { sendCase } from '../../support/ingress/fuzz-cases';
import { expectFuzzVerdicts, FUZZ_CONCURRENCY, FUZZ_SEED, fuzzTally, runFuzz } from '../../support/ingress/fuzz';
import { type RunningIngress, startIngress } from '../../support/ingress/harness';

const REQUESTS = Number(process.env.ISCFLOW_FUZZ_REQUESTS ?? 10_000);
/** Batches whose first request falls in this share of the run see an unavailable gateway. */
const UNAVAILABLE_FROM = 0.4;
const UNAVAILABLE_TO = 0.5;

describe('ingress fuzz', () => {
  let ingress: RunningIngress;
  const agent = new Agent({ keepAlive: true, maxSockets: FUZZ_CONCURRENCY });

  beforeAll(async () => {
    ingress = await startIngress();
  });
  afterAll(async () => {
    agent.destroy();
    await ingress.close();
  });

  it(`answers ${REQUESTS} generated requests without a fault (seed ${FUZZ_SEED})`, async () => {
    const run = await runFuzz(REQUESTS, (batch, share) => {
      const unavailable = share >= UNAVAILABLE_FROM && share < UNAVAILABLE_TO;
      ingress.gateway.unavailable = unavailable;
      return Promise.all(
        batch.map(async (fuzzCase) => ({ fuzzCase, ...(await sendCase(ingress.base, agent, fuzzCase)), unavailable })),
      );
    });
    ingress.gateway.unavailable = false;
    const { results } = run;
    console.log(
      fuzzTally(
        'fuzz',
        run,
        `${ingress.gateway.sendCalls.length} gateway sends, ${ingress.gateway.recorded.size} events recorded`,
      ),
    );

    expect(results).toHaveLength(REQUESTS);
    // No 5xx but 503, and 503 only while Temporal was unavailable; every request the test knows to be
    // invalid refused, every valid event recorded.
    expectFuzzVerdicts(results);

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

    // Still serving.
    expect((await fetch(`${ingress.base}/healthz`)).status).toBe(200);
  });
});
