/**
 * `npm run bench:adopt -- --identities N [--held FRACTION] [--idle SECONDS] [--deadline SECONDS] [--json FILE]`
 *
 * Day one, measured: N identities of a simulated tenant (FRACTION of them, 0.9 by default, already holding
 * their birthright) taken under management by `iscflow adopt`, against ISC's limit of 100 calls per 10 s;
 * then an idle interval (what adopted identities cost while nothing happens) and one `iscflow drift`.
 * Prints one table; `--json FILE` writes `{ "figures": {...}, "context": {...} }`. See docs/performance.md.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { runAdoptBench } from './adopt/run';

const { values } = parseArgs({
  options: {
    identities: { type: 'string', default: '1000' },
    held: { type: 'string', default: '0.9' },
    idle: { type: 'string', default: '60' },
    deadline: { type: 'string', default: '3600' },
    json: { type: 'string' },
    quiet: { type: 'boolean', default: false },
  },
});

function number(name: string, value: string, min: number, max: number): number {
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < min || parsed > max)
    throw new Error(`--${name} ${value}: expected ${min} to ${max}`);
  return parsed;
}

async function main(): Promise<void> {
  const started = Date.now();
  const { figures, context } = await runAdoptBench({
    identities: Math.round(number('identities', values.identities, 1, 1_000_000)),
    held: number('held', values.held, 0, 1),
    idleSeconds: number('idle', values.idle, 1, 86_400),
    deadlineSeconds: number('deadline', values.deadline, 10, 86_400),
    log: values.quiet
      ? () => undefined
      : (line) => console.error(`[${((Date.now() - started) / 1000).toFixed(0)} s] ${line}`),
  });
  console.log('figure\tvalue');
  for (const [name, value] of Object.entries(figures)) console.log(`${name}\t${value}`);
  const { actions, ...rest } = context;
  console.error(`context: ${JSON.stringify(rest)}`);
  console.error(`actions by kind: ${JSON.stringify(actions.total)}`);
  if (values.json) writeFileSync(values.json, JSON.stringify({ figures, context }, null, 2));
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
