/**
 * The activities' own logic against an in-memory ISC client: look before submitting, adopt instead of
 * duplicating, recognise ignored and cancelled duplicates, query what each tenant can filter on, and turn
 * ISC errors into the right Temporal failures.
 */
import { ApplicationFailure } from '@temporalio/common';
import pino from 'pino';
import { createActivities } from '../../../src/activities';
import type { CheckStatusInput, SubmitItemsInput } from '../../../src/activities/contracts';
import { planAccessRequests } from '../../../src/domain';
import { IscError } from '../../../src/isc';
import { ALICE, FakeIsc, ITEM, NOW, activityEnv, row } from '../../support/fake-isc-client';

const [GRANT] = planAccessRequests({
  requestType: 'GRANT_ACCESS',
  identityIds: [ALICE],
  items: [{ type: 'ENTITLEMENT', id: ITEM }],
});
const [DATED_GRANT] = planAccessRequests({
  requestType: 'GRANT_ACCESS',
  identityIds: [ALICE],
  items: [{ type: 'ENTITLEMENT', id: ITEM }],
  removeDate: '2027-01-01T00:00:00Z',
});
const REF = { identityId: ALICE, itemType: 'ENTITLEMENT' as const, itemId: ITEM };

function submitInput(request = GRANT!, attempt = 1): SubmitItemsInput {
  return { request, items: [REF], attempt, omitRemoveDate: false, omitStartDate: false };
}

function setup(tenantProfile: 'current' | 'legacy' = 'current', info: Record<string, number> = {}) {
  const isc = new FakeIsc();
  const activities = createActivities({ isc, logger: pino({ level: 'silent' }), tenantProfile, now: () => NOW });
  return { isc, activities, env: activityEnv(info) };
}

describe('submitItems', () => {
  it('submits with correlation keys on every item and maps ISC ids back to items', async () => {
    const { isc, activities, env } = setup();
    isc.response = {
      kind: 'tracked',
      newRequests: [
        {
          requestedFor: ALICE,
          requestedItemsDetails: [{ type: 'ENTITLEMENT', id: ITEM }],
          attributesHash: 1,
          accessRequestIds: ['ar1'],
        },
      ],
      existingRequests: [],
    };
    const result = await env.run(activities.submitItems, submitInput());
    expect(isc.submitted).toEqual([
      expect.objectContaining({
        requestedFor: [ALICE],
        requestedItems: [
          expect.objectContaining({ clientMetadata: { iscflowRequest: GRANT!.key, iscflowAttempt: '1' } }),
        ],
      }),
    ]);
    expect(result.items).toEqual([{ ...REF, disposition: 'SUBMITTED', accessRequestId: 'ar1' }]);
  });

  it('does not submit access the identity already holds', async () => {
    const { isc, activities, env } = setup();
    isc.held = [{ type: 'ENTITLEMENT', id: ITEM }];
    const result = await env.run(activities.submitItems, submitInput());
    expect(isc.submitted).toHaveLength(0);
    expect(result.items[0]!.disposition).toBe('ALREADY_SATISFIED');
  });

  it('still submits a held grant that sets a removal date: it changes the sunset', async () => {
    const { isc, activities, env } = setup();
    isc.held = [{ type: 'ENTITLEMENT', id: ITEM }];
    await env.run(activities.submitItems, submitInput(DATED_GRANT));
    expect(isc.submitted[0]!.requestedItems[0]).toMatchObject({ removeDate: '2027-01-01T00:00:00Z' });
  });

  it('adopts a pending ISC request for the same change instead of queueing a twin', async () => {
    const { isc, activities, env } = setup();
    isc.rows = [row({ state: 'EXECUTING', accessRequestId: 'someone-elses' })];
    const result = await env.run(activities.submitItems, submitInput());
    expect(isc.submitted).toHaveLength(0);
    expect(result.items[0]).toMatchObject({ disposition: 'ADOPTED', accessRequestId: 'someone-elses' });
  });

  it('on a retry, finds the request its lost response created (same key and attempt) and adopts it', async () => {
    const { isc, activities, env } = setup('current', { attempt: 2 });
    isc.rows = [
      row({
        state: 'REQUEST_COMPLETED',
        accessRequestId: 'lost',
        clientMetadata: { iscflowRequest: GRANT!.key, iscflowAttempt: '1' },
      }),
    ];
    const result = await env.run(activities.submitItems, submitInput(GRANT, 1));
    expect(isc.submitted).toHaveLength(0);
    expect(result.items[0]).toMatchObject({ disposition: 'ADOPTED', accessRequestId: 'lost' });
    expect(isc.queries[0]).toMatchObject({ requestedFor: ALICE, filters: expect.stringMatching(/^created ge /) });
  });

  it('a row of an earlier round (another attempt number) is not mistaken for this one', async () => {
    const { isc, activities, env } = setup('current', { attempt: 2 });
    isc.rows = [
      row({
        state: 'PROVISIONING_FAILED',
        accessRequestId: 'old',
        clientMetadata: { iscflowRequest: GRANT!.key, iscflowAttempt: '1' },
      }),
    ];
    await env.run(activities.submitItems, submitInput(GRANT, 2));
    expect(isc.submitted).toHaveLength(1);
  });

  it('on a retry, asks per identity for its earlier rows, pending twins and held access, then submits once', async () => {
    const BOB = 'c'.repeat(32);
    const [request] = planAccessRequests({
      requestType: 'GRANT_ACCESS',
      identityIds: [ALICE, BOB],
      items: [{ type: 'ENTITLEMENT', id: ITEM }],
    });
    const { isc, activities, env } = setup('current', { attempt: 2 });
    isc.heldBy = { [BOB]: [{ type: 'ENTITLEMENT', id: ITEM }] };
    const items = [REF, { ...REF, identityId: BOB }];
    const result = await env.run(activities.submitItems, { ...submitInput(request), items });
    const since = `created ge ${new Date(NOW - 1000 - 5 * 60_000).toISOString()}`;
    expect(isc.calls.map((c) => [c.method, c.arg])).toEqual([
      ['listAllAccessRequestStatus', { requestedFor: ALICE, filters: since }],
      ['listAllAccessRequestStatus', { requestedFor: ALICE, requestState: 'EXECUTING' }],
      ['getIdentityAccess', ALICE],
      ['listAllAccessRequestStatus', { requestedFor: BOB, filters: since }],
      ['listAllAccessRequestStatus', { requestedFor: BOB, requestState: 'EXECUTING' }],
      ['getIdentityAccess', BOB],
      ['submitAccessRequest', expect.objectContaining({ requestedFor: [ALICE] })],
    ]);
    expect(result).toEqual({
      submittedAt: new Date(NOW).toISOString(),
      items: [
        { ...REF, disposition: 'SUBMITTED' },
        { ...REF, identityId: BOB, disposition: 'ALREADY_SATISFIED' },
      ],
    });
  });

  it('turns ISC errors into Temporal failures: 400 final, 429 retried after Retry-After', async () => {
    const { isc, activities, env } = setup();
    isc.failWith = new IscError('ISC_BAD_REQUEST', 'POST /v3/access-requests answered 400', {
      status: 400,
      detailCode: '400.1 Bad Request Content',
      messages: ['cannot revoke birthright'],
    });
    const bad = await env.run(activities.submitItems, submitInput()).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(ApplicationFailure);
    expect(bad).toMatchObject({
      type: 'ISC_BAD_REQUEST',
      nonRetryable: true,
      message: expect.stringContaining('cannot revoke birthright'),
    });

    isc.failWith = new IscError('ISC_RATE_LIMITED', 'rate limited', { status: 429, retryAfterMs: 7000 });
    const limited = await env.run(activities.submitItems, submitInput()).catch((e: unknown) => e);
    expect(limited).toMatchObject({ type: 'ISC_RATE_LIMITED', nonRetryable: false, nextRetryDelay: 7000 });
  });

  it('while ISC is down: retried when the circuit probes next, and put to a person past the escalation setting', async () => {
    const { isc, activities, env } = setup();
    isc.failWith = new IscError('ISC_UNAVAILABLE', 'not sent: ISC has not answered for 40 s', { retryAfterMs: 12_345 });
    const held = await env.run(activities.submitItems, submitInput()).catch((e: unknown) => e);
    expect(held).toMatchObject({ type: 'ISC_UNAVAILABLE', nonRetryable: false, nextRetryDelay: 12_345 });

    isc.failWith = new IscError('ISC_OUTAGE', 'ISC has not answered for 21600 s', { retryAfterMs: 30_000 });
    const escalated = await env.run(activities.submitItems, submitInput()).catch((e: unknown) => e);
    expect(escalated).toMatchObject({ type: 'ISC_OUTAGE', nonRetryable: true });
    expect((escalated as ApplicationFailure).nextRetryDelay).toBeUndefined();
  });
});

describe('checkStatus', () => {
  const tracked = (fields: Partial<CheckStatusInput['items'][number]> = {}): CheckStatusInput => ({
    requestKey: GRANT!.key,
    requestType: 'GRANT_ACCESS',
    items: [{ ...REF, attempt: 1, submittedAt: new Date(NOW - 60_000).toISOString(), ...fields }],
    missingRowGraceMs: 30_000,
    failWhenUnchanged: true,
  });

  it('reports a final state as the outcome, with ISC error messages', async () => {
    const { isc, activities, env } = setup();
    isc.rows = [
      row({
        state: 'PROVISIONING_FAILED',
        accessRequestId: 'ar1',
        errorMessages: [[{ locale: 'en-US', localeOrigin: 'DEFAULT', text: 'connector down' }]],
      }),
    ];
    const { items } = await env.run(activities.checkStatus, tracked({ accessRequestId: 'ar1' }));
    expect(items[0]).toMatchObject({
      iscState: 'PROVISIONING_FAILED',
      outcome: 'FAILED',
      errorMessages: ['connector down'],
    });
    // By id, with eq joined by or: valid on v3 and v2025 alike.
    expect(isc.queries[0]).toMatchObject({ requestedFor: ALICE, filters: 'accessRequestId eq "ar1"' });
  });

  it('nothing changed: a retryable STATUS_UNCHANGED failure (the polling loop)', async () => {
    const { isc, activities, env } = setup();
    isc.rows = [row({ state: 'EXECUTING', accessRequestId: 'ar1' })];
    const error = await env
      .run(activities.checkStatus, tracked({ accessRequestId: 'ar1', iscState: 'EXECUTING' }))
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ type: 'STATUS_UNCHANGED', nonRetryable: false });
  });

  it('a cancelled duplicate of held access is ALREADY_SATISFIED, not CANCELLED', async () => {
    const { isc, activities, env } = setup();
    isc.held = [{ type: 'ENTITLEMENT', id: ITEM }];
    isc.rows = [row({ state: 'CANCELLED', accessRequestId: 'ar1' })];
    const { items } = await env.run(activities.checkStatus, tracked({ accessRequestId: 'ar1' }));
    expect(items[0]).toMatchObject({ iscState: 'CANCELLED', outcome: 'ALREADY_SATISFIED' });
  });

  it('legacy: no row after the grace period and the access is held -> ignored by ISC -> ALREADY_SATISFIED', async () => {
    const { isc, activities, env } = setup('legacy');
    isc.held = [{ type: 'ENTITLEMENT', id: ITEM }];
    const { items } = await env.run(activities.checkStatus, tracked());
    expect(items[0]).toMatchObject({ outcome: 'ALREADY_SATISFIED' });
    // Older tenants filter on accountActivityItemId only: newest first, no created filter.
    expect(isc.queries[0]).toEqual({ requestedFor: ALICE, sorters: '-created', limit: 250, offset: 0 });
  });

  it('no row yet but within the grace period: keep waiting', async () => {
    const { isc, activities, env } = setup('legacy');
    isc.held = [{ type: 'ENTITLEMENT', id: ITEM }];
    const error = await env
      .run(activities.checkStatus, tracked({ submittedAt: new Date(NOW - 5_000).toISOString() }))
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ type: 'STATUS_UNCHANGED' });
  });

  it('legacy: compares creation times as instants, whatever their format', async () => {
    const { isc, activities, env } = setup('legacy');
    // 09:59:30-02:00 is 11:59:30Z, after the bound, but sorts before it as a string.
    isc.rows = [
      row({
        state: 'EXECUTING',
        accessRequestId: 'mine',
        created: '2026-11-22T09:59:30-02:00',
        clientMetadata: { iscflowRequest: GRANT!.key, iscflowAttempt: '1' },
      }),
    ];
    const { items } = await env.run(activities.checkStatus, tracked({ submittedAt: '2026-11-22T11:59:59.999Z' }));
    expect(items[0]).toMatchObject({ accessRequestId: 'mine', iscState: 'EXECUTING' });
  });

  it('finds rows of an untracked (legacy) submission through their correlation keys', async () => {
    const { isc, activities, env } = setup('legacy');
    isc.rows = [
      row({
        state: 'REQUEST_COMPLETED',
        accessRequestId: 'other',
        clientMetadata: { iscflowRequest: 'someone-else', iscflowAttempt: '1' },
      }),
      row({
        state: 'EXECUTING',
        accessRequestId: 'mine',
        clientMetadata: { iscflowRequest: GRANT!.key, iscflowAttempt: '1' },
      }),
    ];
    const { items } = await env.run(activities.checkStatus, tracked());
    expect(items[0]).toMatchObject({ accessRequestId: 'mine', iscState: 'EXECUTING' });
  });
});
