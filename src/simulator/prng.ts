/**
 * Seeded randomness. Every random choice of the simulator comes from here (never Math.random) so a
 * run is reproducible from its seed. Each concern draws from its own stream: turning on a fault rate
 * must not change which ids the catalog gets or which requests are rejected.
 */
export type Random = () => number;

/** mulberry32: tiny, fast, good enough for simulation (not for secrets). */
export function mulberry32(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type StreamName = 'catalog' | 'ids' | 'approval' | 'provisioning' | 'faults' | 'tracking';

const STREAM_SALT: Record<StreamName, number> = {
  catalog: 0x1a2b3c4d,
  ids: 0x5e6f7081,
  approval: 0x92a3b4c5,
  provisioning: 0xd6e7f809,
  faults: 0x3c4d5e6f,
  tracking: 0x7a8b9cad,
};

/** Independent, reproducible streams derived from one seed. */
export class RandomStreams {
  private readonly streams = new Map<StreamName, Random>();

  constructor(private readonly seed: number) {
    this.reset();
  }

  reset(): void {
    for (const name of Object.keys(STREAM_SALT) as StreamName[]) {
      this.streams.set(name, mulberry32((this.seed ^ STREAM_SALT[name]) >>> 0));
    }
  }

  next(name: StreamName): number {
    const stream = this.streams.get(name);
    if (!stream) throw new Error(`unknown random stream ${name}`);
    return stream();
  }

  /** True with probability `rate`; draws nothing when the rate is 0 so disabled features stay neutral. */
  chance(name: StreamName, rate: number): boolean {
    if (rate <= 0) return false;
    return this.next(name) < rate;
  }

  /** A 32 lower-case hex id, the shape ISC uses for identities, items and requests. */
  hexId(name: StreamName = 'ids'): string {
    let out = '';
    for (let i = 0; i < 4; i++)
      out += Math.floor(this.next(name) * 0x100000000)
        .toString(16)
        .padStart(8, '0');
    return out;
  }

  pick<T>(name: StreamName, values: readonly T[]): T {
    const value = values[Math.floor(this.next(name) * values.length)];
    if (value === undefined) throw new Error('pick from an empty list');
    return value;
  }
}
