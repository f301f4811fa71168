/**
 * iscflow in its production topology, run natively (docker-compose.yml without Docker): Temporal built
 * from source on PostgreSQL, set up by compose's own one-shot jobs, two worker processes, the ISC
 * simulator as a process in the tenant's place, and the CLI as a process. The first run builds the
 * server (a few minutes, cached in .cache/temporal-server); a machine without Go or PostgreSQL fails
 * here with a message saying what to install.
 */
import { temporal } from '@temporalio/proto';
import { serviceOf } from '../../src/local/production/compose';
import { SEARCH_ATTRIBUTE_TYPES } from '../../src/common';
import type { SimRequestItem } from '../support/stack';
import {
  changeKey,
  itemsPerChange,
  planGrants,
  progress,
  startChanges,
  waitForCompletion,
  type StartedChange,
} from './support/run';
import { startProductionTopology, type ProductionTopology } from './support/topology';

const log = progress('production');

const { IndexedValueType } = temporal.api.enums.v1;
/** The server's type enum as `temporal operator search-attribute create --type` names it. */
const SEARCH_ATTRIBUTE_TYPE_NAMES: Partial<Record<number, string>> = {
  [IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD]: 'Keyword',
  [IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST]: 'KeywordList',
};

describe('production topology (Temporal on PostgreSQL, two worker processes, simulator process)', () => {
  let topology: ProductionTopology;
  /** Every change this file started, by identity, for the visibility queries. */
  const startedFor = new Map<string, Set<string>>();

  beforeAll(async () => {
    topology = await startProductionTopology({
      workers: 2,
      // A failed item goes to the operator after one resubmission instead of two.
      settings: { ISCFLOW_OUTCOME_RETRIES: '1' },
      log,
    });
    // Approvals take a while, so the SIGKILL and the restart below hit requests in flight.
    await topology.simulator.post('/__sim/config', { approval: { delayMs: 8000 } });
  }, 30 * 60_000);

  afterAll(async () => {
    await topology?.close();
  }, 180_000);

  const remember = (changes: StartedChange[]): void => {
    for (const c of changes) {
      const ids = startedFor.get(c.identityId) ?? new Set<string>();
      ids.add(c.workflowId);
      startedFor.set(c.identityId, ids);
    }
  };

  it('runs the Temporal release and the search attributes docker-compose.yml pins', async () => {
    const tag = serviceOf(topology.platform.compose, 'temporal').definition.image?.split(':')[1];
    expect(tag).toBe(topology.platform.versions.TEMPORAL_VERSION);
    const client = await topology.client();
    const info = await client.workflowService.getSystemInfo({});
    expect(info.serverVersion).toBe(tag);
    const { customAttributes } = await client.connection.operatorService.listSearchAttributes({
      namespace: topology.platform.namespace,
    });
    const registered = Object.fromEntries(
      Object.entries(customAttributes ?? {}).map(([name, type]) => [name, SEARCH_ATTRIBUTE_TYPE_NAMES[type]]),
    );
    expect(registered).toEqual(SEARCH_ATTRIBUTE_TYPES);
  });

  it('runs many access changes exactly once on two workers, through a worker SIGKILL and a server restart', async () => {
    // 40 distinct grants of access nobody holds yet: each must end GRANTED with one ISC item.
    const planned = await planGrants(topology, 40);
    const [firstHalf, secondHalf] = [planned.slice(0, 20), planned.slice(20)];

    const first = await startChanges(topology, firstHalf);
    log(`${first.length} changes started`);

    // Both workers take tasks from the one queue before anything goes wrong.
    const deadline = Date.now() + 120_000;
    while (Object.values(topology.taskCounts()).some((c) => c.activities === 0)) {
      if (Date.now() > deadline) throw new Error(`a worker took no task: ${JSON.stringify(topology.taskCounts())}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const beforeChaos = topology.taskCounts();
    log(`tasks before the SIGKILL: ${JSON.stringify(beforeChaos)}`);
    expect(beforeChaos['worker-1']?.activities).toBeGreaterThan(0);
    expect(beforeChaos['worker-2']?.activities).toBeGreaterThan(0);

    const running = async (): Promise<number> =>
      (await (await topology.client()).workflow.count("ExecutionStatus = 'Running'")).count;
    const inFlightAtKill = await running();
    await topology.killWorker('worker-2');
    const inFlightAtRestart = await running();
    await topology.restartServer();
    log(`in flight: ${inFlightAtKill} at the SIGKILL, ${inFlightAtRestart} at the server restart`);
    expect(inFlightAtKill).toBeGreaterThan(0);
    expect(inFlightAtRestart).toBeGreaterThan(0);
    await topology.startWorker('worker-3');

    const second = await startChanges(topology, secondHalf);
    // The same HR events delivered again (same idempotency keys): each lands on the change already there
    // (joined while it runs, a no-op once it completed) instead of starting another.
    const replayed = await startChanges(topology, firstHalf.slice(0, 5));
    expect(replayed.map((r) => r.workflowId)).toEqual(first.slice(0, 5).map((f) => f.workflowId));

    const changes = [...first, ...second];
    remember(changes);
    const results = await waitForCompletion(topology, changes, 300_000, log);

    const outcomes = changes.map((c) => `${changeKey(c)} ${results.get(c.workflowId)?.items[0]?.outcome ?? 'none'}`);
    expect(outcomes).toEqual(changes.map((c) => `${changeKey(c)} GRANTED`));

    // Judged by the tenant: one ISC item per change, none lost, none doubled, and the access is held.
    expect(await itemsPerChange(topology, changes)).toEqual(changes.map((c) => `${changeKey(c)} x1`));
    expect(await topology.simRequests()).toHaveLength(changes.length);
    for (const c of changes) {
      const access = await topology.simulator.get<Array<{ id: string }>>(`/__sim/identities/${c.identityId}/access`);
      expect(`${changeKey(c)} held: ${access.some((a) => a.id === c.entitlementId)}`).toBe(
        `${changeKey(c)} held: true`,
      );
    }

    const after = topology.taskCounts();
    log(`tasks per worker: ${JSON.stringify(after)}`);
    // The replacement worker picked up where the killed one left off.
    expect(after['worker-3']?.activities).toBeGreaterThan(0);
    log(`postgresql: ${await topology.platform.postgres.query('SELECT count(*) FROM pg_stat_activity')} connections`);
  }, 900_000);

  it("answers the operator's visibility queries from PostgreSQL, and takes the operator's decision", async () => {
    const broken = topology.catalog.items.find((i) => i.type === 'ENTITLEMENT' && /^Broken/.test(i.name));
    if (!broken) throw new Error('the simulator catalog has no Broken entitlement');
    const identityId = [...startedFor.keys()][0] ?? topology.catalog.identities[0]?.id;
    if (!identityId) throw new Error('the simulator catalog has no identities');
    const [change] = await startChanges(topology, [{ identityId, entitlementId: broken.id }]);
    if (!change) throw new Error('no workflow started');
    remember([change]);
    const client = await topology.client();
    const query = async (q: string): Promise<string[]> => {
      const ids: string[] = [];
      for await (const wf of client.workflow.list({ query: q })) ids.push(wf.workflowId);
      return ids.sort();
    };

    // ISC fails provisioning of a Broken item; after the resubmission fails too, it waits for a person.
    const deadline = Date.now() + 120_000;
    while (!(await query('IscflowState = "AWAITING_OPERATOR"')).includes(change.workflowId)) {
      if (Date.now() > deadline) throw new Error(`${change.workflowId} never reached AWAITING_OPERATOR`);
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    expect(await query('IscflowState = "AWAITING_OPERATOR"')).toEqual([change.workflowId]);
    expect(await query(`IscflowIdentityIds = '${identityId}'`)).toEqual([...(startedFor.get(identityId) ?? [])].sort());
    expect(await query(`IscflowItemIds = '${broken.id}' AND IscflowRequestType = 'GRANT_ACCESS'`)).toEqual([
      change.workflowId,
    ]);

    // The CLI asks the same questions.
    const listed = await topology.cli('list', '--state', 'AWAITING_OPERATOR', '--json');
    expect(listed.json<{ workflows: Array<{ workflowId: string }> }>().workflows.map((w) => w.workflowId)).toEqual([
      change.workflowId,
    ]);
    const byIdentity = await topology.cli('list', '--identity', identityId, '--json');
    expect(
      byIdentity
        .json<{ workflows: Array<{ workflowId: string }> }>()
        .workflows.map((w) => w.workflowId)
        .sort(),
    ).toEqual([...(startedFor.get(identityId) ?? [])].sort());

    // The operator's decision travels as a Workflow Update through this server.
    const skip = await topology.cli('skip', change.workflowId, '--reason', 'connector is being replaced');
    expect(skip).toMatchObject({ code: 0 });
    const results = await waitForCompletion(topology, [change], 60_000, log);
    expect(results.get(change.workflowId)?.items[0]?.outcome).toBe('FAILED');
    const rows = (await topology.simRequests()).filter(
      (r: SimRequestItem) => r.requestedFor === identityId && r.itemId === broken.id,
    );
    // The original submission and the one automatic resubmission, nothing after the decision.
    expect(rows).toHaveLength(2);
    expect(await query('IscflowState = "AWAITING_OPERATOR"')).toEqual([]);
  }, 300_000);

  it("runs compose's setup jobs again without harm, as every `docker compose up` does", async () => {
    const postgres = topology.platform.postgres;
    const schemaVersions = async (): Promise<string[]> =>
      Promise.all(
        ['temporal', 'temporal_visibility'].map((db) =>
          postgres.query('SELECT db_name, curr_version FROM schema_version ORDER BY db_name', db),
        ),
      );
    const before = await schemaVersions();
    expect(before).toEqual([
      expect.stringMatching(/^temporal\|1\.\d+$/),
      expect.stringMatching(/^temporal_visibility\|1\.\d+$/),
    ]);
    for (const job of ['temporal-schema', 'temporal-namespace', 'temporal-register-search-attributes']) {
      await expect(topology.platform.runJob(job)).resolves.toEqual(expect.any(String));
    }
    expect(await schemaVersions()).toEqual(before);
    // Every workflow of this file is still there and still found through its search attributes.
    const started = [...startedFor.values()].reduce((sum, ids) => sum + ids.size, 0);
    const client = await topology.client();
    expect((await client.workflow.count('IscflowState = "COMPLETED"')).count).toBe(started);
    const listed = await topology.cli('list', '--state', 'COMPLETED', '--json');
    expect(listed.json<{ workflows: unknown[] }>().workflows).toHaveLength(started);
  }, 300_000);
});
