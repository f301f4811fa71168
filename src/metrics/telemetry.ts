/**
 * The Temporal runtime's metrics exporter: one Prometheus endpoint serving the SDK's own metrics and
 * iscflow's (created on the runtime's, the activities' and the workflows' meters), named by Prometheus'
 * conventions: counters end in `_total`, durations are in seconds.
 */
import type { MetricsExporterConfig } from '@temporalio/worker';
import { ISCFLOW_METRICS, type MetricDefinition } from './catalog';

/** Bucket boundaries of iscflow's histograms, as the catalog defines them. */
function bucketOverrides(): Record<string, number[]> {
  const histograms = Object.values(ISCFLOW_METRICS as Record<string, MetricDefinition>).filter(
    (m) => m.buckets !== undefined,
  );
  return Object.fromEntries(histograms.map((m) => [m.name, [...(m.buckets ?? [])]]));
}

/** The `telemetryOptions.metrics` that serve `/metrics` on `bindAddress` (`host:port`). */
export function prometheusExporter(bindAddress: string): MetricsExporterConfig {
  return {
    prometheus: {
      bindAddress,
      countersTotalSuffix: true,
      useSecondsForDurations: true,
      histogramBucketOverrides: bucketOverrides(),
    },
  };
}
