/**
 * One run of the ingress fuzz, shared by the fake-gateway run (test/unit/ingress/fuzz.test.ts) and the
 * real-gateway run (test/integration/ingress-fuzz.test.ts): the seeded cases sent a batch at a time, the
 * tally printed by status and kind, and the verdicts every answer is held to whatever the gateway.
 */
import { mulberry32 } from '../../../src/simulator/prng';
import { Generator, independentlyValid, type CaseKind, type FuzzAnswer, type FuzzCase } from './fuzz-cases';

export const FUZZ_SEED = Number(process.env.ISCFLOW_FUZZ_SEED ?? 20270301);
/** Requests in flight at once, each batch answered in full before the next is sent. */
export const FUZZ_CONCURRENCY = 32;

export interface FuzzResult extends FuzzAnswer {
  fuzzCase: FuzzCase;
  /** Sent while the gateway said Temporal was unavailable (the fake-gateway run's middle stretch). */
  unavailable?: boolean;
  /** Answers 503 before this one (the real-gateway run retries a 503, as a sender would). */
  retries?: number;
}

export interface FuzzRun {
  results: FuzzResult[];
  seconds: number;
}

/**
 * Generates `requests` cases from {@link FUZZ_SEED} and hands them to `sendBatch` {@link FUZZ_CONCURRENCY}
 * at a time, in order, with the share of the run sent before the batch (0 for the first).
 */
export async function runFuzz(
  requests: number,
  sendBatch: (batch: FuzzCase[], share: number) => Promise<FuzzResult[]>,
): Promise<FuzzRun> {
  const generator = new Generator(mulberry32(FUZZ_SEED));
  const cases = Array.from({ length: requests }, () => generator.next());
  const results: FuzzResult[] = [];
  const started = Date.now();
  for (let offset = 0; offset < cases.length; offset += FUZZ_CONCURRENCY) {
    results.push(...(await sendBatch(cases.slice(offset, offset + FUZZ_CONCURRENCY), offset / cases.length)));
  }
  return { results, seconds: (Date.now() - started) / 1000 };
}

/** `status: n, ...` in ascending status order. */
function countsLine(counts: Map<number, number>): string {
  return [...counts]
    .sort(([a], [b]) => a - b)
    .map(([status, n]) => `${status}: ${n}`)
    .join(', ');
}

/**
 * The tally to print: `<label> seed S: N requests in T s (R/s), <summary>`, the counts by status, then
 * by kind.
 */
export function fuzzTally(label: string, { results, seconds }: FuzzRun, summary: string): string {
  const byStatus = new Map<number, number>();
  const byKind = new Map<CaseKind, Map<number, number>>();
  for (const { fuzzCase, status } of results) {
    byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
    const kind = byKind.get(fuzzCase.kind) ?? new Map<number, number>();
    kind.set(status, (kind.get(status) ?? 0) + 1);
    byKind.set(fuzzCase.kind, kind);
  }
  return [
    `${label} seed ${FUZZ_SEED}: ${results.length} requests in ${seconds.toFixed(1)} s ` +
      `(${Math.round(results.length / seconds)}/s), ${summary}`,
    `by status: ${countsLine(byStatus)}`,
    ...[...byKind]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([kind, counts]) => `  ${kind.padEnd(22)} ${countsLine(counts)}`),
  ].join('\n');
}

/** Kinds the test itself knows to be invalid or unauthenticated: each must be refused with a 4xx. */
const REFUSED_KINDS: readonly CaseKind[] = [
  'signed-then-tampered',
  'bad-signature-headers',
  'garbage',
  'oversize',
  'wrong-route',
];

/** Recorded: accepted (200/202), or 503 because Temporal was unavailable (the event may go again). */
const recorded = (r: FuzzResult): boolean =>
  r.status === 200 || r.status === 202 || (r.status === 503 && !!r.unavailable);

/**
 * What every fuzz run holds its answers to: no 5xx but a 503 while Temporal was unavailable; a 4xx for
 * every request the test knows to be invalid or unauthenticated; a signed JSON body recorded exactly when
 * it holds a valid HR event; every valid event recorded (200 or 202, or 503 while unavailable).
 */
export function expectFuzzVerdicts(results: FuzzResult[]): void {
  const faults = results.filter((r) => r.status >= 500 && !(r.status === 503 && r.unavailable));
  expect(faults.map((r) => `${r.fuzzCase.kind} ${r.status} ${r.body.slice(0, 200)}`)).toEqual([]);
  for (const r of results) {
    const { kind } = r.fuzzCase;
    if (REFUSED_KINDS.includes(kind)) expect([kind, r.status >= 400 && r.status < 500]).toEqual([kind, true]);
    if (kind === 'mutated-then-signed' && r.fuzzCase.headers['content-type'] === 'application/json') {
      const valid = independentlyValid(r.fuzzCase);
      expect([kind, valid, recorded(r)]).toEqual([kind, valid, valid]);
    }
    if (kind === 'valid' || kind === 'valid-cloudevent') {
      const answered = r.unavailable ? r.status === 503 : r.status === 200 || r.status === 202;
      expect([kind, r.status, answered]).toEqual([kind, r.status, true]);
    }
  }
}
