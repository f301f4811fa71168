/**
 * The operator's path in the Temporal Web UI, in a real browser, for both kinds of work that wait for a
 * person:
 * - a grant whose provisioning always fails (a simulator item named "Broken ...") waits for an operator at
 *   once (`ISCFLOW_OUTCOME_RETRIES=0`); the operator finds it by the "needs a person" query, reads its
 *   summary and `status` query, skips it with a reason from the UI's "Send an Update" dialog, and sees it
 *   complete;
 * - an identity lifecycle whose hire names an employee number ISC does not know waits for a person after
 *   `ISCFLOW_IDENTITY_WAIT_SECONDS`; the operator finds it by its reason (`IDENTITY_NOT_FOUND`), reads its
 *   summary and `status` query, skips it with a reason, and sees it leave AWAITING_OPERATOR (a lifecycle
 *   runs on for years: it does not complete).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { freePort } from '../../src/local/ports';
import type { accessRequestWorkflow } from '../../src/workflows';
import { withBrowser } from '../support/browser';
import { brokenEntitlement } from '../support/catalog';
import { writePolicyFile } from '../support/policy';
import { startStack, type RequestJson, type Stack } from '../support/stack';
import { createDevEnvironment } from '../support/temporal';
import { waitFor } from '../support/wait';
import { TemporalWebUi } from '../support/temporal-ui';

describe('the operator path in the Temporal Web UI (dev server UI, headless Chromium)', () => {
  let env: TestWorkflowEnvironment;
  let stack: Stack;
  let uiUrl: string;
  const dir = mkdtempSync(join(tmpdir(), 'iscflow-operator-ui-'));

  beforeAll(async () => {
    const uiPort = await freePort();
    env = await createDevEnvironment({ uiPort });
    uiUrl = `http://127.0.0.1:${uiPort}`;
    stack = await startStack({ env, settings: { ISCFLOW_OUTCOME_RETRIES: '0' } });
  });
  afterAll(async () => {
    await stack?.close();
    await env?.teardown();
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds a failed grant waiting for a person, reads its status, skips it with a reason, and sees it complete', async () => {
    const identityId = stack.catalog.identities[1]!.id;
    const broken = brokenEntitlement(stack.catalog);
    const run = await stack.grant(identityId, broken.id, '--wait', '--json');
    const [change] = run.json<RequestJson>().workflows;
    expect(change!.state).toBe('AWAITING_OPERATOR');
    const workflowId = change!.workflowId;
    const reason = 'connector under maintenance (INC-4711)';

    await withBrowser('operator skips a failed grant', async (session) => {
      const ui = new TemporalWebUi(session, uiUrl);
      await ui.openList('IscflowState = "AWAITING_OPERATOR"');
      await ui.openWorkflow(workflowId);

      const metadata = await ui.userMetadata();
      expect(metadata.summary).toBe(`Grant ENTITLEMENT ${broken.id} to identity ${identityId}`);
      expect(metadata.currentDetails).toContain('AWAITING_OPERATOR');
      expect(metadata.currentDetails).toContain('PROVISIONING_FAILED');

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

  it('finds a lifecycle waiting for an identity ISC does not know, reads its status, skips it with a reason, and sees it stop waiting', async () => {
    // A policy that wants something for every employee, so the lifecycle needs the identity in ISC.
    const birthright = stack.plainEntitlements()[0]!;
    const policy = writePolicyFile(join(dir, 'policy.yaml'), {
      rules: [{ name: 'everyone', when: { workerType: 'employee' }, grant: [`ENTITLEMENT:${birthright.id}`] }],
    });
    const lifecycles = await startStack({
      env,
      settings: { ISCFLOW_POLICY: policy, ISCFLOW_IDENTITY_POLL_SECONDS: '1', ISCFLOW_IDENTITY_WAIT_SECONDS: '2' },
    });
    try {
      // No identity in the simulator has this employee number.
      const employeeNumber = 'E9404';
      const events = join(dir, 'hire.json');
      writeFileSync(
        events,
        JSON.stringify({
          id: 'ui-hire-1',
          source: 'workday',
          type: 'hire',
          identity: { employeeNumber },
          effectiveAt: new Date().toISOString(),
          attributes: { workerType: 'employee' },
        }),
      );
      const sent = await lifecycles.cli('event', events, '--json');
      expect([sent.code, sent.err]).toEqual([0, '']);
      const [accepted] = sent.json<{ events: Array<{ workflowId: string; status: string }> }>().events;
      expect(accepted).toMatchObject({ status: 'accepted', workflowId: expect.stringMatching(/^iscflow-identity-/) });
      const workflowId = accepted!.workflowId;
      const ref = workflowId.slice('iscflow-identity-'.length);
      const state = async (): Promise<string | undefined> => {
        const shown = await lifecycles.cli('identity', 'show', employeeNumber, '--json');
        return shown.code === 0 ? shown.json<{ state: string }>().state : undefined;
      };
      await waitFor(async () => ((await state()) === 'AWAITING_OPERATOR' ? true : undefined), 60_000);
      const reason = 'contractor record still missing in HR source (HR-1187)';

      await withBrowser('operator skips a lifecycle waiting for its identity', async (session) => {
        const ui = new TemporalWebUi(session, uiUrl);
        await ui.openList('IscflowOperatorReason = "IDENTITY_NOT_FOUND"');
        await ui.openWorkflow(workflowId);

        const metadata = await ui.userMetadata();
        expect(metadata.summary).toBe(`Identity lifecycle ${ref}`);
        expect(metadata.currentDetails).toContain('AWAITING_OPERATOR');
        expect(metadata.currentDetails).toContain('IDENTITY_NOT_FOUND');
        expect(Object.values(metadata).join('\n')).not.toContain(employeeNumber);

        const status = await ui.runQuery('status');
        expect(status).toMatchObject({
          ref,
          state: 'AWAITING_OPERATOR',
          operator: { code: 'IDENTITY_NOT_FOUND', reason: expect.any(String) },
        });

        await ui.sendUpdate('skip', { reason });
        await ui.openList('IscflowState = "AWAITING_OPERATOR"');
        await ui.waitUntilUnlisted(workflowId);
      });

      // It runs on, no longer waiting: ACTIVE until the next HR event, with nothing asked of ISC.
      expect(await state()).toBe('ACTIVE');
      const view = await lifecycles.cli('identity', 'show', employeeNumber, '--json');
      expect(view.json<{ operator?: unknown; changes: unknown[] }>()).toMatchObject({ changes: [] });
      expect(view.json<{ operator?: unknown }>().operator).toBeUndefined();
      expect(await lifecycles.simRequests()).toEqual([]);
      const description = await env.client.workflow.getHandle(workflowId).describe();
      expect(description.status.name).toBe('RUNNING');
    } finally {
      await lifecycles.close();
    }
  });
});
