/**
 * A fake ISC behind the activity interface, for workflow tests on the time-skipping server. Its clock is
 * the server's: each activity attempt's scheduled time, so skipped days are real to it. It keeps what each
 * identity holds, applies grants (with removeDate / startDate) and revokes after `approvalMs`, and removes
 * sunset access itself unless told that ISC fails to.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type {
  CancelRequestInput,
  CheckStatusInput,
  HoldsAccessInput,
  AccessRequestActivities,
  ItemRef,
  SubmitItemsInput,
} from '../../../src/activities/contracts';
import { STATUS_UNCHANGED } from '../../../src/common';
import type { RequestType } from '../../../src/domain';

export interface Submission {
  id: string;
  at: number;
  requestType: RequestType;
  identityId: string;
  itemType: ItemRef['itemType'];
  itemId: string;
  removeDate?: string;
  startDate?: string;
  comment?: string;
}

export interface FakeIscOptions {
  /** How long a request takes to complete; Infinity: it never does (a stuck approval). */
  approvalMs?: number;
  /** Whether ISC performs removals at removeDate (the real one sometimes does not). */
  removesAtRemoveDate?: boolean;
  /** Final state of every request instead of REQUEST_COMPLETED, e.g. PROVISIONING_FAILED. */
  failWith?: string;
  /** Access held before anything was asked (granted outside iscflow): a grant of it is already satisfied. */
  preheld?: ItemRef[];
}

const key = (ref: ItemRef): string => `${ref.identityId}|${ref.itemType}|${ref.itemId}`;

export function createFakeIsc({
  approvalMs = 3600_000,
  removesAtRemoveDate = true,
  failWith,
  preheld = [],
}: FakeIscOptions = {}) {
  const submissions: Submission[] = [];
  const cancels: CancelRequestInput[] = [];
  /** (identity|type|item) -> sunset (or null), as of the grants applied so far. */
  const held = new Map<string, string | null>(preheld.map((ref) => [key(ref), null]));
  const outside = new Set(preheld.map(key));
  const applied = new Set<string>();
  const now = (): number => Context.current().info.currentAttemptScheduledTimestampMs;

  /** Brings the held access up to `at`: completed grants and revokes, and sunsets ISC carries out. */
  const advance = (at: number): void => {
    for (const s of submissions) {
      if (failWith || cancels.some((c) => c.accessRequestId === s.id)) continue;
      const effective = Math.max(s.at + approvalMs, s.startDate ? Date.parse(s.startDate) : 0);
      if (applied.has(s.id) || effective > at) continue;
      applied.add(s.id);
      const refKey = key(s);
      if (s.requestType === 'GRANT_ACCESS') held.set(refKey, s.removeDate ?? null);
      else held.delete(refKey);
    }
    if (!removesAtRemoveDate) return;
    for (const [k, sunset] of held) if (sunset && Date.parse(sunset) <= at) held.delete(k);
  };

  const activities: AccessRequestActivities = {
    async tenantSettings() {
      return { tenantProfile: 'current', removalMode: 'isc' };
    },
    async submitItems(input: SubmitItemsInput) {
      const at = now();
      if (outside.size > 0) advance(at);
      const items = input.items.map((ref) => {
        if (input.request.requestType === 'GRANT_ACCESS' && outside.has(key(ref)) && held.has(key(ref))) {
          return { ...ref, disposition: 'ALREADY_SATISFIED' as const };
        }
        const planned = input.request.items.find((i) => i.id === ref.itemId);
        const id = `ar${submissions.length + 1}`;
        submissions.push({
          id,
          at,
          requestType: input.request.requestType,
          identityId: ref.identityId,
          itemType: ref.itemType,
          itemId: ref.itemId,
          removeDate: input.omitRemoveDate ? undefined : planned?.removeDate,
          startDate: input.omitStartDate ? undefined : planned?.startDate,
          comment: planned?.comment ?? input.request.comment,
        });
        return { ...ref, disposition: 'SUBMITTED' as const, accessRequestId: id };
      });
      return { items, submittedAt: new Date(at).toISOString() };
    },
    async checkStatus(input: CheckStatusInput) {
      const at = now();
      advance(at);
      const observed = input.items.map((item) => {
        const submission = submissions.find((s) => s.id === item.accessRequestId);
        if (cancels.some((c) => c.accessRequestId === item.accessRequestId)) {
          return { ...item, iscState: 'CANCELLED', outcome: 'CANCELLED' as const, errorMessages: [] };
        }
        if (failWith && submission && at >= submission.at + approvalMs) {
          return { ...item, iscState: failWith, outcome: 'FAILED' as const, errorMessages: ['connector down'] };
        }
        const done = applied.has(item.accessRequestId ?? '');
        if (!done) return { ...item, iscState: 'EXECUTING', errorMessages: [] };
        const outcome = input.requestType === 'GRANT_ACCESS' ? ('GRANTED' as const) : ('REVOKED' as const);
        return { ...item, iscState: 'REQUEST_COMPLETED', outcome, errorMessages: [] };
      });
      if (input.failWhenUnchanged && observed.every((o, n) => o.iscState === input.items[n]?.iscState)) {
        throw ApplicationFailure.retryable('No status change yet', STATUS_UNCHANGED);
      }
      return { items: observed };
    },
    async holdsAccess(input: HoldsAccessInput) {
      advance(now());
      return held.has(key(input));
    },
    async cancelRequest(input: CancelRequestInput) {
      cancels.push(input);
    },
  };

  return {
    activities,
    submissions,
    cancels,
    /** Whether the identity holds the item as of `at` (server time, ms). */
    holds(ref: ItemRef, at: number): boolean {
      advance(at);
      return held.has(key(ref));
    },
  };
}
