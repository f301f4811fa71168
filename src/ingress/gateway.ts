/**
 * What the ingress needs from the rest of iscflow, and nothing more: record an event durably, say where
 * one stands, pass on a hint, and say whether Temporal answers. The ingress never talks to Temporal
 * itself; whoever starts it hands in a gateway (the Temporal one in production, a fake in tests).
 */
import { z } from 'zod';
import type { Logger } from 'pino';
import { type EventDelivery, type HrEvent } from '../domain';

export type { EventDelivery } from '../domain';

export interface EventAcceptance {
  /** `accepted`: durably recorded now. `duplicate`: the same event (source + id) was recorded before. */
  status: 'accepted' | 'duplicate';
  source: string;
  id: string;
  /** Where the event can be looked up: `/v1/events/{source}/{id}` (URL-encoded parts). */
  location: string;
}

/**
 * Where an event stands, as the gateway reports it and GET /v1/events/{source}/{id} answers it. Parsed
 * on the way out: a field the gateway adds by mistake (more of the person than `identity.ref`) never
 * reaches the caller.
 */
export const eventStandingSchema = z.object({
  source: z.string(),
  id: z.string(),
  /** received: recorded, not yet applied; applied; pending (until pendingUntil); duplicate; rescinded; ignored. */
  state: z.enum(['received', 'applied', 'pending', 'duplicate', 'rescinded', 'ignored']),
  pendingUntil: z.string().optional(),
  identity: z.object({ key: z.string(), ref: z.string() }).optional(),
  detail: z.string().optional(),
});
export type EventStanding = z.infer<typeof eventStandingSchema>;

export interface LifecycleGateway {
  /** Records the event durably in Temporal; resolves only once it is. Rejects with TemporalUnavailableError when Temporal cannot be reached. */
  send(event: HrEvent, delivery: EventDelivery): Promise<EventAcceptance>;
  standing(source: string, id: string): Promise<EventStanding | undefined>;
  /** A hint that these ISC access requests moved (from idn:access-request-post-approval). Best effort. */
  hintAccessRequests(accessRequestIds: string[]): Promise<void>;
  /** Whether Temporal answers (for /readyz). */
  ready(): Promise<boolean>;
}

/**
 * Temporal cannot be reached, so nothing was recorded: the ingress answers 503 with Retry-After and
 * the sender tries again later (the event is deduplicated by source and id, so a retry is safe).
 */
export class TemporalUnavailableError extends Error {
  readonly code = 'TEMPORAL_UNAVAILABLE';
  override readonly name = 'TemporalUnavailableError';

  constructor(message = 'Temporal cannot be reached', options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** `/v1/events/{source}/{id}`, each part URL-encoded: where an event's standing is read. */
export function eventLocation(source: string, id: string): string {
  return `/v1/events/${encodeURIComponent(source)}/${encodeURIComponent(id)}`;
}

/** A gateway and how to let go of it (its Temporal connection) when the ingress stops. */
export interface GatewayHandle {
  gateway: LifecycleGateway;
  close(): Promise<void>;
}

export type OpenGateway = (logger: Logger) => Promise<GatewayHandle>;
