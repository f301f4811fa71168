/** From runs to rows: one per (identity, item), the outcome as the change stands, chains of runs joined. */
import { chainRuns, changeRows, compareRows, type ChangeRun } from '../../../src/report';
import { loadRun, REPLAY_HISTORIES, REPORT_HISTORIES, row } from '../../support/report-histories';

describe('report rows', () => {
  it('gives a finished change its outcome, cause, key, ISC request id and every decision', async () => {
    const run = await loadRun(REPORT_HISTORIES, 'grant-retried-then-skipped', 'run-1');
    const rows = changeRows({ workflowId: 'iscflow-grant-x', runs: [run], live: null });

    expect(rows).toEqual([
      {
        workflowId: 'iscflow-grant-x',
        runId: 'run-1',
        identityId: '6d5b13cbdbee1dee9682a11923b30c45',
        itemType: 'ENTITLEMENT',
        itemId: '45128c7cd26c00900075853f6dd22db8',
        change: 'grant',
        cause: 'cli',
        causeRef: 'CHG-1001',
        idempotencyKey: 'CHG-1001',
        requestedAt: '2026-11-30T17:57:01.263Z',
        finalAt: '2026-11-30T17:57:04.125Z',
        status: 'final',
        outcome: 'FAILED',
        iscState: 'PROVISIONING_FAILED',
        accessRequestId: '0cfdf4bb62f2476b84cd454d66821427',
        removeDate: null,
        removalStatus: null,
        decisions: run.decisions,
      },
    ]);
    expect(rows[0]!.decisions.map((d) => d.decision)).toEqual(['retry', 'skip']);
  });

  it('marks a running change as running and takes its outcome from the live status', async () => {
    const run = await loadRun(REPORT_HISTORIES, 'grant-awaiting-operator');
    const [waiting] = changeRows({ workflowId: 'w', runs: [run], live: { phase: 'AWAITING_OPERATOR', items: [] } });
    expect(waiting).toMatchObject({ status: 'running', outcome: 'AWAITING_OPERATOR', finalAt: null });

    const [known] = changeRows({
      workflowId: 'w',
      runs: [run],
      live: {
        phase: 'AWAITING_OPERATOR',
        items: [
          {
            identityId: run.input.request.identityIds[0]!,
            itemType: 'ENTITLEMENT',
            itemId: run.input.request.items[0]!.id,
            outcome: 'FAILED',
            iscState: 'PROVISIONING_FAILED',
            accessRequestId: 'd'.repeat(32),
          },
        ],
      },
    });
    expect(known).toMatchObject({
      status: 'running',
      outcome: 'FAILED',
      iscState: 'PROVISIONING_FAILED',
      accessRequestId: 'd'.repeat(32),
    });
  });

  it('says how a change closed when it has no result', async () => {
    const run = await loadRun(REPORT_HISTORIES, 'grant-terminated');
    const [terminated] = changeRows({ workflowId: 'w', runs: [run], live: null });
    expect(terminated).toMatchObject({ status: 'final', outcome: 'WORKFLOW_TERMINATED', cause: 'cli', causeRef: null });
  });

  it('marks changes made before causes were recorded as of unknown cause, and keeps the removal', async () => {
    const run = await loadRun(REPLAY_HISTORIES, 'grant-exact-removal-extended');
    const [granted] = changeRows({ workflowId: 'w', runs: [run], live: null });
    expect(granted).toMatchObject({
      cause: 'unknown',
      outcome: 'GRANTED',
      removeDate: '2027-04-25T16:26:28.865Z',
      removalStatus: 'REMOVED',
    });
  });

  it('gives a grant to several identities and items one row per pair', async () => {
    const run = await loadRun(REPORT_HISTORIES, 'revoke-completed');
    const wide: ChangeRun = {
      ...run,
      input: {
        ...run.input,
        request: {
          ...run.input.request,
          requestType: 'GRANT_ACCESS',
          identityIds: ['1'.repeat(32), '2'.repeat(32)],
          items: [
            { type: 'ROLE', id: '3'.repeat(32) },
            { type: 'ENTITLEMENT', id: '4'.repeat(32) },
          ],
        },
      },
      result: {
        items: [{ identityId: '2'.repeat(32), itemType: 'ROLE', itemId: '3'.repeat(32), outcome: 'REJECTED' }],
      },
    };
    const rows = changeRows({ workflowId: 'w', runs: [wide], live: null });
    expect(rows.map((r) => [r.identityId[0], r.itemType, r.change, r.outcome])).toEqual([
      ['1', 'ROLE', 'grant', 'FAILED'],
      ['1', 'ENTITLEMENT', 'grant', 'FAILED'],
      ['2', 'ROLE', 'grant', 'REJECTED'],
      ['2', 'ENTITLEMENT', 'grant', 'FAILED'],
    ]);
  });

  it('joins runs continued as new: requested when the first started, decisions of all, outcome of the last', async () => {
    const done = await loadRun(REPORT_HISTORIES, 'grant-retried-then-skipped');
    const first: ChangeRun = {
      ...done,
      runId: 'run-a',
      firstRunId: 'run-a',
      nextRunId: 'run-b',
      closure: 'CONTINUED_AS_NEW',
      closedAt: '2026-11-30T17:57:03.000Z',
      result: null,
      decisions: done.decisions.slice(0, 1),
    };
    const second: ChangeRun = {
      ...done,
      runId: 'run-b',
      firstRunId: 'run-a',
      previousRunId: 'run-a',
      startedAt: '2026-11-30T17:57:03.000Z',
      decisions: done.decisions.slice(1),
    };
    const other: ChangeRun = { ...done, runId: 'run-c', firstRunId: 'run-c', startedAt: '2026-12-01T00:00:00.000Z' };

    const chains = chainRuns([second, other, first, second]);
    expect(chains.map((c) => c.map((r) => r.runId))).toEqual([['run-a', 'run-b'], ['run-c']]);
    const [joined] = changeRows({ workflowId: 'w', runs: chains[0]!, live: null });
    expect(joined).toMatchObject({
      runId: 'run-b',
      requestedAt: done.startedAt,
      finalAt: done.closedAt,
      outcome: 'FAILED',
      status: 'final',
    });
    expect(joined!.decisions).toEqual(done.decisions);

    // Only the first run read: the change is still open as far as the report knows.
    const [open] = changeRows({ workflowId: 'w', runs: [first], live: null });
    expect(open).toMatchObject({ status: 'running', finalAt: null, outcome: 'RUNNING' });
  });

  it('orders rows by request time, then workflow, identity and item', () => {
    const rows = [
      row({ requestedAt: '2026-03-02T10:00:00.000Z' }),
      row({ requestedAt: '2026-03-02T09:00:00.000Z', identityId: '9'.repeat(32) }),
      row({ requestedAt: '2026-03-02T09:00:00.000Z', identityId: '1'.repeat(32) }),
    ];
    expect(rows.sort(compareRows).map((r) => [r.requestedAt.slice(11, 13), r.identityId[0]])).toEqual([
      ['09', '1'],
      ['09', '9'],
      ['10', 'a'],
    ]);
  });
});
