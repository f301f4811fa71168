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
  readonly engine: Engine;
  readonly tokens: TokenAuthority;
  readonly limiter: RateLimiter;
  readonly stats: CallStats;
  /** Clears requests, access changes, stats and rate-limit windows; keeps config and clock. */
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
  const random = new RandomStreams(options.seed);
  const catalog = buildCatalog(random, { ...DEFAULT_CATALOG_SIZES, ...options.catalog });
  const tokens = new TokenAuthority(
    random,
    { clientId: options.clientId, clientSecret: options.clientSecret },
    options.tokenTtlSeconds,
  );
  const clock = new SimClock();
  const state: SimulatorState = {
    config: applyConfigPatch(defaultConfig(), patch.data),
    clock,
    random,
    catalog,
    engine: new Engine(catalog, clock, random, () => state.config),
    tokens,
    limiter: new RateLimiter(),
    stats: new CallStats(),
    reset() {
      // Re-seeding then replaying the catalog and token draws puts every stream back where it was
      // right after start-up, so a reset run makes the same choices as a fresh one.
      random.reset();
      buildCatalog(random, { ...DEFAULT_CATALOG_SIZES, ...options.catalog });
      random.hexId('catalog');
      random.hexId('catalog');
      state.engine.reset();
      state.limiter.reset();
      state.stats.reset();
    },
  };
  return state;
}
