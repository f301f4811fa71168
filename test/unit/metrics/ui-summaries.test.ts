/**
 * What the Temporal UI shows of each workflow (user metadata): who, by ISC id or the lifecycle's ref;
 * what, a grant or revoke of which items, or which HR event; and where it stands. Never an employee
 * number, a name or a comment. Pure functions, tested without a server; the browser test sees them in
 * the UI.
 */
import { planAccessRequests } from '../../../src/domain';
import type { AccessRequestState } from '../../../src/workflows/access-request/contracts';
import {
  changeDetails,
  changeSummary,
  currentChangeDetails,
} from '../../../src/workflows/access-request/search-attributes';
import {
  currentLifecycleDetails,
  lifecycleDetails,
  lifecycleSummary,
  receiptDetails,
  receiptSummary,
} from '../../../src/workflows/identity-lifecycle/search-attributes';

const ALICE = 'a'.repeat(32);
const BOB = 'b'.repeat(32);
const ENT = 'e'.repeat(32);
const ROLE = 'f'.repeat(32);
const REF = '0123456789abcdef0123456789abcdef';

const plan = (change: Parameters<typeof planAccessRequests>[0]) => planAccessRequests(change)[0]!;

describe('an access change in the UI', () => {
  it('sums a change up in one line: what, to or from whom, and its dates', () => {
    const grant = plan({
      requestType: 'GRANT_ACCESS',
      identityIds: [ALICE],
      items: [{ type: 'ENTITLEMENT', id: ENT }],
      removeDate: '2027-01-31T17:00:00Z',
      comment: 'for Alice Example',
    });
    expect(changeSummary(grant)).toBe(`Grant ENTITLEMENT ${ENT} to identity ${ALICE}, until 2027-01-31T17:00:00Z`);
    const revoke = plan({
      requestType: 'REVOKE_ACCESS',
      identityIds: [BOB],
      items: [{ type: 'ROLE', id: ROLE }],
      comment: 'leaver',
    });
    expect(changeSummary(revoke)).toBe(`Revoke ROLE ${ROLE} from identity ${BOB}`);
    const many = plan({
      requestType: 'GRANT_ACCESS',
      identityIds: [ALICE, BOB],
      items: [
        { type: 'ENTITLEMENT', id: ENT },
        { type: 'ENTITLEMENT', id: 'd'.repeat(32) },
      ],
    });
    expect(changeSummary(many)).toBe('Grant 2 items (ENTITLEMENT) to 2 identities');
    expect(changeSummary(many)).not.toContain('\n');
  });

  it('details every identity and item, the cause and the key, but not the comment people write names into', () => {
    const grant = plan({
      requestType: 'GRANT_ACCESS',
      identityIds: [ALICE],
      items: [{ type: 'ENTITLEMENT', id: ENT }],
      startDate: '2027-01-04T08:00:00Z',
      comment: 'for Alice Example',
    });
    const details = changeDetails(grant, { cause: { kind: 'hr-event', ref: 'workday/wd-1' }, idempotencyKey: 'T-42' });
    expect(details).toContain(`**Grant** for \`${ALICE}\``);
    expect(details).toContain(`- ENTITLEMENT \`${ENT}\` (from 2027-01-04T08:00:00Z)`);
    expect(details).toContain('Requested by: hr-event (workday/wd-1)');
    expect(details).toContain('Idempotency key: `T-42`');
    expect(details).toContain(grant.key);
    expect(details).not.toContain('Alice Example');
  });

  it('shows where it stands, and what an operator is asked', () => {
    const state: AccessRequestState = {
      requestKey: 'k',
      requestType: 'GRANT_ACCESS',
      phase: 'AWAITING_OPERATOR',
      items: [
        {
          key: 'k1',
          identityId: ALICE,
          itemType: 'ENTITLEMENT',
          itemId: ENT,
          iscState: 'PROVISIONING_FAILED',
          errorMessages: [],
          attempts: 1,
        },
        {
          key: 'k2',
          identityId: BOB,
          itemType: 'ENTITLEMENT',
          itemId: ENT,
          outcome: 'GRANTED',
          errorMessages: [],
          attempts: 1,
        },
      ],
      operator: {
        since: '2026-11-30T10:00:00Z',
        reason: `ENTITLEMENT:${ENT} for ${ALICE} ended PROVISIONING_FAILED`,
        keys: ['k1'],
        cancellable: false,
      },
      automaticRetriesUsed: 0,
      removeDates: {},
      removals: [],
    };
    const details = currentChangeDetails(state);
    expect(details.split('\n')).toEqual([
      '**AWAITING_OPERATOR** · 1 of 2 items final',
      `Waiting for an operator since 2026-11-30T10:00:00Z: ENTITLEMENT:${ENT} for ${ALICE} ended PROVISIONING_FAILED`,
      'Decide with the Update `retry`, `skip` and the data `{"reason": "..."}`.',
      `- \`${ALICE}\` ENTITLEMENT \`${ENT}\`: in ISC: PROVISIONING_FAILED`,
      `- \`${BOB}\` ENTITLEMENT \`${ENT}\`: GRANTED`,
    ]);
    const stuck = currentChangeDetails({ ...state, operator: { ...state.operator!, cancellable: true } });
    expect(stuck).toContain('`retry`, `skip`, `cancel`');
  });

  it('keeps a large change’s details short', () => {
    const items = Array.from({ length: 25 }, (_, n) => ({
      key: `k${n}`,
      identityId: ALICE,
      itemType: 'ENTITLEMENT' as const,
      itemId: n.toString(16).padStart(32, '0'),
      errorMessages: [],
      attempts: 1,
    }));
    const details = currentChangeDetails({
      requestKey: 'k',
      requestType: 'GRANT_ACCESS',
      phase: 'TRACKING',
      items,
      automaticRetriesUsed: 0,
      removeDates: {},
      removals: [],
    });
    expect(details.split('\n')).toHaveLength(1 + 10 + 1);
    expect(details).toContain('- … and 15 more');
  });
});

describe('a lifecycle and its HR events in the UI', () => {
  it('names a lifecycle by its ref, never by the employee number', () => {
    expect(lifecycleSummary(REF)).toBe(`Identity lifecycle ${REF}`);
    expect(lifecycleDetails(REF)).toContain(`\`${REF}\``);
  });

  it('shows where it stands, and what to do when it waits for a person', () => {
    expect(currentLifecycleDetails({ state: 'ACTIVE', iscIdentityId: ALICE })).toBe(
      `**ACTIVE** · ISC identity \`${ALICE}\``,
    );
    const waiting = currentLifecycleDetails({ state: 'AWAITING_OPERATOR', operatorCode: 'IDENTITY_NOT_FOUND' });
    expect(waiting).toContain('**AWAITING_OPERATOR** · ISC identity not known yet');
    expect(waiting).toContain('(IDENTITY_NOT_FOUND): ISC does not know this identity (yet)');
    expect(waiting).toContain('`retry`');
    expect(waiting).toContain('`skip`');
  });

  it('sums an HR event’s receipt up by type, source and the lifecycle’s ref', () => {
    const event = { type: 'hire' as const, source: 'workday', id: 'wd-88121', effectiveAt: '2027-01-04T08:00:00Z' };
    expect(receiptSummary(event, REF)).toBe(`HR event hire from workday for identity lifecycle ${REF}`);
    expect(receiptDetails(event, `iscflow-identity-${REF}`)).toBe(
      [
        '**hire** `workday/wd-88121`, effective 2027-01-04T08:00:00Z',
        `Delivered to \`iscflow-identity-${REF}\`, which decides what it changes.`,
      ].join('\n'),
    );
  });
});
