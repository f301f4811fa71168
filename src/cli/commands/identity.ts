/**
 * `iscflow identity show KEY [--json]`: an identity's lifecycle as it stands (state, attributes, timeline,
 * desired access, what the lifecycle holds and through which change, what is scheduled).
 * `iscflow identity list [--state S] [--json]`: lifecycles, from visibility.
 * `iscflow identity ref KEY`: the pseudonym a key is found by in the Temporal UI (`IscflowIdentityRef`).
 */
import { parseArgs } from 'node:util';
import { IDENTITY_IDS, IDENTITY_REF, LIFECYCLE_STATE, WORKFLOW_TYPES } from '../../common';
import { identityTarget, lifecycleResolving, readLifecycle, type IdentityTarget } from '../../operations/hr-events';
import { keysFromInput } from '../../operations/identity-refs';
import { LIFECYCLE_STATES, type LifecycleView } from '../../workflows/identity-lifecycle/contracts';
import { argumentAndJson, commandUsage, UsageError, withTemporal, type CliCommand, type Output } from '../io';
import type { CliSettings } from '../settings';

/** One line of what the lifecycle holds: its state, the change acting on it and how that ended, and why. */
function describeHolding(h: LifecycleView['holdings'][number], view: LifecycleView): string {
  const change = view.changes.find((c) => c.changeId === h.changeId);
  const outcome = change?.outcomes?.find((o) => o.itemId === h.item.id)?.outcome;
  const parts = [
    `${h.item.type}:${h.item.id} ${h.state}`,
    h.revokeAt ? `until ${h.revokeAt}` : '',
    h.changeId ? `via ${h.changeId}` : '',
    outcome ? `(${outcome})` : '',
    h.claimed ? '(held before; claimed)' : '',
    h.state === 'UNREVOCABLE' ? '(ISC will not let a request revoke it: it came with a role or by birthright)' : '',
  ];
  return parts.filter(Boolean).join(' ');
}

function describeView(view: LifecycleView, io: Output): void {
  io.out(`${view.identity.kind} ${view.identity.value} (ref ${view.ref}): ${view.state}`);
  io.out(`  ISC identity: ${view.iscIdentityId ?? 'not known yet'}`);
  if (view.adoptedAt) io.out(`  adopted from ISC as it stood at ${view.adoptedAt}`);
  if (view.operator) io.out(`  waiting for a person since ${view.operator.since}: ${view.operator.reason}`);
  io.out(`  attributes: ${JSON.stringify(view.attributes)}`);
  io.out('  timeline:');
  for (const e of view.timeline) {
    const outcome =
      e.outcome.state === 'pending'
        ? `pending until ${e.outcome.until}`
        : e.outcome.state === 'rescinded'
          ? `rescinded by ${e.outcome.by}`
          : e.outcome.state === 'ignored'
            ? `ignored: ${e.outcome.reason}`
            : `applied${e.outcome.detail ? ` (${e.outcome.detail})` : ''}`;
    const duplicates = e.duplicates > 0 ? `, ${e.duplicates} duplicate${e.duplicates > 1 ? 's' : ''}` : '';
    io.out(`    ${e.effectiveAt} ${e.type.padEnd(9)} ${e.key}: ${outcome}${duplicates}`);
  }
  io.out('  desired:');
  for (const d of view.desired) io.out(`    ${d.type}:${d.id} (${d.rules.join(', ')})`);
  io.out('  held by the lifecycle:');
  for (const h of view.holdings) io.out(`    ${describeHolding(h, view)}`);
  io.out('  scheduled:');
  for (const s of view.scheduled) io.out(`    ${s.at} ${s.action}${s.item ? ` ${s.item.type}:${s.item.id}` : ''}`);
}

async function show(argv: string[], io: Output, settings: CliSettings): Promise<number> {
  const missing = 'identity show: KEY (an employee number or an ISC identity id) is required';
  const { argument: text, json } = argumentAndJson(argv, missing);
  const { temporal, identities } = settings.read('temporal', 'identities');
  const { pseudonymKey } = identities;
  return withTemporal(temporal, async ({ client }) => {
    const keys = keysFromInput(text);
    const targets: Array<() => Promise<IdentityTarget | undefined>> = [
      ...keys.map((key) => async () => identityTarget(key, pseudonymKey)),
      // An ISC id whose person's lifecycle HR started by employee number: found by the id it resolved.
      ...keys.filter((key) => key.kind === 'id').map((key) => () => lifecycleResolving(client, key.value)),
    ];
    for (const target of targets) {
      const found = await target();
      const view = found ? await readLifecycle(client, found) : undefined;
      if (!view) continue;
      if (json) io.out(JSON.stringify(view));
      else describeView(view, io);
      return 0;
    }
    io.err(`iscflow: no lifecycle for ${text}`);
    return 1;
  });
}

async function list(argv: string[], io: Output, settings: CliSettings): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { state: { type: 'string' }, json: { type: 'boolean', default: false } },
  });
  const state = values.state;
  if (state !== undefined && !(LIFECYCLE_STATES as readonly string[]).includes(state)) {
    throw new UsageError(`--state ${state}: one of ${LIFECYCLE_STATES.join(', ')}`);
  }
  const clauses = [`WorkflowType = '${WORKFLOW_TYPES.identityLifecycle}'`, `ExecutionStatus = 'Running'`];
  if (state) clauses.push(`${LIFECYCLE_STATE.name} = '${state}'`);
  const { temporal } = settings.read('temporal');
  return withTemporal(temporal, async ({ client }) => {
    const rows: Array<{
      workflowId: string;
      ref: string | null;
      iscIdentityId: string | null;
      state: string | null;
      startTime: string;
    }> = [];
    for await (const wf of client.workflow.list({ query: clauses.join(' AND ') })) {
      rows.push({
        workflowId: wf.workflowId,
        ref: wf.typedSearchAttributes.get(IDENTITY_REF) ?? null,
        iscIdentityId: wf.typedSearchAttributes.get(IDENTITY_IDS)?.[0] ?? null,
        state: wf.typedSearchAttributes.get(LIFECYCLE_STATE) ?? null,
        startTime: wf.startTime.toISOString(),
      });
    }
    if (values.json) io.out(JSON.stringify({ identities: rows }));
    else rows.forEach((r) => io.out(`${r.workflowId}  ${r.state ?? '-'}  ${r.iscIdentityId ?? '-'}  ${r.startTime}`));
    return 0;
  });
}

function ref(argv: string[], io: Output, settings: CliSettings): number {
  const text = argv[0];
  if (!text) throw new UsageError('identity ref: KEY (an employee number or an ISC identity id) is required');
  const { pseudonymKey } = settings.read('identities').identities;
  for (const key of keysFromInput(text)) io.out(`${key.kind} ${key.value}: ${identityTarget(key, pseudonymKey).ref}`);
  return 0;
}

const SYNOPSIS = 'iscflow identity show KEY [--json] | identity list [--state S] [--json] | identity ref KEY';

export const identityCommand: CliCommand = {
  name: 'identity',
  synopsis: SYNOPSIS,
  usage: commandUsage(
    `iscflow identity show KEY [--json]
iscflow identity list [--state STATE] [--json]
iscflow identity ref KEY`,
    `show: an identity's lifecycle as it stands (state, attributes, timeline, desired access, what it holds
and through which change, what is scheduled). list: the running lifecycles. ref: the pseudonym the
Temporal UI finds a lifecycle by (IscflowIdentityRef). KEY is an employee number or an ISC identity id.`,
    [
      ['--state STATE', `list: only lifecycles in this state (${LIFECYCLE_STATES.join(', ')})`],
      ['--json', 'show, list: print JSON'],
    ],
  ),
  async run(argv, io, settings) {
    const [sub, ...rest] = argv;
    switch (sub) {
      case 'show':
        return show(rest, io, settings);
      case 'list':
        return list(rest, io, settings);
      case 'ref':
        return ref(rest, io, settings);
      default:
        throw new UsageError('identity: show KEY | list [--state S] | ref KEY');
    }
  },
};
