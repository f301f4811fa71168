/**
 * What every CLI command shares: where it writes, the environment it reads, and the one error that
 * means "bad input" (exit code 2, nothing started).
 */
import { loadTemporalConfig } from '../config';
import { openTemporal, type TemporalSession } from '../operations/connection';

export interface Output {
  out: (line: string) => void;
  err: (line: string) => void;
}

export type Env = Record<string, string | undefined>;

/** A problem with what the user typed: exit code 2, nothing started. */
export class UsageError extends Error {}

export function connect(env: Env): Promise<TemporalSession> {
  return openTemporal(loadTemporalConfig(env));
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
