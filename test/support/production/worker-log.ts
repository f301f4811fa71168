/**
 * What a worker process did, read from its log (pino JSON lines at LOG_LEVEL=debug): the Temporal SDK
 * logs every activity it finishes and every workflow it starts or completes, so counting those lines per
 * process shows how the task queue spread the work over the workers.
 */
import { readFileSync } from 'node:fs';

export interface WorkerTaskCounts {
  /** Activities this process ran to an end (completed or failed, STATUS_UNCHANGED polls included). */
  activities: number;
  /** Workflow executions this process started or completed (workflow tasks it handled). */
  workflows: number;
}

const ACTIVITY_MESSAGES = new Set(['Activity completed', 'Activity failed']);
const WORKFLOW_MESSAGES = new Set(['Workflow started', 'Workflow completed']);

/** Counts the tasks in one worker's log text; lines that are not JSON (a crash's stack trace) are passed over. */
function countWorkerTasks(logText: string): WorkerTaskCounts {
  const counts: WorkerTaskCounts = { activities: 0, workflows: 0 };
  for (const line of logText.split('\n')) {
    if (!line.startsWith('{')) continue;
    let msg: unknown;
    try {
      msg = (JSON.parse(line) as { msg?: unknown }).msg;
    } catch {
      continue;
    }
    if (typeof msg !== 'string') continue;
    if (ACTIVITY_MESSAGES.has(msg)) counts.activities += 1;
    else if (WORKFLOW_MESSAGES.has(msg)) counts.workflows += 1;
  }
  return counts;
}

export function countWorkerTasksInFile(logFile: string): WorkerTaskCounts {
  return countWorkerTasks(readFileSync(logFile, 'utf8'));
}
