/**
 * The ingress's gateway to Temporal: events go through the same operation as `iscflow event`
 * (src/operations/hr-events.ts), so an event sent both ways is one event. A Temporal that cannot be
 * reached is a TemporalUnavailableError (the ingress answers 503 and the sender retries), never a 500.
 */
import { status as grpcStatus } from '@grpc/grpc-js';
import { type Client, Connection, isGrpcServiceError } from '@temporalio/client';
import type { Logger } from 'pino';
import { loadPayloadProtection } from '../codec';
import { loadLifecycleStarterConfig, loadTemporalConfig, loadTogether, loadWorkflowDefaults } from '../config';
import { clientFor } from '../operations/connection';
import { readHrEvent, sendHrEvent, type LifecycleSettings } from '../operations/hr-events';
import { hintTrackers } from '../operations/tracker-hints';
import { eventLocation, TemporalUnavailableError, type GatewayHandle, type LifecycleGateway } from './gateway';

type Env = Record<string, string | undefined>;

/** Answers that mean "Temporal is not there (now)": the sender should retry, nothing was recorded. */
const UNAVAILABLE = new Set<number>([
  grpcStatus.UNAVAILABLE,
  grpcStatus.DEADLINE_EXCEEDED,
  grpcStatus.RESOURCE_EXHAUSTED,
  grpcStatus.ABORTED,
  grpcStatus.CANCELLED,
]);

function unavailable(error: unknown): boolean {
  if (isGrpcServiceError(error)) return UNAVAILABLE.has(error.code);
  const cause = (error as { cause?: unknown } | undefined)?.cause;
  return cause !== undefined && isGrpcServiceError(cause) && UNAVAILABLE.has(cause.code);
}

/** Calls Temporal; a failure to reach it becomes TemporalUnavailableError. */
async function reaching<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (unavailable(error)) throw new TemporalUnavailableError('Temporal cannot be reached', { cause: error });
    throw error;
  }
}

/** A deadline for every call, so a Temporal that hangs answers 503 instead of holding the sender. */
const CALL_DEADLINE_MS = 10_000;

/**
 * gRPC waits longer and longer between reconnection attempts (up to 120 s by default), so after an outage
 * of a minute the ingress went on answering 503 for half a minute once Temporal was back. Senders retry on
 * their own schedule; the ingress takes their retry within a second of Temporal answering again. Its
 * subchannels are its own, so that recovery does not depend on another connection of the same process
 * (the tests' own clients) reconnecting first.
 */
const RECONNECT_CHANNEL_ARGS = {
  'grpc.initial_reconnect_backoff_ms': 250,
  'grpc.max_reconnect_backoff_ms': 1000,
  'grpc.use_local_subchannel_pool': 1,
} as const;

export function createTemporalGateway(
  client: Client,
  taskQueue: string,
  settings: LifecycleSettings,
  logger: Logger,
): LifecycleGateway {
  const deadline = <T>(call: () => Promise<T>): Promise<T> =>
    client.withDeadline(Date.now() + CALL_DEADLINE_MS, () => reaching(call));
  return {
    async send(event, delivery) {
      const sent = await deadline(() => sendHrEvent(client, taskQueue, event, delivery, settings));
      return { status: sent.status, source: sent.source, id: sent.id, location: eventLocation(sent.source, sent.id) };
    },
    async standing(source, id) {
      const standing = await deadline(() => readHrEvent(client, source, id));
      if (!standing) return undefined;
      return {
        source: standing.source,
        id: standing.id,
        state: standing.state,
        ...(standing.pendingUntil ? { pendingUntil: standing.pendingUntil } : {}),
        ...(standing.identity ? { identity: standing.identity } : {}),
        ...(standing.detail ? { detail: standing.detail } : {}),
      };
    },
    async hintAccessRequests(accessRequestIds) {
      // Polling is the source of truth (ISC never resends a trigger); the hint only says where to look.
      const trackers = await deadline(() => hintTrackers(client, taskQueue, accessRequestIds));
      logger.info({ accessRequestIds, trackers }, 'access request moved (hint)');
    },
    async ready() {
      try {
        await client.withDeadline(Date.now() + 2000, () => client.workflowService.getSystemInfo({}));
        return true;
      } catch {
        return false;
      }
    },
  };
}

/** The task queue and the lifecycle settings, from the same variables as `iscflow event`. */
function gatewaySettings(env: Env): { taskQueue: string; settings: LifecycleSettings } {
  const { taskQueue } = loadTemporalConfig(env);
  return { taskQueue, settings: { ...loadLifecycleStarterConfig(env), change: loadWorkflowDefaults(env) } };
}

/**
 * The Temporal gateway over a client the caller already holds (`npm run dev` shares its own). An event
 * sent through it or with `iscflow event` starts the same lifecycle with the same settings. Throws
 * ConfigError on a bad setting.
 */
export function temporalGatewayFor(client: Client, env: Env, logger: Logger): LifecycleGateway {
  const { taskQueue, settings } = gatewaySettings(env);
  return createTemporalGateway(client, taskQueue, settings, logger.child({ component: 'gateway' }));
}

/**
 * Opens the gateway the ingress runs with, on a connection of its own: Temporal from TEMPORAL_*, payloads
 * encrypted with ISCFLOW_PAYLOAD_KEYS like every other client of the deployment (a real tenant without
 * keys is refused, as the worker refuses it).
 */
export function openTemporalGateway(env: Env = process.env) {
  return async (logger: Logger): Promise<GatewayHandle> => {
    // Read before connecting: a bad setting stops start-up without waiting on Temporal.
    const [temporal, { taskQueue, settings }, payloads] = loadTogether(
      () => loadTemporalConfig(env),
      () => gatewaySettings(env),
      () => loadPayloadProtection(env),
    );
    // Lazy: the ingress starts (and answers 503) even while Temporal is still coming up.
    const options = { ...temporal.connection, channelArgs: RECONNECT_CHANNEL_ARGS };
    const connection = await Connection.connect({ ...options, connectTimeout: 5000 }).catch(() =>
      Connection.lazy(options),
    );
    const client = clientFor(connection, temporal.namespace, payloads);
    return {
      gateway: createTemporalGateway(client, taskQueue, settings, logger.child({ component: 'gateway' })),
      close: () => connection.close(),
    };
  };
}
