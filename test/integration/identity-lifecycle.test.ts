/**
 * Identity lifecycles end to end (dev server + simulator, dates seconds away): HR events go in through
 * `iscflow event`, the worker runs the birthright policy, and everything is judged by the simulator's
 * own record of requests and of what each identity holds.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writePolicyFile } from '../support/policy';
import { startStack, type Stack } from '../support/stack';
import { waitFor } from '../support/wait';

interface EventJson {
  events: Array<{ where: string; source: string; id: string; status: string; workflowId: string }>;
}

describe('identity lifecycle (dev server + simulator)', () => {
  let stack: Stack;
  let dir: string;
  let everyone: string;
  let engineering: string;
  let finance: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'iscflow-lifecycle-'));
    // A first stack only to read the catalog the policy will name (same seed, same catalog).
    const probe = await startStack();
    const [a, b, c] = probe.plainEntitlements().slice(20, 23);
    await probe.close();
    everyone = a!.id;
    engineering = b!.id;
    finance = c!.id;
    const policy = writePolicyFile(join(dir, 'policy.yaml'), {
      moverGrace: 'PT8S',
      submitAhead: 'PT6S',
      rules: [
        { name: 'everyone', when: { workerType: 'employee' }, grant: [`ENTITLEMENT:${everyone}`] },
        { name: 'engineering', when: { department: 'Engineering' }, grant: [`ENTITLEMENT:${engineering}`] },
        { name: 'finance', when: { department: 'Finance' }, grant: [`ENTITLEMENT:${finance}`] },
      ],
    });
    stack = await startStack({ settings: { ISCFLOW_POLICY: policy, ISCFLOW_IDENTITY_POLL_SECONDS: '1' } });
  });
  afterAll(async () => {
    await stack?.close();
  });

  let seq = 0;
  const send = async (...events: Array<Record<string, unknown>>) => {
    seq += 1;
    const file = join(dir, `events-${seq}.ndjson`);
    writeFileSync(file, events.map((e) => JSON.stringify({ source: 'workday', ...e })).join('\n'));
    const run = await stack.cli('event', file, '--json');
    expect([run.code, run.err]).toEqual([0, '']);
    return run.json<EventJson>().events;
  };
  const at = (ms: number): string => new Date(Date.now() + ms).toISOString();
  const holds = async (identityId: string): Promise<string[]> =>
    (await stack.sim.call<Array<{ id: string; source: string }>>('GET', `/__sim/identities/${identityId}/access`)).body
      .filter((a) => a.source === 'REQUEST')
      .map((a) => a.id)
      .sort();
  const requestsFor = async (identityId: string) =>
    (await stack.simRequests()).filter((r) => r.requestedFor === identityId);
  /** `identity show`, once the receipt has handed the first event to the lifecycle. */
  const show = async (key: string) =>
    waitFor(async () => {
      const run = await stack.cli('identity', 'show', key, '--json');
      return run.code === 0 ? run.json<{ state: string }>() : undefined;
    }, 20_000);
  /** A catalog identity; these numbers hold nothing requested at the start (see src/simulator/catalog.ts). */
  const person = (n: 30 | 31 | 34) => ({
    employeeNumber: `E${1000 + n}`,
    id: stack.catalog.identities[n]!.id,
  });

  it('joiner ahead of the hire, mover with a grace, leaver, and rehire', async () => {
    const { employeeNumber, id } = person(30);
    const hireAt = at(12_000);
    const [accepted] = await send({
      id: 'j-hire',
      type: 'hire',
      identity: { employeeNumber },
      effectiveAt: hireAt,
      attributes: { workerType: 'employee', department: 'Engineering' },
    });
    expect(accepted).toMatchObject({
      status: 'accepted',
      workflowId: expect.stringMatching(/^iscflow-identity-[0-9a-f]{32}$/),
    });
    expect(accepted!.workflowId).not.toContain(employeeNumber);
    // The receipt starts the lifecycle, then hands it the event: wait for the event, not just the lifecycle.
    await waitFor(async () => ((await show(employeeNumber)).state === 'PENDING_HIRE' ? true : undefined), 20_000);
    expect(await requestsFor(id)).toEqual([]);

    // By the hire the birthright is requested (submitted ahead, with the hire as its start date), and held.
    await waitFor(async () => ((await holds(id)).length === 2 ? true : undefined), 30_000);
    expect(await holds(id)).toEqual([everyone, engineering].sort());
    const grants = await requestsFor(id);
    expect(grants.map((r) => r.startDate)).toEqual([expect.any(String), expect.any(String)]);

    // A move to Finance: finance now, engineering kept through the grace, then revoked.
    await send({
      id: 'j-move',
      type: 'update',
      identity: { employeeNumber },
      effectiveAt: at(0),
      attributes: { department: 'Finance' },
    });
    await waitFor(async () => ((await holds(id)).includes(finance) ? true : undefined), 20_000);
    expect(await holds(id)).toContain(engineering);
    await waitFor(async () => ((await holds(id)).includes(engineering) ? undefined : true), 30_000);
    expect(await holds(id)).toEqual([everyone, finance].sort());

    // Leaver: everything the lifecycle granted goes, at once.
    await send({ id: 'j-leave', type: 'terminate', identity: { employeeNumber }, effectiveAt: at(0) });
    await waitFor(async () => ((await holds(id)).length === 0 ? true : undefined), 30_000);
    expect((await show(employeeNumber)).state).toBe('TERMINATED');

    // Rehire: fresh intents, so the grants reach ISC again.
    const before = (await requestsFor(id)).length;
    await send({
      id: 'j-rehire',
      type: 'hire',
      identity: { employeeNumber },
      effectiveAt: at(0),
      attributes: { workerType: 'employee', department: 'Engineering' },
    });
    await waitFor(async () => ((await holds(id)).length === 2 ? true : undefined), 30_000);
    expect((await requestsFor(id)).length).toBe(before + 2);
    expect((await show(employeeNumber)).state).toBe('ACTIVE');
    // The same file sent again: every event a duplicate, nothing changes.
    const again = await send({
      id: 'j-rehire',
      type: 'hire',
      identity: { employeeNumber },
      effectiveAt: at(0),
      attributes: { workerType: 'employee' },
    });
    expect(again.map((e) => e.status)).toEqual(['duplicate']);
  });

  it('a rescinded hire never reaches ISC', async () => {
    const { employeeNumber, id } = person(31);
    await send({
      id: 'r-hire',
      type: 'hire',
      identity: { employeeNumber },
      effectiveAt: at(20_000),
      attributes: { workerType: 'employee' },
    });
    await send({
      id: 'r-rescind',
      type: 'rescind',
      rescinds: 'r-hire',
      identity: { employeeNumber },
      effectiveAt: at(0),
    });
    await new Promise((resolve) => setTimeout(resolve, 25_000));
    expect(await requestsFor(id)).toEqual([]);
    expect((await show(employeeNumber)).state).toBe('NOT_HIRED');
  });

  it('an employee number ISC only knows once HR aggregation created the identity', async () => {
    const employeeNumber = 'E9001';
    await send({
      id: 'n-hire',
      type: 'hire',
      identity: { employeeNumber },
      effectiveAt: at(0),
      attributes: { workerType: 'employee' },
    });
    await waitFor(
      async () => ((await show(employeeNumber)).state === 'WAITING_FOR_IDENTITY' ? true : undefined),
      20_000,
    );
    const created = await stack.sim.call<{ id: string }>('POST', '/__sim/identities', {
      name: 'New Joiner',
      attributes: { employeeNumber, workerType: 'employee' },
    });
    expect(created.status).toBe(201);
    await waitFor(async () => ((await holds(created.body.id)).length === 1 ? true : undefined), 30_000);
    expect(await holds(created.body.id)).toEqual([everyone]);
    expect((await show(employeeNumber)).state).toBe('ACTIVE');
  });

  it('an ISC event that names only the ISC id reaches the lifecycle HR started by employee number', async () => {
    const employeeNumber = 'E9002';
    const created = await stack.sim.call<{ id: string }>('POST', '/__sim/identities', {
      name: 'Routed Joiner',
      attributes: { employeeNumber, workerType: 'employee' },
    });
    const id = created.body.id;
    const [hire] = await send({
      id: 'route-hire',
      type: 'hire',
      identity: { employeeNumber },
      effectiveAt: at(0),
      attributes: { workerType: 'employee' },
    });
    await waitFor(async () => ((await holds(id)).length === 1 ? true : undefined), 30_000);
    // ISC's trigger knows the person by ISC id only (as idn:identity-attributes-changed does).
    const [move] = await send({
      id: 'route-move',
      source: 'isc',
      type: 'update',
      identity: { id },
      effectiveAt: at(0),
      attributes: { department: 'Finance' },
    });
    expect(move?.workflowId).toBe(hire?.workflowId);
    await waitFor(async () => ((await holds(id)).length === 2 ? true : undefined), 30_000);
    expect(await holds(id)).toEqual([everyone, finance].sort());
  });

  it('a worker restart in the middle of a timeline loses nothing', async () => {
    const { employeeNumber, id } = person(34);
    await send({
      id: 'w-hire',
      type: 'hire',
      identity: { employeeNumber },
      effectiveAt: at(6000),
      attributes: { workerType: 'employee', department: 'Finance' },
    });
    await stack.stopWorker();
    await new Promise((resolve) => setTimeout(resolve, 8000));
    await stack.startWorker();
    await waitFor(async () => ((await holds(id)).length === 2 ? true : undefined), 30_000);
    expect(await holds(id)).toEqual([everyone, finance].sort());
    expect((await requestsFor(id)).length).toBe(2);
  });
});
