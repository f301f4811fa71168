/**
 * Day one end to end (dev server + simulator + worker, the CLI in-process): a few hundred simulator
 * identities adopted, then adopted again (nothing started, nothing sent); access removed behind iscflow's
 * back through the simulator's DELETE, found by `iscflow drift` at the cost of one query per drifted
 * identity, and put back by `--repair`; a leaver's HR event reaching its adopted lifecycle, and the
 * birthright ISC will not let a request revoke reported as such. Judged by what the simulator holds and
 * the requests it received.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WORKFLOW_TYPES } from '../../src/common';
import { ensureDriftSchedule } from '../../src/operations/drift-schedule';
import { DRIFT_SCHEDULE_ID, type DriftSweepSummary } from '../../src/workflows/drift-sweep/contracts';
import { startStack, type Stack } from '../support/stack';
import { startTestSimulator } from '../support/simulator';
import { waitFor } from '../support/wait';

const SIMULATOR = { seed: 7, catalog: { identities: 200 } };

interface Person {
  id: string;
  attributes: Record<string, string>;
}
interface Held {
  type: string;
  id: string;
  source: string;
}
interface AdoptJson {
  dryRun: boolean;
  read: number;
  alreadyManaged: number;
  toAdopt: number;
  claim: number;
  grant: number;
  adopted?: number;
  failed?: unknown[];
  identities?: Array<{ iscIdentityId: string; claim: unknown[]; grant: unknown[] }>;
}
interface DriftJson {
  read: number;
  judged: number;
  queried: number;
  counts: Record<string, number>;
  drifted: Array<{ iscIdentityId: string; findings: Array<{ finding: string; item: { type: string; id: string } }> }>;
  repair?: { repaired: number; leftAlone: number };
}

describe('day one: adopt, drift, repair (dev server + simulator)', () => {
  let stack: Stack;
  let people: Person[];
  let profile: string;
  let engineering: string;
  let birthright: string;
  const heldBefore = new Set<string>();

  beforeAll(async () => {
    // The catalog the policy names (the same seed and size give the same tenant, id for id).
    const probe = await startTestSimulator(SIMULATOR);
    const catalog = (
      await probe.call<{ identities: Person[]; items: Array<{ type: string; id: string; name: string }> }>(
        'GET',
        '/__sim/catalog',
      )
    ).body;
    await probe.close();
    const plain = (type: string) => catalog.items.filter((i) => i.type === type && !/restricted|broken/i.test(i.name));
    profile = plain('ACCESS_PROFILE').slice(-1)[0]!.id;
    engineering = plain('ENTITLEMENT').slice(-1)[0]!.id;
    birthright = catalog.items.find((i) => i.name === 'Birthright Email')!.id;
    people = catalog.identities;
    const dir = mkdtempSync(join(tmpdir(), 'iscflow-adopt-'));
    const policy = join(dir, 'policy.yaml');
    writeFileSync(
      policy,
      [
        'version: 1',
        'moverGrace: PT5S',
        // The policy says team; ISC's identity profile calls it department.
        'attributes: { team: department }',
        'rules:',
        '  - name: everyone',
        '    when: { workerType: employee }',
        `    grant: [ "ACCESS_PROFILE:${profile}", "ENTITLEMENT:${birthright}" ]`,
        '  - name: engineering',
        '    when: { team: Engineering }',
        `    grant: [ "ENTITLEMENT:${engineering}" ]`,
      ].join('\n'),
    );
    stack = await startStack({ simulator: SIMULATOR, settings: { ISCFLOW_POLICY: policy } });
    // Before iscflow: every other person already has the access profile; most engineers their entitlement.
    const holdings = people.flatMap((p, n) => [
      ...(n % 2 === 0 ? [{ identityId: p.id, type: 'ACCESS_PROFILE', id: profile }] : []),
      ...(p.attributes.department === 'Engineering' && n % 3 !== 0
        ? [{ identityId: p.id, type: 'ENTITLEMENT', id: engineering }]
        : []),
    ]);
    await stack.sim.call('POST', '/__sim/holdings', { holdings });
    for (const h of holdings) heldBefore.add(`${h.identityId}|${h.id}`);
  });
  afterAll(async () => {
    await stack?.close();
  });

  /** `iscflow event FILE` with this one event, as HR sends it. */
  const send = async (event: Record<string, unknown>): Promise<void> => {
    const file = join(mkdtempSync(join(tmpdir(), 'iscflow-event-')), 'event.json');
    writeFileSync(file, JSON.stringify({ source: 'workday', effectiveAt: new Date().toISOString(), ...event }));
    expect((await stack.cli('event', file)).code).toBe(0);
  };
  const holds = async (identityId: string): Promise<Held[]> =>
    (await stack.sim.call<Held[]>('GET', `/__sim/identities/${identityId}/access`)).body;
  const runningChanges = async (): Promise<number> =>
    (
      await stack.temporal
        .client()
        .workflow.count(`WorkflowType = '${WORKFLOW_TYPES.accessRequest}' AND ExecutionStatus = 'Running'`)
    ).count;
  const lifecycles = async (): Promise<number> =>
    (
      await stack.temporal
        .client()
        .workflow.count(`WorkflowType = '${WORKFLOW_TYPES.identityLifecycle}' AND ExecutionStatus = 'Running'`)
    ).count;
  const employees = () => people.filter((p) => p.attributes.workerType === 'employee');
  const engineers = () => employees().filter((p) => p.attributes.department === 'Engineering');
  /** Whether every employee holds the birthright, and every engineer the engineering entitlement. */
  const allHeld = async (): Promise<boolean> => {
    for (const p of employees()) {
      const ids = new Set((await holds(p.id)).map((h) => h.id));
      if (!ids.has(profile) || !ids.has(birthright)) return false;
      if (p.attributes.department === 'Engineering' && !ids.has(engineering)) return false;
    }
    return true;
  };

  it('adopts the tenant: held access claimed, only what is missing granted, a second run changes nothing', async () => {
    // One person is already managed: HR hired them through iscflow.
    const hired = employees()[0]!;
    await send({
      id: 'hire-1',
      type: 'hire',
      identity: { employeeNumber: hired.attributes.employeeNumber },
      attributes: { workerType: 'employee', team: hired.attributes.department },
    });
    await waitFor(async () => ((await lifecycles()) === 1 ? true : undefined), 20_000);

    const dry = await stack.cli('adopt', '--dry-run', '--json');
    expect([dry.code, dry.err]).toEqual([0, '']);
    const plan = dry.json<AdoptJson>();
    // Every person and the API client's identity; the one HR hired is left alone.
    expect(plan).toMatchObject({ dryRun: true, read: people.length + 1, alreadyManaged: 1, toAdopt: people.length });
    let missing = 0;
    for (const p of employees().filter((e) => e !== hired)) {
      if (!heldBefore.has(`${p.id}|${profile}`)) missing += 1;
      if (p.attributes.department === 'Engineering' && !heldBefore.has(`${p.id}|${engineering}`)) missing += 1;
    }
    expect(plan.grant).toBe(missing);
    expect(await lifecycles()).toBe(1);
    expect((await stack.simRequests()).length).toBeLessThanOrEqual(2);

    const run = await stack.cli('adopt', '--yes', '--json');
    expect([run.code, run.err]).toEqual([0, '']);
    expect(run.json<AdoptJson>()).toMatchObject({ adopted: people.length, alreadyManaged: 1, failed: [] });
    await waitFor(async () => ((await runningChanges()) === 0 && (await allHeld()) ? true : undefined), 90_000);
    // Not one grant of access that was already held (the person HR hired went the way of any hire).
    const grants = (await stack.simRequests()).filter(
      (r) => r.requestType === 'GRANT_ACCESS' && r.requestedFor !== hired.id,
    );
    expect(grants.filter((g) => heldBefore.has(`${g.requestedFor}|${g.itemId}`))).toEqual([]);
    expect(grants.filter((g) => g.itemId === birthright)).toEqual([]);

    const sentBefore = (await stack.simRequests()).length;
    const again = await stack.cli('adopt', '--yes', '--json');
    expect([again.code, again.json<AdoptJson>()]).toEqual([
      0,
      expect.objectContaining({ toAdopt: 0, adopted: 0, alreadyManaged: people.length + 1 }),
    ]);
    expect((await stack.simRequests()).length).toBe(sentBefore);
    expect(await lifecycles()).toBe(people.length + 1);
  });

  it('finds access removed behind its back, asking only the drifted lifecycles, and repairs it', async () => {
    const clean = await stack.cli('drift', '--json');
    expect([clean.code, clean.json<DriftJson>()]).toEqual([
      0,
      expect.objectContaining({ queried: 0, counts: { missing: 0, unexpected: 0, unrevocable: 0 } }),
    ]);

    // An administrator removes two claimed items in ISC.
    const [first] = engineers().filter((p, n) => n > 0 && heldBefore.has(`${p.id}|${engineering}`));
    const claimedProfile = employees().find((p, n) => n > 0 && heldBefore.has(`${p.id}|${profile}`))!;
    for (const [who, item] of [
      [first!, engineering],
      [claimedProfile, profile],
    ] as const) {
      expect((await stack.sim.call('DELETE', `/__sim/identities/${who.id}/access/${item}`)).status).toBe(204);
    }

    const found = await stack.cli('drift', '--json');
    expect(found.code).toBe(1);
    const report = found.json<DriftJson>();
    expect(report.queried).toBe(2);
    const findings = report.drifted.flatMap((d) =>
      d.findings.map((f) => `${d.iscIdentityId}|${f.item.id}|${f.finding}`),
    );
    expect(findings.sort()).toEqual(
      [`${first!.id}|${engineering}|missing`, `${claimedProfile.id}|${profile}|missing`].sort(),
    );

    const repaired = await stack.cli('drift', '--repair', '--yes', '--json');
    expect(repaired.code).toBe(1);
    expect(repaired.json<DriftJson>().repair).toMatchObject({ repaired: 2, leftAlone: 0 });
    await waitFor(async () => ((await allHeld()) ? true : undefined), 60_000);
    const requests = (await stack.simRequests()).filter((r) => r.requestType === 'GRANT_ACCESS');
    expect(requests.filter((r) => r.requestedFor === first!.id && r.itemId === engineering)).toHaveLength(1);
  });

  it('a leaver’s HR event reaches the adopted lifecycle: claimed access revoked, the birthright reported', async () => {
    const leaver = engineers().find((p, n) => n > 1 && heldBefore.has(`${p.id}|${engineering}`))!;
    await send({ id: 'leave-1', type: 'terminate', identity: { employeeNumber: leaver.attributes.employeeNumber } });
    type View = { state: string; holdings: Array<{ item: { id: string }; state: string }> };
    // Once its revokes have settled, only what ISC would not let go is left.
    const view = await waitFor(async () => {
      const shown = (await stack.cli('identity', 'show', leaver.attributes.employeeNumber!, '--json')).json<View>();
      return shown.state === 'TERMINATED' && shown.holdings.length === 1 ? shown : undefined;
    }, 60_000);
    const ids = (await holds(leaver.id)).map((h) => h.id);
    expect([ids.includes(engineering), ids.includes(profile), ids.includes(birthright)]).toEqual([false, false, true]);
    expect(view.holdings).toEqual([
      expect.objectContaining({ item: expect.objectContaining({ id: birthright }), state: 'UNREVOCABLE' }),
    ]);
    // Still held in ISC, no longer desired, not a request's to revoke: a person's to remove.
    const report = (await stack.cli('drift', '--json')).json<DriftJson>();
    expect(report.counts).toEqual({ missing: 0, unexpected: 0, unrevocable: 1 });
    expect(
      (await stack.simRequests()).filter((r) => r.requestType === 'REVOKE_ACCESS' && r.itemId === birthright),
    ).toEqual([]);
  });

  it('sweeps on a schedule in the worker, and the report shows what the sweep found', async () => {
    const client = stack.temporal.client();
    expect(await ensureDriftSchedule(client, { taskQueue: stack.taskQueue, everyMs: 86_400_000 })).toBe('created');
    // A worker started with another interval brings the schedule to it.
    expect(await ensureDriftSchedule(client, { taskQueue: stack.taskQueue, everyMs: 3_600_000 })).toBe('updated');
    const schedule = client.schedule.getHandle(DRIFT_SCHEDULE_ID);
    expect((await schedule.describe()).spec.intervals?.[0]?.every).toBe(3_600_000);
    await schedule.trigger();
    const query = `WorkflowType = '${WORKFLOW_TYPES.driftSweep}' AND ExecutionStatus = 'Completed'`;
    const sweep = await waitFor(async () => {
      for await (const wf of client.workflow.list({ query })) return wf;
      return undefined;
    }, 60_000);
    const summary = (await client.workflow.getHandle(sweep.workflowId, sweep.runId).result()) as DriftSweepSummary;
    // The leaver's birthright, and nothing else: found without asking any other lifecycle.
    expect(summary).toMatchObject({ counts: { missing: 0, unexpected: 0, unrevocable: 1 }, queried: 1 });
    expect(JSON.stringify(summary)).not.toMatch(/employeeNumber|"E1\d{3}"/);
    const report = await stack.cli('report', '--format', 'json');
    const rows = report.json<{ rows: Array<{ change: string; outcome: string; itemId: string; cause: string }> }>()
      .rows;
    expect(rows.filter((r) => r.change === 'drift')).toEqual([
      expect.objectContaining({ outcome: 'UNREVOCABLE', itemId: birthright, cause: 'drift-sweep' }),
    ]);
    await schedule.delete();
  });
});
