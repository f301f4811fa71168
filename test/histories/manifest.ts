/**
 * Every saved history: the workflow type it is a run of and the workflow id it ran under (a lifecycle
 * names its child access changes after its own id, so a replay must use the recorded one). The recorder
 * writes exactly these files and the replay test insists on exactly these: a history deleted by mistake,
 * or a file of a type nobody replays on purpose, fails the test instead of quietly shrinking what it proves.
 */
import { WORKFLOW_TYPES, type WorkflowTypeName } from '../../src/common';

export interface SavedHistory {
  workflowType: WorkflowTypeName;
  workflowId: string;
}

const access = (name: string): SavedHistory => ({
  workflowType: WORKFLOW_TYPES.accessRequest,
  workflowId: `replay-${name}`,
});
/** Lifecycle ids are `iscflow-identity-` + the ref of a synthetic employee number under the recorder's test key. */
const lifecycle = (ref: string): SavedHistory => ({
  workflowType: WORKFLOW_TYPES.identityLifecycle,
  workflowId: `iscflow-identity-${ref}`,
});

export const HISTORY_FILES: Readonly<Record<string, SavedHistory>> = {
  'grant-30-day-approval': access('grant-30-day-approval'),
  'grant-exact-removal-extended': access('grant-exact-removal-extended'),
  'grant-isc-removal-verified': access('grant-isc-removal-verified'),
  'grant-legacy-start-date': access('grant-legacy-start-date'),
  'lifecycle-joiner-future-hire': lifecycle('688a73f2248239aa54054c21216a3d46'), // E9001
  'lifecycle-mover-grace': lifecycle('4e5ad92a7df6714ef4096a9bae74ab2b'), // E9002
  'lifecycle-leaver': lifecycle('c906083c48700ca36f750ac52b23dac6'), // E9003
  'lifecycle-rescinded-hire': lifecycle('5aa18180f9615165de50ed53cb07c8bd'), // E9004
  // Two runs of one workflow (E9005): the one that continued as new, and the one it continued into.
  'lifecycle-continued-as-new': lifecycle('247b9940184be6ceb007096d61aaaf81'),
  'lifecycle-resumed-after-continue': lifecycle('247b9940184be6ceb007096d61aaaf81'),
  // Adopted from ISC (E9007): claimed access, the rest granted, a drift repair, a move, a leave.
  'lifecycle-adopted': lifecycle('fac90dcc566c0a2dee817910365eff29'),
  // E9008: hired and run by the code of before policy ownership (access found held is PRESENT), then moved
  // after the upgrade: the patch activates at the move and the PRESENT access is revoked after the grace.
  'lifecycle-ownership-upgrade': lifecycle('ff570b8f1fb6ebdfdfb27ac36fa2d0a5'),
  // workday/hire-9006
  'hr-event-receipt': { workflowType: WORKFLOW_TYPES.hrEvent, workflowId: 'iscflow-event-35eb29cf8c8ef88b1ed12f614dc5da1d' },
};

/** The workflow types whose running executions must survive a deploy: each has at least one history. */
export const REPLAYED_TYPES: readonly WorkflowTypeName[] = [
  WORKFLOW_TYPES.accessRequest,
  WORKFLOW_TYPES.identityLifecycle,
  WORKFLOW_TYPES.hrEvent,
];
