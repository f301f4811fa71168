/**
 * A faithful SailPoint ISC access-request API, in memory and optionally saved to a state file.
 * `buildSimulator` gives an app for `inject()` tests; `startSimulator` listens (port 0 = a free port).
 * See docs/simulator.md.
 */
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { type CatalogSizes } from './catalog';
import { type SimulatorConfigPatch } from './config';
import { errorResponse, IscHttpError } from './errors';
import { type ApiVersion, iscGuard, outageGuard, statsRoute } from './guard';
import { accessRequestRoutes } from './routes/access-requests';
import { approvalRoutes } from './routes/approvals';
import { controlRoutes } from './routes/control';
import { oauthRoutes } from './routes/oauth';
import { catalogRoutes } from './routes/catalog';
import { searchRoutes } from './routes/search';
import { StateFile } from './persistence';
import { createState, type SimulatorState } from './state';

export type { SimulatorConfig, SimulatorConfigPatch, SimulatorProfile } from './config';
export { StateFileError, type StateFileProblem } from './persistence';

export interface SimulatorOptions {
  /** Makes the catalog and every random choice reproducible. Default 1. */
  seed?: number;
  clientId?: string;
  clientSecret?: string;
  /** `expires_in` of issued tokens, on the simulator clock. Default 750. */
  tokenTtlSeconds?: number;
  catalog?: Partial<CatalogSizes>;
  /** Same shape as the POST /__sim/config body; applied over the config a state file restores. */
  config?: SimulatorConfigPatch;
  logger?: boolean;
  /**
   * A JSON file the tenant is restored from at start (when it exists) and saved to after every change,
   * atomically; `close()` writes the last changes. Start-up throws a `StateFileError` when the file is
   * unreadable, damaged, or was written with another seed or catalog.
   */
  stateFile?: string;
}

export interface RunningSimulator {
  baseUrl: string;
  app: FastifyInstance;
  close(): Promise<void>;
}

export const SIMULATOR_DEFAULT_CREDENTIALS = { clientId: 'iscflow-sim', clientSecret: 'iscflow-sim-secret' };

const VERSIONS: readonly ApiVersion[] = ['v3', 'v2025'];

function trackingId(state: SimulatorState): string {
  return state.random.hexId('tracking');
}

function stateOf(options: SimulatorOptions): SimulatorState {
  return createState({
    seed: options.seed ?? 1,
    clientId: options.clientId ?? SIMULATOR_DEFAULT_CREDENTIALS.clientId,
    clientSecret: options.clientSecret ?? SIMULATOR_DEFAULT_CREDENTIALS.clientSecret,
    tokenTtlSeconds: options.tokenTtlSeconds ?? 750,
    catalog: options.catalog ?? {},
    config: options.config ?? {},
  });
}

/** Restores the tenant from the file and saves it there after changes, and once more on close. */
function persistTo(app: FastifyInstance, state: SimulatorState, stateFile: string): void {
  state.saver = StateFile.open(stateFile, state, {
    onError: (error) => {
      // Serving goes on (the next change tries again); the warning reaches stderr even without a logger.
      app.log.error(error);
      process.emitWarning(error.message);
    },
  });
  app.addHook('onClose', async () => state.saver.flush());
}

/**
 * SailPoint's SDK sends `Content-Type: application/json` with an empty body on approve/reject
 * without a comment; fastify's default parser would refuse that, ISC does not.
 */
function acceptEmptyJson(app: FastifyInstance): void {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') {
      done(null, undefined);
      return;
    }
    try {
      done(null, JSON.parse(text));
    } catch {
      done(new IscHttpError(400, 'The request body is not valid JSON.'), undefined);
    }
  });
}

/** Every failure as ISC's ErrorResponseDto: a thrown IscHttpError as itself, fastify's 4xx as 400, the rest 500. */
function answerErrorsAsIsc(app: FastifyInstance, state: SimulatorState): void {
  app.setErrorHandler((error: FastifyError | IscHttpError, _request, reply) => {
    if (error instanceof IscHttpError)
      return reply.code(error.statusCode).send(errorResponse(error.statusCode, trackingId(state), error.message));
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500)
      return reply.code(400).send(errorResponse(400, trackingId(state), error.message));
    app.log.error(error);
    return reply.code(500).send(errorResponse(500, trackingId(state), 'An internal fault occurred.'));
  });
}

function everyRequest(app: FastifyInstance, state: SimulatorState): void {
  // Due transitions are applied before anything reads state: deterministic and timer-free.
  app.addHook('onRequest', async () => {
    state.engine.catchUp();
  });
  app.addHook('onRequest', outageGuard(state));
  app.addHook('onResponse', async (request, reply) => {
    // ISC's API (not the token endpoint, not the control API) is what the rate limit counts.
    const api = /^\/v(3|2025)\//.test(request.url);
    state.stats.record(request.method, statsRoute(request), reply.statusCode, api ? state.clock.now() : undefined);
    state.saver.changed();
  });
}

/** The token endpoint, ISC's API under each version prefix (guarded: auth, rate limit, faults), the control API. */
function routes(app: FastifyInstance, state: SimulatorState): void {
  void app.register(async (scope) => oauthRoutes(scope, state));
  for (const version of VERSIONS) {
    void app.register(
      async (scope) => {
        scope.addHook('onRequest', iscGuard(state, version));
        accessRequestRoutes(scope, state, version);
        approvalRoutes(scope, state, version);
        searchRoutes(scope, state);
        catalogRoutes(scope, state, version);
      },
      { prefix: `/${version}` },
    );
  }
  controlRoutes(app, state);
}

/** The simulator as an app that does not listen yet: for `inject()` tests and {@link startSimulator}. */
export function buildSimulator(options: SimulatorOptions = {}): FastifyInstance {
  const state = stateOf(options);
  const app = Fastify({ logger: options.logger ?? false, bodyLimit: 10 * 1024 * 1024 });
  if (options.stateFile !== undefined) persistTo(app, state, options.stateFile);
  acceptEmptyJson(app);
  answerErrorsAsIsc(app, state);
  everyRequest(app, state);
  routes(app, state);
  return app;
}

export async function startSimulator(
  options: SimulatorOptions & { port?: number; host?: string } = {},
): Promise<RunningSimulator> {
  const app = buildSimulator(options);
  const host = options.host ?? '127.0.0.1';
  await app.listen({ port: options.port ?? 0, host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    baseUrl: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    app,
    close: () => app.close(),
  };
}
