/**
 * Exactly once, layer by layer: every test ends by counting, in the simulator's own record
 * (`GET /__sim/requests`), the ISC request items created for its (identity, item, request type).
 */
import { MockActivityEnvironment, type TestWorkflowEnvironment } from '@temporalio/testing';
import { createActivities } from '../../src/activities';
import type {
  CheckStatusInput,
  CheckStatusResult,
  SubmitItemsInput,
  SubmitItemsResult,
} from '../../src/activities/contracts';
import { planAccessRequests } from '../../src/domain';
import { createIscClient } from '../../src/isc';
import { createLogger } from '../../src/logger';
import { SIMULATOR_DEFAULT_CREDENTIALS } from '../../src/simulator';
import { runCaptured, type CliRun } from '../support/cli';
import { createDevEnvironment } from '../support/temporal';
import type { CatalogItem } from '../support/catalog';
import { startStack, type RequestJson, type SimRequestItem, type Stack } from '../support/stack';
import { waitFor } from '../support/wait';

interface StatusJson {
  status: string;
  phase?: string;
  items: Array<{ outcome: string; iscState?: string; accessRequestId?: string; errorMessages: string[] }>;
}

/** The CLI with extra settings on top of the stack's, as a user exporting one more variable would run it. */
function cliWith(stack: Stack, extra: Record<string, string>, ...args: string[]): Promise<CliRun> {
  return runCaptured({ ...process.env, ...stack.settings, ...extra }, args);
}

async function statusOf(stack: Stack, workflowId: string): Promise<StatusJson> {
  return (await stack.cli('status', workflowId, '--json')).json<StatusJson>();
}

async function completed(stack: Stack, workflowId: string, timeoutMs?: number): Promise<StatusJson> {
  return waitFor(async () => {
    const view = await statusOf(stack, workflowId);
    return view.status === 'COMPLETED' ? view : undefined;
  }, timeoutMs);
}

async function awaitingOperator(stack: Stack, workflowId: string): Promise<StatusJson> {
  return waitFor(async () => {
    const view = await statusOf(stack, workflowId);
    return view.phase === 'AWAITING_OPERATOR' ? view : undefined;
  });
}

/** ISC request items the simulator created for one (identity, item, request type). */
async function created(
  stack: Stack,
  identityId: string,
  itemId: string,
  requestType = 'GRANT_ACCESS',
): Promise<SimRequestItem[]> {
  return (await stack.simRequests()).filter(
    (r) => r.requestedFor === identityId && r.itemId === itemId && r.requestType === requestType,
  );
}

/** Calls the simulator answered, by status, for one route (e.g. `POST /v3/access-requests`). */
async function callsTo(stack: Stack, route: string): Promise<Record<string, number>> {
  const stats = (await stack.sim.call<{ calls: Record<string, Record<string, number>> }>('GET', '/__sim/stats')).body;
  return stats.calls[route] ?? {};
}

/** Every 429 the simulator sent, on any route. */
async function rateLimited(stack: Stack): Promise<number> {
  const stats = (await stack.sim.call<{ calls: Record<string, Record<string, number>> }>('GET', '/__sim/stats')).body;
  return Object.values(stats.calls).reduce((sum, byStatus) => sum + (byStatus['429'] ?? 0), 0);
}

const total = (counts: Record<string, number>): number => Object.values(counts).reduce((a, b) => a + b, 0);

/** Entitlements a grant can complete: not birthright, not auto-rejected, not always failing. */
function grantable(stack: Stack): CatalogItem[] {
  return stack.plainEntitlements().filter((i) => !/broken/i.test(i.name));
}

function workflowIdOf(run: CliRun): string {
  return run.json<{ workflows: Array<{ workflowId: string }> }>().workflows[0]!.workflowId;
}

const defaults = { approval: { mode: 'auto', rejectRate: 0 }, provisioning: { failRate: 0 } };
const noFaults = { faults: { latencyMs: 0, errorRate: 0, rateLimitRate: 0, lostResponseRate: 0, resetRate: 0 } };

describe('exactly once (dev server + simulator, through the CLI)', () => {
  let env: TestWorkflowEnvironment;
  let current: Stack;
  let legacy: Stack;

  beforeAll(async () => {
    env = await createDevEnvironment();
    [current, legacy] = await Promise.all([
      startStack({ env, settings: { ISCFLOW_OUTCOME_RETRIES: '0' } }),
      startStack({
        env,
        simulator: { config: { profile: 'legacy' } },
        settings: { SAIL_TENANT_PROFILE: 'legacy', ISCFLOW_MISSING_ROW_GRACE_SECONDS: '3' },
      }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([current?.close(), legacy?.close()]);
    await env?.teardown();
  });
  afterEach(async () => {
    for (const stack of [current, legacy]) await stack.sim.call('POST', '/__sim/config', { ...defaults, ...noFaults });
  });

  const identity = (stack: Stack, n: number): string => stack.catalog.identities[n]!.id;

  describe('layer 1: the workflow id is the change', () => {
    it('runs the same change started three times at once as one workflow and one ISC item', async () => {
      const who = identity(current, 10);
      const what = grantable(current)[0]!;
      const args = ['request', '--for', who, '--grant', `ENTITLEMENT:${what.id}`, '--wait', '--json'];

      const runs = await Promise.all([current.cli(...args), current.cli(...args), current.cli(...args)]);

      expect(runs.map((r) => r.code)).toEqual([0, 0, 0]);
      const outcomes = runs.map((r) => r.json<RequestJson>().workflows[0]!);
      expect(new Set(outcomes.map((w) => w.workflowId)).size).toBe(1);
      expect(outcomes.map((w) => w.action).sort()).toEqual(['joined', 'joined', 'started']);
      expect(new Set(outcomes.map((w) => w.items[0]!.accessRequestId)).size).toBe(1);
      expect(outcomes[0]!.items[0]).toMatchObject({ outcome: 'GRANTED', iscState: 'REQUEST_COMPLETED' });
      const executions: string[] = [];
      for await (const wf of env.client.workflow.list({ query: `WorkflowId = '${outcomes[0]!.workflowId}'` })) {
        executions.push(wf.runId);
      }
      expect(executions).toHaveLength(1);
      expect(await created(current, who, what.id)).toHaveLength(1);
    });

    it('asked again after it completed, the same change looks at ISC again: held, so ALREADY_SATISFIED, nothing submitted', async () => {
      const who = identity(current, 12);
      const what = grantable(current)[7]!;
      const first = await current.grant(who, what.id, '--wait', '--json');
      expect(first.json<RequestJson>().workflows[0]!.items[0]!.outcome).toBe('GRANTED');

      const again = await current.grant(who, what.id, '--wait', '--json');

      expect(again.code).toBe(0);
      const [workflow] = again.json<RequestJson>().workflows;
      expect(workflow).toMatchObject({ action: 'started', run: { live: false, status: 'COMPLETED' } });
      expect(workflow!.items[0]).toMatchObject({ outcome: 'ALREADY_SATISFIED', accessRequestId: null });
      expect(workflow!.run.runId).not.toBe(first.json<RequestJson>().workflows[0]!.run.runId);
      expect(await created(current, who, what.id)).toHaveLength(1);
    });
  });

  describe('layer 2: what ISC already has', () => {
    it.each([['current'], ['legacy']] as const)(
      'adopts a pending request made outside iscflow instead of submitting a twin (%s profile)',
      async (profile) => {
        const stack = profile === 'current' ? current : legacy;
        // Both simulators share a seed and the dev server: another identity per profile keeps the workflow ids apart.
        const who = identity(stack, profile === 'current' ? 11 : 21);
        const what = grantable(stack)[1]!;
        await stack.sim.call('POST', '/__sim/config', { approval: { mode: 'manual' } });
        const outside = await stack.sim.call('POST', '/v3/access-requests', {
          requestedFor: [who],
          requestType: 'GRANT_ACCESS',
          requestedItems: [{ type: 'ENTITLEMENT', id: what.id, comment: 'asked for in the ISC UI' }],
        });
        expect(outside.status).toBe(202);
        const [external] = await created(stack, who, what.id);

        const run = await stack.grant(who, what.id, '--json');
        const workflowId = workflowIdOf(run);
        await waitFor(async () => {
          const view = await statusOf(stack, workflowId);
          return view.phase === 'TRACKING' && view.items[0]?.accessRequestId ? view : undefined;
        });
        const pending = (await stack.sim.call<Array<{ id: string }>>('GET', '/v3/access-request-approvals/pending'))
          .body;
        for (const approval of pending) {
          await stack.sim.call('POST', `/v3/access-request-approvals/${approval.id}/approve`, { comment: 'ok' });
        }

        const done = await completed(stack, workflowId);
        expect(done.items).toEqual([
          expect.objectContaining({ outcome: 'GRANTED', accessRequestId: external!.accessRequestId }),
        ]);
        expect(await created(stack, who, what.id)).toHaveLength(1);
      },
    );

    it('tracks an adopted request made long before the change arrived (legacy profile: no lookup by id)', async () => {
      const who = identity(legacy, 31);
      const what = grantable(legacy)[6]!;
      await legacy.sim.call('POST', '/__sim/config', { approval: { mode: 'manual' } });
      await legacy.sim.call('POST', '/v3/access-requests', {
        requestedFor: [who],
        requestType: 'GRANT_ACCESS',
        requestedItems: [{ type: 'ENTITLEMENT', id: what.id }],
      });
      // The worker's clock ten minutes on: the pending request was made ten minutes before the change.
      const activities = createActivities({
        isc: createIscClient({
          baseUrl: legacy.sim.baseUrl,
          clientId: SIMULATOR_DEFAULT_CREDENTIALS.clientId,
          clientSecret: SIMULATOR_DEFAULT_CREDENTIALS.clientSecret,
          apiVersion: 'v3',
          logger: createLogger('silent'),
        }),
        logger: createLogger('silent'),
        tenantProfile: 'legacy',
        now: () => Date.now() + 10 * 60_000,
      });
      const [request] = planAccessRequests({
        requestType: 'GRANT_ACCESS',
        identityIds: [who],
        items: [{ type: 'ENTITLEMENT', id: what.id }],
      });
      const ref = { identityId: who, itemType: 'ENTITLEMENT' as const, itemId: what.id };

      const submitted: SubmitItemsResult = await new MockActivityEnvironment().run(
        (input: SubmitItemsInput) => activities.submitItems(input),
        {
          request: request!,
          items: [ref],
          attempt: 1,
          omitRemoveDate: false,
          omitStartDate: false,
        },
      );
      expect(submitted.items[0]!.disposition).toBe('ADOPTED');
      const pending = (await legacy.sim.call<Array<{ id: string }>>('GET', '/v3/access-request-approvals/pending'))
        .body;
      for (const approval of pending) {
        await legacy.sim.call('POST', `/v3/access-request-approvals/${approval.id}/approve`, { comment: 'ok' });
      }
      await legacy.sim.call('POST', '/__sim/clock', { advanceMs: 1000 });

      const seen: CheckStatusResult = await new MockActivityEnvironment().run(
        (input: CheckStatusInput) => activities.checkStatus(input),
        {
          requestKey: request!.key,
          requestType: 'GRANT_ACCESS' as const,
          items: [
            {
              ...ref,
              accessRequestId: submitted.items[0]!.accessRequestId,
              attempt: 1,
              submittedAt: submitted.submittedAt,
            },
          ],
          missingRowGraceMs: 60_000,
          failWhenUnchanged: false,
        },
      );
      expect(seen.items[0]).toMatchObject({ iscState: 'REQUEST_COMPLETED', outcome: 'GRANTED' });
      expect(await created(legacy, who, what.id)).toHaveLength(1);
    });

    it('finishes access already held as ALREADY_SATISFIED without any ISC request', async () => {
      const who = identity(current, 12);
      const held = current.catalog.items.find((i) => i.type === 'ENTITLEMENT' && /birthright/i.test(i.name))!;
      const submitsBefore = total(await callsTo(current, 'POST /v3/access-requests'));

      const run = await current.grant(who, held.id, '--wait', '--json');

      expect(run.code).toBe(0);
      expect(run.json<RequestJson>().workflows[0]!.items[0]).toMatchObject({
        outcome: 'ALREADY_SATISFIED',
        accessRequestId: null,
      });
      expect(await created(current, who, held.id)).toHaveLength(0);
      expect(total(await callsTo(current, 'POST /v3/access-requests'))).toBe(submitsBefore);
    });
  });

  describe('layer 3: lost responses', () => {
    it.each([['current'], ['legacy']] as const)(
      'adopts the request ISC created when the answer to the submit was lost (%s profile)',
      async (profile) => {
        const stack = profile === 'current' ? current : legacy;
        const who = identity(stack, profile === 'current' ? 13 : 23);
        const what = grantable(stack)[2]!;
        const lostBefore = await callsTo(stack, 'POST /v3/access-requests');
        await stack.sim.call('POST', '/__sim/config', { faults: { lostResponseRate: 1 } });

        const run = await stack.grant(who, what.id, '--json');
        await waitFor(async () => ((await created(stack, who, what.id)).length > 0 ? true : undefined));
        await stack.sim.call('POST', '/__sim/config', { faults: { lostResponseRate: 0 } });

        // The first submission completes in ISC long before the activity's retry (2 s later): only the
        // correlation key tells the retry that this change, not someone else's, created the held access.
        const done = await completed(stack, workflowIdOf(run));
        expect(done.items).toEqual([expect.objectContaining({ outcome: 'GRANTED', iscState: 'REQUEST_COMPLETED' })]);
        const items = await created(stack, who, what.id);
        expect(items).toHaveLength(1);
        expect(done.items[0]!.accessRequestId).toBe(items[0]!.accessRequestId);
        const after = await callsTo(stack, 'POST /v3/access-requests');
        const lost = (after.lost ?? 0) + (after['500'] ?? 0) - (lostBefore.lost ?? 0) - (lostBefore['500'] ?? 0);
        expect(lost).toBeGreaterThanOrEqual(1);
      },
    );
  });

  describe('layer 4: requests ISC ignores (legacy profile)', () => {
    it('ends a grant ISC silently ignored as ALREADY_SATISFIED after the grace period', async () => {
      const who = identity(legacy, 1);
      const access = (
        await legacy.sim.call<Array<{ type: string; id: string; source: string }>>(
          'GET',
          `/__sim/identities/${who}/access`,
        )
      ).body;
      const role = access.find((a) => a.type === 'ROLE' && a.source === 'REQUEST')!;
      // A new sunset for a held role must reach ISC (it is a change), and an older tenant drops it unseen.
      const removeDate = new Date(Date.now() + 30 * 24 * 3600 * 1000).toISOString().replace(/\.\d+Z$/, 'Z');

      const started = Date.now();
      const run = await legacy.cli(
        'request',
        '--for',
        who,
        '--grant',
        `ROLE:${role.id}`,
        '--remove-date',
        removeDate,
        '--json',
      );

      // The workflow stays on to see the sunset through; the grant itself is settled once the grace is over.
      const view = await waitFor(async () => {
        const s = await statusOf(legacy, workflowIdOf(run));
        return s.items[0]?.outcome === 'ALREADY_SATISFIED' ? s : undefined;
      }, 30_000);
      expect(view.items[0]).toMatchObject({ outcome: 'ALREADY_SATISFIED' });
      expect(Date.now() - started).toBeGreaterThanOrEqual(3000);
      const items = await created(legacy, who, role.id);
      expect(items).toEqual([expect.objectContaining({ ignored: true, state: null })]);
    });
  });

  describe('transport retries', () => {
    it('honours 429s: the grant still completes with one ISC item', async () => {
      const who = identity(current, 14);
      const what = grantable(current)[3]!;
      const before = await rateLimited(current);
      await current.sim.call('POST', '/__sim/config', { faults: { rateLimitRate: 0.8 } });

      const run = await current.grant(who, what.id, '--json');
      await new Promise((r) => setTimeout(r, 4000));
      await current.sim.call('POST', '/__sim/config', { faults: { rateLimitRate: 0 } });

      const done = await completed(current, workflowIdOf(run));
      expect(done.items).toEqual([expect.objectContaining({ outcome: 'GRANTED' })]);
      expect(await created(current, who, what.id)).toHaveLength(1);
      expect((await rateLimited(current)) - before).toBeGreaterThanOrEqual(1);
    });

    it('does not retry a 400: FAILED with ISC message, one submit call, then skipped with a UI-style Update', async () => {
      const who = identity(current, 15);
      const birthright = current.catalog.items.find((i) => i.type === 'ENTITLEMENT' && /birthright/i.test(i.name))!;
      const before = await callsTo(current, 'POST /v3/access-requests');

      const run = await current.revoke(who, birthright.id, '--comment', 'Leaver', '--wait', '--json');

      expect(run.code).toBe(1);
      const [workflow] = run.json<RequestJson>().workflows;
      expect(workflow!.state).toBe('AWAITING_OPERATOR');
      expect(workflow!.items[0]!.outcome).toBe('FAILED');
      expect(workflow!.items[0]!.errorMessages.join(' ')).toMatch(/birthright provisioning and cannot be revoked/);
      const after = await callsTo(current, 'POST /v3/access-requests');
      expect(total(after) - total(before)).toBe(1);
      expect((after['400'] ?? 0) - (before['400'] ?? 0)).toBe(1);

      // What the Temporal UI sends: the Update's name and a small JSON body.
      const handle = env.client.workflow.getHandle(workflow!.workflowId);
      await handle.executeUpdate('skip', { args: [{ reason: 'birthright: remove the identity from the source' }] });
      const done = await completed(current, workflow!.workflowId);
      expect(done.items[0]).toMatchObject({ outcome: 'FAILED' });
      expect(await created(current, who, birthright.id, 'REVOKE_ACCESS')).toHaveLength(0);
    });
  });

  describe('operator decisions', () => {
    it('resubmits on `iscflow retry` once the cause is fixed: GRANTED, one ISC item per submission round', async () => {
      const who = identity(current, 16);
      const what = grantable(current)[4]!;
      await current.sim.call('POST', '/__sim/config', { provisioning: { failRate: 1 } });

      const run = await current.grant(who, what.id, '--wait', '--json');
      expect(run.code).toBe(1);
      const [workflow] = run.json<RequestJson>().workflows;
      expect(workflow!.state).toBe('AWAITING_OPERATOR');
      expect(workflow!.items[0]).toMatchObject({
        outcome: 'FAILED',
        iscState: expect.stringMatching(/PROVISIONING_FAILED|ERROR/),
      });

      await current.sim.call('POST', '/__sim/config', { provisioning: { failRate: 0 } });
      const retry = await current.cli('retry', workflow!.workflowId, '--reason', 'connector fixed');
      expect(retry.code).toBe(0);

      const done = await completed(current, workflow!.workflowId);
      expect(done.items[0]).toMatchObject({ outcome: 'GRANTED', iscState: 'REQUEST_COMPLETED' });
      const items = await created(current, who, what.id);
      expect(items.map((r) => [r.clientMetadata?.iscflowAttempt, r.state])).toEqual([
        ['1', expect.stringMatching(/PROVISIONING_FAILED|ERROR/)],
        ['2', 'REQUEST_COMPLETED'],
      ]);
    });

    it('completes with FAILED when no operator decides before the escalation timeout', async () => {
      const who = identity(current, 17);
      const what = grantable(current)[5]!;
      await current.sim.call('POST', '/__sim/config', { provisioning: { failRate: 1 } });

      const run = await cliWith(
        current,
        { ISCFLOW_ESCALATION_TIMEOUT_SECONDS: '2' },
        'request',
        '--for',
        who,
        '--grant',
        `ENTITLEMENT:${what.id}`,
        '--json',
      );
      const workflowId = workflowIdOf(run);
      await awaitingOperator(current, workflowId);

      const done = await completed(current, workflowId);
      expect(done.items).toEqual([
        expect.objectContaining({ outcome: 'FAILED', iscState: expect.stringMatching(/PROVISIONING_FAILED|ERROR/) }),
      ]);
      expect(JSON.stringify(done.items[0])).toMatch(/No operator decision before the escalation timeout/);
      expect(await created(current, who, what.id)).toHaveLength(1);
    });
  });
});
