/**
 * What every CLI command shares: the shape of a command and of its usage, where it writes, the one error
 * that means "bad input" (exit code 2, nothing started), reading the one argument most commands take, and
 * its Temporal session.
 */
import { parseArgs } from 'node:util';
import { openTemporal, type TemporalSession } from '../operations/connection';
import type { CliSettings, TemporalSettings } from './settings';

export interface Output {
  out: (line: string) => void;
  err: (line: string) => void;
  /**
   * Asks the person at the terminal a yes-or-no question (the answer is yes only for `y` or `yes`);
   * absent when no one is there to ask (not a terminal), and a command that must ask then refuses.
   */
  ask?: (question: string) => Promise<boolean>;
}

/** Asks on the terminal: the question on standard error, the answer from standard input. */
export async function askOnTerminal(question: string): Promise<boolean> {
  const { createInterface } = await import('node:readline/promises');
  const terminal = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await terminal.question(`${question} [y/N] `)).trim());
  } finally {
    terminal.close();
  }
}

/**
 * Whether a command that changes access for many people may go on: `--yes`, or a person at the terminal
 * who says yes to `question`. With neither, it refuses rather than act unasked (bad input: exit 2).
 */
export async function confirmed(io: Output, yes: boolean, question: string, refusal: string): Promise<boolean> {
  if (yes) return true;
  if (!io.ask) throw new UsageError(refusal);
  return io.ask(question);
}

/** A problem with what the user typed: exit code 2, nothing started. */
export class UsageError extends Error {}

/**
 * One command of the CLI. `iscflow --help` lists each command's synopsis; `iscflow NAME --help` (or
 * `-h`) prints its usage and runs nothing.
 */
export interface CliCommand {
  /** What the user types after `iscflow`. */
  name: string;
  /** Its line(s) in `iscflow --help`. */
  synopsis: string;
  /** What `iscflow NAME --help` prints: the synopsis, what it does, each option. */
  usage: string;
  /** Runs it with the arguments after its name; returns the exit code. */
  run(argv: string[], io: Output, settings: CliSettings): Promise<number>;
}

/**
 * Runs `body` with a Temporal session that encrypts what it writes as the worker does and decrypts what
 * it reads, closed afterwards whatever happens.
 */
export async function withTemporal<T>(
  { config, payloads }: TemporalSettings,
  body: (session: TemporalSession) => Promise<T>,
): Promise<T> {
  const session = await openTemporal(config, payloads);
  try {
    return await body(session);
  } finally {
    await session.close();
  }
}

/** A command's usage: its synopsis, what it does, and each option with `-h, --help` last. */
export function commandUsage(synopsis: string, about: string, options: ReadonlyArray<[string, string]> = []): string {
  const all = [...options, ['-h, --help', 'print this usage'] as const];
  const width = Math.max(...all.map(([option]) => option.length)) + 2;
  return [
    `Usage: ${synopsis.replace(/\n/g, '\n       ')}`,
    '',
    about,
    '',
    'Options:',
    ...all.map(([option, meaning]) => `  ${option.padEnd(width)}${meaning}`),
  ].join('\n');
}

/** The one argument a command works on, and `--json`: `status ID`, `event FILE`, `identity show KEY`. */
export function argumentAndJson(argv: string[], missing: string): { argument: string; json: boolean } {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { json: { type: 'boolean', default: false } },
    allowPositionals: true,
  });
  const argument = positionals[0];
  if (!argument) throw new UsageError(missing);
  return { argument, json: values.json };
}
