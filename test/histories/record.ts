/**
 * Records the histories that test/workflows/replay.test.ts replays: representative runs of
 * accessRequestWorkflow on the time-skipping server against the fake ISC. Run `npm run histories:record`
 * after a deliberate, versioned change to the workflow; an accidental non-deterministic change makes the
 * replay test fail instead.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { planAccessRequests, type AccessChange } from '../../src/domain';
import type { accessRequestWorkflow } from '../../src/workflows';
import { setRemoveDateUpdate, type AccessRequestOptions } from '../../src/workflows/access-request/contracts';
import { createTimeSkippingEnvironment, workflowBundle } from '../support/temporal';
import { createFakeIsc } from '../workflows/fake-isc';

const DAY = 24 * 3600 * 1000;
const iso = (ms: number): string => new Date(ms).toISOString();

interface Scenario {
  name: string;
  change: (t0: number) => AccessChange;
  options: Partial<AccessRequestOptions>;
  fake?: Parameters<typeof createFakeIsc>[0];
  /** Something to do while it runs (time moves only while the recorder waits). */
  during?: (handle: Handle, t0: number, sleep: (ms: number) => Promise<void>) => Promise<void>;
}

type Handle = WorkflowHandle<typeof accessRequestWorkflow>;

const IDENTITY = 'e'.repeat(32);
const ITEM = 'f'.repeat(32);
const grant = (extra: Partial<AccessChange> = {}): AccessChange => ({
  requestType: 'GRANT_ACCESS',
  identityIds: [IDENTITY],
  items: [{ type: 'ENTITLEMENT', id: ITEM }],
  ...extra,
});

const SCENARIOS: Scenario[] = [
  { name: 'grant-30-day-approval', change: () => grant(), options: { statusPollSeconds: 6 * 3600 }, fake: { approvalMs: 30 * DAY } },
  {
    name: 'grant-exact-removal-extended',
    change: (t0) => grant({ removeDate: iso(t0 + 90 * DAY) }),
    options: { removalMode: 'exact', statusPollSeconds: 3600 },
    during: async (handle, t0, sleep) => {
      await sleep(60 * DAY);
      await handle.executeUpdate(setRemoveDateUpdate, { args: [{ removeDate: iso(t0 + 120 * DAY) }] });
    },
  },
  {
    name: 'grant-isc-removal-verified',
    change: (t0) => grant({ removeDate: iso(t0 + 30 * DAY) }),
    options: { statusPollSeconds: 3600 },
    fake: { removesAtRemoveDate: false },
  },
  { name: 'grant-legacy-start-date', change: (t0) => grant({ startDate: iso(t0 + 21 * DAY) }), options: { tenantProfile: 'legacy' } },
];

async function main(): Promise<void> {
  const env = await createTimeSkippingEnvironment();
  try {
    for (const scenario of SCENARIOS) {
      const isc = createFakeIsc(scenario.fake);
      const taskQueue = `record-${scenario.name}`;
      const worker = await Worker.create({
        connection: env.nativeConnection,
        taskQueue,
        workflowBundle: await workflowBundle(),
        activities: isc.activities,
      });
      const t0 = await env.currentTimeMs();
      const [request] = planAccessRequests(scenario.change(t0));
      if (!request) throw new Error(`${scenario.name}: nothing planned`);
      const history = await worker.runUntil(async () => {
        const handle = await env.client.workflow.start<typeof accessRequestWorkflow>('accessRequestWorkflow', {
          taskQueue,
          workflowId: `replay-${scenario.name}`,
          args: [{ request, options: scenario.options }],
        });
        await scenario.during?.(handle, t0, (ms) => env.sleep(ms));
        await handle.result();
        return handle.fetchHistory();
      });
      const file = join(__dirname, `${scenario.name}.json`);
      writeFileSync(file, `${historyToJSON(history)}\n`);
      console.log(`${file}: ${history.events?.length ?? 0} events`);
    }
  } finally {
    await env.teardown();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
