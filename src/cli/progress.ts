/**
 * Progress on a terminal for commands that work through thousands of identities: a count while ISC is
 * read (how many there are is known only at the end), a bar while lifecycles are started or asked. Nothing
 * on a pipe, in a file or with `--json`: there the summary is the output.
 */
import { SingleBar } from 'cli-progress';

export interface Progress {
  show(done: number): void;
  stop(): void;
}

const SILENT: Progress = { show: () => undefined, stop: () => undefined };

/** A bar of `done`/`total`, or, without a total, a running count. */
export function progressOnTerminal(label: string, { quiet, total }: { quiet: boolean; total?: number }): Progress {
  if (quiet || !process.stderr.isTTY) return SILENT;
  const format = total === undefined ? `${label} {value}` : `${label} {bar} {value}/{total}`;
  const bar = new SingleBar({ stream: process.stderr, format, hideCursor: true });
  bar.start(total ?? Number.MAX_SAFE_INTEGER, 0);
  return {
    show: (done) => bar.update(done),
    stop: () => bar.stop(),
  };
}
