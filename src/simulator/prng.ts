/**
 * Seeded randomness. Every random choice of the simulator comes from here (never Math.random) so a
 * run is reproducible from its seed. Each concern draws from its own stream: turning on a fault rate
 * must not change which ids the catalog gets or which requests are rejected.
 */
export type Random = () => number;

/** One mulberry32 step from `state`: the next state and the draw in [0, 1). */
function step(state: number): { state: number; value: number } {
  const next = (state + 0x6d2b79f5) >>> 0;
  let t = next;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return { state: next, value: ((t ^ (t >>> 14)) >>> 0) / 4294967296 };
}

/** mulberry32: tiny, fast, good enough for simulation (not for secrets). */
export function mulberry32(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    const { state, value } = step(a);
    a = state;
    return value;
  };
}

/**
 * `attributes` and `identities` came after the others: identity attributes, sources and identities
 * created at run time draw from them, so adding those features changed no id the other streams give.
 */
export const STREAM_NAMES = [
  'catalog',
  'ids',
  'approval',
  'provisioning',
  'faults',
  'tracking',
  'attributes',
  'identities',
] as const;
export type StreamName = (typeof STREAM_NAMES)[number];

const STREAM_SALT: Record<StreamName, number> = {
  catalog: 0x1a2b3c4d,
  ids: 0x5e6f7081,
  approval: 0x92a3b4c5,
  provisioning: 0xd6e7f809,
  faults: 0x3c4d5e6f,
  tracking: 0x7a8b9cad,
  attributes: 0x4b5c6d7e,
  identities: 0x8f9eadbc,
};

/** Where every stream stands: mulberry32's whole state is one uint32, so this is a stream's position. */
export type StreamPositions = Record<StreamName, number>;

/** Independent, reproducible streams derived from one seed. */
export class RandomStreams {
  private positions: StreamPositions;
  private drawCount = 0;

  constructor(private readonly seed: number) {
    this.positions = this.initial();
  }

  /** How many draws were made since start-up: a cheap way to tell that a request used randomness. */
  get draws(): number {
    return this.drawCount;
  }

  reset(): void {
    this.positions = this.initial();
    this.drawCount++;
  }

  /** The current positions, to persist them. */
  snapshot(): StreamPositions {
    return { ...this.positions };
  }

  /** Puts every stream back where a snapshot left it, so a restart draws what the run would have drawn. */
  restore(positions: StreamPositions): void {
    this.positions = { ...positions };
    this.drawCount++;
  }

  next(name: StreamName): number {
    const { state, value } = step(this.positions[name]);
    this.positions[name] = state;
    this.drawCount++;
    return value;
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

  private initial(): StreamPositions {
    const positions = {} as StreamPositions;
    for (const name of STREAM_NAMES) positions[name] = (this.seed ^ STREAM_SALT[name]) >>> 0;
    return positions;
  }
}
