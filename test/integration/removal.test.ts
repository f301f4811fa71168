/**
 * Removal and start dates end to end: the CLI, a real Temporal dev server, the worker and the ISC
 * simulator over HTTP, with dates a few seconds away. Both tenant profiles, and restarts of the worker and
 * of the dev server while a removal timer is pending.
 */
import { startStack, type RequestJson, type Stack } from '../support/stack';

const inSeconds = (seconds: number): string => new Date(Date.now() + seconds * 1000).toISOString();

const FAST = {
  ISCFLOW_REMOVAL_VERIFICATION_SECONDS: '2',
  ISCFLOW_OUTCOME_RETRIES: '0',
};

async function accessOf(stack: Stack, identityId: string): Promise<string[]> {
  const { body } = await stack.sim.call<Array<{ id: string }>>('GET', `/__sim/identities/${identityId}/access`);
  return body.map((a) => a.id);
}

async function itemsFor(stack: Stack, identityId: string, itemId: string) {
  return (await stack.simRequests()).filter((r) => r.requestedFor === identityId && r.itemId === itemId);
}

describe('removal dates on a current tenant', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ settings: FAST });
  });
  afterAll(async () => {
    await stack?.close();
  });
  const identity = (n: number): string => stack.catalog.identities[n]!.id;

  it('isc mode: removeDate goes to ISC, ISC removes, the workflow verifies', async () => {
    const entitlement = stack.plainEntitlements()[10]!;
    const removeDate = inSeconds(4);
    const run = await stack.grant(identity(10), entitlement.id, '--remove-date', removeDate, '--wait', '--json');

    expect(run.code).toBe(0);
    expect(run.json<RequestJson>().workflows[0]!.items[0]).toMatchObject({
      outcome: 'GRANTED',
      removal: { mode: 'isc', status: 'REMOVED', removeDate },
    });
    const created = await itemsFor(stack, identity(10), entitlement.id);
    expect(created).toEqual([expect.objectContaining({ requestType: 'GRANT_ACCESS', removeDate })]);
    expect(await accessOf(stack, identity(10))).not.toContain(entitlement.id);
  });

  it('exact mode: the workflow revokes at the date itself', async () => {
    const entitlement = stack.plainEntitlements()[11]!;
    const removeDate = inSeconds(4);
    const run = await stack.grant(
      identity(11),
      entitlement.id,
      '--remove-date',
      removeDate,
      '--removal',
      'exact',
      '--wait',
      '--json',
    );

    expect(run.code).toBe(0);
    expect(run.json<RequestJson>().workflows[0]!.items[0]).toMatchObject({
      removal: { mode: 'exact', status: 'REMOVED' },
    });
    const created = await itemsFor(stack, identity(11), entitlement.id);
    expect(created.map((r) => [r.requestType, r.removeDate])).toEqual([
      ['GRANT_ACCESS', null],
      ['REVOKE_ACCESS', null],
    ]);
    expect(await accessOf(stack, identity(11))).not.toContain(entitlement.id);
  });

  it('remove-date none cancels a scheduled removal and the access stays', async () => {
    const entitlement = stack.plainEntitlements()[12]!;
    const started = await stack.grant(
      identity(12),
      entitlement.id,
      '--remove-date',
      inSeconds(120),
      '--removal',
      'exact',
      '--json',
    );
    const { workflowId } = started.json<{ workflows: Array<{ workflowId: string }> }>().workflows[0]!;
    await waitForState(stack, workflowId, 'REMOVAL_SCHEDULED');

    const bad = await stack.cli('remove-date', workflowId, 'yesterday');
    expect(bad.code).toBe(2);
    const cancelled = await stack.cli('remove-date', workflowId, 'none');
    expect(cancelled.code).toBe(0);

    const status = await waitForState(stack, workflowId, 'COMPLETED');
    expect(status.items[0]).toMatchObject({ outcome: 'GRANTED', removal: { status: 'KEPT' } });
    expect(await accessOf(stack, identity(12))).toContain(entitlement.id);
  });

  it('a revoke of access whose removal is scheduled acts on that workflow instead of competing with it', async () => {
    const entitlement = stack.plainEntitlements()[13]!;
    const started = await stack.grant(identity(13), entitlement.id, '--remove-date', inSeconds(600), '--json');
    const { workflowId } = started.json<{ workflows: Array<{ workflowId: string }> }>().workflows[0]!;
    await waitForState(stack, workflowId, 'REMOVAL_SCHEDULED');

    const revoke = await stack.revoke(
      identity(13),
      entitlement.id,
      '--comment',
      'Contract ended early',
      '--wait',
      '--json',
    );

    expect(revoke.code).toBe(0);
    const [routed] = revoke.json<RequestJson & { workflows: Array<{ action: string }> }>().workflows;
    expect(routed).toMatchObject({ workflowId, action: 'removing' });
    expect(routed!.items[0]).toMatchObject({ outcome: 'REVOKED' });
    expect(await accessOf(stack, identity(13))).not.toContain(entitlement.id);
    const revokes = (await itemsFor(stack, identity(13), entitlement.id)).filter(
      (r) => r.requestType === 'REVOKE_ACCESS',
    );
    expect(revokes).toHaveLength(1);
  });

  it('a newer grant with another date moves the scheduled removal instead of starting a competing workflow', async () => {
    const entitlement = stack.plainEntitlements()[17]!;
    const first = await stack.grant(
      identity(17),
      entitlement.id,
      '--remove-date',
      inSeconds(600),
      '--removal',
      'exact',
      '--json',
    );
    const { workflowId } = first.json<{ workflows: Array<{ workflowId: string }> }>().workflows[0]!;
    await waitForState(stack, workflowId, 'REMOVAL_SCHEDULED');

    const newDate = inSeconds(4);
    const second = await stack.grant(identity(17), entitlement.id, '--remove-date', newDate, '--json');

    expect(second.json<{ workflows: Array<{ workflowId: string; action: string }> }>().workflows).toEqual([
      { workflowId, action: 'rescheduled' },
    ]);
    const done = await waitForState(stack, workflowId, 'COMPLETED');
    expect(done.items[0]).toMatchObject({ removal: { status: 'REMOVED' } });
    const running = await stack.cli('list', '--identity', identity(17), '--json');
    expect(running.json<{ workflows: unknown[] }>().workflows).toHaveLength(1);
    expect((await itemsFor(stack, identity(17), entitlement.id)).map((r) => r.requestType)).toEqual([
      'GRANT_ACCESS',
      'REVOKE_ACCESS',
    ]);
  });

  it('a start date goes to ISC, and the change shows SCHEDULED until then', async () => {
    const entitlement = stack.plainEntitlements()[14]!;
    const startDate = inSeconds(5);
    const started = await stack.grant(identity(14), entitlement.id, '--start-date', startDate, '--json');
    const { workflowId } = started.json<{ workflows: Array<{ workflowId: string }> }>().workflows[0]!;
    await waitForState(stack, workflowId, 'SCHEDULED');
    const listed = await stack.cli('list', '--state', 'SCHEDULED', '--json');
    expect(listed.json<{ workflows: Array<{ workflowId: string }> }>().workflows.map((w) => w.workflowId)).toContain(
      workflowId,
    );

    const status = await waitForState(stack, workflowId, 'COMPLETED');
    expect(status.items[0]).toMatchObject({ outcome: 'GRANTED' });
    expect(await itemsFor(stack, identity(14), entitlement.id)).toEqual([expect.objectContaining({ startDate })]);
  });
});

describe('removal and start dates on a legacy tenant', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      simulator: { config: { profile: 'legacy' } },
      settings: { ...FAST, SAIL_TENANT_PROFILE: 'legacy' },
    });
    // Only the worker knows the tenant: whoever starts workflows (here the CLI) need not be told.
    delete stack.settings.SAIL_TENANT_PROFILE;
  });
  afterAll(async () => {
    await stack?.close();
  });
  const identity = (n: number): string => stack.catalog.identities[n]!.id;

  it('an entitlement removal is exact whatever the default, because the tenant takes no removeDate for it', async () => {
    const entitlement = stack.plainEntitlements()[15]!;
    const run = await stack.grant(identity(15), entitlement.id, '--remove-date', inSeconds(4), '--wait', '--json');

    expect(run.code).toBe(0);
    expect(run.json<RequestJson>().workflows[0]!.items[0]).toMatchObject({
      removal: { mode: 'exact', status: 'REMOVED' },
    });
    const created = await itemsFor(stack, identity(15), entitlement.id);
    expect(created.map((r) => [r.requestType, r.removeDate])).toEqual([
      ['GRANT_ACCESS', null],
      ['REVOKE_ACCESS', null],
    ]);
  });

  it('a start date is waited for by the workflow and the grant submitted then', async () => {
    const entitlement = stack.plainEntitlements()[16]!;
    const startDate = inSeconds(4);
    const run = await stack.grant(identity(16), entitlement.id, '--start-date', startDate, '--wait', '--json');

    expect(run.code).toBe(0);
    const [created] = await itemsFor(stack, identity(16), entitlement.id);
    expect(created).toMatchObject({ startDate: null });
    expect(Date.parse((created as unknown as { created: string }).created)).toBeGreaterThanOrEqual(
      Date.parse(startDate),
    );
  });
});

describe('a pending removal survives restarts', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ devServerProcess: true, settings: FAST });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('the worker and the dev server restart while the timer is pending; the removal still happens', async () => {
    const identityId = stack.catalog.identities[20]!.id;
    const entitlement = stack.plainEntitlements()[20]!;
    const started = await stack.grant(
      identityId,
      entitlement.id,
      '--remove-date',
      inSeconds(12),
      '--removal',
      'exact',
      '--json',
    );
    const { workflowId } = started.json<{ workflows: Array<{ workflowId: string }> }>().workflows[0]!;
    await waitForState(stack, workflowId, 'REMOVAL_SCHEDULED');

    await stack.stopWorker();
    await stack.startWorker();
    await stack.restartTemporal();

    const status = await waitForState(stack, workflowId, 'COMPLETED', 60_000);
    expect(status.items[0]).toMatchObject({ outcome: 'GRANTED', removal: { status: 'REMOVED' } });
    expect(await accessOf(stack, identityId)).not.toContain(entitlement.id);
    expect((await itemsFor(stack, identityId, entitlement.id)).map((r) => r.requestType)).toEqual([
      'GRANT_ACCESS',
      'REVOKE_ACCESS',
    ]);
  });
});

interface StatusView {
  status: string;
  phase?: string;
  items: Array<{ outcome: string; removal?: { status: string } }>;
}

async function waitForState(stack: Stack, workflowId: string, phase: string, timeoutMs = 30_000): Promise<StatusView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = await stack.cli('status', workflowId, '--json');
    if (run.code === 0) {
      const view = run.json<StatusView>();
      if (view.phase === phase || (phase === 'COMPLETED' && view.status === 'COMPLETED')) return view;
    }
    if (Date.now() > deadline) throw new Error(`${workflowId} did not reach ${phase} in time: ${run.out} ${run.err}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}
