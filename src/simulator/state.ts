import { buildCatalog, type Catalog, DEFAULT_CATALOG_SIZES, type CatalogSizes } from './catalog';
import { SimClock } from './clock';
import {
  applyConfigPatch,
  defaultConfig,
  type SimulatorConfig,
  type SimulatorConfigPatch,
  simulatorConfigPatchSchema,
} from './config';
import { Engine, type EngineSnapshot } from './engine';
import { type DirectorySnapshot, IdentityDirectory } from './identities';
import { RandomStreams, type StreamPositions } from './prng';
import { RateLimiter } from './rate-limit';
import { CallStats } from './stats';
import { TokenAuthority } from './auth';

/** Everything one simulator instance owns; built once per app and handed to the route modules. */
export interface SimulatorState {
  config: SimulatorConfig;
  readonly seed: number;
  readonly sizes: CatalogSizes;
  readonly clock: SimClock;
  readonly random: RandomStreams;
  readonly catalog: Catalog;
  readonly identities: IdentityDirectory;
  readonly engine: Engine;
  readonly tokens: TokenAuthority;
  readonly limiter: RateLimiter;
  readonly stats: CallStats;
  /**
   * Clears requests, access changes, run-time identities and attribute changes, stats and rate-limit
   * windows; keeps config and clock.
   */
  reset(): void;
  /** The tenant as a JSON-safe value, what the state file holds; it shares live objects, so serialize it at once. */
  snapshot(): TenantSnapshot;
  /** Replaces the tenant with a snapshot (of the same seed and catalog); throws when it does not fit. */
  restore(snapshot: TenantSnapshot): void;
  /** Changes whenever anything a snapshot holds may have changed; cheap enough for every request. */
  fingerprint(): string;
  /** Where the tenant is saved; a no-op unless the simulator runs with a state file. */
  saver: StateSaver;
}

/** Saves the tenant after changes (see persistence.ts). */
export interface StateSaver {
  /** Called after every request: saves soon when anything changed. */
  changed(): void;
  /** Saves now whatever is not saved yet. */
  flush(): Promise<void>;
}

const NO_SAVER: StateSaver = { changed: () => undefined, flush: async () => undefined };

/** What a restart needs besides the seed: everything that happened since start-up. */
export interface TenantSnapshot {
  clockOffsetMs: number;
  random: StreamPositions;
  config: SimulatorConfig;
  identities: DirectorySnapshot;
  engine: EngineSnapshot;
}

export interface StateOptions {
  seed: number;
  clientId: string;
  clientSecret: string;
  tokenTtlSeconds: number;
  catalog: Partial<CatalogSizes>;
  config: SimulatorConfigPatch;
}

export function createState(options: StateOptions): SimulatorState {
  // Start-up options get the same validation as POST /__sim/config: a typo fails fast, not silently.
  const patch = simulatorConfigPatchSchema.safeParse(options.config);
  if (!patch.success)
    throw new Error(
      `Invalid simulator config: ${patch.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  const sizes: CatalogSizes = { ...DEFAULT_CATALOG_SIZES, ...options.catalog };
  const random = new RandomStreams(options.seed);
  const catalog = buildCatalog(random, sizes);
  const tokens = new TokenAuthority(
    random,
    { clientId: options.clientId, clientSecret: options.clientSecret },
    options.tokenTtlSeconds,
  );
  // Where every stream stands right after start-up: a reset goes back here, so a reset run makes the
  // same choices as a fresh one.
  const seeded = random.snapshot();
  const clock = new SimClock();
  const identities = new IdentityDirectory(catalog);
  const state: SimulatorState = {
    config: applyConfigPatch(defaultConfig(), patch.data),
    seed: options.seed,
    sizes,
    clock,
    random,
    catalog,
    identities,
    engine: new Engine(catalog, identities, clock, random, () => state.config),
    tokens,
    limiter: new RateLimiter(),
    stats: new CallStats(),
    reset() {
      random.restore(seeded);
      identities.reset();
      state.engine.reset();
      state.limiter.reset();
      state.stats.reset();
    },
    snapshot() {
      return {
        clockOffsetMs: clock.offsetMs,
        random: random.snapshot(),
        config: structuredClone(state.config),
        identities: identities.snapshot(),
        engine: state.engine.snapshot(),
      };
    },
    restore(snapshot) {
      identities.restore(snapshot.identities);
      state.engine.restore(snapshot.engine);
      random.restore(snapshot.random);
      clock.restore(snapshot.clockOffsetMs);
      // Options given at this start-up win over the saved config: a flag passed on restart takes effect.
      state.config = applyConfigPatch(snapshot.config, patch.data);
    },
    fingerprint() {
      return [
        state.engine.version,
        identities.version,
        random.draws,
        clock.offsetMs,
        JSON.stringify(state.config),
      ].join('|');
    },
    saver: NO_SAVER,
  };
  return state;
}
