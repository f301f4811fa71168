/**
 * Workflow type names as registered by the worker. Starters, visibility queries and reports use these
 * strings; the workflow functions are exported under the same names from `src/workflows/index.ts`.
 */
export const WORKFLOW_TYPES = {
  accessRequest: 'accessRequestWorkflow',
  identityLifecycle: 'identityLifecycleWorkflow',
  hrEvent: 'hrEventWorkflow',
} as const;
export type WorkflowTypeName = (typeof WORKFLOW_TYPES)[keyof typeof WORKFLOW_TYPES];
