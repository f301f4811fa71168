/**
 * Workflow type names as registered by the worker. Starters, visibility queries and reports use these
 * strings; the workflow functions are exported under the same names from `src/workflows/index.ts`.
 */
export const WORKFLOW_TYPES = {
  accessRequest: 'accessRequestWorkflow',
  identityLifecycle: 'identityLifecycleWorkflow',
  hrEvent: 'hrEventWorkflow',
  statusTracker: 'statusTrackerWorkflow',
  driftSweep: 'driftSweepWorkflow',
} as const;
export type WorkflowTypeName = (typeof WORKFLOW_TYPES)[keyof typeof WORKFLOW_TYPES];

/**
 * Signal names between access changes and their tracker. Activities send them (with a client), workflows
 * receive them; the names live here so neither imports the other.
 */
export const TRACKER_SIGNALS = {
  /** To a tracker: submit these items, or watch these requests, or look at these at once (a hint). */
  enlist: 'trackerEnlist',
  /** To an access change: its submission's result, or news about its items. */
  news: 'trackerNews',
  /** To an access change: a tracker (re)started empty; say again what you are waiting for. */
  reenlist: 'trackerReenlist',
} as const;
