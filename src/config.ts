/**
 * Configuration, read once from the environment, validated with zod and frozen.
 *
 * ISC settings use the names SailPoint's own SDK and CLI read (`SAIL_*`); Temporal's connection comes
 * from `@temporalio/envconfig` (`TEMPORAL_ADDRESS`, `TEMPORAL_NAMESPACE`, `TEMPORAL_API_KEY`, TLS, or a
 * profile file), so the same variables work for a local dev server and Temporal Cloud.
 */
import { readFileSync } from 'node:fs';
import { loadClientConnectConfig, type ClientConnectConfig } from '@temporalio/envconfig';
import { z } from 'zod';
import { ACCESS_REQUEST_DEFAULTS as D, DEFAULT_TASK_QUEUE, TRACKING_DEFAULTS, type TrackingMode } from './common';
import { parseIsoDuration } from './domain/duration';
import type { IscClientOptions } from './isc';

/** The environment a process reads its settings from (`process.env`, or a test's). */
export type Env = Record<string, string | undefined>;

/** The ISC activities' retries end a day after they were scheduled (`scheduleToCloseTimeout`). */
const MAX_OUTAGE_ESCALATE_AFTER_MS = 24 * 3600 * 1000;

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/** A setting no longer read: set, it stops the process naming what replaces it, rather than be ignored. */
const replacedBy = (message: string) =>
  z
    .string()
    .optional()
    .refine((value) => value === undefined, { error: `is no longer read: ${message}` });

const temporalEnvSchema = z.object({
  ISCFLOW_TASK_QUEUE: z.string().min(1).default(DEFAULT_TASK_QUEUE),
});

const iscEnvSchema = z.object({
  SAIL_BASE_URL: z.url({ error: 'must be an absolute http(s) URL, e.g. https://acme.api.identitynow.com' }),
  SAIL_CLIENT_ID: z.string({ error: 'is required (an API client or personal access token id)' }).min(1),
  SAIL_CLIENT_SECRET: z.string().min(1).optional(),
  /** A file holding the secret (a mounted secret): read at start, and again when ISC refuses the secret. */
  SAIL_CLIENT_SECRET_FILE: z.string().min(1).optional(),
  SAIL_API_VERSION: z.enum(['v3', 'v2025']).default('v3'),
  SAIL_TENANT_PROFILE: z.enum(['current', 'legacy']).default('current'),
  SAIL_REQUEST_TIMEOUT_MS: positiveInt(30_000),
});

const policyEnvSchema = z.object({
  /** The birthright policy (YAML); without one, identity lifecycles desire nothing. */
  ISCFLOW_POLICY: z.string().min(1).optional(),
});

const workerEnvSchema = z.object({
  ...policyEnvSchema.shape,
  ISCFLOW_REMOVAL_MODE: z.enum(['isc', 'exact']).default(D.removalMode),
  /**
   * ISC calls per 10 s the whole deployment stays under: ISC allows 100 per client. The one ISC budget;
   * the server-enforced activity rate of the task queue that calls ISC is derived from it.
   */
  ISCFLOW_ISC_CALLS_PER_10S: z.coerce.number().int().min(1).max(100).default(TRACKING_DEFAULTS.iscCallsPer10s),
  ISCFLOW_ISC_ACTIVITIES_PER_SECOND: replacedBy(
    `set ISCFLOW_ISC_CALLS_PER_10S instead (ISC calls per 10 s for the whole deployment; its default, ${TRACKING_DEFAULTS.iscCallsPer10s}, is what 3 activities a second was)`,
  ),
  ISCFLOW_MAX_CONCURRENT_ACTIVITIES: positiveInt(20),
  /** `shared`: one tracker per shard coalesces submissions and polls ISC in batches; `poll`: each change polls. */
  ISCFLOW_TRACKING: z.enum(['shared', 'poll']).default(TRACKING_DEFAULTS.mode),
  /** Trackers the access changes are spread over; keep it stable (changing it makes trackers rebuild). */
  ISCFLOW_TRACKER_SHARDS: z.coerce.number().int().min(1).max(64).default(TRACKING_DEFAULTS.trackerShards),
  ISCFLOW_SHUTDOWN_GRACE_SECONDS: positiveInt(10),
  /** Drift sweeps on a Temporal Schedule, every this ISO interval (`P1D`); unset: no schedule. */
  ISCFLOW_DRIFT_SCHEDULE: z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value.trim() === '') return undefined;
      const parsed = parseIsoDuration(value.trim());
      if (!parsed.ok || parsed.ms < 60_000) {
        ctx.addIssue({ code: 'custom', message: 'must be an ISO interval of at least a minute, e.g. P1D or PT12H' });
        return z.NEVER;
      }
      return parsed.ms;
    }),
  /**
   * How long ISC may be down before the changes waiting on it are put to an operator (ISO 8601). Less than
   * a day: the ISC activities' retries end there whatever the cause.
   */
  ISCFLOW_OUTAGE_ESCALATE_AFTER: z
    .string()
    .default('PT6H')
    .transform((value, ctx) => {
      const parsed = parseIsoDuration(value);
      if (!parsed.ok || parsed.ms <= 0 || parsed.ms >= MAX_OUTAGE_ESCALATE_AFTER_MS) {
        ctx.addIssue({
          code: 'custom',
          message: 'must be an ISO 8601 duration above zero and under a day (PT1S to PT23H59M), e.g. PT6H',
        });
        return z.NEVER;
      }
      return parsed.ms;
    }),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export interface TemporalConfig {
  connection: ClientConnectConfig['connectionOptions'];
  namespace: string;
  taskQueue: string;
}

export interface IscConfig {
  baseUrl: string;
  clientId: string;
  /** The secret, or what `clientSecretFile` held at start. */
  clientSecret: string;
  clientSecretFile?: string;
  apiVersion: 'v3' | 'v2025';
  tenantProfile: 'current' | 'legacy';
  requestTimeoutMs: number;
}

export interface WorkerConfig {
  temporal: TemporalConfig;
  isc: IscConfig;
  removalMode: 'isc' | 'exact';
  /** ISC calls per 10 s the whole deployment stays under (`ISCFLOW_ISC_CALLS_PER_10S`). */
  iscCallsPer10s: number;
  /**
   * Activities a second the Temporal server lets through the task queue that calls ISC, every worker
   * together: `iscCallsPer10s` in the unit the server enforces (see `ISC_CALLS_PER_ACTIVITY`).
   */
  iscActivitiesPerSecond: number;
  maxConcurrentActivities: number;
  shutdownGraceSeconds: number;
  /** How long ISC may be down before the changes waiting on it escalate (`ISCFLOW_OUTAGE_ESCALATE_AFTER`). */
  outageEscalateAfterMs: number;
  policyFile?: string;
  tracking: { mode: TrackingMode; shards: number };
  /** Between two scheduled drift sweeps (`ISCFLOW_DRIFT_SCHEDULE`); absent: no schedule. */
  driftScheduleMs?: number;
  logLevel: z.infer<typeof workerEnvSchema>['LOG_LEVEL'];
}

/**
 * ISC calls one activity of the ISC-calling task queue makes, at most. Shared tracking gives ISC calls a
 * queue of their own, about one call an activity; in poll mode a submission makes about three and a status
 * poll one, so a third of the budget in activities keeps even a batch of submissions under it.
 */
const ISC_CALLS_PER_ACTIVITY: Readonly<Record<TrackingMode, number>> = { shared: 1, poll: 3 };

/** Every problem with the environment, reported at once so a newcomer fixes them in one go. */
export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Runs each loader and returns their results in order, or throws one `ConfigError` with the problems of
 * all of them: a process that reads several groups of settings still names every problem at once.
 */
export function loadTogether<T extends readonly unknown[]>(...loaders: { [K in keyof T]: () => T[K] }): T {
  const problems: string[] = [];
  const results = loaders.map((load) => {
    try {
      return load();
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(...error.problems);
      return undefined;
    }
  });
  if (problems.length > 0) throw new ConfigError(problems);
  return results as unknown as T;
}

function problemsOf(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const name = issue.path.join('.');
    const received = issue.code === 'invalid_type' && issue.input === undefined ? 'is required' : issue.message;
    return `${name}: ${received}`;
  });
}

function parseSection<S extends z.ZodType>(schema: S, env: Env, problems: string[]): z.infer<S> | undefined {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  problems.push(...problemsOf(result.error));
  return undefined;
}

function readTemporal(env: Env, problems: string[]): TemporalConfig | undefined {
  const section = parseSection(temporalEnvSchema, env, problems);
  let connect: ClientConnectConfig | undefined;
  try {
    const definedEnv = Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
    connect = loadClientConnectConfig({ overrideEnvVars: definedEnv });
  } catch (error) {
    problems.push(`TEMPORAL_*: ${(error as Error).message}`);
  }
  if (!section || !connect) return undefined;
  return {
    connection: { ...connect.connectionOptions, address: connect.connectionOptions.address ?? 'localhost:7233' },
    namespace: connect.namespace ?? 'default',
    taskQueue: section.ISCFLOW_TASK_QUEUE,
  };
}

/** The secret from SAIL_CLIENT_SECRET or, read now, from SAIL_CLIENT_SECRET_FILE: exactly one of them. */
function readSecret(
  secret: string | undefined,
  file: string | undefined,
  problems: string[],
): { clientSecret: string; clientSecretFile?: string } | undefined {
  if (secret !== undefined && file !== undefined) {
    problems.push('SAIL_CLIENT_SECRET_FILE: set it or SAIL_CLIENT_SECRET, not both');
    return undefined;
  }
  if (file === undefined) {
    if (secret !== undefined) return { clientSecret: secret };
    problems.push(
      'SAIL_CLIENT_SECRET: is required (the matching secret), or SAIL_CLIENT_SECRET_FILE naming a file that holds it',
    );
    return undefined;
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8').trim();
  } catch (error) {
    problems.push(
      `SAIL_CLIENT_SECRET_FILE: ${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    );
    return undefined;
  }
  if (text !== '') return { clientSecret: text, clientSecretFile: file };
  problems.push(`SAIL_CLIENT_SECRET_FILE: ${file} is empty`);
  return undefined;
}

function readIsc(env: Env, problems: string[]): IscConfig | undefined {
  const section = parseSection(iscEnvSchema, env, problems);
  // Empty values are the schema's to report.
  const secret = readSecret(env.SAIL_CLIENT_SECRET || undefined, env.SAIL_CLIENT_SECRET_FILE || undefined, problems);
  if (!section || !secret) return undefined;
  return {
    baseUrl: section.SAIL_BASE_URL.replace(/\/+$/, ''),
    clientId: section.SAIL_CLIENT_ID,
    ...secret,
    apiVersion: section.SAIL_API_VERSION,
    tenantProfile: section.SAIL_TENANT_PROFILE,
    requestTimeoutMs: section.SAIL_REQUEST_TIMEOUT_MS,
  };
}

function done<T>(value: T | undefined, problems: string[]): Readonly<T> {
  if (problems.length > 0 || value === undefined) throw new ConfigError(problems);
  return Object.freeze(value);
}

/** The Temporal connection: what every process that starts or reads workflows needs. */
export function loadTemporalConfig(env: Env = process.env): Readonly<TemporalConfig> {
  const problems: string[] = [];
  return done(readTemporal(env, problems), problems);
}

/** ISC's tenant and credentials, for a process that calls ISC without running workflows (`iscflow policy`). */
export function loadIscConfig(env: Env = process.env): Readonly<IscConfig> {
  const problems: string[] = [];
  return done(readIsc(env, problems), problems);
}

/** The ISC client's options from the ISC settings: the worker and `iscflow policy` reach ISC alike. */
export function iscClientOptions(isc: Readonly<IscConfig>): IscClientOptions {
  return {
    baseUrl: isc.baseUrl,
    clientId: isc.clientId,
    clientSecret: isc.clientSecret,
    ...(isc.clientSecretFile !== undefined ? { clientSecretFile: isc.clientSecretFile } : {}),
    apiVersion: isc.apiVersion,
    requestTimeoutMs: isc.requestTimeoutMs,
  };
}

const budgetEnvSchema = z.object({ ISCFLOW_ISC_CALLS_PER_10S: workerEnvSchema.shape.ISCFLOW_ISC_CALLS_PER_10S });

/**
 * The deployment's ISC budget (`ISCFLOW_ISC_CALLS_PER_10S`), for a command that reads ISC beside the
 * workers (`iscflow adopt`, `iscflow drift`): it takes a share of it and leaves the rest to them.
 */
export function loadIscBudget(env: Env = process.env): number {
  const problems: string[] = [];
  return done(parseSection(budgetEnvSchema, env, problems), problems).ISCFLOW_ISC_CALLS_PER_10S;
}

/** The birthright policy file the workers run (`ISCFLOW_POLICY`), when one is set. */
export function loadPolicyFile(env: Env = process.env): string | undefined {
  const problems: string[] = [];
  return done(parseSection(policyEnvSchema, env, problems), problems).ISCFLOW_POLICY;
}

/** What the worker needs: Temporal, ISC and the worker's own tuning. */
export function loadWorkerConfig(env: Env = process.env): Readonly<WorkerConfig> {
  const problems: string[] = [];
  const temporal = readTemporal(env, problems);
  const isc = readIsc(env, problems);
  const worker = parseSection(workerEnvSchema, env, problems);
  const value =
    temporal && isc && worker
      ? {
          temporal,
          isc,
          removalMode: worker.ISCFLOW_REMOVAL_MODE,
          iscCallsPer10s: worker.ISCFLOW_ISC_CALLS_PER_10S,
          iscActivitiesPerSecond:
            worker.ISCFLOW_ISC_CALLS_PER_10S / 10 / ISC_CALLS_PER_ACTIVITY[worker.ISCFLOW_TRACKING],
          maxConcurrentActivities: worker.ISCFLOW_MAX_CONCURRENT_ACTIVITIES,
          shutdownGraceSeconds: worker.ISCFLOW_SHUTDOWN_GRACE_SECONDS,
          outageEscalateAfterMs: worker.ISCFLOW_OUTAGE_ESCALATE_AFTER,
          ...(worker.ISCFLOW_POLICY ? { policyFile: worker.ISCFLOW_POLICY } : {}),
          tracking: { mode: worker.ISCFLOW_TRACKING, shards: worker.ISCFLOW_TRACKER_SHARDS },
          ...(worker.ISCFLOW_DRIFT_SCHEDULE ? { driftScheduleMs: worker.ISCFLOW_DRIFT_SCHEDULE } : {}),
          logLevel: worker.LOG_LEVEL,
        }
      : undefined;
  return done(value, problems);
}

const workflowDefaultsSchema = z.object({
  ISCFLOW_STATUS_POLL_SECONDS: positiveInt(D.statusPollSeconds),
  ISCFLOW_OUTCOME_RETRIES: z.coerce.number().int().min(0).default(D.outcomeRetries),
  ISCFLOW_OUTCOME_RETRY_BACKOFF_SECONDS: positiveInt(D.outcomeRetryBackoffSeconds),
  ISCFLOW_ESCALATION_TIMEOUT_SECONDS: z.coerce
    .number()
    .int()
    .min(0)
    .default(D.escalationTimeoutSeconds ?? 0),
  ISCFLOW_MISSING_ROW_GRACE_SECONDS: positiveInt(D.missingRowGraceSeconds),
  ISCFLOW_OPERATOR_ON_REJECTED: z.enum(['true', 'false']).default(String(D.operatorOnRejected) as 'true' | 'false'),
  ISCFLOW_ACTIVITY_TIMEOUT_SECONDS: positiveInt(D.activityTimeoutSeconds),
  ISCFLOW_REMOVAL_VERIFICATION_SECONDS: z.coerce.number().int().min(0).default(D.removalVerificationSeconds),
  /** Empty or unset: a request in progress in ISC is never declared stuck. */
  ISCFLOW_STUCK_AFTER_SECONDS: z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === '') return D.stuckAfterSeconds;
      const n = Number(v);
      if (!Number.isInteger(n) || n <= 0) {
        ctx.addIssue({ code: 'custom', message: 'must be a positive whole number of seconds, or empty for never' });
        return z.NEVER;
      }
      return n;
    }),
  ISCFLOW_STUCK_ACTION: z.enum(['ask', 'cancel']).default(D.stuckAction),
});

/**
 * The secret of identity pseudonyms (see src/operations/identity-refs.ts). Every starter (CLI, ingress) of
 * one deployment must share it, or the same person would get a second lifecycle. The development default
 * is public: with a real tenant (`SAIL_BASE_URL` not on loopback) one must be set.
 */
export const DEV_PSEUDONYM_KEY = 'iscflow-development-pseudonyms-not-secret';

const lifecycleStarterSchema = z.object({
  ISCFLOW_PSEUDONYM_KEY: z.string().min(16, 'must be at least 16 characters (a random secret, kept stable)').optional(),
  ISCFLOW_IDENTITY_POLL_SECONDS: positiveInt(300),
  ISCFLOW_IDENTITY_WAIT_SECONDS: positiveInt(3 * 24 * 3600),
  SAIL_BASE_URL: z.string().optional(),
});

export interface LifecycleStarterConfig {
  pseudonymKey: string;
  identityPollSeconds: number;
  identityWaitSeconds: number;
}

function onLoopback(url: string | undefined): boolean {
  if (!url) return true;
  try {
    return ['localhost', '127.0.0.1', '[::1]', '::1'].includes(new URL(url).hostname);
  } catch {
    return false;
  }
}

/** What starters of lifecycles need: the pseudonym secret and the identity wait. */
export function loadLifecycleStarterConfig(env: Env = process.env): Readonly<LifecycleStarterConfig> {
  const problems: string[] = [];
  const section = parseSection(lifecycleStarterSchema, env, problems);
  if (section && !section.ISCFLOW_PSEUDONYM_KEY && !onLoopback(section.SAIL_BASE_URL)) {
    problems.push(
      'ISCFLOW_PSEUDONYM_KEY: is required with a real tenant (SAIL_BASE_URL): a random secret, kept stable',
    );
  }
  const value = section && {
    pseudonymKey: section.ISCFLOW_PSEUDONYM_KEY ?? DEV_PSEUDONYM_KEY,
    identityPollSeconds: section.ISCFLOW_IDENTITY_POLL_SECONDS,
    identityWaitSeconds: section.ISCFLOW_IDENTITY_WAIT_SECONDS,
  };
  return done(value, problems);
}

/**
 * Per-workflow tuning that starters put into each workflow's input (recorded in its history, so
 * replay-safe). What the tenant takes (`SAIL_TENANT_PROFILE`) and the default removal mode
 * (`ISCFLOW_REMOVAL_MODE`) are not here: they belong to the worker, which tells each workflow at start.
 */
export interface WorkflowDefaults {
  statusPollSeconds: number;
  outcomeRetries: number;
  outcomeRetryBackoffSeconds: number;
  escalationTimeoutSeconds: number;
  missingRowGraceSeconds: number;
  operatorOnRejected: boolean;
  activityTimeoutSeconds: number;
  removalVerificationSeconds: number;
  stuckAfterSeconds: number | null;
  stuckAction: 'ask' | 'cancel';
}

export function loadWorkflowDefaults(env: Env = process.env): Readonly<WorkflowDefaults> {
  const problems: string[] = [];
  const section = parseSection(workflowDefaultsSchema, env, problems);
  const value = section && {
    statusPollSeconds: section.ISCFLOW_STATUS_POLL_SECONDS,
    outcomeRetries: section.ISCFLOW_OUTCOME_RETRIES,
    outcomeRetryBackoffSeconds: section.ISCFLOW_OUTCOME_RETRY_BACKOFF_SECONDS,
    escalationTimeoutSeconds: section.ISCFLOW_ESCALATION_TIMEOUT_SECONDS,
    missingRowGraceSeconds: section.ISCFLOW_MISSING_ROW_GRACE_SECONDS,
    operatorOnRejected: section.ISCFLOW_OPERATOR_ON_REJECTED === 'true',
    activityTimeoutSeconds: section.ISCFLOW_ACTIVITY_TIMEOUT_SECONDS,
    removalVerificationSeconds: section.ISCFLOW_REMOVAL_VERIFICATION_SECONDS,
    stuckAfterSeconds: section.ISCFLOW_STUCK_AFTER_SECONDS,
    stuckAction: section.ISCFLOW_STUCK_ACTION,
  };
  return done(value, problems);
}
