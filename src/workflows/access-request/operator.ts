/**
 * The operator's desk: the `retry`, `skip` and `cancel` Updates and the wait for one of them. A decision
 * is valid only while one is awaited; the Update answers once the workflow has moved on, so the caller
 * sees the state that follows from it.
 */
import { condition, log, setHandler } from '@temporalio/workflow';
import { waitFor, workflowNow } from '../clock';
import {
  cancelUpdate,
  retryUpdate,
  skipUpdate,
  type AccessRequestState,
  type ItemState,
  type OperatorDecision,
} from './contracts';
import type { AccessRequestRun } from './run';
import type { OperatorQuestion, OperatorVerdict } from './settle';

type Decision = { kind: 'retry' | 'skip' | 'cancel'; reason?: string };

/** Waits for a person about `question`; `allowCancel` offers cancelling the ISC requests (for stuck ones). */
export type AskOperator = (
  question: OperatorQuestion,
  items: ItemState[],
  allowCancel: boolean,
) => Promise<OperatorVerdict>;

/** Registers the decision Updates (synchronously, before the run's first await) and returns the wait. */
export function openOperatorDesk(run: AccessRequestRun): AskOperator {
  const { state } = run;
  let decision: Decision | undefined;
  // Read through a function: the compiler cannot see that an Update handler sets it during the wait.
  const takeDecision = (): Decision | undefined => decision;

  const awaitingOperator = (): void => {
    if (state.phase !== 'AWAITING_OPERATOR')
      throw new Error(`No operator decision is awaited: this request is ${state.phase}`);
  };
  const needsReason = (d: OperatorDecision, name: string): void => {
    awaitingOperator();
    if (typeof d?.reason !== 'string' || d.reason.trim() === '')
      throw new Error(`${name} needs a reason: {"reason": "..."}`);
  };
  const decide = async (next: Decision): Promise<AccessRequestState> => {
    decision = next;
    await condition(() => state.phase !== 'AWAITING_OPERATOR');
    return state;
  };
  setHandler(retryUpdate, (d) => decide({ kind: 'retry', reason: d?.reason }), {
    validator: (_d: OperatorDecision) => awaitingOperator(),
  });
  setHandler(skipUpdate, (d) => decide({ kind: 'skip', reason: d.reason }), {
    validator: (d: OperatorDecision) => needsReason(d, 'skip'),
  });
  setHandler(cancelUpdate, (d) => decide({ kind: 'cancel', reason: d.reason }), {
    validator: (d: OperatorDecision) => {
      needsReason(d, 'cancel');
      if (!state.operator?.cancellable)
        throw new Error('cancel applies to requests stuck in ISC only; use retry or skip');
    },
  });

  return async ({ code, reason }, items, allowCancel) => {
    const previous = state.phase;
    state.operator = {
      since: workflowNow(),
      code,
      reason,
      keys: items.map((i) => i.key),
      cancellable: allowCancel,
    };
    decision = undefined;
    run.enter('AWAITING_OPERATOR');
    const decided = await waitFor(() => decision !== undefined, run.options.escalationTimeoutSeconds);
    state.operator = undefined;
    const made = takeDecision();
    run.enter(previous === 'AWAITING_OPERATOR' ? 'TRACKING' : previous);
    if (!decided || !made) return 'timeout';
    log.info('Operator decision', { requestKey: run.request.key, decision: made.kind, reason: made.reason });
    if (made.kind === 'skip') for (const item of items) item.skippedReason = made.reason;
    return made.kind;
  };
}
