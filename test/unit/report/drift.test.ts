/** Drift findings as report rows: one per (identity, item) of a sweep's record, narrowed to an identity. */
import { findingRows } from '../../../src/report/drift';
import { renderCsv, REPORT_COLUMNS } from '../../../src/report';
import type { DriftSweepSummary } from '../../../src/workflows/drift-sweep/contracts';

const A = 'a'.repeat(32);
const B = 'b'.repeat(32);
const ITEM = 'e'.repeat(32);

const summary: DriftSweepSummary = {
  policyHash: '6f267379216ff946',
  query: 'attributes.cloudLifecycleState:active',
  startedAt: '2027-01-04T02:00:00.000Z',
  finishedAt: '2027-01-04T02:01:10.000Z',
  read: 500,
  managed: 480,
  judged: 480,
  queried: 2,
  unanswered: 0,
  iscCalls: 2,
  counts: { missing: 1, unexpected: 0, unrevocable: 1 },
  drifted: [
    {
      workflowId: 'iscflow-identity-r1',
      ref: 'r1',
      iscIdentityId: A,
      findings: [{ finding: 'missing', item: { type: 'ENTITLEMENT', id: ITEM } }],
    },
    {
      workflowId: 'iscflow-identity-r2',
      ref: 'r2',
      iscIdentityId: B,
      findings: [{ finding: 'unrevocable', item: { type: 'ROLE', id: ITEM } }],
    },
  ],
};
const sweep = { workflowId: 'iscflow-drift-sweep-2027-01-04T02:00:00Z', runId: 'run-1', summary };

describe('drift findings in the report', () => {
  it('are rows of their own: change drift, the finding as outcome, the sweep as cause, final', () => {
    const rows = findingRows(sweep, null);
    expect(rows).toEqual([
      expect.objectContaining({
        identityId: A,
        itemType: 'ENTITLEMENT',
        itemId: ITEM,
        change: 'drift',
        outcome: 'MISSING',
        cause: 'drift-sweep',
        status: 'final',
        requestedAt: summary.startedAt,
        finalAt: summary.finishedAt,
        workflowId: sweep.workflowId,
      }),
      expect.objectContaining({ identityId: B, outcome: 'UNREVOCABLE' }),
    ]);
    // Every column a CSV has, with no personal data: ids, refs and codes only.
    const csv = renderCsv({
      period: { since: null, until: null },
      generatedAt: summary.finishedAt,
      identity: null,
      rows,
    });
    expect(csv.split(/\r?\n/)[0]).toBe(REPORT_COLUMNS.map(([name]) => name).join(','));
  });

  it('narrow to the identity asked about, by ISC id or by ref', () => {
    expect(findingRows(sweep, { kind: 'identityId', identityId: B }).map((r) => r.identityId)).toEqual([B]);
    expect(findingRows(sweep, { kind: 'ref', ref: 'r1', identityIds: [] }).map((r) => r.identityId)).toEqual([A]);
    expect(findingRows(sweep, { kind: 'ref', ref: 'r9', identityIds: [B] }).map((r) => r.identityId)).toEqual([B]);
  });
});
