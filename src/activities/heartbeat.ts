/**
 * Heartbeats while an activity works, so that a worker that dies mid-call is noticed within the heartbeat
 * timeout, not after the whole start-to-close timeout: the retry runs on another worker in seconds. The
 * work itself is not cut short; a call that hangs is bounded by its own timeout.
 */
import { Context } from '@temporalio/activity';

export const HEARTBEAT_EVERY_MS = 3000;

export async function whileBeating<T>(work: () => Promise<T>): Promise<T> {
  let context: Context;
  try {
    context = Context.current();
  } catch {
    // Called outside an activity (a unit test of the function itself): nobody to tell.
    return work();
  }
  context.heartbeat();
  const timer = setInterval(() => context.heartbeat(), HEARTBEAT_EVERY_MS);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}
