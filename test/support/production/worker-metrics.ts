/**
 * What a worker process did, read from its Prometheus endpoint (`ISCFLOW_METRICS_PORT`) as Prometheus
 * scrapes it: the Temporal SDK observes every workflow task and activity it runs in a latency histogram,
 * so the histograms' `_count` series say how many tasks of each kind the process handled.
 */
import { sumOfSeries } from '../prometheus';

export interface ScrapedTaskCounts {
  /** Workflow tasks this process ran (`temporal_workflow_task_execution_latency_count`, all labels). */
  workflowTasks: number;
  /** Activity attempts this process ran (`temporal_activity_execution_latency_count`, all labels). */
  activities: number;
}

/** Scrapes `url` (`http://127.0.0.1:PORT/metrics`) once. */
export async function scrapeTaskCounts(url: string): Promise<ScrapedTaskCounts> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`GET ${url}: HTTP ${response.status}`);
  const text = await response.text();
  return {
    workflowTasks: sumOfSeries(text, 'temporal_workflow_task_execution_latency_count'),
    activities: sumOfSeries(text, 'temporal_activity_execution_latency_count'),
  };
}
