/**
 * `iscflow event FILE|- [--json]`: send HR events (a JSON object or array, NDJSON, or CSV) into the
 * identities' lifecycles. Everything is validated before anything is sent (exit 2, nothing sent); then
 * each event is `accepted` or a `duplicate`, with its lifecycle's workflow id. Exit 0 when every event was
 * accepted or a duplicate.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { SingleBar } from 'cli-progress';
import type { TemporalSession } from '../../operations/connection';
import { sendHrEvent, type LifecycleSettings, type SentEvent } from '../../operations/hr-events';
import { readEventFile, type LocatedEvent } from '../event-input';
import { argumentAndJson, commandUsage, UsageError, withTemporal, type CliCommand, type Output } from '../io';

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

type EventOutcome = { where: string; sent?: SentEvent; error?: string };

/** Sends every event, a few at a time, with a progress bar for a big file on a terminal. */
async function sendAll(
  { client, taskQueue }: TemporalSession,
  events: LocatedEvent[],
  delivery: { channel: 'cli' | 'file'; origin: string; settings: LifecycleSettings; quiet: boolean },
): Promise<EventOutcome[]> {
  const bar =
    process.stderr.isTTY && events.length >= PROGRESS_FROM && !delivery.quiet
      ? new SingleBar({ stream: process.stderr, format: 'sending {bar} {value}/{total} events' })
      : undefined;
  bar?.start(events.length, 0);
  const results = await inBatches(
    events,
    async ({ where, event }): Promise<EventOutcome> => {
      try {
        const source = { channel: delivery.channel, deliveryId: `${delivery.origin}:${where}` };
        return { where, sent: await sendHrEvent(client, taskQueue, event, source, delivery.settings) };
      } catch (error) {
        return { where, error: error instanceof Error ? error.message : String(error) };
      }
    },
    () => bar?.increment(),
  );
  bar?.stop();
  return results;
}

function printOutcomes(results: EventOutcome[], json: boolean, io: Output): void {
  if (!json) {
    for (const r of results) {
      if (r.sent) io.out(`${r.sent.status.padEnd(9)} ${r.sent.key} -> ${r.sent.lifecycleWorkflowId}`);
      else io.err(`failed    ${r.where}: ${r.error ?? 'unknown error'}`);
    }
    return;
  }
  const events = results.map((r) => ({
    where: r.where,
    ...(r.sent
      ? { source: r.sent.source, id: r.sent.id, status: r.sent.status, workflowId: r.sent.lifecycleWorkflowId }
      : { status: 'failed', error: r.error }),
  }));
  io.out(JSON.stringify({ events }));
}

const SYNOPSIS = 'iscflow event FILE|- [--json]                 (HR events: a JSON object or array, NDJSON, or CSV)';

export const eventCommand: CliCommand = {
  name: 'event',
  synopsis: SYNOPSIS,
  usage: commandUsage(
    'iscflow event FILE|- [--json]',
    `Sends HR events into the identities' lifecycles: a JSON object or array, NDJSON, or CSV with a header row
(always CSV when FILE ends in .csv); - reads standard input. Everything is checked before anything is sent;
each event is then accepted or a duplicate. CSV columns: id, source, type, employeeNumber, identityId,
effectiveAt, rescinds; every other column is an attribute.`,
    [['--json', 'print JSON']],
  ),
  async run(argv, io, settings) {
    const { argument: file, json } = argumentAndJson(argv, 'event: FILE (or - for standard input) is required');
    const read = readEventFile(readInput(file), { csv: file.toLowerCase().endsWith('.csv') });
    if (!read.ok) throw new UsageError(`${file}: nothing was sent:\n${read.problems.join('\n')}`);
    const { temporal, identities, changes } = settings.read('temporal', 'identities', 'changes');
    const delivery = {
      channel: file === '-' ? ('cli' as const) : ('file' as const),
      origin: file === '-' ? 'stdin' : basename(file),
      settings: { ...identities, change: changes },
      quiet: json,
    };
    return withTemporal(temporal, async (session) => {
      const results = await sendAll(session, read.events, delivery);
      printOutcomes(results, json, io);
      return results.every((r) => r.sent) ? 0 : 1;
    });
  },
};
