/**
 * hrEventWorkflow: delivers one recorded HR event to its identity's lifecycle, starting the lifecycle when
 * it does not run yet. The lifecycle is started as a child that is abandoned (it outlives this receipt by
 * years); one that already runs is simply signalled. Either way the event is in the lifecycle's history
 * before the receipt completes, and the lifecycle, not the receipt, decides whether it is a duplicate.
 */
import {
  ParentClosePolicy,
  getExternalWorkflowHandle,
  setCurrentDetails,
  setHandler,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { WORKFLOW_TYPES } from '../../common';
import { recordLifecycleEvent } from '../../metrics/workflow';
import { workflowNow } from '../clock';
import { hrEventSignal } from '../identity-lifecycle/contracts';
import {
  initialLifecycleSearchAttributes,
  lifecycleDetails,
  lifecycleSummary,
} from '../identity-lifecycle/search-attributes';
import type { identityLifecycleWorkflow } from '../identity-lifecycle/workflow';
import { receiptQuery, type HrEventInput, type HrEventResult } from './contracts';

export async function hrEventWorkflow(input: HrEventInput): Promise<HrEventResult> {
  const { workflowId, input: lifecycleInput } = input.lifecycle;
  let delivered = false;
  setHandler(receiptQuery, () => ({ lifecycleWorkflowId: workflowId, delivered }));
  setCurrentDetails(`**received** · delivering to \`${workflowId}\``);
  try {
    await startChild<typeof identityLifecycleWorkflow>(WORKFLOW_TYPES.identityLifecycle, {
      workflowId,
      args: [lifecycleInput],
      parentClosePolicy: ParentClosePolicy.ABANDON,
      taskQueue: workflowInfo().taskQueue,
      typedSearchAttributes: initialLifecycleSearchAttributes(lifecycleInput.ref),
      staticSummary: lifecycleSummary(lifecycleInput.ref),
      staticDetails: lifecycleDetails(lifecycleInput.ref),
    });
  } catch (error) {
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
  }
  await getExternalWorkflowHandle(workflowId).signal(hrEventSignal, input.received);
  delivered = true;
  recordLifecycleEvent(input.received.event.type, 'accepted');
  const deliveredAt = workflowNow();
  setCurrentDetails(`**delivered** to \`${workflowId}\` at ${deliveredAt}`);
  return { lifecycleWorkflowId: workflowId, deliveredAt };
}
