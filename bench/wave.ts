/**
 * `npm run bench:wave -- [--identities N] [--modes shared,poll] [--kill SECONDS] [--deadline SECONDS] [--json FILE]
 *   [--outage START:SECONDS[:STATUS]]`
 *
 * A Monday wave of joiners against the simulator (ISC's limit of 100 calls per 10 s, approvals taking 5 to
 * 60 s), once with the shared tracker (coalesced submissions, batched status look-ups) and once with the
 * per-workflow polling of before, in the same invocation. Prints one table and writes `{ "shared": {...},
 * "poll": {...} }` to `--json`. See docs/performance.md.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { WaveFigures } from './wave/figures';
import { parseOutage } from './wave/outage';
import { runWave } from './wave/run';

const { values } = parseArgs({
  options: {
    identities: { type: 'string', default: '1000' },
    modes: { type: 'string', default: 'shared,poll' },
    kill: { type: 'string' },
    deadline: { type: 'string', default: '1200' },
    json: { type: 'string' },
    quiet: { type: 'boolean', default: false },
    outage: { type: 'string' },
  },
});

async function main(): Promise<void> {
  const identities = Number(values.identities);
  const modes = (values.modes ?? 'shared,poll').split(',') as Array<'shared' | 'poll'>;
  const results: Partial<Record<'shared' | 'poll', WaveFigures>> = {};
  for (const mode of modes) {
    results[mode] = await runWave({
      mode,
      identities,
      ...(values.kill ? { killAfterSeconds: Number(values.kill) } : {}),
      deadlineSeconds: Number(values.deadline),
      ...(values.outage ? { outage: parseOutage(values.outage) } : {}),
      log: values.quiet ? () => undefined : (line) => console.error(line),
    });
  }
  const columns = Object.keys(results[modes[0] as 'shared'] ?? {}) as Array<keyof WaveFigures>;
  console.log(['figure', ...modes].join('\t'));
  for (const column of columns) console.log([column, ...modes.map((m) => String(results[m]?.[column]))].join('\t'));
  if (results.shared && results.poll) {
    console.log(
      `callsPerItem ratio (poll / shared): ${(results.poll.callsPerItem / results.shared.callsPerItem).toFixed(1)}x`,
    );
  }
  if (values.json) writeFileSync(values.json, JSON.stringify(results, null, 2));
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
