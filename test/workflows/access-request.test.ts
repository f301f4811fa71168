/**
 * accessRequestWorkflow on the time-skipping server, with an in-test fake of ISC behind the activity
 * interface: approvals that take days, automatic resubmission, the size of the history, and withdrawing a
 * change that went to ISC in a coalesced request.
 * Time comes from the server (each activity attempt's scheduled time), so skipped days are real to the fake.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { planAccessRequests, type AccessChange } from '../../src/domain';
import type {
  CheckStatusInput,
  AccessRequestActivities,
  SubmitItemsInput,
  SubmittedItem,
} from '../../src/activities/contracts';
import type { AccessRequestInput } from '../../src/workflows/access-request/contracts';
import type { accessRequestWorkflow } from '../../src/workflows';
import { environmentPerFile, withTestWorker } from '../support/temporal';

const DAY_MS = 24 * 3600 * 1000;
const IDENTITY = 'a'.repeat(32);
const ENTITLEMENT = 'b'.repeat(32);

interface FakeIscOptions {
  approvalMs: number;
  /** Final ISC state of each submission round, in order; the last repeats. */
  finalStates: string[];
}

/** A fake ISC behind the activity interface: each submission becomes final `approvalMs` after it was made. */
function fakeIsc({ approvalMs, finalStates }: FakeIscOptions) {
  const submissions: Array<{ at: number; id: string }> = [];
  let statusChecks = 0;
  const activities: AccessRequestActivities = {
    async tenantSettings() {
      return { tenantProfile: 'current', removalMode: 'isc' };
    },
    async submitItems(input: SubmitItemsInput) {
      const at = Context.current().info.currentAttemptScheduledTimestampMs;
      const id = `ar${submissions.length + 1}`;
      submissions.push({ at, id });
      const items: SubmittedItem[] = input.items.map((ref) => ({
        ...ref,
        disposition: 'SUBMITTED',
        accessRequestId: id,
      }));
      return { items, submittedAt: new Date(at).toISOString() };
    },
    async checkStatus(input: CheckStatusInput) {
      statusChecks += 1;
      const now = Context.current().info.currentAttemptScheduledTimestampMs;
      const items = input.items.map((item) => {
        const round = submissions.findIndex((s) => s.id === item.accessRequestId);
        const submission = submissions[round];
        if (!submission || now < submission.at + approvalMs)
          return { ...item, iscState: 'EXECUTING', errorMessages: [] };
        const state = finalStates[Math.min(round, finalStates.length - 1)] ?? 'REQUEST_COMPLETED';
        const outcome = state === 'REQUEST_COMPLETED' ? ('GRANTED' as const) : ('FAILED' as const);
        return { ...item, iscState: state, outcome, errorMessages: outcome === 'FAILED' ? ['connector down'] : [] };
      });
      const changed = items.some((i, n) => i.iscState !== input.items[n]?.iscState);
      if (!changed) throw ApplicationFailure.retryable('No status change yet', 'STATUS_UNCHANGED');
      return { items };
    },
    async holdsAccess() {
      return false;
    },
    async cancelRequest() {
      return undefined;
    },
  };
  return { activities, submissions, statusChecks: () => statusChecks };
}

/**
 * A fake ISC that takes every submission into one coalesced request and answers without ids: the request's
 * row is listed `listedAfterMs` after the submission and found only by the batch id it carries.
 */
function batchedIsc({ listedAfterMs }: { listedAfterMs: number }) {
  let submittedAtMs: number | undefined;
  const cancelled: string[] = [];
  const activities: AccessRequestActivities = {
    async tenantSettings() {
      return { tenantProfile: 'current', removalMode: 'isc' };
    },
    async submitItems(input: SubmitItemsInput) {
      submittedAtMs = Context.current().info.currentAttemptScheduledTimestampMs;
      const items: SubmittedItem[] = input.items.map((ref) => ({ ...ref, disposition: 'SUBMITTED', batch: 'batch-1' }));
      return { items, submittedAt: new Date(submittedAtMs).toISOString() };
    },
    async checkStatus(input: CheckStatusInput) {
      const now = Context.current().info.currentAttemptScheduledTimestampMs;
      const listed = submittedAtMs !== undefined && now >= submittedAtMs + listedAfterMs;
      const items = input.items.map((item) =>
        listed && item.batch === 'batch-1'
          ? { ...item, accessRequestId: 'ar-batch-1', iscState: 'EXECUTING', errorMessages: [] }
          : { ...item, errorMessages: [] },
      );
      const changed = items.some((i, n) => i.iscState !== input.items[n]?.iscState);
      if (input.failWhenUnchanged && !changed)
        throw ApplicationFailure.retryable('No status change yet', 'STATUS_UNCHANGED');
      return { items };
    },
    async holdsAccess() {
      return false;
    },
    async cancelRequest({ accessRequestId }) {
      cancelled.push(accessRequestId);
    },
  };
  return { activities, cancelled, submittedAt: () => submittedAtMs };
}

function grantInput(options: AccessRequestInput['options']): AccessRequestInput {
  const change: AccessChange = {
    requestType: 'GRANT_ACCESS',
    identityIds: [IDENTITY],
    items: [{ type: 'ENTITLEMENT', id: ENTITLEMENT }],
  };
  const [request] = planAccessRequests(change);
  if (!request) throw new Error('planning produced nothing');
  return { request, options };
}

describe('accessRequestWorkflow (time-skipping)', () => {
  const env = environmentPerFile();

  async function run(isc: ReturnType<typeof fakeIsc>, input: AccessRequestInput) {
    return withTestWorker(env(), isc.activities, async (taskQueue) => {
      const handle = await env().client.workflow.start<typeof accessRequestWorkflow>('accessRequestWorkflow', {
        taskQueue,
        workflowId: `wf-${taskQueue}`,
        args: [input],
      });
      const result = await handle.result();
      const history = await handle.fetchHistory();
      return { result, events: history.events?.length ?? 0 };
    });
  }

  it('tracks an approval that takes 30 days to GRANTED with a small, bounded history', async () => {
    const isc = fakeIsc({ approvalMs: 30 * DAY_MS, finalStates: ['REQUEST_COMPLETED'] });
    // Polling every 6 hours: the checks are retries of a few activity executions, which add no events.
    const { result, events } = await run(isc, grantInput({ statusPollSeconds: 6 * 3600 }));

    expect(result.items).toEqual([
      expect.objectContaining({
        identityId: IDENTITY,
        itemId: ENTITLEMENT,
        outcome: 'GRANTED',
        iscState: 'REQUEST_COMPLETED',
        accessRequestId: 'ar1',
      }),
    ]);
    // A timer loop would add ~11 events per check; infrequent polling adds about six per week of waiting.
    console.log(`history events for a 30-day approval: ${events} (status checks: ${isc.statusChecks()})`);
    // Polled all along: a polling window that closed without news was once mistaken for a broken tracker
    // and parked the request with an operator for days (18 checks instead of over a hundred).
    expect(isc.statusChecks()).toBeGreaterThan(60);
    expect(events).toBeLessThan(100);
  });

  it('resubmits failed provisioning automatically, with backoff, until it succeeds', async () => {
    const isc = fakeIsc({ approvalMs: 2 * DAY_MS, finalStates: ['PROVISIONING_FAILED', 'ERROR', 'REQUEST_COMPLETED'] });
    const { result } = await run(
      isc,
      grantInput({ statusPollSeconds: 3600, outcomeRetries: 2, outcomeRetryBackoffSeconds: 3600 }),
    );
    expect(isc.submissions).toHaveLength(3);
    const [first, second, third] = isc.submissions;
    // Backoff doubles: one hour after the first failure, two hours after the second.
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(2 * DAY_MS + 3600_000);
    expect(third!.at - second!.at).toBeGreaterThanOrEqual(2 * DAY_MS + 7200_000);
    expect(result.items[0]).toMatchObject({ outcome: 'GRANTED', accessRequestId: 'ar3' });
  });

  it('withdraws a change that went to ISC in a coalesced request whose answer named no ids', async () => {
    // ISC's answer to a coalesced request may carry no access request ids: its rows are found by the batch
    // id they carry. A withdrawal once asked without it, found nothing to cancel, and left the grant open.
    const isc = batchedIsc({ listedAfterMs: 3600_000 });
    const result = await withTestWorker(env(), isc.activities, async (taskQueue) => {
      const handle = await env().client.workflow.start<typeof accessRequestWorkflow>('accessRequestWorkflow', {
        taskQueue,
        workflowId: `wf-${taskQueue}`,
        args: [grantInput({ statusPollSeconds: 6 * 3600 })],
      });
      while (isc.submittedAt() === undefined) await new Promise((resolve) => setTimeout(resolve, 100));
      await env().sleep('2 hours');
      await handle.cancel();
      return handle.result();
    });
    expect(isc.cancelled).toEqual(['ar-batch-1']);
    expect(result.items[0]).toMatchObject({ outcome: 'CANCELLED', accessRequestId: 'ar-batch-1' });
    expect(result.withdrawnAt).toBeDefined();
  });
});
