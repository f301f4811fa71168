/**
 * The worker's view of whether ISC answers, and the one rule that keeps an outage from being hammered: a
 * circuit breaker per process. Pure logic over an injected clock; the transport asks it before each
 * exchange and tells it how each ended.
 *
 * - Closed (ISC answers): every call goes. `failureThreshold` consecutive outage failures (5xx, timeouts,
 *   connections refused or dropped; see `OUTAGE_ISC_ERROR_CODES`) open it. Any answer below 500, a 429 or
 *   a 400 included, is ISC answering.
 * - Open (ISC is down): calls are refused at once, not sent, with how long to wait: until the next probe,
 *   plus a spread so that retries do not all arrive together. When the probe is due, one call (whichever
 *   comes first) goes as the probe; the others are still refused. The probe answered closes the circuit;
 *   failed, the wait before the next one doubles, from `firstProbeAfterMs` up to `maxProbeIntervalMs`.
 * - Escalation: once ISC has been down (since the first failure of the streak that opened it) for
 *   `escalateAfterMs`, refusals say so, and the caller turns them into a failure a person looks at.
 *
 * One circuit per ISC client, and the worker makes one client: each worker process judges ISC on its own
 * (several workers probe independently, one probe each at a time), which is enough to keep an outage's
 * load to a handful of calls without coordination across the deployment.
 */

/** Tuning of the circuit; the defaults suit ISC (see docs/reliability.md). */
export interface CircuitTuning {
  /** Consecutive outage failures that open the circuit. */
  failureThreshold: number;
  /** The wait before the first probe; doubles after each failed probe. */
  firstProbeAfterMs: number;
  /** The longest wait between probes: also the longest a backlog waits after ISC is back. */
  maxProbeIntervalMs: number;
}

export const CIRCUIT_DEFAULTS: Readonly<CircuitTuning> = Object.freeze({
  failureThreshold: 5,
  firstProbeAfterMs: 1_000,
  maxProbeIntervalMs: 30_000,
});

/** The shortest wait a refusal asks for: a retry sooner than this would only be refused again. */
const MIN_RETRY_AFTER_MS = 500;

export interface CircuitOptions extends Partial<CircuitTuning> {
  /** How long ISC may be down before refusals escalate; undefined: never. */
  escalateAfterMs?: number;
  now?: () => number;
  /** A number in [0, 1): spreads the retries of refused calls. */
  random?: () => number;
  /** Told each time ISC is seen to go down or come back (and first, when the first call settles). */
  onChange?: (change: AvailabilityChange) => void;
}

/** ISC seen to go down or to come back. */
export interface AvailabilityChange {
  up: boolean;
  /** Going down: since when it failed. Coming back: when it went down (absent for the first observation). */
  downSince?: number;
}

/** What the circuit says about one call about to be sent. */
export type Admission =
  | { kind: 'send'; probe: boolean }
  | {
      kind: 'refuse';
      /** How long the caller should wait before asking again. */
      retryAfterMs: number;
      /** How long ISC has been down. */
      downForMs: number;
      /** ISC has been down longer than `escalateAfterMs`: the caller stops retrying and asks a person. */
      escalate: boolean;
    };

export interface IscCircuit {
  /** Whether this call may be sent now, and whether it is the probe. */
  admit(): Admission;
  /** How a sent call ended: `answered` unless it failed as an outage does. */
  settle(admission: { probe: boolean }, answered: boolean): void;
  /** While ISC is down: how long it has been, whether that escalates, and when to try again. */
  outage(): Omit<Extract<Admission, { kind: 'refuse' }>, 'kind'> | undefined;
}

interface Down {
  since: number;
  intervalMs: number;
  nextProbeAt: number;
  probing: boolean;
}

type Refusal = Omit<Extract<Admission, { kind: 'refuse' }>, 'kind'>;

class Circuit implements IscCircuit {
  private readonly tuning: CircuitTuning;
  private readonly now: () => number;
  private readonly random: () => number;
  private streak: { failures: number; since: number } | undefined;
  private down: Down | undefined;
  /** What the listener was last told; undefined before the first call settled. */
  private seen: boolean | undefined;

  constructor(private readonly options: CircuitOptions) {
    this.tuning = {
      failureThreshold: options.failureThreshold ?? CIRCUIT_DEFAULTS.failureThreshold,
      firstProbeAfterMs: options.firstProbeAfterMs ?? CIRCUIT_DEFAULTS.firstProbeAfterMs,
      maxProbeIntervalMs: options.maxProbeIntervalMs ?? CIRCUIT_DEFAULTS.maxProbeIntervalMs,
    };
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
  }

  admit(): Admission {
    const down = this.down;
    if (!down) return { kind: 'send', probe: false };
    if (!down.probing && this.now() >= down.nextProbeAt) {
      down.probing = true;
      return { kind: 'send', probe: true };
    }
    return { kind: 'refuse', ...this.refusal(down) };
  }

  settle({ probe }: { probe: boolean }, answered: boolean): void {
    if (answered) this.answered();
    else if (this.down) this.probeFailed(this.down, probe);
    else this.failed();
  }

  outage(): Refusal | undefined {
    return this.down ? this.refusal(this.down) : undefined;
  }

  private refusal(down: Down): Refusal {
    const at = this.now();
    const untilProbe = down.probing ? down.intervalMs : Math.max(0, down.nextProbeAt - at);
    const downForMs = at - down.since;
    const { escalateAfterMs } = this.options;
    return {
      // Spread over one interval past the probe: retries reach a recovered ISC over time, not all at once.
      retryAfterMs: Math.max(MIN_RETRY_AFTER_MS, Math.round(untilProbe + this.random() * down.intervalMs)),
      downForMs,
      escalate: escalateAfterMs !== undefined && downForMs >= escalateAfterMs,
    };
  }

  private answered(): void {
    const wasDown = this.down;
    this.streak = undefined;
    this.down = undefined;
    if (wasDown) this.tell({ up: true, downSince: wasDown.since });
    else if (this.seen !== true) this.tell({ up: true });
  }

  /** Only the probe's failure counts while down: calls sent before the circuit opened settle late. */
  private probeFailed(down: Down, probe: boolean): void {
    if (!probe) return;
    down.probing = false;
    down.intervalMs = Math.min(this.tuning.maxProbeIntervalMs, down.intervalMs * 2);
    down.nextProbeAt = this.now() + down.intervalMs;
  }

  private failed(): void {
    const at = this.now();
    const streak = { failures: (this.streak?.failures ?? 0) + 1, since: this.streak?.since ?? at };
    this.streak = streak;
    if (streak.failures < this.tuning.failureThreshold) return;
    const { firstProbeAfterMs } = this.tuning;
    this.down = {
      since: streak.since,
      intervalMs: firstProbeAfterMs,
      nextProbeAt: at + firstProbeAfterMs,
      probing: false,
    };
    this.tell({ up: false, downSince: streak.since });
  }

  private tell(change: AvailabilityChange): void {
    this.seen = change.up;
    this.options.onChange?.(change);
  }
}

/** A closed circuit: ISC is taken to answer until calls show otherwise. */
export function createCircuit(options: CircuitOptions = {}): IscCircuit {
  return new Circuit(options);
}
