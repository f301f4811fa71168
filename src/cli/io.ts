/**
 * What every CLI command shares: where it writes, the environment it reads, and the one error that
 * means "bad input" (exit code 2, nothing started).
 */
import { loadPayloadProtection } from '../codec';
import { loadTemporalConfig, loadTogether } from '../config';
import { openTemporal, type TemporalSession } from '../operations/connection';

export interface Output {
  out: (line: string) => void;
  err: (line: string) => void;
}

export type Env = Record<string, string | undefined>;

/** A problem with what the user typed: exit code 2, nothing started. */
export class UsageError extends Error {}

/**
 * A session with the deployment's payload keys (`ISCFLOW_PAYLOAD_KEYS`): the CLI starts workflows, so it
 * encrypts what it writes as the worker does, and decrypts what it reads. Every bad setting of both the
 * connection and the keys in one `ConfigError`.
 */
export async function connect(env: Env): Promise<TemporalSession> {
  const [config, payloads] = loadTogether(
    () => loadTemporalConfig(env),
    () => loadPayloadProtection(env),
  );
  return openTemporal(config, payloads);
}

/** Runs `body` with a Temporal session that is closed afterwards, whatever happens. */
export async function withTemporal<T>(env: Env, body: (session: TemporalSession) => Promise<T>): Promise<T> {
  const session = await connect(env);
  try {
    return await body(session);
  } finally {
    await session.close();
  }
}
