/**
 * The CLI's settings: the environment of one invocation, read in sections that are parsed (with zod, by
 * `src/config.ts`, frozen) the first time a command asks for them, and once. A command reads only what it
 * needs, so `iscflow policy check` runs without Temporal settings and `iscflow identity ref` without
 * either, and it asks for all of it at once, so one `ConfigError` names every problem.
 */
import { loadPayloadProtection, type PayloadProtection } from '../codec';
import {
  loadIscBudget,
  loadIscConfig,
  loadLifecycleStarterConfig,
  loadPolicyFile,
  loadTemporalConfig,
  loadTogether,
  loadWorkflowDefaults,
  type Env,
  type IscConfig,
  type LifecycleStarterConfig,
  type TemporalConfig,
  type WorkflowDefaults,
} from '../config';

/** A Temporal connection and how the deployment protects payloads: the CLI writes them as the worker does. */
export interface TemporalSettings {
  config: Readonly<TemporalConfig>;
  payloads: Readonly<PayloadProtection>;
}

/** The sections a command may ask for. */
export interface CliSections {
  /** Every command that starts or reads workflows (`TEMPORAL_*`, `ISCFLOW_TASK_QUEUE`, `ISCFLOW_PAYLOAD_KEYS`). */
  temporal: Readonly<TemporalSettings>;
  /** ISC's tenant and credentials (`SAIL_*`): `policy` resolves a policy's names as the workers would. */
  isc: Readonly<IscConfig>;
  /** The policy the workers run (`ISCFLOW_POLICY`), when `policy` is given no FILE. */
  policyFile: string | undefined;
  /** The pseudonym secret and the identity wait (`ISCFLOW_PSEUDONYM_KEY`, ...): finding and starting lifecycles. */
  identities: Readonly<LifecycleStarterConfig>;
  /** Per-workflow tuning put into each change the CLI starts (`ISCFLOW_STATUS_POLL_SECONDS`, ...). */
  changes: Readonly<WorkflowDefaults>;
  /** ISC calls per 10 s the deployment stays under (`ISCFLOW_ISC_CALLS_PER_10S`): what reads of ISC share. */
  iscBudget: number;
}

type SectionName = keyof CliSections;

export interface CliSettings {
  /** The sections named, each parsed once; one `ConfigError` with every problem of all of them. */
  read<K extends SectionName>(...sections: K[]): Pick<CliSections, K>;
}

/** `load`, run on the first call only; later calls give its value, or throw its error, again. */
function once<T>(load: () => T): () => T {
  let outcome: { value: T } | { error: unknown } | undefined;
  return () => {
    if (!outcome) {
      try {
        outcome = { value: load() };
      } catch (error) {
        outcome = { error };
      }
    }
    if ('error' in outcome) throw outcome.error;
    return outcome.value;
  };
}

function temporalSettings(env: Env): Readonly<TemporalSettings> {
  const [config, payloads] = loadTogether(
    () => loadTemporalConfig(env),
    () => loadPayloadProtection(env),
  );
  return Object.freeze({ config, payloads });
}

/** The settings of one invocation over `env`; nothing is parsed until a command reads a section. */
export function cliSettings(env: Env): CliSettings {
  const sections: { [K in SectionName]: () => CliSections[K] } = {
    temporal: once(() => temporalSettings(env)),
    isc: once(() => loadIscConfig(env)),
    policyFile: once(() => loadPolicyFile(env)),
    identities: once(() => loadLifecycleStarterConfig(env)),
    changes: once(() => loadWorkflowDefaults(env)),
    iscBudget: once(() => loadIscBudget(env)),
  };
  return {
    read<K extends SectionName>(...names: K[]): Pick<CliSections, K> {
      const values: unknown[] = loadTogether(...names.map((name) => sections[name]));
      return Object.freeze(Object.fromEntries(names.map((name, i) => [name, values[i]]))) as Pick<CliSections, K>;
    },
  };
}
