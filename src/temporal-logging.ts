/**
 * Routes the Temporal SDK's own log lines into pino. A polling attempt that found no news fails on
 * purpose (STATUS_UNCHANGED: the infrequent-polling pattern), which the SDK reports as "Activity failed"
 * at WARN; those are expected and go to debug, so real warnings stay visible.
 */
import type { LogLevel, LogMetadata, Logger as TemporalLogger } from '@temporalio/common';
import { Runtime } from '@temporalio/worker';
import type { Logger } from 'pino';
import { STATUS_UNCHANGED } from './common';

const EXPECTED_FAILURE_TYPES = new Set([STATUS_UNCHANGED]);

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

/**
 * Installs the SDK's runtime logging once per process. The SDK's own INFO lines (bundler output, worker
 * state) are kept out unless LOG_LEVEL asks for debug; warnings and errors always come through.
 */
export function installRuntimeLogging(logger: Logger): void {
  const verbose = logger.level === 'debug' || logger.level === 'trace';
  Runtime.install({
    logger: temporalLogger(logger.child({ component: 'temporal' }, { level: verbose ? logger.level : 'warn' })),
  });
}
