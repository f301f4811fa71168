/** The worker's workflowsPath: every workflow iscflow registers. */
export { accessRequestWorkflow } from './access-request';
