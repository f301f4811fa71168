/**
 * The contract of `hrEventWorkflow`: the receipt of one HR event. Its id comes from the event's source and
 * id, so starting it is how the front door (the ingress, `iscflow event`) records an event durably and
 * learns whether it had been recorded before; the receipt then hands the event to the identity's
 * lifecycle. Clients import this file; it holds only types and message definitions.
 */
import { defineQuery } from '@temporalio/workflow';
import type { LifecycleInput, ReceivedEvent } from '../identity-lifecycle/contracts';

export interface HrEventInput {
  received: ReceivedEvent;
  /** The identity's lifecycle: its workflow id and, should it not run yet, how to start it. */
  lifecycle: { workflowId: string; input: LifecycleInput };
}

export interface HrEventResult {
  lifecycleWorkflowId: string;
  deliveredAt: string;
}

export const receiptQuery = defineQuery<{ lifecycleWorkflowId: string; delivered: boolean }>('receipt');
