/**
 * An ISC outage in the middle of a wave of joiners (dev server, simulator, worker, the ingress over HTTP):
 * 30 hires, ISC answering 503 to everything for 20 s after the first half, the second half sent while it
 * is down. The ingress accepts every event; while ISC is down the worker sends one probe at a time; no
 * change waits for an operator; once ISC is back every item reaches ISC once and ends granted, with no 429
 * and the busiest 10 s within the budget. `npm run bench:wave -- --outage START:SECONDS` runs the same at
 * scale (docs/reliability.md).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { STATE, WORKFLOW_TYPES } from '../../src/common';
import { startTestSimulator } from '../support/simulator';
import { startStack, type Stack, type StackIngress } from '../support/stack';
import { waitFor } from '../support/wait';

interface Stats {
  calls: Record<string, Record<string, number>>;
  apiCalls: number;
  maxCallsIn10s: number;
}

const JOINERS = 30;
const OUTAGE_MS = 20_000;

/** Every call ISC received, token calls included (the simulator's control API is not ISC). */
const iscCalls = (stats: Stats): number =>
  Object.entries(stats.calls)
    .filter(([route]) => !route.includes(' /__sim/'))
    .reduce((total, [, byStatus]) => total + Object.values(byStatus).reduce((a, b) => a + b, 0), 0);

describe('an ISC outage in the middle of a wave (dev server, simulator, worker, ingress)', () => {
  let stack: Stack;
  let ingress: StackIngress;
  let birthright: string[];
  let people: Array<{ id: string; employeeNumber: string }>;

  beforeAll(async () => {
    // The simulator alone first, to read the catalog the policy names (same seed and sizes as the stack's).
    const simulator = { seed: 7, catalog: { identities: 60 } };
    const probe = await startTestSimulator(simulator);
    const catalog = (
      await probe.call<{
        identities: Array<{ id: string; attributes: Record<string, string> }>;
        items: Array<{ type: string; id: string; name: string }>;
      }>('GET', '/__sim/catalog')
    ).body;
    await probe.close();
    people = catalog.identities
      .slice(0, JOINERS)
      .map((p) => ({ id: p.id, employeeNumber: String(p.attributes.employeeNumber) }));
    // The last plain entitlements: no role bundles them, so nobody holds them at the start.
    birthright = catalog.items
      .filter((i) => i.type === 'ENTITLEMENT' && !/birthright|restricted|broken/i.test(i.name))
      .slice(-2)
      .map((i) => i.id);
    const policy = join(mkdtempSync(join(tmpdir(), 'iscflow-outage-')), 'policy.yaml');
    const grant = birthright.map((id) => `"ENTITLEMENT:${id}"`).join(', ');
    writeFileSync(policy, ['version: 1', 'rules:', '  - name: everyone', `    grant: [ ${grant} ]`].join('\n'));
    stack = await startStack({
      simulator,
      settings: {
        ISCFLOW_POLICY: policy,
        ISCFLOW_IDENTITY_POLL_SECONDS: '1',
        // Far beyond the outage: nothing may escalate.
        ISCFLOW_OUTAGE_ESCALATE_AFTER: 'PT10M',
      },
      ingress: true,
    });
    ingress = stack.ingress!;
  });
  afterAll(async () => {
    await stack?.close();
  });

  const stats = async (): Promise<Stats> => (await stack.sim.call<Stats>('GET', '/__sim/stats')).body;
  const hire = (n: number) =>
    ingress.post(
      JSON.stringify({
        id: `outage-hire-${n}`,
        source: 'workday',
        type: 'hire',
        identity: { employeeNumber: people[n]!.employeeNumber },
        effectiveAt: new Date().toISOString(),
        attributes: { workerType: 'employee' },
      }),
    );
  const count = async (query: string): Promise<number> =>
    (await stack.temporal.client().workflow.count(`TaskQueue = '${stack.taskQueue}' AND ${query}`)).count;

  it('accepts every event, probes one call at a time, asks nobody, and ends every item once', async () => {
    let awaitingSeen = 0;
    const watch = setInterval(() => {
      void count(`${STATE.name} = 'AWAITING_OPERATOR'`).then(
        (n) => (awaitingSeen = Math.max(awaitingSeen, n)),
        () => undefined,
      );
    }, 1000);
    try {
      const before: number[] = [];
      for (let n = 0; n < JOINERS / 2; n++) before.push((await hire(n)).status);
      expect(before).toEqual(Array(JOINERS / 2).fill(202));
      // ISC goes down once the first joiners' requests are reaching it.
      await waitFor(async () => ((await stack.simRequests()).length > 0 ? true : undefined), 60_000);
      await stack.sim.call('POST', '/__sim/config', { outage: { status: 503 } });
      const down = Date.now();
      const atDown = iscCalls(await stats());
      const during: number[] = [];
      for (let n = JOINERS / 2; n < JOINERS; n++) during.push((await hire(n)).status);
      // The ingress records HR events in Temporal: ISC being down changes nothing for HR.
      expect(during).toEqual(Array(JOINERS / 2).fill(202));
      await new Promise((resolve) => setTimeout(resolve, 5_000 - (Date.now() - down)));
      const settled = iscCalls(await stats());
      await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS - (Date.now() - down)));
      const atUp = iscCalls(await stats());
      await stack.sim.call('POST', '/__sim/config', { outage: null });

      // What was in flight when ISC went down, and the few calls that opened the circuit, reach ISC; then
      // one probe at a time (1, 2, 4, 8 s apart): a handful of calls in 15 s, whatever the backlog.
      expect(atUp - atDown).toBeLessThanOrEqual(40);
      expect(atUp - settled).toBeLessThanOrEqual(6);

      const items = JOINERS * birthright.length;
      await waitFor(async () => {
        const running = await count(`WorkflowType = '${WORKFLOW_TYPES.accessRequest}' AND ExecutionStatus = 'Running'`);
        const closed = await count(
          `WorkflowType = '${WORKFLOW_TYPES.accessRequest}' AND ExecutionStatus = 'Completed'`,
        );
        return running === 0 && closed >= JOINERS ? true : undefined;
      }, 180_000);

      const grants = (await stack.simRequests()).filter((r) => r.requestType === 'GRANT_ACCESS');
      const keys = grants.map((r) => `${r.requestedFor}|${r.itemId}`);
      expect(new Set(keys).size).toBe(keys.length);
      expect(grants.filter((r) => r.state === 'REQUEST_COMPLETED')).toHaveLength(items);
      for (const person of people) {
        const held = (
          await stack.sim.call<Array<{ id: string }>>('GET', `/__sim/identities/${person.id}/access`)
        ).body.map((a) => a.id);
        expect(birthright.filter((id) => !held.includes(id))).toEqual([]);
      }
      const final = await stats();
      const rateLimited = Object.values(final.calls).reduce((total, byStatus) => total + (byStatus['429'] ?? 0), 0);
      expect(rateLimited).toBe(0);
      expect(final.maxCallsIn10s).toBeLessThanOrEqual(90);
      expect(awaitingSeen).toBe(0);
      expect(await count(`${STATE.name} = 'AWAITING_OPERATOR'`)).toBe(0);
    } finally {
      clearInterval(watch);
    }
  }, 300_000);
});
