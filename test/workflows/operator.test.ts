/**
 * What the workflow does when it cannot finish by itself (time-skipping server, fake ISC): long approvals are
 * waited for, operator decisions are refused when none is awaited, and an operator who never answers does
 * not hold the workflow forever. Stuck requests are tested on the dev server (test/integration/operator):
 * the Java test server does not enforce schedule-to-close timeouts across activity retries.
 */
import { Context } from '@temporalio/activity';
import type { WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { OPERATOR_REASON, WORKFLOW_TYPES } from '../../src/common';
import { planAccessRequests } from '../../src/domain';
import type { accessRequestWorkflow } from '../../src/workflows';
import {
  cancelUpdate,
  retryUpdate,
  statusQuery,
  type AccessRequestInput,
  type AccessRequestOptions,
} from '../../src/workflows/access-request/contracts';
import { environmentPerFile, withTestWorker } from '../support/temporal';
import { DAY } from '../support/time';
import { createFakeIsc } from '../support/workflows/fake-isc';

function input(options: Partial<AccessRequestOptions>): AccessRequestInput {
  const [request] = planAccessRequests({
    requestType: 'GRANT_ACCESS',
    identityIds: ['1'.repeat(32)],
    items: [{ type: 'ENTITLEMENT', id: '2'.repeat(32) }],
  });
  if (!request) throw new Error('nothing planned');
  return { request, options: { statusPollSeconds: 3600, ...options } };
}

describe('operator paths (time-skipping)', () => {
  const env = environmentPerFile();

  async function run<T>(
    isc: Pick<ReturnType<typeof createFakeIsc>, 'activities'>,
    args: AccessRequestInput,
    during: (h: Handle) => Promise<T>,
  ) {
    return withTestWorker(env(), isc.activities, async (taskQueue) => {
      const handle = await env().client.workflow.start<typeof accessRequestWorkflow>('accessRequestWorkflow', {
        taskQueue,
        workflowId: `wf-${taskQueue}`,
        args: [args],
      });
      return during(handle);
    });
  }
  type Handle = WorkflowHandleWithFirstExecutionRunId<typeof accessRequestWorkflow>;

  it('without a stuck policy a long approval is simply waited for', async () => {
    const isc = createFakeIsc({ approvalMs: 20 * DAY });
    const result = await run(isc, input({}), (h) => h.result());
    expect(isc.cancels).toHaveLength(0);
    expect(result.items[0]).toMatchObject({ outcome: 'GRANTED' });
  });

  it('cancel is refused for a request that is not stuck, and retry when nothing is awaited', async () => {
    const isc = createFakeIsc({ failWith: 'PROVISIONING_FAILED', approvalMs: 3600_000 });
    await run(isc, input({ outcomeRetries: 0, escalationTimeoutSeconds: 30 * 24 * 3600 }), async (handle) => {
      const early = await handle.executeUpdate(retryUpdate, { args: [{}] }).catch((e: Error) => e);
      expect(String((early as Error).cause)).toMatch(/No operator decision is awaited/);
      await env().sleep(DAY);
      expect((await handle.query(statusQuery)).phase).toBe('AWAITING_OPERATOR');
      const refused = await handle.executeUpdate(cancelUpdate, { args: [{ reason: 'x' }] }).catch((e: Error) => e);
      expect(String((refused as Error).cause)).toMatch(/stuck in ISC only/);
      await handle.terminate('test done');
    });
  });

  it('a status answer that fails the schema goes to an operator at once, as a failed submit does', async () => {
    const isc = createFakeIsc({ approvalMs: 3600_000 });
    // Retryable as thrown: whether to stop is the workflow's policy (the one list of final codes), not the thrower's.
    let checks = 0;
    const activities = {
      ...isc.activities,
      checkStatus: async () => {
        checks += 1;
        throw ApplicationFailure.create({ type: 'ISC_INVALID_RESPONSE', message: 'status body failed the schema' });
      },
    };
    await withTestWorker(env(), activities, async (taskQueue) => {
      const handle = await env().client.workflow.start<typeof accessRequestWorkflow>(WORKFLOW_TYPES.accessRequest, {
        taskQueue,
        workflowId: `wf-${taskQueue}`,
        args: [input({ escalationTimeoutSeconds: null })],
      });
      await env().sleep(3600_000);
      const state = await handle.query(statusQuery);
      expect(state.phase).toBe('AWAITING_OPERATOR');
      expect(state.operator?.reason).toMatch(/Status tracking failed: .*failed the schema/);
      // Not retried: the same body would fail the same schema again.
      expect(checks).toBe(1);
      await handle.terminate('test done');
    });
  });

  it('a cancelled change is withdrawn: cancelled in ISC, its items CANCELLED, and the result says so', async () => {
    const isc = createFakeIsc({ approvalMs: 5 * DAY });
    await withTestWorker(env(), isc.activities, async (taskQueue) => {
      const handle = await env().client.workflow.start<typeof accessRequestWorkflow>(WORKFLOW_TYPES.accessRequest, {
        taskQueue,
        workflowId: `wf-${taskQueue}`,
        args: [input({})],
      });
      await env().sleep(DAY);
      expect((await handle.query(statusQuery)).phase).toBe('TRACKING');
      await handle.cancel();
      const result = await handle.result();
      expect(isc.cancels).toEqual([expect.objectContaining({ accessRequestId: 'ar1', close: false })]);
      expect(result.withdrawnAt).toEqual(expect.any(String));
      expect(result.items[0]).toMatchObject({ outcome: 'CANCELLED', iscState: 'CANCELLED' });
      expect((await handle.describe()).status.name).toBe('COMPLETED');
    });
  });

  it('an operator who never answers: the escalation timeout ends the workflow with the failure', async () => {
    const isc = createFakeIsc({ failWith: 'ERROR', approvalMs: 3600_000 });
    const result = await run(
      isc,
      input({ outcomeRetries: 1, outcomeRetryBackoffSeconds: 600, escalationTimeoutSeconds: 2 * 24 * 3600 }),
      (h) => h.result(),
    );
    expect(isc.submissions).toHaveLength(2);
    expect(result.items[0]).toMatchObject({
      outcome: 'FAILED',
      iscState: 'ERROR',
      escalationTimedOut: true,
      errorMessages: expect.arrayContaining(['No operator decision before the escalation timeout']),
    });
  });

  it('a submission stopped by refused credentials waits under ISC_AUTH_FAILED, and a retry after the fix goes on', async () => {
    const isc = createFakeIsc({ approvalMs: 60_000 });
    let refused = true;
    const activities = {
      ...isc.activities,
      submitItems: async (submission: Parameters<typeof isc.activities.submitItems>[0]) => {
        if (refused) {
          throw ApplicationFailure.create({
            type: 'ISC_AUTH_FAILED',
            message: 'ISC POST /oauth/token answered 401 (invalid_client)',
            nonRetryable: true,
          });
        }
        return isc.activities.submitItems(submission);
      },
    };
    await run({ activities }, input({ escalationTimeoutSeconds: null }), async (handle) => {
      await env().sleep(60_000);
      const state = await handle.query(statusQuery);
      expect(state.phase).toBe('AWAITING_OPERATOR');
      expect(state.operator).toMatchObject({
        code: 'ISC_AUTH_FAILED',
        reason: expect.stringMatching(/ISC_AUTH_FAILED/),
      });
      expect(state.items[0]).toMatchObject({
        errorCode: 'ISC_AUTH_FAILED',
        errorMessages: [expect.stringMatching(/invalid_client/)],
      });
      expect((await handle.describe()).typedSearchAttributes.get(OPERATOR_REASON)).toBe('ISC_AUTH_FAILED');
      refused = false;
      await handle.executeUpdate(retryUpdate, { args: [{ reason: 'secret rotated' }] });
      expect((await handle.describe()).typedSearchAttributes.get(OPERATOR_REASON)).toBeUndefined();
      const result = await handle.result();
      expect(result.items[0]).toMatchObject({ outcome: 'GRANTED' });
      expect(isc.submissions).toHaveLength(1);
    });
  });

  it('while ISC is down its status checks are held back past the quick checks, and the change waits without a person', async () => {
    const isc = createFakeIsc({ approvalMs: 60_000 });
    let heldBack = 0;
    let outageUntil: number | undefined;
    const activities = {
      ...isc.activities,
      checkStatus: async (check: Parameters<typeof isc.activities.checkStatus>[0]) => {
        const at = Context.current().info.currentAttemptScheduledTimestampMs;
        outageUntil ??= at + 20 * 60_000;
        if (at < outageUntil) {
          heldBack += 1;
          throw ApplicationFailure.create({
            type: 'ISC_UNAVAILABLE',
            message: 'ISC has not answered; the worker probes it one call at a time',
            nextRetryDelay: 30_000,
          });
        }
        return isc.activities.checkStatus(check);
      },
    };
    await run({ activities }, input({ statusPollSeconds: 60, escalationTimeoutSeconds: null }), async (handle) => {
      const result = await handle.result();
      expect(result.items[0]).toMatchObject({ outcome: 'GRANTED' });
      // More held-back checks than the quick checks' fifteen attempts: those ran out, and the change waited on.
      expect(heldBack).toBeGreaterThan(15);
      const phases = ((await handle.fetchHistory()).events ?? []).flatMap((e) => {
        const data =
          e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields?.IscflowState?.data;
        return data ? [JSON.parse(Buffer.from(data).toString('utf8')) as string] : [];
      });
      expect(phases).toContain('TRACKING');
      expect(phases).not.toContain('AWAITING_OPERATOR');
    });
  });
});
