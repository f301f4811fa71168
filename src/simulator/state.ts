import { buildCatalog, type Catalog, DEFAULT_CATALOG_SIZES, type CatalogSizes } from './catalog';
import { SimClock } from './clock';
import {
  applyConfigPatch,
  defaultConfig,
  type SimulatorConfig,
  type SimulatorConfigPatch,
  simulatorConfigPatchSchema,
} from './config';
import { Engine } from './engine';
import { IdentityDirectory } from './identities';
import { RandomStreams } from './prng';
import { RateLimiter } from './rate-limit';
import { CallStats } from './stats';
import { TokenAuthority } from './auth';

/** Everything one simulator instance owns; built once per app and handed to the route modules. */
export interface SimulatorState {
  config: SimulatorConfig;
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
  };
  return state;
}
