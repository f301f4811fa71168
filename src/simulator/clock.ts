/**
 * The simulator clock: real time plus an offset that tests move forward with POST /__sim/clock.
 * Approvals, provisioning, startDate, removeDate, token expiry and rate-limit windows all follow it,
 * so a test can jump a week ahead without waiting.
 */
export class SimClock {
  private offsetMs = 0;

  now(): number {
    return Date.now() + this.offsetMs;
  }

  advance(ms: number): number {
    this.offsetMs += ms;
    return this.now();
  }

  iso(at: number = this.now()): string {
    return new Date(at).toISOString();
  }
}

/** A simulator instant (epoch ms) as ISC writes it. */
export const iso = (ms: number): string => new Date(ms).toISOString();
