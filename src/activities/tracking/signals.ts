/**
 * What the tracker's signalling activities share: the worker's Temporal client, asked for only when a
 * signal is sent, and a bounded number of signals in flight at once.
 */
import type { Client } from '@temporalio/client';

/** Signals sent at once by one activity: enough to drain a wave quickly, gentle on the frontend. */
export const DELIVERY_CONCURRENCY = 16;

/** The worker's client, or an error when it has none (a worker built without shared tracking). */
export function temporalClient(temporal: Client | undefined): () => Client {
  return () => {
    if (!temporal) throw new Error('this worker has no Temporal client for shared tracking');
    return temporal;
  };
}

/** Runs `work` on every item, at most `limit` at a time; rejects with the first failure. */
export async function inParallel<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    for (let i = next++; i < items.length; i = next++) await work(items[i] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}
