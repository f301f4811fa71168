/**
 * Operator decisions in bulk: the same `retry`, `skip` or `cancel` for every running access change and
 * lifecycle a visibility query matches, paced so that Temporal is not flooded, and safe to run again.
 *
 * Each workflow is decided through its own Update, under an id derived from the decision (its kind and
 * reason) and the wait it answers (the workflow and since when it waits): sent twice, Temporal
 * deduplicates it. A workflow no longer waiting is looked up in its history: an Update of this decision
 * there means it was decided already (by an earlier, interrupted run); anything else is refused, with why.
 * The caller sees every outcome as it happens (a progress bar) and a summary at the end.
 *
 * The machinery (`decideEach`: list, then decide each with bounded concurrency and rate) takes any
 * `decideOne`, so other bulk decisions reuse it.
 */
import { createHash } from 'node:crypto';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { OPERATOR_REASON, STATE, WORKFLOW_TYPES } from '../common';
import { cancelUpdate, retryUpdate, skipUpdate } from '../workflows/access-request/contracts';
import { lifecycleRetryUpdate, lifecycleSkipUpdate } from '../workflows/identity-lifecycle/contracts';

export type DecisionKind = 'retry' | 'skip' | 'cancel';

/** One decision, the same for every workflow it goes to. */
export interface BulkDecision {
  kind: DecisionKind;
  reason: string;
}

/** What to decide on: a visibility query, and the shorthand for the operator's usual one. */
export interface DecisionSelection {
  query?: string;
  /** `IscflowState = ...` */
  state?: string;
  /** `IscflowOperatorReason = ...` (ISC_AUTH_FAILED, ISC_OUTAGE, ITEM_FAILED, IDENTITY_NOT_FOUND, ...) */
  operatorReason?: string;
}

/** A workflow the query matched. */
export interface DecisionTarget {
  workflowId: string;
  workflowType: string;
}

/** How one workflow came out of it. */
export type TargetOutcome =
  | { kind: 'decided'; target: DecisionTarget; code?: string }
  | { kind: 'would-decide'; target: DecisionTarget; code?: string; since: string; reason: string }
  | { kind: 'already-decided'; target: DecisionTarget }
  | { kind: 'refused'; target: DecisionTarget; why: string };

export interface DecisionSummary {
  decision: BulkDecision;
  query: string;
  dryRun: boolean;
  /** Workflows the query matched (at most `limit` of them are looked at). */
  matched: number;
  decided: TargetOutcome[];
  wouldDecide: TargetOutcome[];
  alreadyDecided: TargetOutcome[];
  refused: TargetOutcome[];
  /** Matched but not looked at: past `limit`, or the run was interrupted. */
  notReached: number;
}

/** What a decision is sent to: running changes and lifecycles (the workflows an operator decides on). */
const DECIDABLE_TYPES = [WORKFLOW_TYPES.accessRequest, WORKFLOW_TYPES.identityLifecycle];

const quoted = (value: string): string => `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

/** The visibility query of a selection: every part given, together, over running changes and lifecycles. */
export function decisionQuery(selection: DecisionSelection): string {
  const parts = [
    ...(selection.query?.trim() ? [`(${selection.query.trim()})`] : []),
    ...(selection.state ? [`${STATE.name} = ${quoted(selection.state)}`] : []),
    ...(selection.operatorReason ? [`${OPERATOR_REASON.name} = ${quoted(selection.operatorReason)}`] : []),
  ];
  if (parts.length === 0) throw new Error('a decision in bulk needs a query, a state or an operator reason');
  const types = DECIDABLE_TYPES.map(quoted).join(', ');
  return [...parts, `WorkflowType IN (${types})`, `ExecutionStatus = "Running"`].join(' AND ');
}

/** What every Update of one decision's id starts with: its kind and a digest of its reason. */
export function decisionPrefix(decision: BulkDecision): string {
  const digest = createHash('sha256').update(`${decision.kind}\n${decision.reason}`).digest('hex').slice(0, 16);
  return `iscflow-${decision.kind}-${digest}`;
}

/** The Update id of a decision on one wait of one workflow: the same decision re-sent is the same Update. */
export function decisionUpdateId(decision: BulkDecision, workflowId: string, waitingSince: string): string {
  return `${decisionPrefix(decision)}/${workflowId}/${waitingSince}`;
}

/** Pacing: how many workflows are decided at once, and at most how many a second. */
export interface Pace {
  concurrency: number;
  perSecond: number;
}

export const DEFAULT_PACE: Readonly<Pace> = Object.freeze({ concurrency: 4, perSecond: 10 });

/** Starts of work spaced `1 / perSecond` apart, whatever the concurrency. */
function pacer(perSecond: number): () => Promise<void> {
  const gapMs = 1000 / perSecond;
  let nextAt = 0;
  return async () => {
    const now = Date.now();
    const at = Math.max(now, nextAt);
    nextAt = at + gapMs;
    if (at > now) await new Promise((resolve) => setTimeout(resolve, at - now));
  };
}

export interface EachOptions<T, R> {
  pace?: Pace;
  /** Stops taking new targets (those in flight finish). */
  signal?: AbortSignal;
  onOutcome?: (outcome: R) => void;
  decideOne: (target: T) => Promise<R>;
}

/** Decides each target with bounded concurrency and rate; returns the outcomes of those it reached. */
export async function decideEach<T, R>(targets: readonly T[], options: EachOptions<T, R>): Promise<R[]> {
  const { concurrency, perSecond } = options.pace ?? DEFAULT_PACE;
  const wait = pacer(perSecond);
  const outcomes: R[] = [];
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < targets.length && !options.signal?.aborted) {
      const target = targets[next++] as T;
      await wait();
      const outcome = await options.decideOne(target);
      outcomes.push(outcome);
      options.onOutcome?.(outcome);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, targets.length)) }, lane));
  return outcomes;
}

/** What both workflow types answer to `status` about a wait for a person. */
interface WaitView {
  phase?: string;
  operator?: { since: string; code?: string; reason: string; cancellable?: boolean };
}

function updateFor(kind: DecisionKind, workflowType: string) {
  if (workflowType === WORKFLOW_TYPES.identityLifecycle) {
    if (kind === 'cancel') return undefined;
    return kind === 'retry' ? lifecycleRetryUpdate : lifecycleSkipUpdate;
  }
  return { retry: retryUpdate, skip: skipUpdate, cancel: cancelUpdate }[kind];
}

/** Whether this decision already went to the workflow's current run (an Update with its prefix was accepted). */
async function decidedBefore(handle: WorkflowHandle, prefix: string): Promise<boolean> {
  const { events } = await handle.fetchHistory();
  return (events ?? []).some((e) =>
    e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.meta?.updateId?.startsWith(`${prefix}/`),
  );
}

const messageOf = (error: unknown): string => {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  return cause instanceof Error ? cause.message : String(cause);
};

/** Why a waiting workflow cannot take this decision, if it cannot (before anything is sent). */
function refusalOf(decision: BulkDecision, target: DecisionTarget, view: WaitView): string | undefined {
  if (!updateFor(decision.kind, target.workflowType)) return 'a lifecycle takes retry or skip, not cancel';
  if (decision.kind === 'cancel' && !view.operator?.cancellable)
    return 'cancel applies to requests stuck in ISC only; use retry or skip';
  return undefined;
}

/** The decision for one workflow: sent if it waits, recognised if it was sent before, refused otherwise. */
export async function decideWorkflow(
  client: Client,
  decision: BulkDecision,
  target: DecisionTarget,
  dryRun: boolean,
): Promise<TargetOutcome> {
  const handle = client.workflow.getHandle(target.workflowId);
  try {
    const view = await handle.query<WaitView>('status');
    const wait = view.operator;
    if (!wait) {
      if (await decidedBefore(handle, decisionPrefix(decision))) return { kind: 'already-decided', target };
      return { kind: 'refused', target, why: `not waiting for a decision (${view.phase ?? 'running'})` };
    }
    const refusal = refusalOf(decision, target, view);
    if (refusal) return { kind: 'refused', target, why: refusal };
    if (dryRun) return { kind: 'would-decide', target, code: wait.code, since: wait.since, reason: wait.reason };
    const update = updateFor(decision.kind, target.workflowType)!;
    await handle.executeUpdate<unknown, [{ reason: string }]>(update.name, {
      args: [{ reason: decision.reason }],
      updateId: decisionUpdateId(decision, target.workflowId, wait.since),
    });
    return { kind: 'decided', target, ...(wait.code ? { code: wait.code } : {}) };
  } catch (error) {
    return { kind: 'refused', target, why: messageOf(error) };
  }
}

/** Every workflow the query matches, read before any is decided: deciding one moves it out of such queries. */
export async function listTargets(client: Client, query: string): Promise<DecisionTarget[]> {
  const targets: DecisionTarget[] = [];
  for await (const wf of client.workflow.list({ query }))
    targets.push({ workflowId: wf.workflowId, workflowType: wf.type });
  return targets;
}

export interface BulkOptions {
  decision: BulkDecision;
  query: string;
  dryRun?: boolean;
  /** Look at no more than this many of the matches. */
  limit?: number;
  pace?: Pace;
  signal?: AbortSignal;
  /** Told how many will be looked at, before the first is. */
  onStart?: (total: number) => void;
  onOutcome?: (outcome: TargetOutcome) => void;
}

/** Lists what the query matches, decides each (or says what it would), and sums it up. */
export async function decideInBulk(client: Client, options: BulkOptions): Promise<DecisionSummary> {
  const { decision, query, dryRun = false } = options;
  const matched = await listTargets(client, query);
  const targets = options.limit === undefined ? matched : matched.slice(0, options.limit);
  options.onStart?.(targets.length);
  const outcomes = await decideEach(targets, {
    ...(options.pace ? { pace: options.pace } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onOutcome ? { onOutcome: options.onOutcome } : {}),
    decideOne: (target) => decideWorkflow(client, decision, target, dryRun),
  });
  const of = (kind: TargetOutcome['kind']) => outcomes.filter((o) => o.kind === kind);
  return {
    decision,
    query,
    dryRun,
    matched: matched.length,
    decided: of('decided'),
    wouldDecide: of('would-decide'),
    alreadyDecided: of('already-decided'),
    refused: of('refused'),
    notReached: matched.length - outcomes.length,
  };
}
