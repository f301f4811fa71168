/**
 * One simulator instance's state, built from its start-up options: the seeded tenant, clock, engine, token
 * issuer, rate limiter and call statistics, with the reset, snapshot and restore a state file and the
 * control API use.
 */
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

/** Start-up options get the same validation as POST /__sim/config: a typo fails fast, not silently. */
function parseConfigOption(config: SimulatorConfigPatch): SimulatorConfigPatch {
  const patch = simulatorConfigPatchSchema.safeParse(config);
  if (!patch.success)
    throw new Error(
      `Invalid simulator config: ${patch.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  return patch.data;
}

/** The seeded tenant and token issuer, and where every random stream stands once they are drawn. */
function seedTenant(options: StateOptions) {
  const sizes: CatalogSizes = { ...DEFAULT_CATALOG_SIZES, ...options.catalog };
  const random = new RandomStreams(options.seed);
  const catalog = buildCatalog(random, sizes);
  const credentials = { clientId: options.clientId, clientSecret: options.clientSecret };
  const tokens = new TokenAuthority(random, credentials, options.tokenTtlSeconds);
  // A reset goes back to these positions, so a reset run makes the same choices as a fresh one.
  return { sizes, random, catalog, tokens, seeded: random.snapshot() };
}

function resetTenant(state: SimulatorState, seeded: StreamPositions): void {
  state.random.restore(seeded);
  state.identities.reset();
  state.engine.reset();
  state.limiter.reset();
  state.stats.reset();
}

function snapshotTenant(state: SimulatorState): TenantSnapshot {
  return {
    clockOffsetMs: state.clock.offsetMs,
    random: state.random.snapshot(),
    config: structuredClone(state.config),
    identities: state.identities.snapshot(),
    engine: state.engine.snapshot(),
  };
}

function restoreTenant(state: SimulatorState, snapshot: TenantSnapshot, startPatch: SimulatorConfigPatch): void {
  state.identities.restore(snapshot.identities);
  state.engine.restore(snapshot.engine);
  state.random.restore(snapshot.random);
  state.clock.restore(snapshot.clockOffsetMs);
  // Options given at this start-up win over the saved config: a flag passed on restart takes effect.
  state.config = applyConfigPatch(snapshot.config, startPatch);
}

function fingerprintOf(state: SimulatorState): string {
  const { engine, identities, random, clock } = state;
  return [engine.version, identities.version, random.draws, clock.offsetMs, JSON.stringify(state.config)].join('|');
}

/** Builds one simulator's state from its start-up options. */
export function createState(options: StateOptions): SimulatorState {
  const patch = parseConfigOption(options.config);
  const { sizes, random, catalog, tokens, seeded } = seedTenant(options);
  const clock = new SimClock();
  const identities = new IdentityDirectory(catalog);
  const state: SimulatorState = {
    config: applyConfigPatch(defaultConfig(), patch),
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
    reset: () => resetTenant(state, seeded),
    snapshot: () => snapshotTenant(state),
    restore: (snapshot) => restoreTenant(state, snapshot, patch),
    fingerprint: () => fingerprintOf(state),
    saver: NO_SAVER,
  };
  return state;
}
