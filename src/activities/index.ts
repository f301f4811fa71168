/**
 * Every activity the worker registers, built once over injected dependencies: one factory per concern.
 */
import type { Client } from '@temporalio/client';
import type { ResolvedPolicy } from '../domain';
import { createAccessRequestActivities, type AccessRequestDependencies } from './access-requests';
import type { IscflowActivities } from './contracts';
import { createDriftActivities, type DriftSweeper } from './drift';
import { createLifecycleActivities } from './lifecycle';
import { createTrackingActivities } from './tracking';

export interface ActivityDependencies extends AccessRequestDependencies {
  /** The birthright policy (resolved); without one, lifecycles desire nothing. */
  policy?: ResolvedPolicy;
  temporal?: Client;
  /** The drift sweep the schedule runs (built by the worker over its clients and policy). */
  driftSweeper?: DriftSweeper;
}

/** A policy with no rules: what a worker runs when it was given none. */
export const EMPTY_POLICY: ResolvedPolicy = {
  version: 1,
  hash: 'empty',
  moverGraceMs: 7 * 24 * 3600 * 1000,
  submitAheadMs: 0,
  leaverRevokeAll: false,
  rules: [],
};

export function createActivities(deps: ActivityDependencies): IscflowActivities {
  return {
    ...createAccessRequestActivities(deps),
    ...createTrackingActivities(deps),
    ...createLifecycleActivities({
      isc: deps.isc,
      logger: deps.logger,
      policy: deps.policy ?? EMPTY_POLICY,
      temporal: deps.temporal,
    }),
    ...createDriftActivities(deps.driftSweeper),
  };
}

export type { IscflowActivities } from './contracts';
export type { DriftSweeper } from './drift';
