/**
 * The activities of identity lifecycles: the workers' policy, finding an identity HR knows in ISC, what
 * an identity holds (and whether a request may revoke it), and how changes whose settled signal never came
 * have ended.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import { IDENTITY_NOT_FOUND } from '../common';
import type { PolicyItem, ResolvedPolicy } from '../domain';
import type { IscClient } from '../isc';
import type { ClosedChange, HeldItemAnswer, LifecycleActivities, PolicyAnswer } from './contracts';
import { withIscFailures } from './failures';

export interface LifecycleDependencies {
  isc: IscClient;
  logger: Logger;
  /** The policy the worker loaded and resolved at start. */
  policy: ResolvedPolicy;
  /** Reads how changes ended (describe and result); the worker's own client. */
  temporal?: Client;
}

interface ChangeResult {
  withdrawnAt?: string;
  items?: ClosedChange['items'];
}

export function createLifecycleActivities({
  isc,
  logger,
  policy,
  temporal,
}: LifecycleDependencies): LifecycleActivities {
  async function lifecyclePolicy({ knownHash }: { knownHash?: string }): Promise<PolicyAnswer> {
    return knownHash === policy.hash ? { hash: policy.hash } : { hash: policy.hash, policy };
  }

  async function findIdentity(input: { employeeNumber: string; failWhenMissing: boolean }) {
    const found = await withIscFailures(() => isc.findIdentityByEmployeeNumber(input.employeeNumber));
    if (found) return { id: found.id };
    if (input.failWhenMissing) {
      // No employee number in the message: it goes to Temporal's history and logs in clear.
      throw ApplicationFailure.retryable('ISC does not know the identity yet', IDENTITY_NOT_FOUND);
    }
    return null;
  }

  async function revocableAccess({ identityId }: { identityId: string }): Promise<PolicyItem[]> {
    const held = await withIscFailures(() => isc.getIdentityAccess(identityId));
    // Access through a role or birthright is not an access request's to revoke (ISC refuses it).
    return held.filter((a) => a.revocable !== false).map((a) => ({ type: a.type, id: a.id }));
  }

  async function heldAccess({ identityId, items }: { identityId: string; items: PolicyItem[] }) {
    const held = await withIscFailures(() => isc.getIdentityAccess(identityId));
    const asked = new Set(items.map((i) => `${i.type}:${i.id}`));
    return held
      .filter((a) => asked.has(`${a.type}:${a.id}`))
      .map((a): HeldItemAnswer => ({
        type: a.type,
        id: a.id,
        ...(a.revocable !== undefined ? { revocable: a.revocable } : {}),
      }));
  }

  async function closedChanges({ changeIds }: { changeIds: string[] }): Promise<ClosedChange[]> {
    if (!temporal) throw ApplicationFailure.nonRetryable('this worker has no Temporal client', 'WORKER_MISCONFIGURED');
    const closed: ClosedChange[] = [];
    for (const changeId of changeIds) {
      const handle = temporal.workflow.getHandle(changeId);
      const description = await handle.describe();
      if (description.status.name === 'RUNNING') continue;
      const result: ChangeResult =
        description.status.name === 'COMPLETED' ? ((await handle.result()) as ChangeResult) : {};
      closed.push({
        changeId,
        status: description.status.name,
        ...(result.withdrawnAt ? { withdrawnAt: result.withdrawnAt } : {}),
        items: result.items ?? [],
      });
    }
    if (closed.length > 0) logger.info({ closed: closed.length }, 'changes closed without telling their lifecycle');
    return closed;
  }

  return { lifecyclePolicy, findIdentity, revocableAccess, heldAccess, closedChanges };
}
