/**
 * iscflow's metrics of the worker process itself, on the Temporal runtime's meter: ISC calls (through the
 * ISC client's observer) and the operator backlog, which the worker counts in visibility.
 */
import type { Client } from '@temporalio/client';
import { Runtime } from '@temporalio/worker';
import type { Logger } from 'pino';
import { STATE, WORKFLOW_TYPES } from '../common';
import type { OperatorWorkflowType } from './catalog';
import { createIscflowMetrics, type IscflowMetrics } from './instruments';

/** The instruments on the process's Temporal runtime (installed by then, or installed now by default). */
export function runtimeMetrics(): IscflowMetrics {
  return createIscflowMetrics(Runtime.instance().metricMeter);
}

/** How often the backlog is counted: visibility queries are cheap, and a person answers in minutes. */
export const OPERATOR_BACKLOG_INTERVAL_MS = 30_000;

const COUNTED: readonly OperatorWorkflowType[] = [WORKFLOW_TYPES.accessRequest, WORKFLOW_TYPES.identityLifecycle];

/** The visibility query of running workflows of one type on one task queue that wait for a person. */
export function awaitingOperatorQuery(workflowType: OperatorWorkflowType, taskQueue: string): string {
  return [
    `WorkflowType = "${workflowType}"`,
    `TaskQueue = "${taskQueue.replace(/"/g, '')}"`,
    `ExecutionStatus = "Running"`,
    `${STATE.name} = "AWAITING_OPERATOR"`,
  ].join(' AND ');
}

export interface OperatorBacklogOptions {
  client: Client;
  taskQueue: string;
  metrics: IscflowMetrics;
  logger: Logger;
  intervalMs?: number;
}

export interface OperatorBacklog {
  /** Stops counting; resolves once a count in flight has finished. */
  stop(): Promise<void>;
}

/**
 * Sets `iscflow_awaiting_operator` from visibility now and then every `intervalMs`, until stopped. A
 * failed count leaves the last value and is logged (a warning once, then at debug until it works again):
 * the worker's real work must not depend on it.
 */
export function watchOperatorBacklog({
  client,
  taskQueue,
  metrics,
  logger,
  intervalMs = OPERATOR_BACKLOG_INTERVAL_MS,
}: OperatorBacklogOptions): OperatorBacklog {
  let stopped = false;
  let failing = false;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> = Promise.resolve();

  const countOnce = async (): Promise<void> => {
    try {
      for (const workflowType of COUNTED) {
        const { count } = await client.workflow.count(awaitingOperatorQuery(workflowType, taskQueue));
        metrics.awaitingOperator(workflowType, count);
      }
      if (failing) logger.info('operator backlog counted again');
      failing = false;
    } catch (error) {
      logger[failing ? 'debug' : 'warn']({ error: String(error) }, 'could not count the operator backlog');
      failing = true;
    }
  };
  const tick = (): void => {
    inFlight = countOnce().finally(() => {
      if (!stopped) timer = setTimeout(tick, intervalMs);
    });
  };
  tick();

  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await inFlight;
    },
  };
}
