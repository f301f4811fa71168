/**
 * Sending HR events into identity lifecycles, and reading where one stands. Shared by the ingress and
 * `iscflow event`, so an event sent both ways is one event.
 *
 * Each event is recorded by starting its receipt workflow, whose id comes from the event's source and id:
 * the start is durable the moment it returns (no worker needs to run), and a second start of the same
 * event fails, which is how a repeat is told from a first delivery. The receipt then hands the event to the
 * identity's lifecycle (starting it if needed). A receipt that failed or was terminated may be started
 * again; beyond Temporal's retention a repeat is caught by the lifecycle's own memory of event keys.
 */
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { IDENTITY_IDS, IDENTITY_REF, WORKFLOW_TYPES, type AccessRequestOptions } from '../common';
import { eventKey, identityKeyOf, type EventDelivery, type HrEvent, type IdentityKey } from '../domain';
import type { hrEventWorkflow, identityLifecycleWorkflow } from '../workflows';
import type { HrEventInput } from '../workflows/hr-event/contracts';
import { receiptDetails, receiptSummary } from '../workflows/identity-lifecycle/search-attributes';
import {
  eventStandingQuery,
  lifecycleStatusQuery,
  type EventStanding as LifecycleEventStanding,
  type LifecycleOptions,
  type LifecycleView,
} from '../workflows/identity-lifecycle/contracts';
import { identityRef, lifecycleWorkflowId, receiptWorkflowId } from './identity-refs';

/** Memo field of a receipt: where its event went. */
const RECEIPT_MEMO = 'iscflowEvent';

interface ReceiptMemo {
  lifecycleWorkflowId: string;
  ref: string;
  key: string;
}

/** What starters put into a lifecycle they start (recorded in its input). */
export interface LifecycleSettings {
  pseudonymKey: string;
  identityPollSeconds: number;
  identityWaitSeconds: number;
  /** Tuning of the access changes the lifecycle will start. */
  change: Partial<AccessRequestOptions>;
}

export interface SentEvent {
  /** `accepted`: recorded now. `duplicate`: this event (source + id) had been recorded before. */
  status: 'accepted' | 'duplicate';
  source: string;
  id: string;
  key: string;
  receiptWorkflowId: string;
  lifecycleWorkflowId: string;
  ref: string;
}

export interface IdentityTarget {
  key: IdentityKey;
  ref: string;
  workflowId: string;
}

export function identityTarget(key: IdentityKey, pseudonymKey: string): IdentityTarget {
  const ref = identityRef(key, pseudonymKey);
  return { key, ref, workflowId: lifecycleWorkflowId(ref) };
}

/**
 * The lifecycle an event goes to. HR names people by employee number, ISC's triggers by ISC id: an event
 * that names only an ISC id goes to the running lifecycle that already resolved that id (found through
 * its `IscflowIdentityIds`), so one person never has two lifecycles. Visibility is eventually consistent:
 * a lifecycle that resolved its identity a moment ago may not be found yet, and the event then starts (or
 * joins) the lifecycle keyed by the ISC id.
 */
export async function routeEvent(client: Client, event: HrEvent, pseudonymKey: string): Promise<IdentityTarget> {
  const own = identityTarget(identityKeyOf(event), pseudonymKey);
  const iscId = event.identity.id;
  if (event.identity.employeeNumber !== undefined || iscId === undefined) return own;
  return (await lifecycleResolving(client, iscId, own.key)) ?? own;
}

/**
 * The running lifecycle that has resolved `iscId` (whatever key it was started with), if any. `key` is what
 * the returned target carries as its identity key; by default the ISC id.
 */
export async function lifecycleResolving(
  client: Client,
  iscId: string,
  key: IdentityKey = { kind: 'id', value: iscId },
): Promise<IdentityTarget | undefined> {
  const query = [
    `WorkflowType = '${WORKFLOW_TYPES.identityLifecycle}'`,
    `ExecutionStatus = 'Running'`,
    `${IDENTITY_IDS.name} = '${iscId}'`,
  ].join(' AND ');
  for await (const lifecycle of client.workflow.list({ query, pageSize: 2 })) {
    const ref = lifecycle.typedSearchAttributes.get(IDENTITY_REF);
    if (ref) return { key, ref, workflowId: lifecycle.workflowId };
  }
  return undefined;
}

/** The options a starter records in the lifecycles it starts. */
export function lifecycleOptions(settings: LifecycleSettings): Partial<LifecycleOptions> {
  return {
    identityPollSeconds: settings.identityPollSeconds,
    identityWaitSeconds: settings.identityWaitSeconds,
    change: settings.change,
  };
}

/** Records an event durably in Temporal and says whether it is new. Rejects when Temporal cannot be reached. */
export async function sendHrEvent(
  client: Client,
  taskQueue: string,
  event: HrEvent,
  delivery: EventDelivery,
  settings: LifecycleSettings,
): Promise<SentEvent> {
  const target = await routeEvent(client, event, settings.pseudonymKey);
  const receiptId = receiptWorkflowId(event);
  const input: HrEventInput = {
    received: { event, delivery, receivedAt: new Date().toISOString() },
    lifecycle: {
      workflowId: target.workflowId,
      input: { identity: target.key, ref: target.ref, options: lifecycleOptions(settings) },
    },
  };
  const sent = {
    source: event.source,
    id: event.id,
    key: eventKey(event),
    receiptWorkflowId: receiptId,
    lifecycleWorkflowId: target.workflowId,
    ref: target.ref,
  };
  try {
    await client.workflow.start<typeof hrEventWorkflow>(WORKFLOW_TYPES.hrEvent, {
      workflowId: receiptId,
      taskQueue,
      args: [input],
      workflowIdConflictPolicy: 'FAIL',
      workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
      typedSearchAttributes: [{ key: IDENTITY_REF, value: target.ref }],
      staticSummary: receiptSummary(event, target.ref),
      staticDetails: receiptDetails(event, target.workflowId),
      // Read back by `readHrEvent`; the key is personal data, and memos go through the payload codec.
      memo: { [RECEIPT_MEMO]: { lifecycleWorkflowId: target.workflowId, ref: target.ref, key: target.key.value } },
    });
    return { status: 'accepted', ...sent };
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) return { status: 'duplicate', ...sent };
    throw error;
  }
}

/** Where an event stands: `received` until its lifecycle has taken it in. */
export interface EventStanding {
  source: string;
  id: string;
  state: 'received' | LifecycleEventStanding['state'];
  pendingUntil?: string;
  detail?: string;
  duplicates?: number;
  identity?: { key: string; ref: string };
  lifecycleWorkflowId?: string;
}

/** Queries wait for a worker; a status read should not wait long for one. */
async function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

export async function readHrEvent(
  client: Client,
  source: string,
  id: string,
  { queryDeadlineMs = 5000 }: { queryDeadlineMs?: number } = {},
): Promise<EventStanding | undefined> {
  const receipt = client.workflow.getHandle<typeof hrEventWorkflow>(receiptWorkflowId({ source, id }));
  let memo: ReceiptMemo | undefined;
  let status: string;
  try {
    const description = await receipt.describe();
    status = description.status.name;
    memo = description.memo?.[RECEIPT_MEMO] as ReceiptMemo | undefined;
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return undefined;
    throw error;
  }
  const lifecycleId = memo?.lifecycleWorkflowId;
  const received: EventStanding = {
    source,
    id,
    state: 'received',
    ...(memo ? { lifecycleWorkflowId: memo.lifecycleWorkflowId, identity: { key: memo.key, ref: memo.ref } } : {}),
  };
  if (status !== 'COMPLETED' || !lifecycleId) return received;
  const lifecycle = client.workflow.getHandle<typeof identityLifecycleWorkflow>(lifecycleId);
  const standing = await withDeadline(lifecycle.query(eventStandingQuery, { source, id }), queryDeadlineMs).catch(
    () => undefined,
  );
  return standing ? { ...standing, lifecycleWorkflowId: lifecycleId } : received;
}

/** The lifecycle of a key, as it stands (undefined when there is none). */
export async function readLifecycle(client: Client, target: IdentityTarget): Promise<LifecycleView | undefined> {
  const handle = client.workflow.getHandle<typeof identityLifecycleWorkflow>(target.workflowId);
  try {
    return await handle.query(lifecycleStatusQuery);
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return undefined;
    throw error;
  }
}
