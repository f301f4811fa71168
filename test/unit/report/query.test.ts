/** Which changes a report asks visibility for, and how an identity narrows the rows. */
import { identityKeyInput, lifecycleQuery, reportQuery, rowMatches, type IdentityFilter } from '../../../src/report';
import { row } from '../../support/report-histories';

const ID = '0123456789abcdef0123456789abcdef';

describe('report query', () => {
  it('asks for access changes that overlap the period', () => {
    expect(reportQuery({ since: '2026-01-01T00:00:00.000Z', until: '2026-02-01T00:00:00.000Z' }, null)).toBe(
      "WorkflowType = 'accessRequestWorkflow' AND StartTime < '2026-02-01T00:00:00.000Z' AND " +
        "(ExecutionStatus = 'Running' OR CloseTime >= '2026-01-01T00:00:00.000Z')",
    );
    expect(reportQuery({ since: null, until: null }, null)).toBe("WorkflowType = 'accessRequestWorkflow'");
  });

  it('narrows to an ISC identity id, or to a lifecycle ref and the ids that lifecycle knows', () => {
    const period = { since: null, until: null };
    expect(reportQuery(period, { kind: 'identityId', identityId: ID })).toBe(
      `WorkflowType = 'accessRequestWorkflow' AND IscflowIdentityIds = '${ID}'`,
    );
    expect(reportQuery(period, { kind: 'ref', ref: 'f'.repeat(32), identityIds: [] })).toBe(
      `WorkflowType = 'accessRequestWorkflow' AND (IscflowIdentityRef = '${'f'.repeat(32)}')`,
    );
    expect(reportQuery(period, { kind: 'ref', ref: 'f'.repeat(32), identityIds: [ID] })).toBe(
      `WorkflowType = 'accessRequestWorkflow' AND (IscflowIdentityRef = '${'f'.repeat(32)}' OR IscflowIdentityIds IN ('${ID}'))`,
    );
    expect(lifecycleQuery('e'.repeat(32))).toBe(
      `WorkflowType = 'identityLifecycleWorkflow' AND IscflowIdentityRef = '${'e'.repeat(32)}'`,
    );
  });

  it('takes a 32-hex key as an ISC id and anything else as an employee number', () => {
    expect(identityKeyInput(` ${ID.toUpperCase()} `)).toEqual({ kind: 'identityId', identityId: ID });
    expect(identityKeyInput('E-10042')).toEqual({ kind: 'employeeNumber', value: 'E-10042' });
    expect(identityKeyInput('10042')).toEqual({ kind: 'employeeNumber', value: '10042' });
  });

  it("keeps only the asked identity's rows of a change made for several", () => {
    const mine = row({ identityId: ID });
    const theirs = row({ identityId: '9'.repeat(32) });
    const byId: IdentityFilter = { kind: 'identityId', identityId: ID };
    expect([mine, theirs].filter((r) => rowMatches(byId, r, false))).toEqual([mine]);
    const byRef: IdentityFilter = { kind: 'ref', ref: 'f'.repeat(32), identityIds: [ID] };
    expect([mine, theirs].filter((r) => rowMatches(byRef, r, false))).toEqual([mine]);
    expect(rowMatches(byRef, theirs, true)).toBe(true);
    expect(rowMatches(null, theirs, false)).toBe(true);
  });
});
