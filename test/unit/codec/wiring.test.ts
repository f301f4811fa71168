/**
 * How each iscflow process takes up payload protection before it touches Temporal: the worker, the CLI
 * and the ingress refuse a real tenant without keys (naming the variables), bad keys are named by entry
 * and rule without repeating the key, the ingress serves /codec only with its token, and the data
 * converter of a process with keys encrypts failure messages too.
 */
import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter, type DataConverter } from '@temporalio/common';
import { Registry } from 'prom-client';
import { codecRoutesFor, dataConverterFor, FAILURE_CONVERTER_PATH, loadPrivacyConfig } from '../../../src/codec';
import { failureConverter } from '../../../src/codec/failure-converter';
import { ConfigError } from '../../../src/config';
import {
  buildIngress,
  DEV_WEBHOOK_SECRET,
  loadIngressConfig,
  openTemporalGateway,
  runIngress,
  type LifecycleGateway,
} from '../../../src/ingress';
import { createLogger } from '../../../src/logger';
import { loadWorkerSettings } from '../../../src/worker';
import { runCaptured } from '../../support/cli';
import { thrownBy } from '../../support/errors';
import { listenOnLoopback } from '../../support/http';
import { keyEntry, ring } from '../../support/payload-keys';

const tenant = {
  SAIL_BASE_URL: 'https://acme.api.identitynow.com',
  SAIL_CLIENT_ID: 'id',
  SAIL_CLIENT_SECRET: 'secret',
  ISCFLOW_PSEUDONYM_KEY: 'a-pseudonym-secret-of-some-length',
  ISCFLOW_WEBHOOK_SECRETS: DEV_WEBHOOK_SECRET,
  // Nothing listens here: every refusal below must come before a connection is tried.
  TEMPORAL_ADDRESS: '127.0.0.1:1',
};
const TOKEN = randomBytes(33).toString('base64url');

const thrown = (body: () => unknown): Error => thrownBy(body, Error);

describe('payload protection in each process', () => {
  it('the worker refuses a real tenant without keys, naming the variables, and lists it with its other problems', () => {
    const error = thrown(() => loadWorkerSettings({ ...tenant, ISCFLOW_METRICS_PORT: 'nine' }));
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toMatch(/ISCFLOW_PAYLOAD_KEYS: is required when SAIL_BASE_URL is a real tenant/);
    expect(problems).toMatch(/ISCFLOW_ALLOW_PLAINTEXT=true/);
    expect(problems).toMatch(/ISCFLOW_METRICS_PORT/);

    expect(loadWorkerSettings({ ...tenant, ISCFLOW_ALLOW_PLAINTEXT: 'true' }).payloads.mode).toBe('plaintext-dev');
    const keyed = loadWorkerSettings({ ...tenant, ISCFLOW_PAYLOAD_KEYS: keyEntry('2025-06') }).payloads;
    expect(keyed.mode).toBe('encrypt');
    expect(keyed.summary).toBe('payloads encrypted with key "2025-06"');
  });

  it('bad keys are named by entry and rule, never by the key', () => {
    const short = randomBytes(16).toString('base64');
    const error = thrown(() =>
      loadWorkerSettings({ ...tenant, ISCFLOW_PAYLOAD_KEYS: `${keyEntry('old')},2025-06:${short}` }),
    );
    expect(error.message).toContain('entry 2 (key id "2025-06"): the key must be 32 bytes, not 16');
    expect(error.message).not.toContain(short);
  });

  it('the CLI refuses a real tenant without keys before it connects (exit code 2)', async () => {
    const run = await runCaptured(tenant, ['status', 'iscflow-grant-x']);
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/ISCFLOW_PAYLOAD_KEYS: is required when SAIL_BASE_URL is a real tenant/);
  });

  it('the ingress refuses a real tenant without keys, and a codec token without keys, before it listens', async () => {
    const logger = createLogger('silent');
    await expect(openTemporalGateway(tenant)(logger)).rejects.toThrow(/ISCFLOW_PAYLOAD_KEYS: is required/);
    const neverOpened = (): never => {
      throw new Error('the gateway was opened');
    };
    await expect(runIngress({ ...tenant, ISCFLOW_CODEC_TOKEN: TOKEN }, neverOpened)).rejects.toThrow(
      /ISCFLOW_CODEC_TOKEN: is set, but ISCFLOW_PAYLOAD_KEYS is not/,
    );
  });

  it('the ingress serves /codec only with ISCFLOW_CODEC_TOKEN, and only to a caller with the token', async () => {
    const keys = keyEntry('k1');
    expect(codecRoutesFor(loadPrivacyConfig({ ISCFLOW_PAYLOAD_KEYS: keys }))).toBeUndefined();
    const codec = codecRoutesFor(loadPrivacyConfig({ ISCFLOW_PAYLOAD_KEYS: keys, ISCFLOW_CODEC_TOKEN: TOKEN }));
    expect(codec).toBeDefined();

    const gateway: LifecycleGateway = {
      send: () => Promise.reject(new Error('not used')),
      standing: async () => undefined,
      hintAccessRequests: async () => undefined,
      ready: async () => true,
    };
    const config = loadIngressConfig({ ISCFLOW_WEBHOOK_SECRETS: DEV_WEBHOOK_SECRET });
    const app = buildIngress({ config, gateway, metrics: new Registry(), logger: false, codec: codec! });
    const encoded = await dataConverterFor(ring(keys)).payloadCodecs![0]!.encode([
      defaultPayloadConverter.toPayload({ employeeNumber: 'E1032' }),
    ]);
    const body = {
      payloads: encoded.map((p) => ({
        metadata: Object.fromEntries(
          Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
        ),
        data: Buffer.from(p.data ?? []).toString('base64'),
      })),
    };
    const decode = (base: string, headers: Record<string, string> = {}): Promise<Response> =>
      fetch(`${base}/codec/decode`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      });
    const without = buildIngress({ config, gateway, metrics: new Registry(), logger: false });
    try {
      expect((await decode(await listenOnLoopback(without))).status).toBe(404);
      // Listening once: the same app answers both calls.
      const base = await listenOnLoopback(app);
      const answer = await decode(base, { authorization: `Bearer ${TOKEN}` });
      expect(answer.status).toBe(200);
      const [decoded] = ((await answer.json()) as { payloads: Array<{ data: string }> }).payloads;
      expect(Buffer.from(decoded!.data, 'base64').toString()).toBe('{"employeeNumber":"E1032"}');
      const refused = await decode(base);
      expect(refused.status).toBe(401);
    } finally {
      await Promise.all([app.close(), without.close()]);
    }
  });

  it('with keys, failure messages and stack traces go into a payload the codec encrypts; without, the defaults', () => {
    const withKeys: DataConverter = dataConverterFor(ring(keyEntry('k1')));
    expect(withKeys.failureConverterPath).toBe(FAILURE_CONVERTER_PATH);
    expect(dataConverterFor(undefined)).toEqual({});

    const failure = failureConverter.errorToFailure(
      new Error('identity E1032 (Ada Lovelace) not found'),
      defaultPayloadConverter,
    );
    expect(failure.message).toBe('Encoded failure');
    expect(failure.stackTrace).toBe('');
    expect(JSON.stringify(failure)).not.toContain('E1032');
    expect(failureConverter.failureToError(failure, defaultPayloadConverter).message).toBe(
      'identity E1032 (Ada Lovelace) not found',
    );
  });
});
