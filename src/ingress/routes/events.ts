/**
 * `POST /v1/events` (an HR event, as JSON or as a structured CloudEvent, Standard Webhooks signed) and
 * `GET /v1/events/{source}/{id}` (where it stands, signed the same way over an empty body).
 */
import { type FastifyInstance, type FastifyRequest } from 'fastify';
import { HR_EVENT_TYPES, hrEventSchema, validateHrEvent } from '../../domain';
import {
  acceptOnly,
  CLOUDEVENTS_MEDIA_TYPE,
  JSON_MEDIA_TYPE,
  keepRawBodies,
  mediaTypeOf,
  parseJsonBody,
} from '../body';
import { hrEventFromCloudEvent } from '../cloudevents';
import { headerOf, type IngressContext, noteOf, recordEvent } from '../context';
import { eventStandingSchema } from '../gateway';
import { type FieldError, IngressProblem, invalidEvent, sendProblem } from '../problems';
import { verifyWebhookSignature } from '../signature';

export const EVENTS_PATH = '/v1/events';
export const EVENT_PATH = '/v1/events/:source/:id';

const EVENT_MEDIA_TYPES = [JSON_MEDIA_TYPE, CLOUDEVENTS_MEDIA_TYPE] as const;
const EMPTY = Buffer.alloc(0);

/** Refuses the request (401) unless it carries a valid signature over `body`; returns the `webhook-id`. */
function authenticate(context: IngressContext, request: FastifyRequest, body: Buffer): string {
  const check = verifyWebhookSignature(
    {
      id: headerOf(request, 'webhook-id'),
      timestamp: headerOf(request, 'webhook-timestamp'),
      signature: headerOf(request, 'webhook-signature'),
    },
    body,
    context.config.webhookSecrets,
    Math.floor(context.now().getTime() / 1000),
  );
  if (!check.ok) {
    context.metrics.signatureFailures.inc({ reason: check.reason.toLowerCase() });
    throw new IngressProblem('SIGNATURE_INVALID', check.message, { reason: check.reason });
  }
  noteOf(request).deliveryId = check.id;
  return check.id;
}

function invalidParameters(source: string, id: string): FieldError[] {
  const errors: FieldError[] = [];
  if (!hrEventSchema.shape.source.safeParse(source).success) {
    errors.push({ field: 'source', rule: 'SOURCE_FORMAT', message: 'source is not an HR event source.' });
  }
  if (!hrEventSchema.shape.id.safeParse(id).success) {
    errors.push({ field: 'id', rule: 'EVENT_ID_FORMAT', message: 'id is not an HR event id.' });
  }
  return errors;
}

export function eventRoutes(context: IngressContext) {
  return async (scope: FastifyInstance): Promise<void> => {
    keepRawBodies(scope, EVENT_MEDIA_TYPES);

    scope.post(EVENTS_PATH, { onRequest: acceptOnly(EVENT_MEDIA_TYPES) }, async (request, reply) => {
      const body = Buffer.isBuffer(request.body) ? request.body : EMPTY;
      const deliveryId = authenticate(context, request, body);
      const document = parseJsonBody(body);
      const cloudEvent = mediaTypeOf(request) === CLOUDEVENTS_MEDIA_TYPE;
      const candidate = cloudEvent ? hrEventFromCloudEvent(document) : document;
      const result = validateHrEvent(candidate);
      if (!result.ok) {
        const type = (candidate as { type?: unknown } | null)?.type;
        const known = (HR_EVENT_TYPES as readonly unknown[]).includes(type);
        context.metrics.events.inc({ type: known ? String(type) : 'unknown', result: 'invalid' });
        throw invalidEvent(result.violations);
      }
      return recordEvent(context, request, reply, result.event, {
        channel: cloudEvent ? 'cloudevents' : 'webhook',
        deliveryId,
      });
    });

    scope.get<{ Params: { source: string; id: string } }>(EVENT_PATH, async (request, reply) => {
      authenticate(context, request, EMPTY);
      const { source, id } = request.params;
      const errors = invalidParameters(source, id);
      if (errors.length > 0) {
        throw new IngressProblem('BAD_REQUEST', 'no HR event can have this source and id', { errors });
      }
      Object.assign(noteOf(request), { source, eventId: id });
      const standing = await context.gateway.standing(source, id);
      if (!standing) {
        noteOf(request).outcome = 'not_found';
        return sendProblem(reply, new IngressProblem('NOT_FOUND', `no event ${id} from ${source} is on record`));
      }
      noteOf(request).outcome = 'found';
      return reply.send(eventStandingSchema.parse(standing));
    });
  };
}
