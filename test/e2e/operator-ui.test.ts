/**
 * The operator's path in the Temporal Web UI, in a real browser: a grant whose provisioning always fails
 * (a simulator item named "Broken ...") waits for an operator at once (`ISCFLOW_OUTCOME_RETRIES=0`); the
 * operator finds it by the "needs a person" query, reads its `status` query, skips it with a reason from
 * the UI's "Send an Update" dialog, and sees it complete.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { freePort } from '../../src/local/ports';
import type { accessRequestWorkflow } from '../../src/workflows';
import { withBrowser } from '../support/browser';
import { startStack, type RequestJson, type Stack } from '../support/stack';
import { createDevEnvironment } from '../support/temporal';
import { TemporalWebUi } from './temporal-ui';

describe('the operator path in the Temporal Web UI (dev server UI, headless Chromium)', () => {
  let env: TestWorkflowEnvironment;
  let stack: Stack;
  let uiUrl: string;

  beforeAll(async () => {
    const uiPort = await freePort();
    env = await createDevEnvironment({ uiPort });
    uiUrl = `http://127.0.0.1:${uiPort}`;
    stack = await startStack({ env, settings: { ISCFLOW_OUTCOME_RETRIES: '0' } });
  });
  afterAll(async () => {
    await stack?.close();
    await env?.teardown();
  });

  it('finds a failed grant waiting for a person, reads its status, skips it with a reason, and sees it complete', async () => {
    const identityId = stack.catalog.identities[1]!.id;
    const broken = stack.catalog.items.find((i) => i.type === 'ENTITLEMENT' && /^Broken/.test(i.name))!;
    const run = await stack.grant(identityId, broken.id, '--wait', '--json');
    const [change] = run.json<RequestJson>().workflows;
    expect(change!.state).toBe('AWAITING_OPERATOR');
    const workflowId = change!.workflowId;
    const reason = 'connector under maintenance (INC-4711)';

    await withBrowser('operator skips a failed grant', async (session) => {
      const ui = new TemporalWebUi(session, uiUrl);
      await ui.openList('IscflowState = "AWAITING_OPERATOR"');
      await ui.openWorkflow(workflowId);

      const status = await ui.runQuery('status');
      expect(status).toMatchObject({
        phase: 'AWAITING_OPERATOR',
        operator: { reason: expect.any(String), cancellable: false },
        items: [{ identityId, itemId: broken.id, iscState: 'PROVISIONING_FAILED' }],
      });

      await ui.sendUpdate('skip', { reason });
      await ui.waitForStatus('Completed');
    });

    const handle = stack.temporal.client().workflow.getHandle<typeof accessRequestWorkflow>(workflowId);
    const result = await handle.result();
    expect(result.items).toEqual([
      expect.objectContaining({ itemId: broken.id, outcome: 'FAILED', skippedReason: reason }),
    ]);
    const listed = await stack.cli('list', '--state', 'AWAITING_OPERATOR', '--json');
    expect(listed.json<{ workflows: Array<{ workflowId: string }> }>().workflows).toEqual([]);
  });
});
