/**
 * `POST /v1/isc/triggers[?trigger=idn:...]`: ISC event-trigger deliveries (fire and forget), authenticated
 * by the subscription's bearer token or basic credentials, checked before the body is read. ISC never
 * resends such a delivery, so the answer comes as soon as the event is recorded, and a hint's failure
 * is logged rather than answered.
 */
import { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { z } from 'zod';
import { acceptOnly, JSON_MEDIA_TYPE, keepRawBodies, parseJsonBody } from '../body';
import { type IscTriggerAuth } from '../config';
import { headerOf, type IngressContext, noteOf, recordEvent } from '../context';
import { challengeFor, checkIscCredentials } from '../isc-auth';
import { interpretTrigger } from '../isc-triggers';
import { IngressProblem, invalidEvent } from '../problems';

export const ISC_TRIGGERS_PATH = '/v1/isc/triggers';

const querySchema = z.looseObject({ trigger: z.string().max(100).optional() });
const EMPTY = Buffer.alloc(0);

function authenticate(context: IngressContext, auth: Readonly<IscTriggerAuth>) {
  return async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const check = checkIscCredentials(headerOf(request, 'authorization'), auth);
    if (!check.ok) {
      context.metrics.credentialFailures.inc({ reason: check.reason.toLowerCase() });
      throw new IngressProblem('UNAUTHORIZED', check.message, {
        reason: check.reason,
        headers: { 'www-authenticate': challengeFor(auth) },
      });
    }
  };
}

export function iscTriggerRoutes(context: IngressContext, auth: Readonly<IscTriggerAuth>) {
  return async (scope: FastifyInstance): Promise<void> => {
    keepRawBodies(scope, [JSON_MEDIA_TYPE]);

    scope.post(
      ISC_TRIGGERS_PATH,
      { onRequest: [authenticate(context, auth), acceptOnly([JSON_MEDIA_TYPE])] },
      async (request, reply) => {
        const query = querySchema.safeParse(request.query);
        if (!query.success) {
          throw new IngressProblem(
            'TRIGGER_INVALID',
            'trigger must be given once, as a trigger id such as idn:identity-created',
          );
        }
        const body = Buffer.isBuffer(request.body) ? request.body : EMPTY;
        const payload = parseJsonBody(body);
        const outcome = interpretTrigger(query.data.trigger, payload, body, {
          terminatedLifecycleStates: context.config.terminatedLifecycleStates,
          receivedAt: context.now(),
        });
        const note = noteOf(request);
        note.trigger = outcome.trigger;
        switch (outcome.kind) {
          case 'invalid':
            if (outcome.violations) throw invalidEvent(outcome.violations, outcome.detail);
            throw new IngressProblem('TRIGGER_INVALID', outcome.detail);
          case 'ignored':
            note.outcome = 'ignored';
            return reply.code(200).send({ status: 'ignored', trigger: outcome.trigger, detail: outcome.detail });
          case 'hint':
            try {
              await context.gateway.hintAccessRequests(outcome.accessRequestIds);
            } catch (error) {
              // A hint only speeds up what polling finds anyway; ISC would not resend it on an error answer.
              request.log.warn({ err: error, trigger: outcome.trigger }, 'access request hint not delivered');
            }
            note.outcome = 'hinted';
            return reply
              .code(202)
              .send({ status: 'hinted', trigger: outcome.trigger, accessRequestIds: outcome.accessRequestIds });
          case 'event':
            return recordEvent(context, request, reply, outcome.event, { channel: 'isc-trigger' });
        }
      },
    );
  };
}
