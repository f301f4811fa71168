/**
 * The operator's path in the Temporal Web UI with payload encryption on: the dev server's UI is pointed at
 * a codec server (`--ui-codec-endpoint`, as `npm run dev` does with keys), and an operator still reads a
 * waiting change's summary and `status` query in clear, although Temporal stores them encrypted.
 *
 * The codec server runs on loopback without a token, as in development: the UI sends a codec server no
 * static token (only, on https, the signed-in user's own access token), so a token-protected codec is
 * reached through an authenticating proxy in a deployment (docs/privacy.md), not from this UI directly.
 */
import { randomBytes } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { FastifyInstance } from 'fastify';
import { buildCodecServer, CODEC_PATH, createEncryptionCodec, parsePayloadKeys } from '../../src/codec';
import { freePort } from '../../src/local/ports';
import { withBrowser } from '../support/browser';
import { brokenEntitlement } from '../support/catalog';
import { startStack, type RequestJson, type Stack } from '../support/stack';
import { createDevEnvironment } from '../support/temporal';
import { TemporalWebUi } from '../support/temporal-ui';

describe('the Temporal Web UI decodes through the codec server (encrypted payloads, headless Chromium)', () => {
  const keys = `e2e:${randomBytes(32).toString('base64')}`;
  let env: TestWorkflowEnvironment;
  let stack: Stack;
  let codec: FastifyInstance;
  let uiUrl: string;
  const decodeCalls: string[] = [];

  beforeAll(async () => {
    const uiPort = await freePort();
    const codecPort = await freePort();
    uiUrl = `http://127.0.0.1:${uiPort}`;
    codec = buildCodecServer({
      codec: createEncryptionCodec(parsePayloadKeys(keys)!),
      token: null,
      corsOrigins: [uiUrl, `http://localhost:${uiPort}`],
    });
    codec.addHook('onResponse', async (request, reply) => {
      if (request.method === 'POST') decodeCalls.push(`${request.routeOptions.url} ${reply.statusCode}`);
    });
    await codec.listen({ host: '127.0.0.1', port: codecPort });
    env = await createDevEnvironment({ uiPort, uiCodecEndpoint: `http://127.0.0.1:${codecPort}${CODEC_PATH}` });
    stack = await startStack({ env, settings: { ISCFLOW_PAYLOAD_KEYS: keys, ISCFLOW_OUTCOME_RETRIES: '0' } });
  });
  afterAll(async () => {
    await stack?.close();
    await env?.teardown();
    await codec?.close();
  });

  it('reads the summary and the status query of an encrypted change in clear', async () => {
    const identityId = stack.catalog.identities[1]!.id;
    const broken = brokenEntitlement(stack.catalog);
    const run = await stack.grant(identityId, broken.id, '--wait', '--json');
    const [change] = run.json<RequestJson>().workflows;
    expect(change!.state).toBe('AWAITING_OPERATOR');
    const workflowId = change!.workflowId;

    // Stored encrypted: what the server holds names only the key.
    const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
    const input = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
    expect(Buffer.from(input?.metadata?.encoding ?? []).toString()).toBe('binary/encrypted');
    expect(Buffer.from(input?.data ?? []).toString('latin1')).not.toContain(identityId);

    await withBrowser('operator reads an encrypted change through the codec server', async (session) => {
      const ui = new TemporalWebUi(session, uiUrl);
      await ui.openList('IscflowState = "AWAITING_OPERATOR"');
      await ui.openWorkflow(workflowId);

      const metadata = await ui.userMetadata();
      expect(metadata.summary).toBe(`Grant ENTITLEMENT ${broken.id} to identity ${identityId}`);

      const status = await ui.runQuery('status');
      expect(status).toMatchObject({
        phase: 'AWAITING_OPERATOR',
        items: [{ identityId, itemId: broken.id, iscState: 'PROVISIONING_FAILED' }],
      });
    });
    expect(decodeCalls).toContain(`${CODEC_PATH}/decode 200`);
  });
});
