/**
 * A change is an intent, not its content (dev server + simulator, through the CLI). Judged by the
 * simulator's own record of request items and of what each identity holds.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStack, type RequestJson, type Stack } from '../support/stack';

interface StatusJson {
  workflowId: string;
  status: string;
  phase: string | null;
  run: { runId: string; status: string; closedAt: string | null; live: boolean };
  items: Array<{ outcome: string | null }>;
}

describe('a change is an intent (dev server + simulator)', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.close();
  });

  const identity = (n: number): string => stack.catalog.identities[n]!.id;
  const holds = async (who: string, what: string): Promise<boolean> =>
    (await stack.sim.call<Array<{ id: string }>>('GET', `/__sim/identities/${who}/access`)).body.some(
      (a) => a.id === what,
    );
  const itemsFor = async (who: string, what: string) =>
    (await stack.simRequests()).filter((r) => r.requestedFor === who && r.itemId === what);

  it('grant, revoke, and the same grant again: all three reach ISC and the access is held at the end', async () => {
    const who = identity(5);
    const what = stack.plainEntitlements()[3]!.id;

    const first = await stack.grant(who, what, '--wait', '--json');
    const revoke = await stack.revoke(who, what, '--comment', 'mover', '--wait', '--json');
    const again = await stack.grant(who, what, '--wait', '--json');

    expect([first.code, revoke.code, again.code]).toEqual([0, 0, 0]);
    expect(first.json<RequestJson>().workflows[0]!.items[0]!.outcome).toBe('GRANTED');
    expect(revoke.json<RequestJson>().workflows[0]!.items[0]!.outcome).toBe('REVOKED');
    const third = again.json<RequestJson>().workflows[0]!;
    expect(third).toMatchObject({ action: 'started', items: [expect.objectContaining({ outcome: 'GRANTED' })] });
    // Same content, same workflow id, a new run.
    expect(third.workflowId).toBe(first.json<RequestJson>().workflows[0]!.workflowId);
    expect(third.run.runId).not.toBe(first.json<RequestJson>().workflows[0]!.run.runId);
    expect((await itemsFor(who, what)).map((r) => r.requestType)).toEqual([
      'GRANT_ACCESS',
      'REVOKE_ACCESS',
      'GRANT_ACCESS',
    ]);
    expect(await holds(who, what)).toBe(true);
  });

  it('an idempotency key replayed after a later revoke does nothing, and says which change it repeats', async () => {
    const who = identity(6);
    const what = stack.plainEntitlements()[4]!.id;
    const key = `wd-${Date.now()}`;

    const first = await stack.grant(who, what, '--idempotency-key', key, '--wait', '--json');
    expect(first.code).toBe(0);
    expect((await stack.revoke(who, what, '--comment', 'leaver', '--wait')).code).toBe(0);

    const replay = await stack.grant(who, what, '--idempotency-key', key, '--wait', '--json');

    const original = first.json<RequestJson>().workflows[0]!;
    const repeated = replay.json<RequestJson>().workflows[0]!;
    expect(repeated).toMatchObject({
      workflowId: original.workflowId,
      action: 'duplicate',
      state: 'DUPLICATE',
      run: { runId: original.run.runId, status: 'COMPLETED', live: false, closedAt: expect.any(String) },
      items: [expect.objectContaining({ outcome: 'GRANTED' })],
    });
    // Nothing reached ISC: the access stays revoked.
    expect((await itemsFor(who, what)).map((r) => r.requestType)).toEqual(['GRANT_ACCESS', 'REVOKE_ACCESS']);
    expect(await holds(who, what)).toBe(false);

    const text = await stack.grant(who, what, '--idempotency-key', key, '--wait');
    expect(text.out).toContain(`${original.workflowId} (duplicate: this idempotency key already ran COMPLETED at `);
    expect(text.out).toContain('nothing started');
  });

  it('refuses a key already used for a different change, and starts nothing', async () => {
    const who = identity(7);
    const [a, b] = stack.plainEntitlements().slice(5, 7);
    const key = `ticket-${Date.now()}`;
    expect((await stack.grant(who, a!.id, '--idempotency-key', key, '--wait')).code).toBe(0);

    let refused = await stack.grant(who, b!.id, '--idempotency-key', key);
    // Visibility may take a moment to show the first change; the refusal must come once it does.
    for (let i = 0; i < 20 && refused.code === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      refused = await stack.grant(who, b!.id, '--idempotency-key', key);
    }
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(new RegExp(`idempotency key ${key} was already used for a different change`));
    expect(await itemsFor(who, b!.id)).toHaveLength(0);
    const bad = await stack.grant(who, b!.id, '--idempotency-key', 'has spaces');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--idempotency-key .*IDEMPOTENCY_KEY_FORMAT/);
  });

  it('status of a finished change says it is that run’s record, not a fresh look at ISC', async () => {
    const who = identity(8);
    const what = stack.plainEntitlements()[7]!.id;
    const workflowId = (await stack.grant(who, what, '--wait', '--json')).json<RequestJson>().workflows[0]!.workflowId;

    const json = (await stack.cli('status', workflowId, '--json')).json<StatusJson>();
    const text = await stack.cli('status', workflowId);

    expect(json).toMatchObject({ status: 'COMPLETED', run: { live: false, closedAt: expect.any(String) } });
    expect(text.out.split('\n')[0]).toMatch(/COMPLETED at .*the result of that run .*not a fresh look at ISC/);
  });

  it('--wait copes with a cold worker: many changes asked at once before any worker runs them', async () => {
    await stack.stopWorker();
    const entitlements = stack.plainEntitlements().slice(8, 14);
    const waits = entitlements.map((e, n) => stack.grant(identity(10 + n), e.id, '--wait', '--json'));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await stack.startWorker();

    const runs = await Promise.all(waits);

    expect(runs.map((r) => [r.code, r.err])).toEqual(runs.map(() => [0, '']));
    for (const run of runs) expect(run.json<RequestJson>().workflows[0]!.items[0]!.outcome).toBe('GRANTED');
  });
});

describe('the embedded ISC keeps its state across a restart (dev server + simulator with a state file)', () => {
  let stack: Stack;
  beforeAll(async () => {
    const stateFile = join(mkdtempSync(join(tmpdir(), 'iscflow-sim-')), 'simulator.json');
    stack = await startStack({ simulator: { stateFile } });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('keeps holdings and requests; the same change asked after the restart matches what ISC holds', async () => {
    const who = stack.catalog.identities[9]!.id;
    const what = stack.plainEntitlements()[2]!.id;
    expect((await stack.grant(who, what, '--wait')).code).toBe(0);
    const before = await stack.simRequests();

    await stack.restartSimulator();

    expect(await stack.simRequests()).toEqual(before);
    const access = (await stack.sim.call<Array<{ id: string }>>('GET', `/__sim/identities/${who}/access`)).body;
    expect(access.map((a) => a.id)).toContain(what);
    const again = await stack.grant(who, what, '--wait', '--json');
    expect(again.json<RequestJson>().workflows[0]!.items[0]!.outcome).toBe('ALREADY_SATISFIED');
    expect((await stack.simRequests()).filter((r) => r.itemId === what && r.requestedFor === who)).toHaveLength(1);
  });
});
