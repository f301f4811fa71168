/**
 * Requests stuck in ISC, on the dev server with the simulator: after the configured age they wait for an
 * operator, who cancels them from the CLI (cancel before approval, close after it), or a policy cancels
 * them without asking. Never automatically without that policy.
 */
import { startStack, type Stack } from '../support/stack';

interface StatusView {
  status: string;
  phase?: string;
  operator?: { cancellable: boolean; reason: string };
  items: Array<{ outcome: string; iscState?: string; accessRequestId?: string | null }>;
}

describe('stuck requests (dev server + simulator)', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      simulator: { config: { approval: { mode: 'manual' } } },
      settings: { ISCFLOW_STUCK_AFTER_SECONDS: '3', ISCFLOW_STATUS_POLL_SECONDS: '1' },
    });
  });
  afterAll(async () => {
    await stack?.close();
  });
  afterEach(() => {
    stack.settings.ISCFLOW_STUCK_ACTION = 'ask';
  });

  const identity = (n: number): string => stack.catalog.identities[n]!.id;

  async function startGrant(n: number, entitlement: number): Promise<string> {
    const run = await stack.grant(identity(n), stack.plainEntitlements()[entitlement]!.id, '--json');
    expect(run.code).toBe(0);
    return run.json<{ workflows: Array<{ workflowId: string }> }>().workflows[0]!.workflowId;
  }

  async function status(workflowId: string): Promise<StatusView> {
    return (await stack.cli('status', workflowId, '--json')).json<StatusView>();
  }

  async function waitFor(workflowId: string, done: (v: StatusView) => boolean): Promise<StatusView> {
    const deadline = Date.now() + 40_000;
    for (;;) {
      const view = await status(workflowId);
      if (done(view)) return view;
      if (Date.now() > deadline) throw new Error(`${workflowId}: still ${JSON.stringify(view)}`);
      await new Promise((r) => setTimeout(r, 300));
    }
  }

  it('a request pending approval past the age waits for an operator, who cancels it in ISC', async () => {
    const workflowId = await startGrant(30, 30);
    const waiting = await waitFor(workflowId, (v) => v.phase === 'AWAITING_OPERATOR');
    expect(waiting.operator).toMatchObject({ cancellable: true, reason: expect.stringMatching(/^Stuck/) });
    expect((await stack.cli('list', '--state', 'AWAITING_OPERATOR', '--json')).out).toContain(workflowId);

    const cancel = await stack.cli('cancel', workflowId, '--reason', 'approver left the company');
    expect(cancel.code).toBe(0);

    const done = await waitFor(workflowId, (v) => v.status === 'COMPLETED');
    expect(done.items[0]).toMatchObject({ outcome: 'CANCELLED', iscState: 'CANCELLED' });
    const rows = (await stack.simRequests()).filter((r) => r.requestedFor === identity(30));
    expect(rows.map((r) => r.state)).toEqual(['CANCELLED']);
  });

  it('a request past its approval is closed instead (ISC no longer cancels it)', async () => {
    await stack.sim.call('POST', '/__sim/config', { provisioning: { delayMs: 600_000 } });
    try {
      const workflowId = await startGrant(31, 31);
      // `--json` shows a missing id as null: wait for a real one (the submission has reached ISC).
      await waitFor(workflowId, (v) => typeof v.items[0]?.accessRequestId === 'string');
      const pending = (
        await stack.sim.call<Array<{ id: string; requestedFor?: { id: string } }>>(
          'GET',
          '/v3/access-request-approvals/pending',
        )
      ).body;
      for (const approval of pending)
        await stack.sim.call('POST', `/v3/access-request-approvals/${approval.id}/approve`, { comment: 'ok' });
      await waitFor(workflowId, (v) => v.phase === 'AWAITING_OPERATOR');

      expect((await stack.cli('cancel', workflowId, '--reason', 'connector will not come back')).code).toBe(0);

      const done = await waitFor(workflowId, (v) => v.status === 'COMPLETED');
      expect(done.items[0]).toMatchObject({ outcome: 'CANCELLED', iscState: 'TERMINATED' });
    } finally {
      await stack.sim.call('POST', '/__sim/config', { provisioning: { delayMs: 200 } });
    }
  });

  it('with ISCFLOW_STUCK_ACTION=cancel a stuck request is cancelled without asking', async () => {
    stack.settings.ISCFLOW_STUCK_ACTION = 'cancel';
    const workflowId = await startGrant(32, 32);
    const done = await waitFor(workflowId, (v) => v.status === 'COMPLETED');
    expect(done.items[0]).toMatchObject({ outcome: 'CANCELLED' });
  });
});
