/**
 * The codec server as an operator runs it: its own process, configured from the environment, logging
 * JSON lines without the token or the keys, and stopping cleanly on SIGTERM.
 */
import { randomBytes } from 'node:crypto';
import { startProcess, type TestProcess } from '../../support/process';

const TOKEN = randomBytes(32).toString('base64');
const KEY = randomBytes(32).toString('base64');

const start = (args: string[], env: Record<string, string>): TestProcess =>
  startProcess('src/codec/main.ts', args, { env: { PATH: process.env.PATH ?? '', ...env } });

describe('the codec server process', () => {
  it('serves encode and decode with the bearer token, logs neither token nor key, stops on SIGTERM', async () => {
    const codec = start(['--port', '0'], {
      ISCFLOW_PAYLOAD_KEYS: `k1:${KEY}`,
      ISCFLOW_CODEC_TOKEN: TOKEN,
      ISCFLOW_CODEC_CORS_ORIGINS: 'http://localhost:8233',
    });
    try {
      const [, endpoint] = await codec.waitForOutput(/"endpoint":"([^"]+)"/, 30_000);
      expect(endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/codec$/);
      const post = (operation: string, body: unknown, token = TOKEN): Promise<Response> =>
        fetch(`${endpoint}/${operation}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify(body),
        });
      const clear = {
        payloads: [{ metadata: { encoding: Buffer.from('json/plain').toString('base64') }, data: 'IjEi' }],
      };
      const encoded = await post('encode', clear);
      expect(encoded.status).toBe(200);
      const decoded = await post('decode', await encoded.json());
      expect(await decoded.json()).toEqual(clear);
      expect((await post('decode', clear, 'wrong')).status).toBe(401);

      expect(await codec.stop('SIGTERM')).toBe(0);
      expect(codec.output()).toContain('"authentication":"bearer token"');
      expect(codec.output()).not.toContain(TOKEN);
      expect(codec.output()).not.toContain(KEY);
    } finally {
      codec.kill();
    }
  });

  it('refuses to start without keys, or without a token on a non-loopback address', async () => {
    const noKeys = start([], {});
    expect(await noKeys.exited).toBe(2);
    expect(noKeys.output()).toMatch(/ISCFLOW_PAYLOAD_KEYS: is required/);

    const exposed = start(['--host', '0.0.0.0', '--port', '0'], { ISCFLOW_PAYLOAD_KEYS: `k1:${KEY}` });
    expect(await exposed.exited).toBe(2);
    expect(exposed.output()).toMatch(/ISCFLOW_CODEC_TOKEN: is required when listening on 0\.0\.0\.0/);
  });
});
