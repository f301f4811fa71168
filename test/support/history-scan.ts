/**
 * Finds data that must never be stored in clear in Temporal: employee numbers, names, departments,
 * client secrets, webhook secrets, payload keys, bearer tokens.
 *
 * Reads histories the way an operator (or an attacker with read access to Temporal) would: with the
 * `temporal` CLI, `workflow list` then `workflow show --output json` per run, with no codec. Every string
 * in the history is searched as it is, and every payload's data and metadata are searched after base64
 * decoding (that is how the CLI prints them); `binary/encrypted` payload data is ciphertext and is not
 * searched, so a short needle cannot match it by chance.
 *
 * Findings never contain a needle: it is masked wherever it would appear, so a failing test does not
 * print the secret it caught into the CI log.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ensureTemporalBinaries } from '../../src/local/temporal-binaries';

const run = promisify(execFile);

/** A value to look for; a label says what it is in findings (default: `needle #<index>`). */
export type Needle = string | { label: string; value: string };

export interface HistoryScanOptions {
  /** Temporal frontend, `host:port`. */
  address: string;
  namespace: string;
  needles: readonly Needle[];
  /** A visibility query limiting which workflows are read (`temporal workflow list --query`). */
  query?: string;
  /** The `temporal` CLI; default TEMPORAL_CLI_PATH, PATH, or the project's installed copy. */
  cliPath?: string;
}

export interface HistoryFinding {
  workflowId: string;
  runId: string;
  eventId: number;
  eventType: string;
  /** Where in the event, e.g. `workflowExecutionStartedEventAttributes.input.payloads[0].data`. */
  path: string;
  /** The needle's label. */
  label: string;
  /** Up to 30 characters either side, the needle replaced by `[label]`. */
  context: string;
}

const MIN_NEEDLE_LENGTH = 3;
const CONTEXT_CHARS = 30;
const PARALLEL_READS = 4;
const MAX_OUTPUT_BYTES = 256 * 1024 * 1024;

interface LabelledNeedle {
  label: string;
  value: string;
}

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

interface ListedExecution {
  execution?: { workflowId?: string; runId?: string };
}

interface HistoryEvent {
  eventId?: string | number;
  eventType?: string;
  [key: string]: Json | undefined;
}

function labelled(needles: readonly Needle[]): LabelledNeedle[] {
  return needles.map((needle, index) => {
    const value = typeof needle === 'string' ? needle : needle.value;
    const label = typeof needle === 'string' ? `needle #${index}` : needle.label;
    if (value.length < MIN_NEEDLE_LENGTH) {
      throw new Error(
        `scanHistories: ${label} is shorter than ${MIN_NEEDLE_LENGTH} characters and would match anywhere`,
      );
    }
    return { label, value };
  });
}

function masked(text: string, needles: readonly LabelledNeedle[]): string {
  // Longest first, so a needle that contains another is masked whole.
  return [...needles]
    .sort((a, b) => b.value.length - a.value.length)
    .reduce((out, { label, value }) => out.split(value).join(`[${label}]`), text);
}

/** Widens [from, to) so that no needle is cut in half at either edge (half a secret is still a leak). */
function widened(text: string, from: number, to: number, needles: readonly LabelledNeedle[]): [number, number] {
  let [start, end] = [from, to];
  for (let changed = true; changed;) {
    changed = false;
    for (const { value } of needles) {
      for (let at = text.indexOf(value, Math.max(0, start - value.length + 1)); at >= 0 && at < end;) {
        const stop = at + value.length;
        if (at < start && stop > start) [start, changed] = [at, true];
        if (at < end && stop > end) [end, changed] = [stop, true];
        at = text.indexOf(value, at + 1);
      }
    }
  }
  return [start, end];
}

/** Printable context: decoded binary can hold anything. */
function printable(text: string): string {
  return Array.from(text, (char) => {
    const code = char.codePointAt(0) ?? 0;
    return code < 0x20 || (code >= 0x7f && code <= 0x9f) || code === 0xfffd ? '.' : char;
  }).join('');
}

function base64Text(value: string): string {
  return Buffer.from(value, 'base64').toString('utf8');
}

/** A Temporal Payload as the CLI prints it: `{ metadata: { k: base64 }, data?: base64 }`. */
function isPayload(value: { [key: string]: Json }): value is { metadata: Record<string, string>; data?: string } {
  const { metadata, data } = value;
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) return false;
  if (data !== undefined && typeof data !== 'string') return false;
  return Object.values(metadata).every((v) => typeof v === 'string') && 'encoding' in metadata;
}

interface Visit {
  path: string;
  text: string;
}

/** Every searchable text in an event, with where it sits. */
function* texts(value: Json | undefined, path: string): Generator<Visit> {
  if (typeof value === 'string') {
    yield { path, text: value };
  } else if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) yield* texts(item, `${path}[${index}]`);
  } else if (typeof value === 'object' && value !== null) {
    if (isPayload(value)) {
      for (const [key, encoded] of Object.entries(value.metadata)) {
        yield { path: `${path}.metadata.${key}`, text: base64Text(encoded) };
      }
      const encoding = base64Text(value.metadata.encoding ?? '');
      if (value.data !== undefined && encoding !== 'binary/encrypted') {
        yield { path: `${path}.data`, text: base64Text(value.data) };
      }
      return;
    }
    for (const [key, item] of Object.entries(value)) yield* texts(item, path ? `${path}.${key}` : key);
  }
}

async function cli(cliPath: string, args: string[]): Promise<unknown> {
  const { stdout } = await run(cliPath, args, { maxBuffer: MAX_OUTPUT_BYTES });
  return JSON.parse(stdout) as unknown;
}

async function mapLimited<T, R>(items: readonly T[], limit: number, body: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await body(items[index] as T);
    }
  });
  await Promise.all(workers);
  return results;
}

/**
 * Lists every workflow run of the namespace (or those matching `query`), reads each history with the
 * CLI, and returns every place a needle appears in clear. An empty array is the pass condition.
 */
export async function scanHistories(options: HistoryScanOptions): Promise<HistoryFinding[]> {
  const needles = labelled(options.needles);
  const cliPath = options.cliPath ?? ensureTemporalBinaries().cli;
  const connection = ['--address', options.address, '--namespace', options.namespace];
  const listed = (await cli(cliPath, [
    'workflow',
    'list',
    ...connection,
    '--output',
    'json',
    ...(options.query ? ['--query', options.query] : []),
  ])) as ListedExecution[] | null;
  const runs = (listed ?? []).flatMap(({ execution }) =>
    execution?.workflowId && execution.runId ? [{ workflowId: execution.workflowId, runId: execution.runId }] : [],
  );

  const perRun = await mapLimited(runs, PARALLEL_READS, async ({ workflowId, runId }) => {
    const history = (await cli(cliPath, [
      'workflow',
      'show',
      ...connection,
      '--workflow-id',
      workflowId,
      '--run-id',
      runId,
      '--output',
      'json',
    ])) as { events?: HistoryEvent[] };
    const findings: HistoryFinding[] = [];
    for (const event of history.events ?? []) {
      const { eventId, eventType, ...attributes } = event;
      for (const { path, text } of texts(attributes as { [key: string]: Json }, '')) {
        for (const needle of needles) {
          let at = text.indexOf(needle.value);
          while (at >= 0) {
            const [from, to] = widened(
              text,
              Math.max(0, at - CONTEXT_CHARS),
              Math.min(text.length, at + needle.value.length + CONTEXT_CHARS),
              needles,
            );
            findings.push({
              workflowId: masked(workflowId, needles),
              runId,
              eventId: Number(eventId),
              eventType: eventType ?? 'UNKNOWN',
              path: masked(path, needles),
              label: needle.label,
              context: printable(masked(text.slice(from, to), needles)),
            });
            at = text.indexOf(needle.value, at + needle.value.length);
          }
        }
      }
    }
    return findings;
  });
  return perRun.flat();
}
