/**
 * The ingress as `npm run ingress` runs it: its own process, configured from the environment, logging
 * JSON lines without secrets, and stopping cleanly on SIGTERM. Here Temporal is not there (nothing listens
 * at TEMPORAL_ADDRESS), so it must refuse every event with 503 rather than acknowledge what it did not record.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { PROJECT_ROOT } from '../../../src/local/temporal-binaries';
import { freePort } from '../../../src/local/ports';
import { waitFor } from '../../support/wait';
import { hireEvent, ISC_TOKEN, SECRET } from '../../support/ingress/harness';
import { signWebhook } from '../../../src/ingress';

function start(env: Record<string, string>): { child: ChildProcessWithoutNullStreams; output: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/ingress/main.ts'], {
    cwd: PROJECT_ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return { child, output: () => output };
}

const exitOf = (child: ChildProcessWithoutNullStreams): Promise<number | null> =>
  child.exitCode !== null ? Promise.resolve(child.exitCode) : new Promise((resolve) => child.once('exit', resolve));

describe('the ingress process', () => {
  it('listens, answers probes, refuses events with 503 while Temporal cannot be reached, stops on SIGTERM', async () => {
    const { child, output } = start({
      TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}`,
      ISCFLOW_WEBHOOK_SECRETS: SECRET,
      ISCFLOW_ISC_TRIGGER_TOKEN: ISC_TOKEN,
      ISCFLOW_INGRESS_PORT: '0',
    });
    try {
      const endpoint = await waitFor(async () => /"endpoint":"([^"]+)"/.exec(output())?.[1], 30_000);
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

      child.kill('SIGTERM');
      expect(await exitOf(child)).toBe(0);
      expect(output()).toContain('"iscTriggers":"bearer"');
      expect(output()).not.toContain(SECRET.slice(6));
      expect(output()).not.toContain(ISC_TOKEN);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  it('refuses to start without webhook secrets, naming the variable (exit 2)', async () => {
    const { child, output } = start({ ISCFLOW_INGRESS_PORT: 'eighty' });
    expect(await exitOf(child)).toBe(2);
    expect(output()).toMatch(/ISCFLOW_INGRESS_PORT: /);
    expect(output()).toMatch(/ISCFLOW_WEBHOOK_SECRETS: is required/);
  });
});
