/**
 * Temporal actions counted from workflow histories the way Temporal Cloud bills them
 * (https://docs.temporal.io/cloud/actions): the load a run puts on a self-hosted server, and its bill on
 * Temporal Cloud. Benches fetch the histories of every run and add them up here, by workflow type.
 *
 * From a history, one action each for: a workflow start (client start, signal-with-start, child start
 * or continue-as-new: the run's own `WorkflowExecutionStarted`), a child start as seen from the parent
 * (so a child start counts twice, as billed), a timer (including the one a `condition` with a timeout
 * starts), a signal received, an Update accepted, a search-attribute upsert (but not one that only
 * writes `TemporalChangeVersion`, which patches write and which is not billed), every activity
 * attempt (the started event of an activity carries how many attempts it took), and the local activities
 * of a workflow task, one action for all of them (Temporal Cloud counts a task's local-activity markers
 * as one action). Not in histories and
 * so not counted here: queries, rejected Updates, heartbeats and schedule triggers; a bench that causes
 * them counts them where they happen.
 */
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

const E = temporal.api.enums.v1.EventType;
type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** Actions by what caused them. */
export interface ActionCounts {
  workflowStarts: number;
  childStarts: number;
  timers: number;
  signals: number;
  updates: number;
  upserts: number;
  activities: number;
  /** Workflow tasks that ran local activities: one action each, however many ran. */
  localActivities: number;
  total: number;
}

export const noActions = (): ActionCounts => ({
  workflowStarts: 0,
  childStarts: 0,
  timers: 0,
  signals: 0,
  updates: 0,
  upserts: 0,
  activities: 0,
  localActivities: 0,
  total: 0,
});

/** The search attribute that `patched()` writes: not billed. */
const CHANGE_VERSION = 'TemporalChangeVersion';

function upsertIsBilled(event: HistoryEvent): boolean {
  const fields = event.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields ?? {};
  return Object.keys(fields).some((name) => name !== CHANGE_VERSION);
}

/** Attempts each scheduled activity took: its started event says, or 1 while it has not started. */
function activityAttempts(events: readonly HistoryEvent[]): number {
  const attemptsByScheduled = new Map<string, number>();
  for (const event of events) {
    if (event.eventType === E.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED) attemptsByScheduled.set(String(event.eventId), 1);
    if (event.eventType === E.EVENT_TYPE_ACTIVITY_TASK_STARTED) {
      const started = event.activityTaskStartedEventAttributes;
      const scheduledId = String(started?.scheduledEventId ?? '');
      attemptsByScheduled.set(scheduledId, Math.max(1, started?.attempt ?? 1));
    }
  }
  let total = 0;
  for (const attempts of attemptsByScheduled.values()) total += attempts;
  return total;
}

/** The marker a local activity's result is recorded in (the SDK core's name for it). */
const LOCAL_ACTIVITY_MARKER = 'core_local_activity';

/** Workflow tasks whose completion recorded local-activity markers: one action each. */
function localActivityTasks(events: readonly HistoryEvent[]): number {
  const tasks = new Set<string>();
  for (const event of events) {
    const marker = event.markerRecordedEventAttributes;
    if (event.eventType === E.EVENT_TYPE_MARKER_RECORDED && marker?.markerName === LOCAL_ACTIVITY_MARKER)
      tasks.add(String(marker.workflowTaskCompletedEventId ?? event.eventId));
  }
  return tasks.size;
}

/** The billable actions one run's history records. */
export function countActions(events: readonly HistoryEvent[]): ActionCounts {
  const counts = noActions();
  for (const event of events) {
    switch (event.eventType) {
      case E.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
        counts.workflowStarts += 1;
        break;
      case E.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED:
        counts.childStarts += 1;
        break;
      case E.EVENT_TYPE_TIMER_STARTED:
        counts.timers += 1;
        break;
      case E.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED:
        counts.signals += 1;
        break;
      case E.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED:
        counts.updates += 1;
        break;
      case E.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES:
        if (upsertIsBilled(event)) counts.upserts += 1;
        break;
      default:
        break;
    }
  }
  counts.activities = activityAttempts(events);
  counts.localActivities = localActivityTasks(events);
  counts.total =
    counts.workflowStarts +
    counts.childStarts +
    counts.timers +
    counts.signals +
    counts.updates +
    counts.upserts +
    counts.activities +
    counts.localActivities;
  return counts;
}

/** Adds `more` into `into` (field by field) and returns `into`. */
export function addActions(into: ActionCounts, more: ActionCounts): ActionCounts {
  for (const key of Object.keys(into) as Array<keyof ActionCounts>) into[key] += more[key];
  return into;
}

/** Actions of many runs, in all and by workflow type. */
export interface ActionTally {
  runs: number;
  total: ActionCounts;
  byWorkflowType: Record<string, ActionCounts>;
}

export const emptyTally = (): ActionTally => ({ runs: 0, total: noActions(), byWorkflowType: {} });

/** Adds one run's history to a tally (histories are added one at a time: a large run never holds them all). */
export function addRun(tally: ActionTally, workflowType: string, events: readonly HistoryEvent[]): void {
  const counts = countActions(events);
  tally.runs += 1;
  addActions(tally.total, counts);
  addActions((tally.byWorkflowType[workflowType] ??= noActions()), counts);
}

/**
 * Every run the visibility `query` matches (closed and running, continued-as-new runs included), its
 * history fetched and tallied, `concurrency` at a time.
 */
export async function tallyNamespace(client: Client, query = '', concurrency = 16): Promise<ActionTally> {
  const tally = emptyTally();
  const runs: Array<{ workflowId: string; runId: string; type: string }> = [];
  for await (const wf of client.workflow.list(query ? { query } : {}))
    runs.push({ workflowId: wf.workflowId, runId: wf.runId, type: wf.type });
  let next = 0;
  const lane = async (): Promise<void> => {
    for (let i = next++; i < runs.length; i = next++) {
      const run = runs[i];
      if (!run) continue;
      const history = await client.workflow.getHandle(run.workflowId, run.runId).fetchHistory();
      addRun(tally, run.type, history.events ?? []);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, runs.length) }, lane));
  return tally;
}
