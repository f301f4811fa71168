/**
 * Reading a run from its history: real histories recorded on the dev server (through the CLI) and on the
 * time-skipping server (the replay test's).
 */
import { loadDataConverter } from '@temporalio/common/lib/internal-non-workflow';
import { readChangeRun, UnreadableHistoryError } from '../../../src/report';
import { loadHistory, loadRun, REPLAY_HISTORIES, REPORT_HISTORIES } from '../../support/report-histories';

describe('a run read from its history', () => {
  it('takes the input from the first event and the result from the completion, with the decisions in order', async () => {
    const run = await loadRun(REPORT_HISTORIES, 'grant-retried-then-skipped', 'run-1');

    expect(run).toMatchObject({
      runId: 'run-1',
      previousRunId: null,
      nextRunId: null,
      closure: 'COMPLETED',
      startedAt: '2026-11-30T17:57:01.263Z',
      closedAt: '2026-11-30T17:57:04.125Z',
      input: {
        request: { requestType: 'GRANT_ACCESS', identityIds: ['6d5b13cbdbee1dee9682a11923b30c45'] },
        idempotencyKey: 'CHG-1001',
        cause: { kind: 'cli', ref: 'CHG-1001' },
      },
      result: {
        items: [
          {
            identityId: '6d5b13cbdbee1dee9682a11923b30c45',
            itemType: 'ENTITLEMENT',
            itemId: '45128c7cd26c00900075853f6dd22db8',
            outcome: 'FAILED',
            iscState: 'PROVISIONING_FAILED',
            accessRequestId: '0cfdf4bb62f2476b84cd454d66821427',
          },
        ],
      },
    });
    expect(run.decisions).toEqual([
      { at: '2026-11-30T17:57:02.972Z', decision: 'retry', reason: 'connector restarted', by: '17453@vm' },
      {
        at: '2026-11-30T17:57:04.123Z',
        decision: 'skip',
        reason: 'connector under maintenance, see CHG-1001',
        by: '17453@vm',
      },
    ]);
    expect(run.firstRunId).toBe('01a22d9a-5ecf-799c-82cc-585714ac4157');
  });

  it('leaves a run that is still waiting for an operator open, with no result', async () => {
    const run = await loadRun(REPORT_HISTORIES, 'grant-awaiting-operator');
    expect(run).toMatchObject({ closure: null, closedAt: null, result: null, decisions: [] });
  });

  it('records how a run closed without a result', async () => {
    const run = await loadRun(REPORT_HISTORIES, 'grant-terminated');
    expect(run).toMatchObject({ closure: 'TERMINATED', result: null, input: { cause: { kind: 'cli' } } });
    expect(run.closedAt).toBe('2026-11-30T17:57:07.578Z');
  });

  it('reads a revoke', async () => {
    const run = await loadRun(REPORT_HISTORIES, 'revoke-completed');
    expect(run.input.request.requestType).toBe('REVOKE_ACCESS');
    expect(run.result?.items[0]).toMatchObject({ outcome: 'REVOKED', iscState: 'REQUEST_COMPLETED' });
  });

  it('is not misled by other Updates: a moved removal date is no operator decision', async () => {
    const run = await loadRun(REPLAY_HISTORIES, 'grant-exact-removal-extended');
    expect(run.decisions).toEqual([]);
    expect(run.result?.items[0]?.removal).toEqual({ removeDate: '2027-04-25T16:26:28.865Z', status: 'REMOVED' });
    // The input still names the date first asked for; the result has the one in force at the end.
    expect(run.input.request.items[0]?.removeDate).toBe('2027-03-26T16:26:28.865Z');
  });

  it.each(['grant-30-day-approval', 'grant-isc-removal-verified', 'grant-legacy-start-date'])(
    'reads %s, a run made before causes were recorded',
    async (name) => {
      const run = await loadRun(REPLAY_HISTORIES, name);
      expect(run.input.cause).toBeUndefined();
      expect(run.result?.items[0]?.outcome).toBe('GRANTED');
      expect(Date.parse(run.closedAt!)).toBeGreaterThan(Date.parse(run.startedAt));
    },
  );

  it('refuses a history that is not an access change', async () => {
    const history = loadHistory(REPORT_HISTORIES, 'revoke-completed');
    history.events![0]!.workflowExecutionStartedEventAttributes!.workflowType = { name: 'identityLifecycleWorkflow' };
    await expect(readChangeRun('r', history, loadDataConverter())).rejects.toThrow(UnreadableHistoryError);
  });

  it('names the run whose payloads it cannot decode (encrypted under a key it does not hold)', async () => {
    const history = loadHistory(REPORT_HISTORIES, 'revoke-completed');
    const input = history.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads![0]!;
    input.metadata = { encoding: Buffer.from('binary/encrypted'), 'encryption-key-id': Buffer.from('2026-01') };
    await expect(readChangeRun('r', history, loadDataConverter())).rejects.toThrow(/^run r input: .*binary\/encrypted/);
  });

  it('refuses an input it cannot read instead of reporting a guess', async () => {
    const history = loadHistory(REPORT_HISTORIES, 'revoke-completed');
    const input = history.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads![0]!;
    input.data = Buffer.from(JSON.stringify({ request: { requestType: 'MODIFY_ACCESS' } }));
    await expect(readChangeRun('r', history, loadDataConverter())).rejects.toThrow(/run r input/);
  });
});
