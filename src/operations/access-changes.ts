/**
 * Starting access changes: one access-request workflow per ISC-legal planned request. Shared by the CLI
 * and the ingress, so a change started either way is the same change.
 *
 * What is deduplicated, and by what (docs/reliability.md has the whole model):
 * - Without an idempotency key the workflow id comes from the content. The same change asked while it
 *   runs joins the running workflow (conflict policy `USE_EXISTING`). Asked after it completed, it is a
 *   new intent (reuse policy `ALLOW_DUPLICATE`): a new run looks at ISC again and ends ALREADY_SATISFIED
 *   without submitting when the access already is as asked, or submits when it is not. A grant, its
 *   revoke and the same grant again all reach ISC.
 * - With an idempotency key (an HR event id, a ticket number) the id comes from the key and the content.
 *   A replay of the key does nothing for as long as Temporal retains the change (`ALLOW_DUPLICATE_FAILED_ONLY`:
 *   only a run that failed or was terminated may run again) and says which change it repeats and how that ended.
 *
 * A change about access whose removal a running workflow has scheduled acts on that workflow instead of
 * competing with it: a revoke removes it now, a grant with another removeDate moves the date.
 */
import { randomUUID } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import {
  IDEMPOTENCY_KEY,
  IDENTITY_IDS,
  ITEM_IDS,
  REQUEST_TYPE,
  STATE,
  WORKFLOW_TYPES,
  type AccessRequestOptions,
} from '../common';
import { planAccessRequests, workflowIdFor, type AccessChange, type PlannedRequest } from '../domain';
import type { accessRequestWorkflow } from '../workflows';
import { removeNowUpdate, setRemoveDateUpdate, type ChangeCause } from '../workflows/access-request/contracts';
import { changeDetails, changeSummary, initialSearchAttributes } from '../workflows/access-request/search-attributes';
import { readPastRun, type AccessRequestHandle, type PastRun } from './change-status';

export type StartAction =
  /** A new run: this change had never run, or its earlier run had completed (a new intent). */
  | 'started'
  /** The same change was running; this joined it. */
  | 'joined'
  /** A replay of an idempotency key whose change already ran: nothing was started. */
  | 'duplicate'
  /** A scheduled removal was moved to this change's removeDate. */
  | 'rescheduled'
  /** A scheduled removal was brought forward to now (this change is a revoke). */
  | 'removing';

export interface StartedChange {
  workflowId: string;
  action: StartAction;
  /** The request this change planned; for routed changes, the (identity, item) it acted on. */
  request?: PlannedRequest;
  identityId?: string;
  itemId?: string;
  handle: AccessRequestHandle;
  /** The run this start made or joined (a repeat after completion makes a new one). */
  runId?: string;
  /** For `duplicate`: the change this repeats, as it ended. */
  duplicateOf?: PastRun;
}

export interface StartChangeOptions {
  /** Per-workflow tuning recorded in each workflow's input. */
  options: Partial<AccessRequestOptions>;
  idempotencyKey?: string;
  cause?: ChangeCause;
}

/** A key that was already used for a different change: refused, nothing started. */
export class IdempotencyKeyConflictError extends Error {
  readonly code = 'IDEMPOTENCY_KEY_CONFLICT';
  constructor(
    readonly idempotencyKey: string,
    readonly workflowIds: string[],
  ) {
    super(
      `idempotency key ${idempotencyKey} was already used for a different change (${workflowIds.join(', ')}); use a new key for a new change`,
    );
  }
}

/** Memo field holding a per-start nonce: how a start tells a run it created from one it joined. */
const START_NONCE = 'iscflowStart';

function quoted(value: string): string {
  // Ids are validated as 32 hex characters and keys against IDEMPOTENCY_KEY_PATTERN before they get here.
  return `'${value.replace(/'/g, '')}'`;
}

/** The running grant workflow that holds a scheduled removal of this (identity, item), if any. */
export async function findScheduledRemoval(
  client: Client,
  identityId: string,
  itemId: string,
): Promise<string | undefined> {
  const query = [
    `WorkflowType = '${WORKFLOW_TYPES.accessRequest}'`,
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
): Promise<{ routed: StartedChange[]; remaining: AccessChange[] }> {
  const routed: StartedChange[] = [];
  const remainingByIdentity = new Map<string, AccessChange['items']>();
  const routable = change.requestType === 'REVOKE_ACCESS' || change.removeDate !== undefined;
  for (const identityId of change.identityIds) {
    for (const item of change.items) {
      const workflowId = routable ? await findScheduledRemoval(client, identityId, item.id) : undefined;
      if (!workflowId) {
        remainingByIdentity.set(identityId, [...(remainingByIdentity.get(identityId) ?? []), item]);
        continue;
      }
      const handle: AccessRequestHandle = client.workflow.getHandle(workflowId);
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

/**
 * Refuses a key already used for another change. Visibility answers within a second or so of a start, so
 * this catches real misuse (a reused ticket number); the workflow id, not this check, is what guarantees
 * a replay never runs twice.
 */
async function checkKeyUnused(client: Client, key: string, workflowIds: string[]): Promise<void> {
  const others: string[] = [];
  const query = `WorkflowType = '${WORKFLOW_TYPES.accessRequest}' AND ${IDEMPOTENCY_KEY.name} = ${quoted(key)}`;
  for await (const workflow of client.workflow.list({ query })) {
    if (!workflowIds.includes(workflow.workflowId)) others.push(workflow.workflowId);
  }
  if (others.length > 0) throw new IdempotencyKeyConflictError(key, [...new Set(others)]);
}

async function startOne(
  client: Client,
  taskQueue: string,
  request: PlannedRequest,
  { options, idempotencyKey, cause }: StartChangeOptions,
): Promise<StartedChange> {
  const workflowId = workflowIdFor(request, idempotencyKey);
  const nonce = randomUUID();
  try {
    const handle = await client.workflow.start<typeof accessRequestWorkflow>(WORKFLOW_TYPES.accessRequest, {
      workflowId,
      taskQueue,
      args: [{ request, options, ...(idempotencyKey ? { idempotencyKey } : {}), ...(cause ? { cause } : {}) }],
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: idempotencyKey ? 'ALLOW_DUPLICATE_FAILED_ONLY' : 'ALLOW_DUPLICATE',
      memo: { [START_NONCE]: nonce },
      typedSearchAttributes: initialSearchAttributes(request, idempotencyKey),
      staticSummary: changeSummary(request),
      staticDetails: changeDetails(request, {
        ...(cause ? { cause } : {}),
        ...(idempotencyKey ? { idempotencyKey } : {}),
      }),
    });
    // USE_EXISTING answers with the running run when there is one; its memo tells whose start made it.
    const description = await handle.describe();
    const action = description.memo?.[START_NONCE] === nonce ? 'started' : 'joined';
    return { workflowId, action, request, handle, runId: handle.firstExecutionRunId };
  } catch (error) {
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
    // Only a keyed change can land here: its completed run is retained and may not run again.
    const handle: AccessRequestHandle = client.workflow.getHandle(workflowId);
    return { workflowId, action: 'duplicate', request, handle, duplicateOf: await readPastRun(handle) };
  }
}

export async function startAccessChange(
  client: Client,
  taskQueue: string,
  change: AccessChange,
  start: StartChangeOptions,
): Promise<StartedChange[]> {
  if (start.idempotencyKey !== undefined) {
    const planned = planAccessRequests(change).map((r) => workflowIdFor(r, start.idempotencyKey));
    await checkKeyUnused(client, start.idempotencyKey, planned);
  }
  const { routed, remaining } = await routeToScheduledRemovals(client, change);
  const started: StartedChange[] = [...routed];
  for (const request of remaining.flatMap(planAccessRequests)) {
    started.push(await startOne(client, taskQueue, request, start));
  }
  return started;
}
