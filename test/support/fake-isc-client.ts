/**
 * An in-memory ISC client for the activities' unit tests, and an activity environment to run them in. The
 * fake answers from rows and held access the test sets, and records every call in order, so a test can
 * say which ISC calls an activity made and in what order.
 */
import type { MetricMeter } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import {
  type IscError,
  type AccessRequestBody,
  type AccessRequestStatusQuery,
  type HeldAccess,
  type IscClient,
  type RequestedItemStatus,
  type SubmitResult,
} from '../../src/isc';

export const ALICE = 'a'.repeat(32);
export const ITEM = 'b'.repeat(32);
export const NOW = Date.parse('2026-11-22T12:00:00Z');

/** One recorded call: the method and what it was asked (a query, identity ids, or the submitted body). */
export interface IscCall {
  method: keyof IscClient;
  arg: unknown;
}

export class FakeIsc implements IscClient {
  /** What every identity holds, unless `heldBy` says otherwise for one. */
  held: HeldAccess[] = [];
  heldBy: Record<string, HeldAccess[]> = {};
  rows: RequestedItemStatus[] = [];
  submitted: AccessRequestBody[] = [];
  queries: AccessRequestStatusQuery[] = [];
  calls: IscCall[] = [];
  response: SubmitResult = { kind: 'untracked' };
  failWith?: IscError;

  private holdingsOf(identityId: string): HeldAccess[] {
    return this.heldBy[identityId] ?? this.held;
  }

  async submitAccessRequest(body: AccessRequestBody): Promise<SubmitResult> {
    this.calls.push({ method: 'submitAccessRequest', arg: body });
    if (this.failWith) throw this.failWith;
    this.submitted.push(body);
    return this.response;
  }
  async listAccessRequestStatus(query: AccessRequestStatusQuery): Promise<RequestedItemStatus[]> {
    this.calls.push({ method: 'listAccessRequestStatus', arg: query });
    this.queries.push(query);
    const rows = this.rows.filter((r) => query.requestedFor === undefined || r.requestedFor?.id === query.requestedFor);
    return rows.slice(query.offset ?? 0, (query.offset ?? 0) + (query.limit ?? 250));
  }
  async listAllAccessRequestStatus(query: AccessRequestStatusQuery): Promise<RequestedItemStatus[]> {
    this.calls.push({ method: 'listAllAccessRequestStatus', arg: query });
    this.queries.push(query);
    return this.rows.filter(
      (r) =>
        (query.requestedFor === undefined || r.requestedFor?.id === query.requestedFor) &&
        (query.requestState !== 'EXECUTING' || r.state === 'EXECUTING'),
    );
  }
  async cancelAccessRequest(): Promise<void> {}
  async closeAccessRequests(): Promise<void> {}
  async getIdentityAccess(identityId: string): Promise<HeldAccess[]> {
    this.calls.push({ method: 'getIdentityAccess', arg: identityId });
    return this.holdingsOf(identityId);
  }
  async getIdentitiesAccess(identityIds: string[]): Promise<Map<string, HeldAccess[]>> {
    this.calls.push({ method: 'getIdentitiesAccess', arg: identityIds });
    return new Map(identityIds.map((id) => [id, this.holdingsOf(id)]));
  }
  async findIdentityByEmployeeNumber() {
    return undefined;
  }
  async getIdentity() {
    return undefined;
  }
  async findCatalogItems() {
    return [];
  }
  async searchIdentities() {
    return { identities: [] };
  }
}

/** A status row of `ITEM` for `ALICE`, created a minute before `NOW`, with the fields given. */
export function row(fields: Partial<RequestedItemStatus>): RequestedItemStatus {
  return {
    id: ITEM,
    type: 'ENTITLEMENT',
    requestType: 'GRANT_ACCESS',
    requestedFor: { type: 'IDENTITY', id: ALICE, name: 'Alice' },
    created: '2026-11-22T11:59:00Z',
    ...fields,
  } as RequestedItemStatus;
}

/** Runs activities as Temporal would (attempt, scheduled time, the activity's meter), typed. */
export function activityEnv(info: Record<string, number> = {}, metricMeter?: MetricMeter) {
  const mock = new MockActivityEnvironment(
    { attempt: 1, scheduledTimestampMs: NOW - 1000, ...info },
    metricMeter ? { metricMeter } : {},
  );
  // MockActivityEnvironment.run cannot infer an activity's result type; this keeps the tests typed.
  return {
    run: <I, O>(fn: (input: I) => Promise<O>, input: I): Promise<O> => mock.run<[I], O, typeof fn>(fn, input),
  };
}
