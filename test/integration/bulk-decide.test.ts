/**
 * Refused credentials, and the operator's way out in bulk (dev server, simulator, worker, the CLI). The
 * client secret is rotated in ISC (the simulator restarted with another) while the worker's file still
 * holds the old one: every change and lifecycle that needs ISC stops and waits for a person under
 * `ISC_AUTH_FAILED`, instead of retrying for ever. The new secret is written to the file (no restart), and
 * one bulk decision, interrupted after three workflows and run again, retries every one of them exactly
 * once; a third run recognises what it already decided.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IDENTITY_REF, OPERATOR_REASON, STATE, WORKFLOW_TYPES } from '../../src/common';
import { SIMULATOR_DEFAULT_CREDENTIALS } from '../../src/simulator';
import { startTestSimulator } from '../support/simulator';
import { startStack, type Stack } from '../support/stack';
import { waitFor } from '../support/wait';

interface SummaryJson {
  matched: number;
  decided: string[];
  wouldDecide: Array<{ target: { workflowId: string }; code?: string }>;
  alreadyDecided: string[];
  refused: Array<{ workflowId: string; why: string }>;
  notReached: number;
}

const CHANGES = 6;
const ROTATED = 'iscflow-sim-secret-rotated';

describe('refused credentials and a bulk retry (dev server, simulator, worker, CLI)', () => {
  let stack: Stack;
  let secretFile: string;
  let birthright: string;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'iscflow-auth-'));
    secretFile = join(dir, 'client-secret');
    writeFileSync(secretFile, `${SIMULATOR_DEFAULT_CREDENTIALS.clientSecret}\n`);
    // A birthright, so that a joiner's lifecycle needs ISC (the simulator alone first, to read the catalog).
    const probe = await startTestSimulator({ seed: 7 });
    const { items } = (
      await probe.call<{ items: Array<{ type: string; id: string; name: string }> }>('GET', '/__sim/catalog')
    ).body;
    await probe.close();
    birthright = items
      .filter((i) => i.type === 'ENTITLEMENT' && !/birthright|restricted|broken/i.test(i.name))
      .at(-CHANGES - 1)!.id;
    const policy = join(dir, 'policy.yaml');
    writeFileSync(
      policy,
      ['version: 1', 'rules:', '  - name: everyone', `    grant: [ "ENTITLEMENT:${birthright}" ]`].join('\n'),
    );
    stack = await startStack({
      settings: { SAIL_CLIENT_SECRET_FILE: secretFile, ISCFLOW_POLICY: policy, ISCFLOW_IDENTITY_POLL_SECONDS: '1' },
    });
  });
  afterAll(async () => {
    await stack?.close();
  });

  const count = async (query: string): Promise<number> =>
    (await stack.temporal.client().workflow.count(`TaskQueue = '${stack.taskQueue}' AND ${query}`)).count;
  const waitingOnAuth = `${STATE.name} = 'AWAITING_OPERATOR' AND ${OPERATOR_REASON.name} = 'ISC_AUTH_FAILED'`;
  const bulkRetry = async (...extra: string[]): Promise<SummaryJson> => {
    const run = await stack.cli(
      'retry',
      '--state',
      'AWAITING_OPERATOR',
      '--operator-reason',
      'ISC_AUTH_FAILED',
      '--reason',
      'client secret rotated',
      '--json',
      ...extra,
    );
    expect(run.err).toBe('');
    return run.json<SummaryJson>();
  };

  it('waits for a person under ISC_AUTH_FAILED, then one bulk retry across an interruption decides each once', async () => {
    // Rotated in ISC: the secret the worker holds (and its file) no longer works.
    await stack.restartSimulator({ clientSecret: ROTATED });
    // A token issued before still works until it expires (as in ISC): let the one the worker holds expire.
    await stack.sim.call('GET', '/__sim/clock'); // a fresh connection to the restarted simulator first
    await stack.sim.call('POST', '/__sim/clock', { advanceMs: 15 * 60_000 });
    const entitlements = stack.plainEntitlements().slice(-CHANGES);
    const changes: string[] = [];
    for (let n = 0; n < CHANGES; n++) {
      const run = await stack.grant(stack.catalog.identities[n]!.id, entitlements[n]!.id, '--json');
      expect(run.code).toBe(0);
      changes.push(run.json<{ workflows: Array<{ workflowId: string }> }>().workflows[0]!.workflowId);
    }
    // A joiner ISC must be searched for: the lifecycle stops on the same refusal.
    const event = join(mkdtempSync(join(tmpdir(), 'iscflow-auth-event-')), 'hire.json');
    writeFileSync(
      event,
      JSON.stringify({
        id: 'auth-hire-1',
        source: 'workday',
        type: 'hire',
        identity: { employeeNumber: 'E1045' },
        effectiveAt: new Date().toISOString(),
        attributes: { workerType: 'employee' },
      }),
    );
    expect((await stack.cli('event', event)).code).toBe(0);
    await waitFor(async () => ((await count(waitingOnAuth)) === CHANGES + 1 ? true : undefined), 90_000);
    const status = (await stack.cli('status', changes[0]!, '--json')).json<{
      phase: string;
      operator: { code: string; reason: string };
    }>();
    expect(status).toMatchObject({ phase: 'AWAITING_OPERATOR', operator: { code: 'ISC_AUTH_FAILED' } });
    expect(status.operator.reason).not.toContain(SIMULATOR_DEFAULT_CREDENTIALS.clientSecret);

    const dry = await bulkRetry('--dry-run');
    expect(dry).toMatchObject({ matched: CHANGES + 1, decided: [], refused: [] });
    expect(dry.wouldDecide.map((w) => w.code)).toEqual(Array(CHANGES + 1).fill('ISC_AUTH_FAILED'));

    // Rotated where the worker keeps it: it reads the file again on its next refusal, no restart.
    writeFileSync(secretFile, `${ROTATED}\n`);
    const first = await bulkRetry('--yes', '--limit', '3');
    expect(first).toMatchObject({ matched: CHANGES + 1, alreadyDecided: [], refused: [], notReached: CHANGES + 1 - 3 });
    expect(first.decided).toHaveLength(3);
    const second = await bulkRetry('--yes');
    expect(second.refused).toEqual([]);
    expect(second.decided).toHaveLength(CHANGES + 1 - 3);
    expect([...first.decided, ...second.decided].sort()).toEqual(
      [...new Set([...first.decided, ...second.decided])].sort(),
    );

    for (const workflowId of changes) {
      const result = await waitFor(async () => {
        const view = (await stack.cli('status', workflowId, '--json')).json<{
          run: { live: boolean };
          items: Array<{ outcome: string }>;
        }>();
        return view.run.live ? undefined : view;
      }, 90_000);
      expect(result.items.map((i) => i.outcome)).toEqual(['GRANTED']);
      // Decided once: one accepted retry in its history, however often the command ran.
      const events = (await stack.temporal.client().workflow.getHandle(workflowId).fetchHistory()).events ?? [];
      expect(events.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes)).toHaveLength(1);
    }
    const items = (await stack.simRequests()).filter((r) => entitlements.some((e) => e.id === r.itemId));
    expect(items).toHaveLength(CHANGES);

    // The lifecycle runs on: asked again by id, the same decision is recognised as made.
    const lifecycle = (await stack.cli('identity', 'show', 'E1045', '--json')).json<{ ref: string }>().ref;
    const again = await stack.cli(
      'retry',
      '--query',
      `WorkflowType = '${WORKFLOW_TYPES.identityLifecycle}' AND ${IDENTITY_REF.name} = '${lifecycle}'`,
      '--reason',
      'client secret rotated',
      '--yes',
      '--json',
    );
    expect(again.json<SummaryJson>()).toMatchObject({ matched: 1, decided: [], alreadyDecided: [expect.any(String)] });
    expect(await count(waitingOnAuth)).toBe(0);
    // Found at last, the joiner gets the birthright the refusal held up.
    await waitFor(async () => {
      const rows = await stack.simRequests();
      return rows.some((r) => r.itemId === birthright && r.state === 'REQUEST_COMPLETED') ? true : undefined;
    }, 90_000);
  }, 300_000);
});
