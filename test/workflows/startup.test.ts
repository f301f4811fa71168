/**
 * A workflow answers from its very first moment: handlers are registered before the first await, so a
 * query or an Update that arrives with the start (a CLI `--wait`, an operator in the UI) finds them. The
 * hardest case is a cold worker: the query then rides on the workflow's very first task, which runs the
 * workflow only up to its first await (asking the worker about the tenant). Real dev server.
 */
import { WORKFLOW_TYPES } from '../../src/common';
import { planAccessRequests } from '../../src/domain';
import type { accessRequestWorkflow } from '../../src/workflows';
import {
  PHASES,
  retryUpdate,
  statusQuery,
  type AccessRequestInput,
} from '../../src/workflows/access-request/contracts';
import { createDevEnvironment, environmentPerFile, uniqueTaskQueue, withTestWorker } from '../support/temporal';
import { createFakeIsc } from '../support/workflows/fake-isc';

function grant(n: number): AccessRequestInput {
  const [request] = planAccessRequests({
    requestType: 'GRANT_ACCESS',
    identityIds: [String(n).repeat(32)],
    items: [{ type: 'ENTITLEMENT', id: '4'.repeat(32) }],
  });
  if (!request) throw new Error('nothing planned');
  return { request, options: { statusPollSeconds: 1 } };
}

describe('start-up (dev server)', () => {
  const env = environmentPerFile(createDevEnvironment);

  it('answers queries and Updates sent before any worker ran the workflow, many times', async () => {
    const isc = createFakeIsc({ approvalMs: 500 });
    const taskQueue = uniqueTaskQueue();
    const handles = await Promise.all(
      [1, 2, 3, 5, 6, 7, 8, 9].map((n) =>
        env().client.workflow.start<typeof accessRequestWorkflow>(WORKFLOW_TYPES.accessRequest, {
          taskQueue,
          workflowId: `startup-${taskQueue}-${n}`,
          args: [grant(n)],
        }),
      ),
    );
    // No worker yet: these wait in the queue and arrive together with each workflow's first task.
    const early = handles.flatMap((h) => [h.query(statusQuery), h.query(statusQuery)]);
    const refused = handles[0]!.executeUpdate(retryUpdate, { args: [{}] }).catch((e: Error) => e);
    await new Promise((resolve) => setTimeout(resolve, 1000));

    await withTestWorker(
      env(),
      isc.activities,
      async () => {
        const phases = (await Promise.all(early)).map((s) => s.phase);
        expect(phases).toHaveLength(16);
        for (const phase of phases) expect(PHASES).toContain(phase);
        // The Update was validated, and refused because no decision is awaited, not for want of a handler.
        const error = await refused;
        expect(String((error as Error).cause)).toMatch(/No operator decision is awaited/);
        const results = await Promise.all(handles.map((h) => h.result()));
        for (const result of results) expect(result.items[0]?.outcome).toBe('GRANTED');
      },
      taskQueue,
    );
  });
});
