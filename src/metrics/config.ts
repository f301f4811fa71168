/**
 * Where the worker serves `/metrics`: `ISCFLOW_METRICS_HOST` (127.0.0.1) and `ISCFLOW_METRICS_PORT` (9464,
 * or `off`). Read once with zod; a bad value is a `ConfigError` naming it, like every other setting.
 */
import { z } from 'zod';
import { ConfigError } from '../config';

type Env = Record<string, string | undefined>;

/** The worker's default metrics port (the OpenTelemetry Prometheus exporter's customary one). */
export const DEFAULT_METRICS_PORT = 9464;

const blankAsUnset = (value: unknown): unknown =>
  typeof value === 'string' && value.trim() === '' ? undefined : typeof value === 'string' ? value.trim() : value;

const metricsEnvSchema = z.object({
  ISCFLOW_METRICS_HOST: z.preprocess(
    blankAsUnset,
    z
      .string()
      .regex(/^[A-Za-z0-9.:-]+$/, { error: 'must be a host name or an IP address, e.g. 0.0.0.0' })
      .default('127.0.0.1'),
  ),
  ISCFLOW_METRICS_PORT: z.preprocess(
    blankAsUnset,
    z
      .union([
        z.literal('off'),
        z.coerce
          .number({ error: 'must be a port number or off' })
          .int({ error: 'must be a whole number or off' })
          .min(1, { error: 'must be 1 to 65535, or off' })
          .max(65535, { error: 'must be 1 to 65535, or off' }),
      ])
      .default(DEFAULT_METRICS_PORT),
  ),
});

export interface MetricsConfig {
  /** `host:port` the Prometheus endpoint binds to; undefined when `ISCFLOW_METRICS_PORT=off`. */
  bindAddress?: string;
}

/** Reads the metrics settings; throws `ConfigError` naming every bad one. */
export function loadMetricsConfig(env: Env = process.env): Readonly<MetricsConfig> {
  const result = metricsEnvSchema.safeParse(env);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
  }
  const { ISCFLOW_METRICS_HOST: host, ISCFLOW_METRICS_PORT: port } = result.data;
  if (port === 'off') return Object.freeze({});
  return Object.freeze({ bindAddress: `${host.includes(':') ? `[${host}]` : host}:${port}` });
}
