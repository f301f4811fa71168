/**
 * The Temporal runtime of a worker process: the SDK's own log lines routed into pino, and its metrics
 * served for Prometheus. A polling attempt that found no news fails on purpose (STATUS_UNCHANGED: the
 * infrequent-polling pattern), and so does a call held back while ISC is down (ISC_UNAVAILABLE), which the
 * SDK reports as "Activity failed" at WARN; those are expected and go to debug, so real warnings stay visible.
 */
import type { LogLevel, LogMetadata, Logger as TemporalLogger } from '@temporalio/common';
import { Runtime, type RuntimeOptions } from '@temporalio/worker';
import type { Logger } from 'pino';
import { IDENTITY_NOT_FOUND, STATUS_UNCHANGED } from './common';
import type { MetricsConfig } from './metrics/config';
import { prometheusExporter } from './metrics/telemetry';

/**
 * Failures that are a polling loop's way of saying "not yet", and the worker's own "ISC is down, not sent"
 * (the transport warns once when ISC goes down and once when it is back): expected, so not warnings.
 */
const EXPECTED_FAILURE_TYPES = new Set<string>([STATUS_UNCHANGED, IDENTITY_NOT_FOUND, 'ISC_UNAVAILABLE']);

function isExpectedPollFailure(meta: LogMetadata | undefined): boolean {
  const error = meta?.error as { type?: unknown } | undefined;
  return typeof error?.type === 'string' && EXPECTED_FAILURE_TYPES.has(error.type);
}

export function temporalLogger(logger: Logger): TemporalLogger {
  const emit = (level: LogLevel, message: string, meta?: LogMetadata): void => {
    const demoted = level === 'WARN' && isExpectedPollFailure(meta);
    const pinoLevel = demoted ? 'debug' : (level.toLowerCase() as 'trace' | 'debug' | 'info' | 'warn' | 'error');
    logger[pinoLevel]({ ...meta, ...(meta?.error ? { error: String(meta.error) } : {}) }, message);
  };
  return {
    log: emit,
    trace: (message, meta) => emit('TRACE', message, meta),
    debug: (message, meta) => emit('DEBUG', message, meta),
    info: (message, meta) => emit('INFO', message, meta),
    warn: (message, meta) => emit('WARN', message, meta),
    error: (message, meta) => emit('ERROR', message, meta),
  };
}

/** What `installRuntime` set up. */
export interface InstalledRuntime {
  /** `http://host:port/metrics`, or undefined when metrics are off or their port could not be bound. */
  metricsUrl?: string;
}

/**
 * Installs the SDK's runtime once per process, before any connection. Its own INFO lines (bundler output,
 * worker state) are kept out unless LOG_LEVEL asks for debug; warnings and errors always come through.
 * With `metrics.bindAddress` it serves `/metrics` there (the SDK's metrics and iscflow's). A port that
 * cannot be bound (taken by another worker on the same host) is logged as an error and the worker runs
 * without metrics: access changes must not wait for observability.
 */
export function installRuntime(logger: Logger, { metrics }: { metrics?: MetricsConfig } = {}): InstalledRuntime {
  const verbose = logger.level === 'debug' || logger.level === 'trace';
  const base: RuntimeOptions = {
    logger: temporalLogger(logger.child({ component: 'temporal' }, { level: verbose ? logger.level : 'warn' })),
  };
  const bindAddress = metrics?.bindAddress;
  if (bindAddress) {
    try {
      Runtime.install({ ...base, telemetryOptions: { metrics: prometheusExporter(bindAddress) } });
      return { metricsUrl: `http://${bindAddress}/metrics` };
    } catch (error) {
      logger.error(
        { error: error instanceof Error ? error.message : String(error), bindAddress },
        'metrics not served: set ISCFLOW_METRICS_PORT to a free port (one per worker on a host), or off',
      );
    }
  }
  Runtime.install(base);
  return {};
}

/** The runtime with logging only (no metrics endpoint). */
export function installRuntimeLogging(logger: Logger): void {
  installRuntime(logger);
}
