/**
 * The drift sweep as an activity, for the worker's schedule. The sweep itself (ISC read a page at a time,
 * visibility, candidates queried, repairs) is the one `iscflow drift` runs; the worker builds it over its
 * own ISC client, Temporal client and policy and hands it in, so this module knows only its shape. It
 * heartbeats while it runs: a sweep of a large tenant takes minutes.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { DriftActivities, DriftSweepInput, DriftSweepSummary } from './contracts';
import { whileBeating } from './heartbeat';

export type DriftSweeper = (input: DriftSweepInput) => Promise<DriftSweepSummary>;

export function createDriftActivities(sweeper?: DriftSweeper): DriftActivities {
  return {
    async sweepDrift(input) {
      if (!sweeper) {
        throw ApplicationFailure.nonRetryable(
          'this worker cannot sweep for drift (it has no Temporal client)',
          'WORKER_MISCONFIGURED',
        );
      }
      return whileBeating(() => sweeper(input));
    },
  };
}
