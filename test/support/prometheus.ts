/** Prometheus' text format as a scrape reads it: the samples of a `/metrics` page, and a series summed. */

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** `name{labels} value [timestamp]`; label values may hold spaces and escaped quotes. */
const SAMPLE_LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+-?\d+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** Every sample on the page; a line that is neither a sample nor a comment fails the test. */
export function samples(text: string): Sample[] {
  return text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const m = SAMPLE_LINE.exec(line);
      if (!m) throw new Error(`not a sample line: ${line}`);
      const labels = Object.fromEntries([...(m[2] ?? '').matchAll(LABEL)].map((l) => [l[1], l[2]]));
      return { name: m[1]!, labels, value: Number(m[3]) };
    });
}

/** The sum of a series over all its label sets (series that only share its prefix are others). */
export function sumOfSeries(text: string, name: string): number {
  return samples(text)
    .filter((s) => s.name === name && Number.isFinite(s.value))
    .reduce((sum, s) => sum + s.value, 0);
}
