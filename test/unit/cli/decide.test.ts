/**
 * `iscflow retry|skip|cancel` without Temporal: how the arguments are read (one workflow, or a selection in
 * bulk and the query it becomes), the summary as text and JSON, the Update ids that make a re-sent
 * decision the same one, and the pacing of decisions in bulk (bounded concurrency and rate, interruption).
 */
import { formatSummary, parseDecisionArgs, summaryJson } from '../../../src/cli/commands/decide';
import { UsageError } from '../../../src/cli/io';
import {
  decideEach,
  decisionPrefix,
  decisionQuery,
  decisionUpdateId,
  type DecisionSummary,
  type DecisionTarget,
} from '../../../src/operations/decisions';
import { runCaptured } from '../../support/cli';

const usage = (run: () => unknown): string => {
  try {
    run();
  } catch (error) {
    if (error instanceof UsageError) return error.message;
    throw error;
  }
  return 'no usage error';
};

const TYPES = `WorkflowType IN ("accessRequestWorkflow", "identityLifecycleWorkflow") AND ExecutionStatus = "Running"`;

describe('iscflow retry|skip|cancel: arguments', () => {
  it('keeps the single-workflow form: retry without a reason, skip and cancel with one', () => {
    expect(parseDecisionArgs('retry', ['wf-1'])).toEqual({ mode: 'one', kind: 'retry', workflowId: 'wf-1' });
    expect(parseDecisionArgs('skip', ['wf-1', '--reason', 'known'])).toEqual({
      mode: 'one',
      kind: 'skip',
      workflowId: 'wf-1',
      reason: 'known',
    });
    expect(usage(() => parseDecisionArgs('skip', ['wf-1']))).toBe('skip: --reason is required');
    expect(usage(() => parseDecisionArgs('retry', []))).toMatch(/WORKFLOW_ID, or --query/);
    expect(usage(() => parseDecisionArgs('retry', ['a', 'b']))).toMatch(/one WORKFLOW_ID at most/);
  });

  it('builds the query of a bulk decision from --query and the shorthand, over running changes and lifecycles', () => {
    expect(
      parseDecisionArgs('retry', [
        '--state',
        'AWAITING_OPERATOR',
        '--operator-reason',
        'ISC_AUTH_FAILED',
        '--reason',
        'secret rotated',
        '--yes',
      ]),
    ).toEqual({
      mode: 'bulk',
      kind: 'retry',
      reason: 'secret rotated',
      query: `IscflowState = "AWAITING_OPERATOR" AND IscflowOperatorReason = "ISC_AUTH_FAILED" AND ${TYPES}`,
      dryRun: false,
      yes: true,
      json: false,
    });
    const args = parseDecisionArgs('skip', [
      '--query',
      'IscflowItemIds = "abc" OR IscflowItemIds = "def"',
      '--reason',
      'x',
      '--dry-run',
      '--json',
      '--limit',
      '20',
    ]);
    expect(args).toMatchObject({
      mode: 'bulk',
      query: `(IscflowItemIds = "abc" OR IscflowItemIds = "def") AND ${TYPES}`,
      dryRun: true,
      json: true,
      limit: 20,
    });
    // A value is quoted as a visibility string, whatever it holds.
    expect(decisionQuery({ state: 'A" OR "1"="1' })).toBe(`IscflowState = "A\\" OR \\"1\\"=\\"1" AND ${TYPES}`);
  });

  it('refuses what a bulk decision cannot be', () => {
    expect(usage(() => parseDecisionArgs('retry', ['--state', 'AWAITING_OPERATOR']))).toMatch(
      /--reason is required for a decision in bulk/,
    );
    expect(usage(() => parseDecisionArgs('retry', ['wf-1', '--query', 'x', '--reason', 'r']))).toMatch(/not both/);
    expect(usage(() => parseDecisionArgs('retry', ['--operator-reason', 'auth failed', '--reason', 'r']))).toMatch(
      /--operator-reason is a code/,
    );
    for (const limit of ['0', '-1', '2.5', 'many']) {
      expect(usage(() => parseDecisionArgs('retry', ['--state', 'S', '--reason', 'r', `--limit=${limit}`]))).toMatch(
        /--limit is a whole number/,
      );
    }
  });

  it('answers bad arguments with exit code 2 before connecting anywhere', async () => {
    const run = await runCaptured({ TEMPORAL_ADDRESS: '127.0.0.1:1' }, ['retry', '--state', 'AWAITING_OPERATOR']);
    expect(run).toMatchObject({ code: 2, out: '' });
    expect(run.err).toMatch(/--reason is required/);
  });
});

describe('iscflow retry|skip|cancel: the summary', () => {
  const target = (n: number, workflowType = 'accessRequestWorkflow'): DecisionTarget => ({
    workflowId: `iscflow-grant-${n}`,
    workflowType,
  });
  const summary: DecisionSummary = {
    decision: { kind: 'retry', reason: 'secret rotated' },
    query: 'IscflowOperatorReason = "ISC_AUTH_FAILED"',
    dryRun: false,
    matched: 5,
    decided: [
      { kind: 'decided', target: target(1), code: 'ISC_AUTH_FAILED' },
      { kind: 'decided', target: target(2, 'identityLifecycleWorkflow') },
    ],
    wouldDecide: [],
    alreadyDecided: [{ kind: 'already-decided', target: target(3) }],
    refused: [{ kind: 'refused', target: target(4), why: 'not waiting for a decision (TRACKING)' }],
    notReached: 1,
  };

  it('says how many were decided, already decided, refused and why, and not reached', () => {
    expect(formatSummary(summary)).toEqual([
      'retry (secret rotated): 5 matched, 2 decided, 1 already decided, 1 refused, 1 not reached',
      'Decided:',
      '  iscflow-grant-1 (ISC_AUTH_FAILED)',
      '  iscflow-grant-2',
      'Already decided:',
      '  iscflow-grant-3',
      'Refused:',
      '  iscflow-grant-4: not waiting for a decision (TRACKING)',
    ]);
    expect(summaryJson(summary)).toEqual({
      decision: 'retry',
      reason: 'secret rotated',
      query: summary.query,
      dryRun: false,
      matched: 5,
      decided: ['iscflow-grant-1', 'iscflow-grant-2'],
      wouldDecide: [],
      alreadyDecided: ['iscflow-grant-3'],
      refused: [{ workflowId: 'iscflow-grant-4', why: 'not waiting for a decision (TRACKING)' }],
      notReached: 1,
    });
  });

  it('lists in a dry run what it would decide, with why each waits', () => {
    const dry: DecisionSummary = {
      ...summary,
      dryRun: true,
      decided: [],
      alreadyDecided: [],
      refused: [],
      notReached: 0,
      matched: 1,
      wouldDecide: [
        {
          kind: 'would-decide',
          target: target(1),
          code: 'ISC_OUTAGE',
          since: '2026-12-07T10:00:00.000Z',
          reason: 'ISC has not answered for 21600 s',
        },
      ],
    };
    expect(formatSummary(dry)).toEqual([
      'retry (secret rotated): 1 matched, 1 would be decided, 0 refused',
      'Would decide:',
      '  iscflow-grant-1 (accessRequestWorkflow) ISC_OUTAGE since 2026-12-07T10:00:00.000Z: ISC has not answered for 21600 s',
    ]);
  });
});

describe('decisions in bulk: ids and pacing', () => {
  it('derives one Update id per decision and wait: the same decision re-sent is the same Update', () => {
    const retry = { kind: 'retry' as const, reason: 'ISC is back' };
    const id = decisionUpdateId(retry, 'wf-1', '2026-12-07T10:00:00.000Z');
    expect(id).toBe(decisionUpdateId({ ...retry }, 'wf-1', '2026-12-07T10:00:00.000Z'));
    expect(id.startsWith(`${decisionPrefix(retry)}/`)).toBe(true);
    expect(decisionUpdateId(retry, 'wf-2', '2026-12-07T10:00:00.000Z')).not.toBe(id);
    // A later wait of the same workflow is a new question: the same words decide it anew.
    expect(decisionUpdateId(retry, 'wf-1', '2026-12-08T10:00:00.000Z')).not.toBe(id);
    expect(decisionPrefix({ ...retry, reason: 'other words' })).not.toBe(decisionPrefix(retry));
    expect(decisionPrefix({ ...retry, kind: 'skip' })).not.toBe(decisionPrefix(retry));
  });

  it('decides at most `concurrency` at once and `perSecond` a second', async () => {
    let inFlight = 0;
    let most = 0;
    const started: number[] = [];
    const outcomes = await decideEach([...Array(12).keys()], {
      pace: { concurrency: 3, perSecond: 20 },
      decideOne: async (n) => {
        started.push(Date.now());
        inFlight += 1;
        most = Math.max(most, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 200));
        inFlight -= 1;
        return n * 10;
      },
    });
    expect([...outcomes].sort((a, b) => a - b)).toEqual([...Array(12).keys()].map((n) => n * 10));
    expect(most).toBe(3);
    // Twelve starts at 20 a second span at least 11 gaps of 50 ms.
    expect(Math.max(...started) - Math.min(...started)).toBeGreaterThanOrEqual(11 * 50 - 5);
  });

  it('stops taking new targets once interrupted, and finishes those in flight', async () => {
    const interrupt = new AbortController();
    const done: number[] = [];
    const outcomes = await decideEach([...Array(10).keys()], {
      pace: { concurrency: 2, perSecond: 1000 },
      signal: interrupt.signal,
      decideOne: async (n) => {
        if (n === 3) interrupt.abort();
        await new Promise((resolve) => setTimeout(resolve, 5));
        done.push(n);
        return n;
      },
    });
    expect(outcomes.length).toBeLessThan(10);
    expect(outcomes).toContain(3);
    expect(done.sort((a, b) => a - b)).toEqual([...outcomes].sort((a, b) => a - b));
  });
});
