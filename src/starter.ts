/**
 * Turns a validated access change into running workflows: one per ISC-legal planned request, with the
 * workflow id derived from the request's content so the same change is never started twice.
 *
 * Id policies, on purpose:
 * - conflict `USE_EXISTING`: the same change arriving while it runs joins the running workflow;
 * - reuse `ALLOW_DUPLICATE_FAILED_ONLY`: a change that completed is not run again while Temporal retains
 *   it (an HR event replayed a day later does nothing), but one that failed or was terminated can be.
 *
 * A change about access whose removal a running workflow has scheduled acts on that workflow instead of
 * competing with it: a revoke removes it now, a grant with another removeDate moves the date.
 */
import { WorkflowExecutionAlreadyStartedError, type Client, type WorkflowHandle } from '@temporalio/client';
import { planAccessRequests, workflowIdFor, type AccessChange, type PlannedRequest } from './domain';
import { IDENTITY_IDS, ITEM_IDS, REQUEST_TYPE, STATE } from './search-attributes';
import { removeNowUpdate, setRemoveDateUpdate, type AccessRequestOptions } from './workflows/contracts';
import type { accessRequestWorkflow } from './workflows';

export type StartAction =
  /** Running: started now, or the identical change was already running and this joined it. */
  | 'started'
  /** The same change had completed: not run again. */
  | 'already-run'
  /** A scheduled removal was moved to this change's removeDate. */
  | 'rescheduled'
  /** A scheduled removal was brought forward to now (this change is a revoke). */
  | 'removing';

export interface StartedRequest {
  workflowId: string;
  action: StartAction;
  /** The request this change started; for routed changes, the (identity, item) it acted on. */
  request?: PlannedRequest;
  identityId?: string;
  itemId?: string;
  handle: WorkflowHandle<typeof accessRequestWorkflow>;
}

function quoted(value: string): string {
  // Ids are validated as 32 hex characters before they get here; quoting is belt and braces.
  return `'${value.replace(/'/g, '')}'`;
}

/** The running grant workflow that holds a scheduled removal of this (identity, item), if any. */
export async function findScheduledRemoval(
  client: Client,
  identityId: string,
  itemId: string,
): Promise<string | undefined> {
  const query = [
    `WorkflowType = 'accessRequestWorkflow'`,
    `ExecutionStatus = 'Running'`,
    `${REQUEST_TYPE.name} = 'GRANT_ACCESS'`,
    `${STATE.name} = 'REMOVAL_SCHEDULED'`,
    `${IDENTITY_IDS.name} = ${quoted(identityId)}`,
    `${ITEM_IDS.name} = ${quoted(itemId)}`,
  ].join(' AND ');
  for await (const workflow of client.workflow.list({ query })) return workflow.workflowId;
  return undefined;
}

async function routeToScheduledRemovals(
  client: Client,
  change: AccessChange,
): Promise<{ routed: StartedRequest[]; remaining: AccessChange[] }> {
  const routed: StartedRequest[] = [];
  const remainingByIdentity = new Map<string, AccessChange['items']>();
  const routable = change.requestType === 'REVOKE_ACCESS' || change.removeDate !== undefined;
  for (const identityId of change.identityIds) {
    for (const item of change.items) {
      const workflowId = routable ? await findScheduledRemoval(client, identityId, item.id) : undefined;
      if (!workflowId) {
        remainingByIdentity.set(identityId, [...(remainingByIdentity.get(identityId) ?? []), item]);
        continue;
      }
      const handle: WorkflowHandle<typeof accessRequestWorkflow> = client.workflow.getHandle(workflowId);
      if (change.requestType === 'REVOKE_ACCESS') {
        await handle.executeUpdate(removeNowUpdate, {
          args: [{ identityId, itemId: item.id, comment: change.comment }],
        });
        routed.push({ workflowId, action: 'removing', identityId, itemId: item.id, handle });
      } else {
        await handle.executeUpdate(setRemoveDateUpdate, {
          args: [{ removeDate: change.removeDate ?? null, identityId, itemId: item.id }],
        });
        routed.push({ workflowId, action: 'rescheduled', identityId, itemId: item.id, handle });
      }
    }
  }
  if (routed.length === 0) return { routed, remaining: [change] };
  const remaining = [...remainingByIdentity].map(([identityId, items]) => ({
    ...change,
    identityIds: [identityId],
    items,
  }));
  return { routed, remaining };
}

export async function startAccessChange(
  client: Client,
  taskQueue: string,
  change: AccessChange,
  options: Partial<AccessRequestOptions>,
): Promise<StartedRequest[]> {
  const { routed, remaining } = await routeToScheduledRemovals(client, change);
  const started: StartedRequest[] = [...routed];
  for (const request of remaining.flatMap(planAccessRequests)) {
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
      started.push({ workflowId, action: 'started', request, handle });
    } catch (error) {
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
      started.push({ workflowId, action: 'already-run', request, handle: client.workflow.getHandle(workflowId) });
    }
  }
  return started;
}
