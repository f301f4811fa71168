/**
 * The access-request lifecycle end to end: the CLI starts workflows on a real Temporal dev server, the
 * worker talks to the ISC simulator over HTTP, and every item reaches its final outcome.
 */
import { startStack, type RequestJson, type Stack } from '../support/stack';
import { waitFor } from '../support/wait';

describe('access-request lifecycle (dev server + simulator, through the CLI)', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ settings: { ISCFLOW_OUTCOME_RETRIES: '1' } });
  });
  afterAll(async () => {
    await stack?.close();
  });
  afterEach(async () => {
    await stack.sim.call('POST', '/__sim/config', {
      approval: { mode: 'auto', rejectRate: 0 },
      provisioning: { failRate: 0 },
    });
  });

  const identity = (n: number): string => stack.catalog.identities[n]!.id;

  it('grants an entitlement: GRANTED, held in ISC, exactly one ISC request item', async () => {
    const [entitlement] = stack.plainEntitlements();
    const run = await stack.grant(identity(1), entitlement!.id, '--wait', '--json');

    expect(run.code).toBe(0);
    const [workflow] = run.json<RequestJson>().workflows;
    expect(workflow!.workflowId).toMatch(/^iscflow-grant-[0-9a-f]{32}$/);
    expect(workflow!.items).toEqual([
      {
        identityId: identity(1),
        itemType: 'ENTITLEMENT',
        itemId: entitlement!.id,
        outcome: 'GRANTED',
        iscState: 'REQUEST_COMPLETED',
        accessRequestId: expect.stringMatching(/^[0-9a-f]{32}$/),
        errorMessages: [],
      },
    ]);
    const access = (await stack.sim.call<Array<{ id: string }>>('GET', `/__sim/identities/${identity(1)}/access`)).body;
    expect(access.map((a) => a.id)).toContain(entitlement!.id);
    const created = (await stack.simRequests()).filter(
      (r) => r.requestedFor === identity(1) && r.itemId === entitlement!.id,
    );
    expect(created).toHaveLength(1);
    expect(created[0]!.clientMetadata).toMatchObject({ iscflowAttempt: '1' });
  });

  it('revokes what it granted: REVOKED, and the identity no longer holds it', async () => {
    const entitlement = stack.plainEntitlements()[1]!;
    expect((await stack.grant(identity(2), entitlement.id, '--wait')).code).toBe(0);

    const run = await stack.revoke(identity(2), entitlement.id, '--comment', 'Leaver', '--wait', '--json');

    expect(run.code).toBe(0);
    expect(run.json<RequestJson>().workflows[0]!.items[0]).toMatchObject({
      outcome: 'REVOKED',
      iscState: 'REQUEST_COMPLETED',
    });
    const access = (await stack.sim.call<Array<{ id: string }>>('GET', `/__sim/identities/${identity(2)}/access`)).body;
    expect(access.map((a) => a.id)).not.toContain(entitlement.id);
  });

  it('reports a rejection as REJECTED with exit code 1', async () => {
    const restricted = stack.catalog.items.find((i) => i.type === 'ENTITLEMENT' && /restricted/i.test(i.name))!;
    const run = await stack.grant(identity(3), restricted.id, '--wait', '--json');

    expect(run.code).toBe(1);
    expect(run.json<RequestJson>().workflows[0]!.items[0]).toMatchObject({ outcome: 'REJECTED', iscState: 'REJECTED' });
  });

  it('retries failed provisioning, then waits for an operator, who skips it from the CLI', async () => {
    await stack.sim.call('POST', '/__sim/config', { provisioning: { failRate: 1 } });
    const entitlement = stack.plainEntitlements()[2]!;
    const run = await stack.grant(identity(4), entitlement.id, '--wait', '--json');

    expect(run.code).toBe(1);
    const [workflow] = run.json<RequestJson>().workflows;
    expect(workflow!.state).toBe('AWAITING_OPERATOR');
    expect(workflow!.items[0]).toMatchObject({
      outcome: 'FAILED',
      iscState: expect.stringMatching(/PROVISIONING_FAILED|ERROR/),
    });
    // One automatic resubmission (ISCFLOW_OUTCOME_RETRIES=1): two ISC request items, never more.
    const created = (await stack.simRequests()).filter(
      (r) => r.requestedFor === identity(4) && r.itemId === entitlement.id,
    );
    expect(created.map((r) => r.clientMetadata?.iscflowAttempt)).toEqual(['1', '2']);

    const listed = await stack.cli('list', '--state', 'AWAITING_OPERATOR', '--json');
    expect(listed.json<{ workflows: Array<{ workflowId: string }> }>().workflows.map((w) => w.workflowId)).toContain(
      workflow!.workflowId,
    );

    const skip = await stack.cli('skip', workflow!.workflowId, '--reason', 'connector under maintenance');
    expect(skip.code).toBe(0);
    const status = await stack.cli('status', workflow!.workflowId, '--json');
    expect(status.json()).toMatchObject({
      status: 'COMPLETED',
      items: [{ outcome: 'FAILED', skippedReason: 'connector under maintenance' }],
    });
  });

  it('refuses bad input with exit code 2 and starts nothing', async () => {
    const before = (await stack.simRequests()).length;
    const run = await stack.cli(
      'request',
      '--for',
      'not-an-id',
      '--grant',
      'GROUP:123',
      '--remove-date',
      '2001-01-01T00:00:00Z',
    );
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/--for not-an-id.*MALFORMED_ID/);
    expect(run.err).toMatch(/--grant GROUP:123 \(TYPE\).*UNKNOWN_ITEM_TYPE/);
    expect(run.err).toMatch(/--remove-date 2001-01-01T00:00:00Z.*DATE_IN_PAST/);
    const listed = await stack.cli('list', '--json');
    expect(listed.code).toBe(0);
    expect((await stack.simRequests()).length).toBe(before);
  });

  it('finishes a request whose worker was restarted while it was in flight', async () => {
    await stack.sim.call('POST', '/__sim/config', { approval: { mode: 'manual' } });
    const entitlement = stack.plainEntitlements()[3]!;
    const started = await stack.grant(identity(5), entitlement.id, '--json');
    const { workflowId } = started.json<{ workflows: Array<{ workflowId: string }> }>().workflows[0]!;

    // Wait until ISC has the request, then take the worker away while approval is pending.
    await waitUntil(async () =>
      (await stack.simRequests()).some((r) => r.requestedFor === identity(5) && r.itemId === entitlement.id),
    );
    await stack.stopWorker();
    const pending = (
      await stack.sim.call<Array<{ id: string; accessRequestId?: string }>>(
        'GET',
        '/v3/access-request-approvals/pending',
      )
    ).body;
    for (const approval of pending) {
      await stack.sim.call('POST', `/v3/access-request-approvals/${approval.id}/approve`, { comment: 'ok' });
    }
    await stack.startWorker();

    const status = await waitFor(async () => {
      const s = await stack.cli('status', workflowId, '--json');
      const view = s.json<{ status: string; items: Array<{ outcome: string }> }>();
      return view.status === 'COMPLETED' ? view : undefined;
    });
    expect(status.items).toEqual([expect.objectContaining({ outcome: 'GRANTED' })]);
    const created = (await stack.simRequests()).filter(
      (r) => r.requestedFor === identity(5) && r.itemId === entitlement.id,
    );
    expect(created).toHaveLength(1);
  });
});

async function waitUntil(probe: () => Promise<boolean>): Promise<void> {
  await waitFor(async () => ((await probe()) ? true : undefined));
}
