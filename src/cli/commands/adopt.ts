/**
 * `iscflow adopt [--filter QUERY] [--dry-run] [--yes] [--json]`: day one. Reads ISC's identities (those
 * QUERY selects; default `attributes.cloudLifecycleState:active`) a page of 250 at a time and gives each one
 * that has no lifecycle yet its lifecycle, ACTIVE, claiming the desired access it holds and granting the
 * rest (src/operations/adopt.ts). `--dry-run` says per identity and in total what would be claimed and
 * granted, and sends nothing. Without `--yes` a person at the terminal is asked after the totals; with no
 * one there, it refuses. Exit 0 when every identity was adopted or already managed, 1 otherwise, 2 on bad input.
 */
import { parseArgs } from 'node:util';
import { planAdoption, startAdoptions, type AdoptionOutcome, type AdoptionPlan } from '../../operations/adopt';
import { ACTIVE_IDENTITIES } from '../../operations/isc-identities';
import { commandUsage, confirmed, UsageError, withTemporal, type CliCommand, type Output } from '../io';
import { readingIsc } from '../isc-read';
import { progressOnTerminal } from '../progress';
import type { CliSettings } from '../settings';

const NEEDS_YES = 'adopt starts a lifecycle for every identity it adopts: add --yes (or --dry-run to look first)';

interface AdoptArgs {
  filter: string;
  dryRun: boolean;
  yes: boolean;
  json: boolean;
}

const items = (list: ReadonlyArray<{ type: string; id: string }>): string =>
  list.length === 0 ? '-' : list.map((i) => `${i.type}:${i.id}`).join(', ');

function totals(plan: AdoptionPlan): { claim: number; grant: number } {
  return {
    claim: plan.candidates.reduce((n, c) => n + c.claim.length, 0),
    grant: plan.candidates.reduce((n, c) => n + c.grant.length, 0),
  };
}

function describePlan(plan: AdoptionPlan, perIdentity: boolean, io: Output): void {
  if (perIdentity) {
    for (const c of plan.candidates)
      io.out(`${c.key.kind} ${c.key.value} (ISC ${c.iscIdentityId}): claim ${items(c.claim)}; grant ${items(c.grant)}`);
  }
  const { claim, grant } = totals(plan);
  io.out(
    `${plan.read} identities in ISC (${plan.query}), ${plan.managed} already managed; ` +
      `${plan.candidates.length} to adopt: ${claim} items to claim, ${grant} to grant (policy ${plan.policyHash})`,
  );
}

function planJson(plan: AdoptionPlan, perIdentity: boolean): Record<string, unknown> {
  return {
    policy: plan.policyHash,
    query: plan.query,
    read: plan.read,
    alreadyManaged: plan.managed,
    toAdopt: plan.candidates.length,
    ...totals(plan),
    ...(perIdentity
      ? {
          identities: plan.candidates.map((c) => ({
            key: c.key,
            iscIdentityId: c.iscIdentityId,
            workflowId: c.workflowId,
            claim: c.claim,
            grant: c.grant,
          })),
        }
      : {}),
  };
}

function describeOutcome(plan: AdoptionPlan, outcome: AdoptionOutcome, json: boolean, io: Output): void {
  const failed = outcome.failed.map((f) => ({
    key: f.candidate.key,
    workflowId: f.candidate.workflowId,
    error: f.error,
  }));
  if (json) {
    const managed = plan.managed + outcome.alreadyManaged;
    io.out(
      JSON.stringify({
        ...planJson(plan, false),
        dryRun: false,
        adopted: outcome.adopted,
        alreadyManaged: managed,
        failed,
      }),
    );
    return;
  }
  for (const f of failed) io.err(`failed  ${f.key.kind} ${f.key.value} -> ${f.workflowId}: ${f.error}`);
  io.out(
    `adopted ${outcome.adopted}, already managed ${plan.managed + outcome.alreadyManaged}, failed ${failed.length}`,
  );
}

async function adopt(args: AdoptArgs, io: Output, settings: CliSettings): Promise<number> {
  const { identities, changes } = settings.read('identities', 'changes');
  const plan = await readingIsc('adopt', args, settings, (read) =>
    planAdoption({ ...read, settings: { ...identities, change: changes } }),
  );
  if (args.dryRun) {
    if (args.json) io.out(JSON.stringify({ ...planJson(plan, true), dryRun: true }));
    else describePlan(plan, true, io);
    return 0;
  }
  if (!args.json) describePlan(plan, false, io);
  if (plan.candidates.length === 0) {
    if (args.json) describeOutcome(plan, { adopted: 0, alreadyManaged: 0, failed: [] }, true, io);
    return 0;
  }
  const question = `Adopt ${plan.candidates.length} identities (each gets a lifecycle that owns its birthright)?`;
  if (!(await confirmed(io, args.yes, question, NEEDS_YES))) {
    io.err('iscflow: nothing was started');
    return 1;
  }
  const { temporal } = settings.read('temporal');
  const progress = progressOnTerminal('starting lifecycles', { quiet: args.json, total: plan.candidates.length });
  let started = 0;
  const outcome = await withTemporal(temporal, ({ client, taskQueue }) =>
    startAdoptions(client, taskQueue, plan, { onStarted: () => progress.show((started += 1)) }),
  ).finally(() => progress.stop());
  describeOutcome(plan, outcome, args.json, io);
  return outcome.failed.length === 0 ? 0 : 1;
}

const SYNOPSIS =
  'iscflow adopt [--filter QUERY] [--dry-run] [--yes] [--json]  (day one: ISC identities under management)';

export const adoptCommand: CliCommand = {
  name: 'adopt',
  synopsis: SYNOPSIS,
  usage: commandUsage(
    'iscflow adopt [--filter QUERY] [--dry-run] [--yes] [--json]',
    `Takes the identities ISC already has under management: each one QUERY selects that has no lifecycle yet
gets one, ACTIVE from its ISC attributes, keyed by its employeeNumber (else its ISC id). The desired access
it already holds is claimed (no ISC call), what is missing is granted. Identities already managed are left
alone, so a second run starts nothing. Reads ISC a page of 250 at a time, with the policy of ISCFLOW_POLICY.`,
    [
      ['--filter QUERY', `ISC search query of the identities to adopt (default ${ACTIVE_IDENTITIES})`],
      ['--dry-run', 'print per identity and in total what would be claimed and granted; start nothing'],
      ['--yes', 'do not ask (required when not on a terminal)'],
      ['--json', 'print a JSON summary'],
    ],
  ),
  async run(argv, io, settings) {
    const { values, positionals } = parseArgs({
      args: argv,
      options: {
        filter: { type: 'string', default: ACTIVE_IDENTITIES },
        'dry-run': { type: 'boolean', default: false },
        yes: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
      },
      allowPositionals: true,
    });
    if (positionals.length > 0) throw new UsageError(`adopt: unexpected ${positionals.join(' ')}`);
    if (values.filter.trim() === '') throw new UsageError('adopt: --filter must not be empty');
    const args = { filter: values.filter, dryRun: values['dry-run'], yes: values.yes, json: values.json };
    // Refused before anything is read: no one can be asked, and it would not act unasked.
    if (!args.dryRun && !args.yes && !io.ask) throw new UsageError(NEEDS_YES);
    return adopt(args, io, settings);
  },
};
