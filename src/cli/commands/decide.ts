/**
 * `iscflow retry|skip|cancel`: an operator's decision, sent as the workflow's Update. To one workflow
 * (`iscflow retry WORKFLOW_ID`), or in bulk to every running change and lifecycle a visibility query matches
 * (`--query`, or the shorthand `--state` / `--operator-reason`), through src/operations/decisions.ts:
 * listed first, confirmed (`--yes`, or a question on a terminal), paced, each decided once however often
 * the command is run again, with a progress bar on a terminal and a summary at the end.
 */
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import type { Client } from '@temporalio/client';
import { SingleBar } from 'cli-progress';
import type { AccessRequestHandle } from '../../operations/change-status';
import {
  decideInBulk,
  decisionQuery,
  listTargets,
  type DecisionKind,
  type DecisionSummary,
  type TargetOutcome,
} from '../../operations/decisions';
import { cancelUpdate, retryUpdate, skipUpdate } from '../../workflows/access-request/contracts';
import { commandUsage, UsageError, withTemporal, type CliCommand, type Output } from '../io';

const DECISIONS: Record<DecisionKind, { line: string; about: string; update: typeof retryUpdate }> = {
  retry: {
    line: 'iscflow retry WORKFLOW_ID [--reason TEXT]',
    about: 'Resubmits the items a change waiting for an operator asks about (a lifecycle: searches ISC again).',
    update: retryUpdate,
  },
  skip: {
    line: 'iscflow skip WORKFLOW_ID --reason TEXT',
    about: 'Accepts the items a change waiting for an operator asks about as they are (a lifecycle: stops waiting).',
    update: skipUpdate,
  },
  cancel: {
    line: 'iscflow cancel WORKFLOW_ID --reason TEXT',
    about: 'A request stuck in ISC: cancels it before approval, closes it after.',
    update: cancelUpdate,
  },
};

const BULK_LINE = (kind: DecisionKind): string =>
  `iscflow ${kind} --query 'VISIBILITY QUERY' | --state STATE [--operator-reason CODE] --reason TEXT\n` +
  `        [--dry-run] [--yes] [--json] [--limit N]`;

const OPTIONS = {
  reason: { type: 'string' },
  query: { type: 'string' },
  state: { type: 'string' },
  'operator-reason': { type: 'string' },
  'dry-run': { type: 'boolean', default: false },
  yes: { type: 'boolean', default: false },
  json: { type: 'boolean', default: false },
  limit: { type: 'string' },
} as const;

/** A decision as typed: to one workflow, or in bulk over a query. */
export type DecisionArgs =
  | { mode: 'one'; kind: DecisionKind; workflowId: string; reason?: string }
  | {
      mode: 'bulk';
      kind: DecisionKind;
      reason: string;
      query: string;
      dryRun: boolean;
      yes: boolean;
      json: boolean;
      limit?: number;
    };

/** Reads the arguments of `iscflow KIND ...`; a `UsageError` names what is wrong. */
export function parseDecisionArgs(kind: DecisionKind, argv: string[]): DecisionArgs {
  const { values, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true });
  const reason = values.reason?.trim() ? values.reason : undefined;
  const selection = { query: values.query, state: values.state, operatorReason: values['operator-reason'] };
  const bulk = Object.values(selection).some((v) => v !== undefined);
  const [workflowId, ...extra] = positionals;
  if (extra.length > 0) throw new UsageError(`${kind}: one WORKFLOW_ID at most`);
  if (bulk && workflowId)
    throw new UsageError(`${kind}: give a WORKFLOW_ID or a selection (--query, --state, --operator-reason), not both`);
  if (!bulk) {
    if (!workflowId)
      throw new UsageError(`${kind}: WORKFLOW_ID, or --query / --state / --operator-reason, is required`);
    if (kind !== 'retry' && !reason) throw new UsageError(`${kind}: --reason is required`);
    return { mode: 'one', kind, workflowId, ...(reason ? { reason } : {}) };
  }
  if (!reason) throw new UsageError(`${kind}: --reason is required for a decision in bulk (it is recorded on each)`);
  if (selection.operatorReason !== undefined && !/^[A-Z][A-Z0-9_]*$/.test(selection.operatorReason))
    throw new UsageError(`${kind}: --operator-reason is a code such as ISC_AUTH_FAILED or ITEM_FAILED`);
  const limit = values.limit === undefined ? undefined : Number(values.limit);
  if (limit !== undefined && (!Number.isInteger(limit) || limit <= 0))
    throw new UsageError(`${kind}: --limit is a whole number above zero`);
  const { 'dry-run': dryRun, yes, json } = values;
  return {
    mode: 'bulk',
    kind,
    reason,
    query: decisionQuery(selection),
    dryRun,
    yes,
    json,
    ...(limit ? { limit } : {}),
  };
}

const line = (o: TargetOutcome): string => {
  const { workflowId, workflowType } = o.target;
  if (o.kind === 'refused') return `  ${workflowId}: ${o.why}`;
  if (o.kind === 'would-decide')
    return `  ${workflowId} (${workflowType}) ${o.code ?? ''} since ${o.since}: ${o.reason}`;
  return `  ${workflowId}${o.kind === 'decided' && o.code ? ` (${o.code})` : ''}`;
};

/** The summary as text: how many of each, and each workflow under its heading. */
export function formatSummary(summary: DecisionSummary): string[] {
  const { decision, dryRun, matched, decided, wouldDecide, alreadyDecided, refused, notReached } = summary;
  const section = (title: string, outcomes: TargetOutcome[]) =>
    outcomes.length > 0 ? [`${title}:`, ...outcomes.map(line)] : [];
  const counts = dryRun
    ? `${wouldDecide.length} would be decided`
    : `${decided.length} decided, ${alreadyDecided.length} already decided`;
  return [
    `${decision.kind} (${decision.reason}): ${matched} matched, ${counts}, ${refused.length} refused` +
      (notReached > 0 ? `, ${notReached} not reached` : ''),
    ...section(dryRun ? 'Would decide' : 'Decided', dryRun ? wouldDecide : decided),
    ...section('Already decided', alreadyDecided),
    ...section('Refused', refused),
  ];
}

/** The summary for `--json`: workflow ids by outcome. */
export function summaryJson(summary: DecisionSummary): Record<string, unknown> {
  const ids = (outcomes: TargetOutcome[]) => outcomes.map((o) => o.target.workflowId);
  return {
    decision: summary.decision.kind,
    reason: summary.decision.reason,
    query: summary.query,
    dryRun: summary.dryRun,
    matched: summary.matched,
    decided: ids(summary.decided),
    wouldDecide: summary.wouldDecide,
    alreadyDecided: ids(summary.alreadyDecided),
    refused: summary.refused.map((o) => ({ workflowId: o.target.workflowId, why: o.kind === 'refused' ? o.why : '' })),
    notReached: summary.notReached,
  };
}

/** Asks on a terminal; elsewhere only `--yes` decides (a script must say so). */
async function confirmed(args: Extract<DecisionArgs, { mode: 'bulk' }>, client: Client): Promise<boolean> {
  if (args.yes || args.dryRun) return true;
  const matches = (await listTargets(client, args.query)).length;
  const count = Math.min(matches, args.limit ?? matches);
  if (count === 0) return true;
  if (!process.stdin.isTTY) {
    throw new UsageError(`${args.kind}: ${count} workflows match; add --yes to decide them, or --dry-run to list them`);
  }
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(`${args.kind} ${count} workflows (${args.reason})? [y/N] `)).trim());
  } finally {
    rl.close();
  }
}

/** Every workflow the selection matches, decided (or listed, with --dry-run) and summed up. */
async function decideMany(args: Extract<DecisionArgs, { mode: 'bulk' }>, io: Output, client: Client): Promise<number> {
  if (!(await confirmed(args, client))) {
    io.err(`iscflow: nothing decided`);
    return 1;
  }
  const bar =
    process.stderr.isTTY && !args.json
      ? new SingleBar({ stream: process.stderr, format: `${args.kind} {bar} {value}/{total}` })
      : undefined;
  const interrupt = new AbortController();
  const stop = (): void => interrupt.abort();
  process.once('SIGINT', stop);
  try {
    const summary = await decideInBulk(client, {
      decision: { kind: args.kind, reason: args.reason },
      query: args.query,
      dryRun: args.dryRun,
      ...(args.limit ? { limit: args.limit } : {}),
      signal: interrupt.signal,
      onStart: (total) => bar?.start(total, 0),
      onOutcome: () => bar?.increment(),
    });
    bar?.stop();
    if (args.json) io.out(JSON.stringify(summaryJson(summary), null, 2));
    else for (const text of formatSummary(summary)) io.out(text);
    // Past --limit is by request; an interruption or a refusal leaves work for a person or another run.
    return summary.refused.length > 0 || interrupt.signal.aborted ? 1 : 0;
  } finally {
    bar?.stop();
    process.removeListener('SIGINT', stop);
  }
}

async function decideOne(args: Extract<DecisionArgs, { mode: 'one' }>, io: Output, client: Client): Promise<number> {
  const handle: AccessRequestHandle = client.workflow.getHandle(args.workflowId);
  const state = await handle.executeUpdate(DECISIONS[args.kind].update, {
    args: [args.reason ? { reason: args.reason } : {}],
  });
  io.out(`${args.workflowId}: ${args.kind} accepted, now ${state.phase}`);
  return 0;
}

/** The command of one decision: `retry` takes an optional reason for one workflow, the others need one. */
export function decisionCommand(kind: DecisionKind): CliCommand {
  const { line: one, about } = DECISIONS[kind];
  const reason =
    kind === 'retry'
      ? 'why, recorded with the decision (required in bulk)'
      : 'why, recorded with the decision (required)';
  const synopsis = `${one}\n${BULK_LINE(kind)}`;
  return {
    name: kind,
    synopsis:
      kind === 'cancel'
        ? synopsis.replace(one, `${one}      (a request stuck in ISC: cancel before approval, close after)`)
        : synopsis,
    usage: commandUsage(
      synopsis,
      `${about} In bulk: every running change and lifecycle the selection matches gets the same decision, once.`,
      [
        ['--reason TEXT', reason],
        ['--query QUERY', 'a Temporal visibility query, e.g. \'IscflowItemIds = "..."\''],
        ['--state STATE', 'shorthand: IscflowState = STATE (AWAITING_OPERATOR)'],
        [
          '--operator-reason CODE',
          'shorthand: IscflowOperatorReason = CODE (ISC_AUTH_FAILED, ISC_OUTAGE, ITEM_FAILED, ...)',
        ],
        ['--dry-run', 'list what would be decided; decide nothing'],
        ['--yes', 'decide without asking (required when not on a terminal)'],
        ['--limit N', 'decide at most N of the matches (run again for the rest)'],
        ['--json', 'print the summary as JSON'],
      ],
    ),
    async run(argv, io, settings) {
      const args = parseDecisionArgs(kind, argv);
      const { temporal } = settings.read('temporal');
      return withTemporal(temporal, ({ client }) =>
        args.mode === 'one' ? decideOne(args, io, client) : decideMany(args, io, client),
      );
    },
  };
}
