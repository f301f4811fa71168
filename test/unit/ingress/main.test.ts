/**
 * The ingress as `npm run ingress` runs it: its own process, configured from the environment, logging
 * JSON lines without secrets, and stopping cleanly on SIGTERM. Here Temporal is not there (nothing listens
 * at TEMPORAL_ADDRESS), so it must refuse every event with 503 rather than acknowledge what it did not record.
 */
import { freePort } from '../../../src/local/ports';
import { hireEvent, ISC_TOKEN, SECRET } from '../../support/ingress/harness';
import { startProcess, type TestProcess } from '../../support/process';
import { signWebhook } from '../../../src/ingress';

const start = (env: Record<string, string>): TestProcess =>
  startProcess('src/ingress/main.ts', [], { env: { PATH: process.env.PATH ?? '', ...env } });

describe('the ingress process', () => {
  it('listens, answers probes, refuses events with 503 while Temporal cannot be reached, stops on SIGTERM', async () => {
    const ingress = start({
      TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}`,
      ISCFLOW_WEBHOOK_SECRETS: SECRET,
      ISCFLOW_ISC_TRIGGER_TOKEN: ISC_TOKEN,
      ISCFLOW_INGRESS_PORT: '0',
    });
    try {
      const [, endpoint] = await ingress.waitForOutput(/"endpoint":"([^"]+)"/, 30_000);
      expect(endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect((await fetch(`${endpoint}/healthz`)).status).toBe(200);
      expect((await fetch(`${endpoint}/readyz`)).status).toBe(503);

      const body = JSON.stringify(hireEvent('proc-1'));
      const timestamp = Math.floor(Date.now() / 1000);
      const response = await fetch(`${endpoint}/v1/events`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'webhook-id': 'msg_proc_1',
          'webhook-timestamp': String(timestamp),
          'webhook-signature': signWebhook(SECRET, 'msg_proc_1', timestamp, body),
        },
        body,
      });
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('5');

      expect(await ingress.stop('SIGTERM')).toBe(0);
      expect(ingress.output()).toContain('"iscTriggers":"bearer"');
      expect(ingress.output()).not.toContain(SECRET.slice(6));
      expect(ingress.output()).not.toContain(ISC_TOKEN);
    } finally {
      ingress.kill();
    }
  });

  it('refuses to start without webhook secrets, naming the variable (exit 2)', async () => {
    const refused = start({ ISCFLOW_INGRESS_PORT: 'eighty' });
    expect(await refused.exited).toBe(2);
    expect(refused.output()).toMatch(/ISCFLOW_INGRESS_PORT: /);
    expect(refused.output()).toMatch(/ISCFLOW_WEBHOOK_SECRETS: is required/);
  });
});
