/**
 * What every ingress route shares: its settings, the gateway, the metrics, the clock, and the note each
 * request leaves for its one log line.
 */
import { type FastifyReply, type FastifyRequest } from 'fastify';
import { type HrEvent } from '../domain';
import { type IngressAppConfig } from './config';
import { eventLocation, type EventDelivery, type LifecycleGateway, TemporalUnavailableError } from './gateway';
import { type IngressMetrics } from './metrics';
import { type IngressProblemCode } from './problems';

export interface IngressContext {
  config: Readonly<IngressAppConfig>;
  gateway: LifecycleGateway;
  metrics: IngressMetrics;
  now: () => Date;
  retryAfterSeconds: number;
}

/** How a request ended, for the log line and the request counter: a closed set. */
export type Outcome =
  | 'accepted'
  | 'duplicate'
  | 'ignored'
  | 'hinted'
  | 'found'
  | 'ok'
  | 'ready'
  | 'not_ready'
  | Lowercase<IngressProblemCode>;

/** What a request leaves for its log line: never a header, a body, a secret or personal data. */
export interface RequestNote {
  outcome?: Outcome;
  eventId?: string;
  source?: string;
  eventType?: string;
  trigger?: string;
  deliveryId?: string;
}

const notes = new WeakMap<FastifyRequest, RequestNote>();

export function noteOf(request: FastifyRequest): RequestNote {
  let note = notes.get(request);
  if (!note) {
    note = {};
    notes.set(request, note);
  }
  return note;
}

/**
 * Hands a valid event to the gateway and answers once it is recorded: 202 (new) or 200 (a repeat, which
 * changed nothing), both with the event's Location. Never answers before `send` resolved.
 */
export async function recordEvent(
  context: IngressContext,
  request: FastifyRequest,
  reply: FastifyReply,
  event: HrEvent,
  delivery: EventDelivery,
): Promise<FastifyReply> {
  Object.assign(noteOf(request), { eventId: event.id, source: event.source, eventType: event.type });
  let status: 'accepted' | 'duplicate';
  try {
    ({ status } = await context.gateway.send(event, delivery));
  } catch (error) {
    const result = error instanceof TemporalUnavailableError ? 'unavailable' : 'failed';
    context.metrics.events.inc({ type: event.type, result });
    throw error;
  }
  context.metrics.events.inc({ type: event.type, result: status });
  noteOf(request).outcome = status;
  const location = eventLocation(event.source, event.id);
  return reply
    .code(status === 'accepted' ? 202 : 200)
    .header('location', location)
    .send({ status, source: event.source, id: event.id, location });
}

/** A header's single value; fastify joins repeated custom headers, so arrays only come from set-cookie. */
export function headerOf(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === 'string' ? value : undefined;
}
