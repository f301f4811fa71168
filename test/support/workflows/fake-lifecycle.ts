/**
 * Fakes of a lifecycle's activities for workflow tests: the workers' policy, an ISC that knows some
 * employee numbers (possibly only from a given instant, as after an HR aggregation), and what an identity
 * holds that is revocable. The access changes themselves run against `createFakeIsc`.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { Client } from '@temporalio/client';
import type { ClosedChange, HeldItemAnswer, LifecycleActivities } from '../../../src/activities/contracts';
import type { PolicyItem, ResolvedPolicy } from '../../../src/domain';
import { policyOf } from '../policy';

export { policyOf };

/** The items of {@link BIRTHRIGHT_POLICY}. */
export const BIRTHRIGHT = { role: '1'.repeat(32), engineering: 'e1'.repeat(16), finance: 'e2'.repeat(16) };

/**
 * The birthright the lifecycle's workflow tests and the recorded histories run: a role for every employee,
 * one entitlement each for Engineering and Finance, a week's grace for a mover, submissions a day ahead.
 */
export const BIRTHRIGHT_POLICY = policyOf({
  version: 1,
  moverGrace: 'P7D',
  submitAhead: 'P1D',
  rules: [
    { name: 'everyone', when: { workerType: 'employee' }, grant: [`ROLE:${BIRTHRIGHT.role}`] },
    { name: 'engineering', when: { department: 'Engineering' }, grant: [`ENTITLEMENT:${BIRTHRIGHT.engineering}`] },
    { name: 'finance', when: { department: 'Finance' }, grant: [`ENTITLEMENT:${BIRTHRIGHT.finance}`] },
  ],
});

export interface LifecycleFakeOptions {
  policy: ResolvedPolicy;
  /** employee number -> ISC id, and from when (server time, ms) ISC knows it (default: always). */
  identities?: Record<string, { id: string; from?: number }>;
  revocable?: Record<string, PolicyItem[]>;
  /** What ISC says an identity holds of the items asked about, and whether a request may revoke each. */
  held?: Record<string, HeldItemAnswer[]>;
  client?: Client;
}

export function createLifecycleFakes({
  policy,
  identities = {},
  revocable = {},
  held = {},
  client,
}: LifecycleFakeOptions) {
  let current = policy;
  const searches: string[] = [];
  /** The identities whose holdings the lifecycle asked about (before revoking what it did not grant). */
  const heldAsked: string[] = [];
  const activities: LifecycleActivities = {
    async lifecyclePolicy({ knownHash }) {
      return knownHash === current.hash ? { hash: current.hash } : { hash: current.hash, policy: current };
    },
    async findIdentity({ employeeNumber, failWhenMissing }) {
      searches.push(employeeNumber);
      const now = Context.current().info.currentAttemptScheduledTimestampMs;
      const known = identities[employeeNumber];
      if (known && (known.from ?? 0) <= now) return { id: known.id };
      if (failWhenMissing) throw ApplicationFailure.retryable('not yet', 'IDENTITY_NOT_FOUND');
      return null;
    },
    async revocableAccess({ identityId }) {
      return revocable[identityId] ?? [];
    },
    async heldAccess({ identityId, items }) {
      heldAsked.push(identityId);
      const asked = new Set(items.map((i) => `${i.type}:${i.id}`));
      return (held[identityId] ?? []).filter((h) => asked.has(`${h.type}:${h.id}`));
    },
    async closedChanges({ changeIds }) {
      if (!client) return [];
      const closed: ClosedChange[] = [];
      for (const changeId of changeIds) {
        const handle = client.workflow.getHandle(changeId);
        const description = await handle.describe();
        if (description.status.name === 'RUNNING') continue;
        closed.push({ changeId, status: description.status.name, items: [] });
      }
      return closed;
    },
  };
  return {
    activities,
    searches,
    heldAsked,
    setPolicy(next: ResolvedPolicy) {
      current = next;
    },
  };
}
