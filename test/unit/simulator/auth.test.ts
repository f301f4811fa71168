import { SIMULATOR_DEFAULT_CREDENTIALS, startSimulator } from '../../../src/simulator';
import { expectValidResponse } from '../../support/openapi';
import { anyString, harness, type Harness } from '../../support/simulator-harness';

const { clientId, clientSecret } = SIMULATOR_DEFAULT_CREDENTIALS;
/** The client-credentials grant's fields, as each encoding below carries them. */
const grantFields = (secret = clientSecret): Record<string, string> => ({
  grant_type: 'client_credentials',
  client_id: clientId,
  client_secret: secret,
});

describe('POST /oauth/token and bearer tokens', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness({ seed: 11, tokenTtlSeconds: 60 });
  });
  afterAll(() => h.close());

  const expectToken = (body: Record<string, unknown>): void => {
    expect(body).toMatchObject({
      token_type: 'bearer',
      expires_in: 60,
      scope: anyString(),
      tenant_id: anyString(),
      pod: anyString(),
      org: anyString(),
      jti: anyString(),
    });
    expect(String(body.access_token).split('.')).toHaveLength(3);
  };

  it('accepts an urlencoded body', async () => {
    const response = await fetch(`${h.baseUrl}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(grantFields()).toString(),
    });
    expect(response.status).toBe(200);
    expectToken((await response.json()) as Record<string, unknown>);
  });

  it('accepts multipart form-data', async () => {
    const form = new FormData();
    for (const [name, value] of Object.entries(grantFields())) form.append(name, value);
    const response = await fetch(`${h.baseUrl}/oauth/token`, { method: 'POST', body: form });
    expect(response.status).toBe(200);
    expectToken((await response.json()) as Record<string, unknown>);
  });

  it('accepts query parameters', async () => {
    const query = new URLSearchParams(grantFields());
    const response = await fetch(`${h.baseUrl}/oauth/token?${query.toString()}`, { method: 'POST' });
    expect(response.status).toBe(200);
    expectToken((await response.json()) as Record<string, unknown>);
  });

  it('refuses bad credentials with 401 invalid_client', async () => {
    const query = new URLSearchParams(grantFields('wrong'));
    const response = await fetch(`${h.baseUrl}/oauth/token?${query.toString()}`, { method: 'POST' });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: 'invalid_client', error_description: anyString() });
  });

  it('refuses other grant types', async () => {
    const response = await fetch(`${h.baseUrl}/oauth/token?grant_type=password`, { method: 'POST' });
    expect(response.status).toBe(400);
  });

  it('refuses ISC calls without a token or with a forged one', async () => {
    for (const authorization of [undefined, 'Bearer nope', 'Bearer a.b.c', 'Basic abc']) {
      const response = await fetch(`${h.baseUrl}/v3/access-request-status`, {
        headers: authorization ? { authorization } : {},
      });
      expect(response.status).toBe(401);
      const body = (await response.json()) as { error: string };
      expect(body.error).toMatch(/^JWT validation failed: /);
      expectValidResponse('v3', 'GET', '/v3/access-request-status', 401, body);
    }
  });

  it('expires tokens on the simulator clock', async () => {
    const token = await h.token();
    const list = (): Promise<Response> =>
      fetch(`${h.baseUrl}/v3/access-request-status?limit=1`, { headers: { authorization: `Bearer ${token}` } });
    expect((await list()).status).toBe(200);
    await h.advance(59_000);
    expect((await list()).status).toBe(200);
    await h.advance(2_000);
    const expired = await list();
    expect(expired.status).toBe(401);
    expect(await expired.json()).toEqual({ error: 'JWT validation failed: JWT is expired' });
    expect((await h.isc('GET', '/v3/access-request-status?limit=1')).status).toBe(200);
  });

  it('honours configured credentials', async () => {
    // Real HTTP rather than inject(): light-my-request pulls an ESM-only module jest cannot load here.
    const other = await startSimulator({ clientId: 'other', clientSecret: 's3cret' });
    try {
      const post = (id: string, secret: string): Promise<Response> =>
        fetch(`${other.baseUrl}/oauth/token?grant_type=client_credentials&client_id=${id}&client_secret=${secret}`, {
          method: 'POST',
        });
      expect([(await post('other', 's3cret')).status, (await post(clientId, clientSecret)).status]).toEqual([200, 401]);
    } finally {
      await other.close();
    }
  });
});
