/** The worker's workflowsPath: every workflow iscflow registers, under the names in `src/common`. */
export { accessRequestWorkflow } from './access-request/workflow';
export { identityLifecycleWorkflow } from './identity-lifecycle/workflow';
export { hrEventWorkflow } from './hr-event/workflow';
export { statusTrackerWorkflow } from './status-tracker/workflow';
export { driftSweepWorkflow } from './drift-sweep/workflow';
