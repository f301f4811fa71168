/**
 * iscflow in its production topology, run natively (docker-compose.yml without Docker): Temporal built
 * from source on PostgreSQL, set up by compose's own one-shot jobs, two worker processes, the HR-event
 * ingress as a process, the ISC simulator as a process in the tenant's place, and the CLI as a process. The first run builds the
 * server (a few minutes, cached in .cache/temporal-server); a machine without Go or PostgreSQL fails
 * here with a message saying what to install.
 */
import { temporal } from '@temporalio/proto';
import { serviceOf } from '../../src/local/production/compose';
import { IDENTITY_REF, LIFECYCLE_STATE, SEARCH_ATTRIBUTE_TYPES, WORKFLOW_TYPES } from '../../src/common';
import { lifecycleWorkflowId } from '../../src/operations/identity-refs';
import { lifecycleStatusQuery, type LifecycleView } from '../../src/workflows/identity-lifecycle/contracts';
import { brokenEntitlement } from '../support/catalog';
import type { SimRequestItem } from '../support/stack';
import { waitFor } from '../support/wait';
import {
  changeKey,
  itemsPerChange,
  planGrants,
  progress,
  startChanges,
  waitForCompletion,
  type StartedChange,
} from '../support/production/run';
import { startProductionTopology, type ProductionTopology } from '../support/production/topology';
import type { ScrapedTaskCounts } from '../support/production/worker-metrics';

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
    const broken = brokenEntitlement(topology.catalog);
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

  it('runs identity lifecycles from signed HR webhooks through the ingress: joiners, a mover and a leaver, on both workers', async () => {
    await topology.simulator.post('/__sim/config', { approval: { delayMs: 1000 } });
    const before = await topology.scrapedTaskCounts();
    const running = Object.keys(before).sort();
    expect(running).toHaveLength(2);

    // policies/simulator.yaml, item by item, as the catalog of seed 1 names them.
    const item = (type: string, name: string): string => {
      const found = topology.catalog.items.find((i) => i.type === type && i.name === name);
      if (!found) throw new Error(`the catalog has no ${type} named ${name}`);
      return found.id;
    };
    const everyone = [item('ROLE', 'Support Role 1'), item('ACCESS_PROFILE', 'Security Access Profile 1')];
    const engineering = [
      item('ACCESS_PROFILE', 'Engineering Access Profile 15'),
      item('ENTITLEMENT', 'Engineering Entitlement 9'),
    ];
    const finance = [item('ENTITLEMENT', 'Finance Entitlement 11')];
    const contractors = [item('ENTITLEMENT', 'Support Entitlement 6')];
    const policyItems = new Set([...everyone, ...engineering, ...finance, ...contractors]);
    const sorted = (ids: string[]): string[] => [...ids].sort();

    /** Catalog identities the grants above never reached, holding nothing requested at the start. */
    const person = (n: 43 | 44 | 46 | 48) => ({
      n,
      employeeNumber: `E${1000 + n}`,
      id: topology.catalog.identities[n]!.id,
    });
    const [sales, leaver, mover, contractor] = [person(43), person(44), person(46), person(48)];
    const people = [sales, leaver, mover, contractor];
    /** Policy items an identity holds by request (a role's entitlements come with it, by ROLE). */
    const heldPolicyItems = async (identityId: string): Promise<string[]> =>
      sorted(
        (await topology.simulator.get<Array<{ id: string; source: string }>>(`/__sim/identities/${identityId}/access`))
          .filter((a) => a.source === 'REQUEST' && policyItems.has(a.id))
          .map((a) => a.id),
      );
    for (const p of people)
      expect(`${p.employeeNumber}: ${(await heldPolicyItems(p.id)).join()}`).toBe(`${p.employeeNumber}: `);
    const holdsExactly = (p: { employeeNumber: string; id: string }, expected: string[]) =>
      waitFor(async () => {
        const held = await heldPolicyItems(p.id);
        return held.join() === sorted(expected).join() ? held : undefined;
      }, 240_000).catch(async () => {
        throw new Error(
          `${p.employeeNumber} holds ${(await heldPolicyItems(p.id)).join()}, not ${sorted(expected).join()}`,
        );
      });

    const ingress = topology.ingress;
    const send = async (id: string, employeeNumber: string, type: string, attributes?: Record<string, string>) => {
      const body = JSON.stringify({
        id,
        source: 'workday',
        type,
        identity: { employeeNumber },
        effectiveAt: new Date().toISOString(),
        ...(attributes ? { attributes } : {}),
      });
      const answer = await ingress.post(body);
      expect(`${id}: ${answer.status}`).toBe(`${id}: 202`);
      return answer.headers.get('location') ?? '';
    };

    // Joiners, effective now, all at once.
    const hires = await Promise.all([
      send('prod-hire-sales', sales.employeeNumber, 'hire', { workerType: 'employee', department: 'Sales' }),
      send('prod-hire-leaver', leaver.employeeNumber, 'hire', { workerType: 'employee', department: 'Engineering' }),
      send('prod-hire-mover', mover.employeeNumber, 'hire', { workerType: 'employee', department: 'Finance' }),
      send('prod-hire-contractor', contractor.employeeNumber, 'hire', {
        workerType: 'contractor',
        department: 'Platform',
      }),
    ]);
    log('four hires accepted by the ingress');
    await holdsExactly(sales, everyone);
    await holdsExactly(leaver, [...everyone, ...engineering]);
    await holdsExactly(mover, [...everyone, ...finance]);
    await holdsExactly(contractor, [...engineering, ...contractors]);
    log('joiners hold their birthright');

    // A move out of Finance (whose rule keeps nothing through a grace) into Engineering, and a leaver.
    await send('prod-move', mover.employeeNumber, 'update', { department: 'Engineering' });
    await send('prod-leave', leaver.employeeNumber, 'terminate');
    await holdsExactly(mover, [...everyone, ...engineering]);
    await holdsExactly(leaver, []);
    log('mover and leaver applied');

    // Each lifecycle, found from its event's standing, says the same through its status query.
    const client = await topology.client();
    const refs = new Map<string, string>();
    for (const [p, location] of people.map((p, i) => [p, hires[i] as string] as const)) {
      const standing = await waitFor(async () => {
        const answer = await ingress.get(location);
        return answer.status === 200 && answer.json.state === 'applied' ? answer : undefined;
      }, 60_000);
      const ref = (standing.json.identity as { ref?: string } | undefined)?.ref;
      if (!ref) throw new Error(`no identity ref in ${standing.text}`);
      refs.set(p.employeeNumber, ref);
    }
    const status = (p: { employeeNumber: string }): Promise<LifecycleView> =>
      client.workflow.getHandle(lifecycleWorkflowId(refs.get(p.employeeNumber) ?? '')).query(lifecycleStatusQuery);
    const desiredOf = (view: LifecycleView): string[] => sorted(view.desired.map((d) => d.id));
    const views = new Map(await Promise.all(people.map(async (p) => [p.employeeNumber, await status(p)] as const)));
    const summary = (p: { employeeNumber: string }) => {
      const view = views.get(p.employeeNumber)!;
      return { state: view.state, desired: desiredOf(view), events: view.timeline.map((t) => t.key) };
    };
    expect(summary(sales)).toEqual({ state: 'ACTIVE', desired: sorted(everyone), events: ['workday/prod-hire-sales'] });
    expect(summary(mover)).toEqual({
      state: 'ACTIVE',
      desired: sorted([...everyone, ...engineering]),
      events: ['workday/prod-hire-mover', 'workday/prod-move'],
    });
    expect(summary(contractor)).toEqual({
      state: 'ACTIVE',
      desired: sorted([...engineering, ...contractors]),
      events: ['workday/prod-hire-contractor'],
    });
    expect(summary(leaver)).toEqual({
      state: 'TERMINATED',
      desired: [],
      events: ['workday/prod-hire-leaver', 'workday/prod-leave'],
    });
    for (const p of people) expect(views.get(p.employeeNumber)?.iscIdentityId).toBe(p.id);

    // The tenant got each grant once: no duplicate request for any identity and item.
    const requested = (await topology.simRequests()).filter((r: SimRequestItem) =>
      people.some((p) => p.id === r.requestedFor),
    );
    const perItem = new Map<string, number>();
    for (const r of requested) {
      const key = `${r.requestedFor} ${r.requestType} ${r.itemType}:${r.itemId}`;
      perItem.set(key, (perItem.get(key) ?? 0) + 1);
    }
    expect([...perItem].filter(([, count]) => count > 1)).toEqual([]);

    // PostgreSQL visibility answers the operator's lifecycle queries.
    const lifecycleIds = (names: Array<{ employeeNumber: string }>) =>
      sorted(names.map((p) => lifecycleWorkflowId(refs.get(p.employeeNumber) ?? '')));
    const query = async (q: string): Promise<string[]> => {
      const ids: string[] = [];
      for await (const wf of client.workflow.list({ query: q })) ids.push(wf.workflowId);
      return sorted(ids);
    };
    const lifecycles = `WorkflowType = '${WORKFLOW_TYPES.identityLifecycle}'`;
    const answers = (q: string, expected: string[]) =>
      waitFor(async () => ((await query(q)).join() === expected.join() ? true : undefined), 30_000).catch(async () => {
        throw new Error(`${q}: ${(await query(q)).join()}, expected ${expected.join()}`);
      });
    await answers(`${lifecycles} AND ${LIFECYCLE_STATE.name} = 'ACTIVE'`, lifecycleIds([sales, mover, contractor]));
    await answers(`${lifecycles} AND ${LIFECYCLE_STATE.name} = 'TERMINATED'`, lifecycleIds([leaver]));
    await answers(
      `${lifecycles} AND ${IDENTITY_REF.name} = '${refs.get(mover.employeeNumber)}'`,
      lifecycleIds([mover]),
    );
    // The mover's two HR events each have their receipt, found by the same pseudonym.
    expect(
      (
        await client.workflow.count(
          `WorkflowType = '${WORKFLOW_TYPES.hrEvent}' AND ${IDENTITY_REF.name} = '${refs.get(mover.employeeNumber)}'`,
        )
      ).count,
    ).toBe(2);

    // Both workers did part of it, as their own /metrics tell Prometheus.
    const after = await topology.scrapedTaskCounts();
    const handled = (name: string): ScrapedTaskCounts => ({
      workflowTasks: (after[name]?.workflowTasks ?? 0) - (before[name]?.workflowTasks ?? 0),
      activities: (after[name]?.activities ?? 0) - (before[name]?.activities ?? 0),
    });
    log(
      `tasks per worker during the lifecycles (from /metrics): ${JSON.stringify(Object.fromEntries(running.map((n) => [n, handled(n)])))}`,
    );
    for (const name of running) {
      expect(handled(name).workflowTasks).toBeGreaterThan(0);
      expect(handled(name).activities).toBeGreaterThan(0);
    }
  }, 600_000);
});
