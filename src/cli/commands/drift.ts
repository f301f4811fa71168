/**
 * `iscflow drift [--repair] [--yes] [--json] [--filter QUERY]`: what ISC holds for each managed identity
 * against what its lifecycle says it should hold (src/operations/drift.ts). Names each drifted identity,
 * item and finding (`missing`, `unexpected`, `unrevocable`); `--repair` then has each lifecycle put its
 * findings right once (asked first on a terminal, unless `--yes`). Exit 1 when anything drifted.
 */
import { parseArgs } from 'node:util';
import { DRIFT_FINDINGS } from '../../domain';
import { findDrift, hasDrift, repairDrift, type DriftReport, type RepairOutcome } from '../../operations/drift';
import { ACTIVE_IDENTITIES } from '../../operations/isc-identities';
import { commandUsage, confirmed, UsageError, withTemporal, type CliCommand, type Output } from '../io';
import { readingIsc } from '../isc-read';
import type { CliSettings } from '../settings';

interface DriftArgs {
  filter: string;
  repair: boolean;
  yes: boolean;
  json: boolean;
}

const NEEDS_YES = 'drift --repair changes access in ISC: add --yes';

function describeReport(report: DriftReport, io: Output): void {
  for (const d of report.drifted) {
    const who = d.key ? `${d.key.kind} ${d.key.value}` : d.ref;
    for (const f of d.findings) io.out(`${who} (ISC ${d.iscIdentityId}) ${f.item.type}:${f.item.id} ${f.finding}`);
  }
  const counts = DRIFT_FINDINGS.map((f) => `${report.counts[f]} ${f}`).join(', ');
  io.out(
    `${report.read} identities in ISC, ${report.judged} of ${report.managed} lifecycles judged, ${report.queried} asked` +
      `${report.unanswered > 0 ? ` (${report.unanswered} did not answer)` : ''}: ${counts} (policy ${report.policyHash})`,
  );
}

function reportJson(report: DriftReport, repair?: RepairOutcome): string {
  return JSON.stringify({
    ...report,
    drifted: report.drifted.map(({ key, ...rest }) => ({ ...rest, ...(key ? { key } : {}) })),
    ...(repair ? { repair: { repaired: repair.repaired, leftAlone: repair.leftAlone, failed: repair.failed } } : {}),
  });
}

async function repair(
  report: DriftReport,
  args: DriftArgs,
  io: Output,
  settings: CliSettings,
): Promise<RepairOutcome | undefined> {
  const repairable = report.counts.missing + report.counts.unexpected;
  if (!args.repair || repairable === 0) return undefined;
  const question = `Repair ${repairable} items of ${report.drifted.length} identities (request what is missing, revoke what is unexpected)?`;
  if (!(await confirmed(io, args.yes, question, NEEDS_YES))) return undefined;
  const { temporal } = settings.read('temporal');
  return withTemporal(temporal, ({ client }) =>
    repairDrift(client, report.drifted, { reason: 'iscflow drift --repair' }),
  );
}

async function drift(args: DriftArgs, io: Output, settings: CliSettings): Promise<number> {
  const report = await readingIsc('drift', args, settings, (read) => findDrift(read));
  if (!args.json) describeReport(report, io);
  const outcome = await repair(report, args, io, settings);
  if (args.json) io.out(reportJson(report, outcome));
  else if (outcome) {
    for (const f of outcome.failed) io.err(`failed  ${f.workflowId}: ${f.error}`);
    io.out(
      `repaired ${outcome.repaired} lifecycles (each reconciles at once); ${outcome.leftAlone} unrevocable items left to a person`,
    );
  }
  return hasDrift(report) ? 1 : 0;
}

const SYNOPSIS = 'iscflow drift [--repair] [--yes] [--json]         (what ISC holds against what lifecycles expect)';

export const driftCommand: CliCommand = {
  name: 'drift',
  synopsis: SYNOPSIS,
  usage: commandUsage(
    'iscflow drift [--repair] [--yes] [--json] [--filter QUERY]',
    `Compares what ISC holds for each managed identity with what its lifecycle says it should hold, and names
each identity, item and finding: missing (desired, not held, nothing in flight), unexpected (held, the
lifecycle's own, no longer desired) or unrevocable (held, not desired, and ISC will not let a request revoke
it). Reads ISC a page of 250 at a time; only lifecycles whose digest disagrees with ISC are asked. --repair
has each drifted lifecycle ask again for what is missing and revoke what is unexpected (cause drift).
Exit 1 when anything drifted.`,
    [
      ['--repair', 'put what drifted right, once (unrevocable access is left to a person)'],
      ['--yes', 'with --repair: do not ask (required when not on a terminal)'],
      ['--filter QUERY', `ISC search query of the identities to read (default ${ACTIVE_IDENTITIES})`],
      ['--json', 'print JSON'],
    ],
  ),
  async run(argv, io, settings) {
    const { values, positionals } = parseArgs({
      args: argv,
      options: {
        repair: { type: 'boolean', default: false },
        yes: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        filter: { type: 'string', default: ACTIVE_IDENTITIES },
      },
      allowPositionals: true,
    });
    if (positionals.length > 0) throw new UsageError(`drift: unexpected ${positionals.join(' ')}`);
    const args = { filter: values.filter, repair: values.repair, yes: values.yes, json: values.json };
    if (args.repair && !args.yes && !io.ask) throw new UsageError(NEEDS_YES);
    return drift(args, io, settings);
  },
};
