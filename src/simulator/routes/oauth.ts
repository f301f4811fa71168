/**
 * POST /oauth/token, client-credentials grant. Parameters may arrive urlencoded, as multipart
 * form-data (what SailPoint's TypeScript SDK sends) or in the query string; body values win.
 */
import formbody from '@fastify/formbody';
import multipart from '@fastify/multipart';
import { type FastifyInstance } from 'fastify';
import { z } from 'zod';
import { type SimulatorState } from '../state';

const tokenParams = z.object({
  grant_type: z.string().optional(),
  client_id: z.string().optional(),
  client_secret: z.string().optional(),
});

export async function oauthRoutes(app: FastifyInstance, state: SimulatorState): Promise<void> {
  await app.register(formbody);
  await app.register(multipart, { attachFieldsToBody: 'keyValues' });

  app.post('/oauth/token', async (request, reply) => {
    const query = tokenParams.safeParse(request.query ?? {});
    const body = tokenParams.safeParse(request.body ?? {});
    const params = { ...(query.success ? query.data : {}), ...(body.success ? body.data : {}) };
    if (params.grant_type !== 'client_credentials') {
      return reply.code(400).send({
        error: 'unsupported_grant_type',
        error_description: 'Only grant_type=client_credentials is supported.',
      });
    }
    if (!state.tokens.checkCredentials(params.client_id, params.client_secret)) {
      return reply.code(401).send({ error: 'invalid_client', error_description: 'Bad client credentials' });
    }
    return reply.send(state.tokens.issue(state.catalog.admin.id, state.clock.now(), state.random.hexId('tracking')));
  });
}
