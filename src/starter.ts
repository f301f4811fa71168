/**
 * Turns a validated access change into running workflows: one per ISC-legal planned request, with the
 * workflow id derived from the request's content so the same change is never started twice.
 *
 * Id policies, on purpose:
 * - conflict `USE_EXISTING`: the same change arriving while it runs joins the running workflow;
 * - reuse `ALLOW_DUPLICATE_FAILED_ONLY`: a change that completed is not run again while Temporal retains
 *   it (an HR event replayed a day later does nothing), but one that failed or was terminated can be.
 */
import { WorkflowExecutionAlreadyStartedError, type Client, type WorkflowHandle } from '@temporalio/client';
import { planAccessRequests, workflowIdFor, type AccessChange, type PlannedRequest } from './domain';
import { IDENTITY_IDS, ITEM_IDS, REQUEST_TYPE, STATE } from './search-attributes';
import type { AccessRequestOptions } from './workflows/contracts';
import type { accessRequestWorkflow } from './workflows';

export interface StartedRequest {
  workflowId: string;
  request: PlannedRequest;
  /** false when an identical change had already completed and was not started again. */
  started: boolean;
  handle: WorkflowHandle<typeof accessRequestWorkflow>;
}

export async function startAccessChange(
  client: Client,
  taskQueue: string,
  change: AccessChange,
  options: Partial<AccessRequestOptions>,
): Promise<StartedRequest[]> {
  const started: StartedRequest[] = [];
  for (const request of planAccessRequests(change)) {
    const workflowId = workflowIdFor(request);
    try {
      const handle = await client.workflow.start<typeof accessRequestWorkflow>('accessRequestWorkflow', {
        workflowId,
        taskQueue,
        args: [{ request, options }],
        workflowIdConflictPolicy: 'USE_EXISTING',
        workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
        typedSearchAttributes: [
          { key: IDENTITY_IDS, value: [...request.identityIds].sort() },
          { key: ITEM_IDS, value: [...new Set(request.items.map((i) => i.id))].sort() },
          { key: REQUEST_TYPE, value: request.requestType },
          { key: STATE, value: 'SUBMITTING' },
        ],
      });
      started.push({ workflowId, request, started: true, handle });
    } catch (error) {
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
      started.push({ workflowId, request, started: false, handle: client.workflow.getHandle(workflowId) });
    }
  }
  return started;
}
