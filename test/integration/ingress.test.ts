/**
 * The ingress end to end: a Temporal dev server run as a process (so it can be stopped), the simulator,
 * the worker, and the ingress over HTTP in front of the production Temporal gateway. HR events and ISC
 * triggers go in as senders send them; what happened is judged by the simulator's own record of requests
 * and holdings, by the lifecycle (`iscflow identity show`), and by the workflows Temporal holds.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { Connection } from '@temporalio/client';
import { IDENTITY_REF, WORKFLOW_TYPES } from '../../src/common';
import { DEV_WEBHOOK_SECRET, tryItCommands } from '../../src/ingress';
import { plainEntitlements, type Catalog } from '../support/catalog';
import { writePolicyFile } from '../support/policy';
import { startStack, type IngressAnswer, type Stack, type StackIngress } from '../support/stack';
import { startTestSimulator } from '../support/simulator';
import { waitFor } from '../support/wait';

const run = promisify(execFile);

/** Whether a Temporal server answers at `address`, on a connection of its own (no backoff carried over). */
async function answers(address: string): Promise<boolean> {
  const connection = await Connection.connect({ address, connectTimeout: 1000 }).catch(() => undefined);
  if (!connection) return false;
  try {
    await connection.withDeadline(Date.now() + 1000, () => connection.workflowService.getSystemInfo({}));
    return true;
  } catch {
    return false;
  } finally {
    await connection.close();
  }
}

interface IdentityJson {
  state: string;
  timeline: Array<{ key: string; duplicates: number }>;
}

describe('the ingress end to end (dev server process + simulator + worker + Temporal gateway)', () => {
  let stack: Stack;
  let ingress: StackIngress;
  let birthright: string[];

  beforeAll(async () => {
    // The simulator alone, to read the catalog the policy names (same seed, same catalog as the stack's).
    const probe = await startTestSimulator({ seed: 7 });
    const catalog = (await probe.call<Catalog>('GET', '/__sim/catalog')).body;
    await probe.close();
    birthright = plainEntitlements(catalog)
      .slice(20, 22)
      .map((i) => i.id)
      .sort();
    const policy = writePolicyFile(join(mkdtempSync(join(tmpdir(), 'iscflow-ingress-')), 'policy.yaml'), {
      rules: [
        { name: 'everyone', when: { workerType: 'employee' }, grant: birthright.map((id) => `ENTITLEMENT:${id}`) },
      ],
    });
    stack = await startStack({
      devServerProcess: true,
      settings: { ISCFLOW_POLICY: policy, ISCFLOW_IDENTITY_POLL_SECONDS: '1' },
      // The development secret, as `npm run dev` runs it: the printed lines are checked below.
      ingress: { env: { ISCFLOW_WEBHOOK_SECRETS: DEV_WEBHOOK_SECRET } },
    });
    ingress = stack.ingress!;
  });
  afterAll(async () => {
    await stack?.close();
  });

  /** A catalog identity that holds nothing requested at the start (see src/simulator/catalog.ts). */
  const person = (n: 35 | 36 | 38 | 39 | 40) => ({
    employeeNumber: `E${1000 + n}`,
    id: stack.catalog.identities[n]!.id,
  });
  const hire = (id: string, employeeNumber: string, effectiveAt = new Date().toISOString()): string =>
    JSON.stringify({
      id,
      source: 'workday',
      type: 'hire',
      identity: { employeeNumber },
      effectiveAt,
      attributes: { workerType: 'employee', department: 'Engineering' },
    });
  const holds = async (identityId: string): Promise<string[]> =>
    (await stack.sim.call<Array<{ id: string; source: string }>>('GET', `/__sim/identities/${identityId}/access`)).body
      .filter((a) => a.source === 'REQUEST')
      .map((a) => a.id)
      .sort();
  const holdsExactly = (identityId: string, expected: string[]) =>
    waitFor(async () => {
      const held = await holds(identityId);
      return held.join() === [...expected].sort().join() ? held : undefined;
    }, 60_000);
  const requestsFor = async (identityId: string) =>
    (await stack.simRequests()).filter((r) => r.requestedFor === identityId);
  const show = async (key: string): Promise<IdentityJson> => {
    const shown = await stack.cli('identity', 'show', key, '--json');
    expect([shown.code, shown.err]).toEqual([0, '']);
    return shown.json<IdentityJson>();
  };
  /** Where an event stands, once it is in the state asked for (GET Location, signed). */
  const standing = (location: string, state: string): Promise<IngressAnswer> =>
    waitFor(async () => {
      const answer = await ingress.get(location);
      return answer.status === 200 && answer.json.state === state ? answer : undefined;
    }, 60_000);
  /** The lifecycle's pseudonym, as an event's standing names it. */
  const refOf = (standing: IngressAnswer): string => {
    const ref = (standing.json.identity as { ref?: unknown } | undefined)?.ref;
    if (typeof ref !== 'string') throw new Error(`no identity ref in ${standing.text}`);
    return ref;
  };
  /** Receipt workflows of an identity's events, as Temporal's visibility lists them. */
  const receipts = async (ref: string): Promise<number> =>
    (
      await stack.temporal
        .client()
        .workflow.count(`WorkflowType = '${WORKFLOW_TYPES.hrEvent}' AND ${IDENTITY_REF.name} = '${ref}'`)
    ).count;

  it('an event acknowledged while the worker is down is applied when it comes back; a repeat changes nothing', async () => {
    const { employeeNumber, id } = person(35);
    await stack.stopWorker();
    const body = hire('ing-worker-down', employeeNumber);
    const delivery = ingress.signed(body);
    const accepted = await ingress.post(body, delivery);
    expect(accepted.status).toBe(202);
    const location = '/v1/events/workday/ing-worker-down';
    expect(accepted.headers.get('location')).toBe(location);
    expect(accepted.json).toEqual({ status: 'accepted', source: 'workday', id: 'ing-worker-down', location });

    // Recorded, not yet applied: no worker has run the receipt.
    const received = await ingress.get(location);
    expect(received.status).toBe(200);
    expect(received.json).toMatchObject({ source: 'workday', id: 'ing-worker-down', state: 'received' });
    expect(await requestsFor(id)).toEqual([]);

    await stack.startWorker();
    expect(await holdsExactly(id, birthright)).toEqual(birthright);
    const applied = await standing(location, 'applied');
    expect(applied.json).toMatchObject({ identity: { key: employeeNumber } });
    const lifecycle = await show(employeeNumber);
    expect(lifecycle.state).toBe('ACTIVE');

    // The same delivery again (a sender that never saw the 202): 200, the same acknowledgement, nothing new.
    const before = await requestsFor(id);
    const repeat = await ingress.post(body, delivery);
    expect(repeat.status).toBe(200);
    expect(repeat.headers.get('location')).toBe(location);
    expect(repeat.json).toEqual({ ...accepted.json, status: 'duplicate' });
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(await requestsFor(id)).toEqual(before);
    expect(await holds(id)).toEqual(birthright);
    expect((await show(employeeNumber)).timeline).toEqual([
      expect.objectContaining({ key: 'workday/ing-worker-down', duplicates: 0 }),
    ]);
    expect(await receipts(refOf(applied))).toBe(1);
  });

  it('Temporal unreachable: 503 with Retry-After; the same signed request retried once it is back is accepted, once', async () => {
    const { employeeNumber, id } = person(36);
    const body = hire('ing-temporal-down', employeeNumber);
    const delivery = ingress.signed(body);

    // The dev server stopped for 45 seconds, the sender retrying all along: the gateway's own retries
    // give up at its deadline (10 s), and nothing is recorded.
    const refused: IngressAnswer[] = [];
    let ready = 0;
    let downOver: () => void = () => undefined;
    const over = new Promise<void>((resolve) => (downOver = resolve));
    const restarting = stack.restartTemporal(async () => {
      const down = Date.now();
      ready = (await fetch(`${ingress.base}/readyz`)).status;
      while (Date.now() - down < 45_000) refused.push(await ingress.post(body, delivery));
      downOver();
    });
    await over;
    expect(ready).toBe(503);
    expect(refused.map((answer) => answer.status)).toEqual(refused.map(() => 503));
    expect(refused[0]?.headers.get('retry-after')).toBe('5');
    expect(refused[0]?.json).toMatchObject({ code: 'TEMPORAL_UNAVAILABLE' });

    // Back (a fresh connection says so): the sender's next retry of the very same request (same id,
    // timestamp, signature and bytes) is taken at once, not after gRPC's reconnection backoff, which grew
    // all through the outage, lets the ingress's own connection try again.
    const back = await waitFor(async () => ((await answers(stack.temporal.address)) ? Date.now() : undefined), 60_000);
    const statuses: number[] = [];
    const taken = await waitFor(async () => {
      const answer = await ingress.post(body, delivery);
      statuses.push(answer.status);
      return answer.status === 503 ? undefined : answer;
    }, 60_000);
    expect(Date.now() - back).toBeLessThan(3000);
    expect(statuses.filter((status) => status !== 503)).toEqual([202]);
    await restarting;
    expect(taken.json).toMatchObject({ status: 'accepted', id: 'ing-temporal-down' });

    // Nothing lost, nothing doubled: one receipt, one event in the lifecycle, one ISC request per item.
    expect(await holdsExactly(id, birthright)).toEqual(birthright);
    const applied = await standing('/v1/events/workday/ing-temporal-down', 'applied');
    expect(await receipts(refOf(applied))).toBe(1);
    const lifecycle = await show(employeeNumber);
    expect(lifecycle.state).toBe('ACTIVE');
    expect(lifecycle.timeline).toEqual([expect.objectContaining({ key: 'workday/ing-temporal-down', duplicates: 0 })]);
    expect((await requestsFor(id)).map((r) => r.itemId).sort()).toEqual(birthright);
  });

  it('GET /v1/events/{source}/{id} shows a future-dated event pending until its date', async () => {
    const { employeeNumber, id } = person(38);
    const effectiveAt = new Date(Date.now() + 3600_000).toISOString();
    const accepted = await ingress.post(hire('ing-future', employeeNumber, effectiveAt));
    expect(accepted.status).toBe(202);
    const pending = await standing(accepted.headers.get('location')!, 'pending');
    expect(Date.parse(pending.json.pendingUntil as string)).toBe(Date.parse(effectiveAt));
    expect(await requestsFor(id)).toEqual([]);

    const unknown = await ingress.get('/v1/events/workday/ing-never-sent');
    expect(unknown.status).toBe(404);
  });

  it('ISC triggers: identity-created hires and grants the birthright; cloudLifecycleState terminated revokes it', async () => {
    const { id } = person(40);
    const { body: identity } = await stack.sim.call<{ name: string; attributes: Record<string, unknown> }>(
      'GET',
      `/__sim/identities/${id}`,
    );
    const ref = { type: 'IDENTITY', id, name: identity.name };
    const created = await ingress.trigger('idn:identity-created', {
      identity: ref,
      attributes: { ...identity.attributes, workerType: 'employee' },
    });
    expect(created.status).toBe(202);
    expect(await holdsExactly(id, birthright)).toEqual(birthright);
    expect((await show(id)).state).toBe('ACTIVE');

    const left = await ingress.trigger('idn:identity-attributes-changed', {
      identity: ref,
      changes: [{ attribute: 'cloudLifecycleState', oldValue: 'active', newValue: 'terminated' }],
    });
    expect(left.status).toBe(202);
    expect(await holdsExactly(id, [])).toEqual([]);
    expect((await show(id)).state).toBe('TERMINATED');
  });

  it('the lines npm run dev prints send a hire and read it back, as printed', async () => {
    const { employeeNumber, id } = person(39);
    const lines = tryItCommands({
      url: ingress.base,
      secretWord: `'${DEV_WEBHOOK_SECRET}'`,
      source: 'workday',
      employeeNumber,
      attributes: { workerType: 'employee', department: 'Engineering' },
    });
    // Everything but the last line (`npx iscflow identity show`, run below through the stack's CLI).
    const script = lines.slice(0, -1).join('\n');
    const { stdout } = await run('sh', ['-c', script], {
      env: { PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}` },
    });
    expect(stdout).toMatch(/^HTTP\/1\.1 202 Accepted/m);
    expect(stdout).toMatch(/^location: \/v1\/events\/workday\/try-\d+/m);
    expect(stdout).toMatch(/^HTTP\/1\.1 200 OK/m);
    expect(stdout).not.toMatch(/\}HTTP/);
    expect(stdout).toMatch(/"state":"(received|applied)"/);
    expect(lines.at(-1)).toBe(`npx iscflow identity show '${employeeNumber}'`);
    expect(await holdsExactly(id, birthright)).toEqual(birthright);
    expect((await show(employeeNumber)).state).toBe('ACTIVE');
  });
});
