/**
 * `GET /openapi.json`: the ingress's own OpenAPI 3.1 document (openapi.ts), built once for the routes this
 * ingress serves. Unauthenticated, like the probes: it describes the interface, never an event or a person.
 */
import { type FastifyInstance } from 'fastify';
import { noteOf } from '../context';
import { OPENAPI_PATH } from '../openapi';

export function openApiRoutes(document: Record<string, unknown>) {
  const body = JSON.stringify(document);
  return async (scope: FastifyInstance): Promise<void> => {
    scope.get(OPENAPI_PATH, async (request, reply) => {
      noteOf(request).outcome = 'ok';
      return reply.type('application/json').send(body);
    });
  };
}
