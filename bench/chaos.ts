/**
 * The long chaos run: hundreds of access changes, with deliberate duplicates, while the simulator injects
 * 500s, 429s, lost responses and resets, the worker is SIGKILLed and restarted, and the Temporal dev
 * server is restarted once from its state file. Prints the figures; `--json FILE` writes them too.
 *
 * `npm run chaos -- [--profile current|legacy|both] [--changes N] [--duplicates N] [--kills N]
 *   [--server-restarts N] [--window SECONDS] [--budget CALLS_PER_10S] [--deadline SECONDS] [--seed N] [--json FILE]`
 * Each flag also reads from the environment: CHAOS_PROFILE, CHAOS_CHANGES, CHAOS_DUPLICATES, ...
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DEFAULT_FAULTS, runChaos, type ChaosFigures, type Profile } from './support/chaos';

const { values } = parseArgs({
  options: {
    profile: { type: 'string', default: process.env.CHAOS_PROFILE ?? 'both' },
    changes: { type: 'string', default: process.env.CHAOS_CHANGES ?? '300' },
    duplicates: { type: 'string', default: process.env.CHAOS_DUPLICATES ?? '60' },
    kills: { type: 'string', default: process.env.CHAOS_KILLS ?? '5' },
    'server-restarts': { type: 'string', default: process.env.CHAOS_SERVER_RESTARTS ?? '1' },
    window: { type: 'string', default: process.env.CHAOS_WINDOW_SECONDS ?? '120' },
    budget: { type: 'string', default: process.env.CHAOS_ISC_CALLS_PER_10S ?? '90' },
    deadline: { type: 'string', default: process.env.CHAOS_DEADLINE_SECONDS ?? '900' },
    seed: { type: 'string', default: process.env.CHAOS_SEED ?? '2026' },
    json: { type: 'string', default: process.env.CHAOS_JSON },
  },
});

function count(name: string, value: string | undefined): number {
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < 0) throw new Error(`--${name} ${value}: expected a number >= 0`);
  return parsed;
}

const COLUMNS: Array<[keyof ChaosFigures, string]> = [
  ['profile', 'profile'],
  ['changes', 'changes'],
  ['duplicatesInjected', 'duplicates injected'],
  ['workerKills', 'worker kills'],
  ['serverRestarts', 'server restarts'],
  ['iscItemsCreated', 'ISC items created'],
  ['duplicateItems', 'duplicate items'],
  ['lostChanges', 'lost changes'],
  ['wrongOutcomes', 'wrong outcomes'],
  ['rateLimited', '429s'],
  ['lostResponses', 'lost responses'],
  ['wallSeconds', 'wall time (s)'],
];

function table(rows: ChaosFigures[]): string {
  const cells = [COLUMNS.map(([, title]) => title), ...rows.map((r) => COLUMNS.map(([key]) => String(r[key])))];
  const widths = COLUMNS.map((_, c) => Math.max(...cells.map((row) => row[c]!.length)));
  const line = (row: string[]): string => `| ${row.map((cell, c) => cell.padEnd(widths[c]!)).join(' | ')} |`;
  return [line(cells[0]!), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...cells.slice(1).map(line)].join(
    '\n',
  );
}

async function main(): Promise<number> {
  const profiles: Profile[] =
    values.profile === 'both' ? ['current', 'legacy'] : values.profile === 'legacy' ? ['legacy'] : ['current'];
  if (!['both', 'current', 'legacy'].includes(values.profile)) throw new Error('--profile: current, legacy or both');
  const figures: ChaosFigures[] = [];
  let problems = 0;
  for (const profile of profiles) {
    const report = await runChaos({
      profile,
      changes: count('changes', values.changes),
      duplicates: count('duplicates', values.duplicates),
      workerKills: count('kills', values.kills),
      serverRestarts: count('server-restarts', values['server-restarts']),
      startWindowSeconds: count('window', values.window),
      faults: DEFAULT_FAULTS,
      rateLimit: { requests: 100, windowSeconds: 10 },
      iscCallsPer10s: count('budget', values.budget),
      deadlineSeconds: count('deadline', values.deadline),
      seed: count('seed', values.seed),
      log: (line) => console.error(`[${new Date().toISOString()}] ${line}`),
    });
    report.problems.forEach((p) => console.error(`  ${profile}: ${p}`));
    problems += report.problems.length;
    figures.push(report.figures);
  }
  console.log(table(figures));
  if (values.json)
    writeFileSync(values.json, `${JSON.stringify({ faults: DEFAULT_FAULTS, runs: figures }, null, 2)}\n`);
  return problems === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
