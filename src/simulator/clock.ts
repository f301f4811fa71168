/**
 * The simulator clock: real time plus an offset that tests move forward with POST /__sim/clock.
 * Approvals, provisioning, startDate, removeDate, token expiry and rate-limit windows all follow it,
 * so a test can jump a week ahead without waiting. The offset is part of the state file: a restart
 * keeps the simulated date.
 */
export class SimClock {
  private offset = 0;

  get offsetMs(): number {
    return this.offset;
  }

  now(): number {
    return Date.now() + this.offset;
  }

  advance(ms: number): number {
    this.offset += ms;
    return this.now();
  }

  /** Puts the clock where a saved state left it (the real time in between has passed for it too). */
  restore(offsetMs: number): void {
    this.offset = offsetMs;
  }

  iso(at: number = this.now()): string {
    return new Date(at).toISOString();
  }
}

/** A simulator instant (epoch ms) as ISC writes it. */
export const iso = (ms: number): string => new Date(ms).toISOString();
