/**
 * iscflow's metrics from activity code, on the running activity's meter (which tags them with the
 * activity type, namespace and task queue).
 */
import { Context } from '@temporalio/activity';
import { createIscflowMetrics, type IscflowMetrics } from './instruments';

/** The instruments on the current activity's meter (call inside an activity only). */
export function activityMetrics(): IscflowMetrics {
  return createIscflowMetrics(Context.current().metricMeter);
}
