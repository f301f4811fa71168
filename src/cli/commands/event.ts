/**
 * `iscflow event FILE|- [--json]`: send HR events (a JSON object or array, NDJSON, or CSV) into the
 * identities' lifecycles. Everything is validated before anything is sent (exit 2, nothing sent); then
 * each event is `accepted` or a `duplicate`, with its lifecycle's workflow id. Exit 0 when every event was
 * accepted or a duplicate.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { SingleBar } from 'cli-progress';
import { sendHrEvent, type SentEvent } from '../../operations/hr-events';
import { readEventFile, type LocatedEvent } from '../event-input';
import { UsageError, withTemporal, type Env, type Output } from '../io';
import { lifecycleSettings } from '../lifecycle-settings';

/** Events in flight at once: enough to load a big export quickly, few enough to be gentle on Temporal. */
const CONCURRENCY = 16;
/** Below this many events a progress bar is more noise than help. */
const PROGRESS_FROM = 50;

function readInput(file: string): string {
  try {
    return readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (error) {
    throw new UsageError(`${file}: cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

async function inBatches<T, R>(items: T[], work: (item: T) => Promise<R>, onDone: () => void): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    for (let i = next++; i < items.length; i = next++) {
      results[i] = await work(items[i] as T);
      onDone();
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, items.length) }, lane));
  return results;
}

export async function eventCommand(
  argv: string[],
  io: Output,
  env: Env,
  terminal: { isTTY?: boolean; stream?: NodeJS.WriteStream } = { isTTY: process.stderr.isTTY, stream: process.stderr },
): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { json: { type: 'boolean', default: false } },
    allowPositionals: true,
  });
  const file = positionals[0];
  if (!file) throw new UsageError('event: FILE (or - for standard input) is required');
  const read = readEventFile(readInput(file), { csv: file.toLowerCase().endsWith('.csv') });
  if (!read.ok) throw new UsageError(`${file}: nothing was sent:\n${read.problems.join('\n')}`);
  const settings = lifecycleSettings(env);
  const channel = file === '-' ? 'cli' : 'file';
  const origin = file === '-' ? 'stdin' : basename(file);

  return withTemporal(env, async ({ client, taskQueue }) => {
    const bar =
      terminal.isTTY && read.events.length >= PROGRESS_FROM && !values.json
        ? new SingleBar({ stream: terminal.stream, format: 'sending {bar} {value}/{total} events' })
        : undefined;
    bar?.start(read.events.length, 0);
    const results = await inBatches(
      read.events,
      async ({ where, event }: LocatedEvent): Promise<{ where: string; sent?: SentEvent; error?: string }> => {
        try {
          const sent = await sendHrEvent(
            client,
            taskQueue,
            event,
            { channel, deliveryId: `${origin}:${where}` },
            settings,
          );
          return { where, sent };
        } catch (error) {
          return { where, error: error instanceof Error ? error.message : String(error) };
        }
      },
      () => bar?.increment(),
    );
    bar?.stop();
    if (values.json) {
      io.out(
        JSON.stringify({
          events: results.map((r) => ({
            where: r.where,
            ...(r.sent
              ? { source: r.sent.source, id: r.sent.id, status: r.sent.status, workflowId: r.sent.lifecycleWorkflowId }
              : { status: 'failed', error: r.error }),
          })),
        }),
      );
    } else {
      for (const r of results) {
        if (r.sent) io.out(`${r.sent.status.padEnd(9)} ${r.sent.key} -> ${r.sent.lifecycleWorkflowId}`);
        else io.err(`failed    ${r.where}: ${r.error ?? 'unknown error'}`);
      }
    }
    return results.every((r) => r.sent) ? 0 : 1;
  });
}
