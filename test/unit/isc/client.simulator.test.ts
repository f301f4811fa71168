import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { type RunningSimulator } from '../../../src/simulator';
import { type IscClient } from '../../../src/isc';
import {
  clientFor,
  type RecordedCall,
  SIMULATOR_DEFAULT_CREDENTIALS,
  simJson,
  startSimulator,
  thrown,
  tokenFetches,
} from '../../support/isc';
import type { Catalog } from '../../support/catalog';
import { captureLines } from '../../support/logs';

let sim: RunningSimulator;
let catalog: Catalog;
let calls: RecordedCall[];

beforeEach(async () => {
  sim = await startSimulator({ port: 0, seed: 11 });
  catalog = await simJson<Catalog>(sim, '/__sim/catalog');
  calls = [];
});

afterEach(async () => {
  await sim.close();
});

function identity(index: number): string {
  const found = catalog.identities[index];
  if (!found) throw new Error(`no identity ${index}`);
  return found.id;
}

function itemsOf(type: Catalog['items'][number]['type']) {
  return catalog.items.filter((i) => i.type === type);
}

/** An entitlement the identity does not hold yet, so ISC does not cancel the request as a duplicate. */
async function freshEntitlement(identityId: string): Promise<string> {
  const held = await simJson<{ id: string }[]>(sim, `/__sim/identities/${identityId}/access`);
  const found = itemsOf('ENTITLEMENT').find((e) => !held.some((h) => h.id === e.id));
  if (!found) throw new Error('no fresh entitlement');
  return found.id;
}

/** The id of a request that waits for a manual approval, so it can still be cancelled or closed. */
async function pendingRequest(client: IscClient, who: string): Promise<string> {
  await simJson(sim, '/__sim/config', { approval: { mode: 'manual' } });
  const result = await client.submitAccessRequest({
    requestedFor: [who],
    requestType: 'GRANT_ACCESS',
    requestedItems: [{ type: 'ENTITLEMENT', id: await freshEntitlement(who) }],
  });
  const id = result.kind === 'tracked' ? result.newRequests[0]?.accessRequestIds[0] : undefined;
  if (!id) throw new Error('no access request id');
  return id;
}

describe('ISC client against the simulator: happy paths', () => {
  it('submits a grant, gets tracking ids, and finds the item with its clientMetadata in the status list', async () => {
    const client = clientFor(sim.baseUrl, calls);
    const who = identity(0);
    const entitlement = await freshEntitlement(who);
    const result = await client.submitAccessRequest({
      requestedFor: [who],
      requestType: 'GRANT_ACCESS',
      requestedItems: [{ type: 'ENTITLEMENT', id: entitlement, comment: 'test', clientMetadata: { iscflowKey: 'k1' } }],
    });
    expect(result.kind).toBe('tracked');
    if (result.kind !== 'tracked') return;
    const accessRequestId = result.newRequests[0]?.accessRequestIds[0];
    expect(accessRequestId).toMatch(/^[0-9a-f]{32}$/);

    const rows = await client.listAccessRequestStatus({
      requestedFor: who,
      filters: `accessRequestId eq "${accessRequestId}"`,
    });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      id: entitlement,
      type: 'ENTITLEMENT',
      accessRequestId,
      requestType: 'GRANT_ACCESS',
      requestedFor: { id: who },
      clientMetadata: { iscflowKey: 'k1' },
    });
    expect(typeof rows[0]?.state).toBe('string');
  });

  it('reports a legacy tenant 202 {} as untracked', async () => {
    await simJson(sim, '/__sim/config', { profile: 'legacy' });
    const client = clientFor(sim.baseUrl, calls);
    const who = identity(1);
    const result = await client.submitAccessRequest({
      requestedFor: [who],
      requestType: 'GRANT_ACCESS',
      requestedItems: [{ type: 'ENTITLEMENT', id: await freshEntitlement(who) }],
    });
    expect(result).toEqual({ kind: 'untracked' });
  });

  it('pages through every status row, 250 at a time', async () => {
    const client = clientFor(sim.baseUrl, calls);
    const identities = catalog.identities.slice(0, 50).map((i) => i.id);
    const roles = itemsOf('ROLE').slice(0, 6);
    expect(identities.length * roles.length).toBe(300);
    await client.submitAccessRequest({
      requestedFor: identities,
      requestType: 'GRANT_ACCESS',
      requestedItems: roles.map((r) => ({ type: 'ROLE' as const, id: r.id })),
    });
    const rows = await client.listAllAccessRequestStatus({});
    expect(rows).toHaveLength(300);
    const statusCalls = calls.filter((c) => c.path === '/v3/access-request-status');
    expect(statusCalls).toHaveLength(2);
    const first = await client.listAccessRequestStatus({ limit: 10, offset: 295 });
    expect(first).toHaveLength(5);
  });

  it('cancels a pending request, and names a 404 for an unknown one', async () => {
    const client = clientFor(sim.baseUrl, calls);
    const who = identity(2);
    const id = await pendingRequest(client, who);
    await client.cancelAccessRequest(id, 'no longer needed');
    const rows = await client.listAccessRequestStatus({ requestedFor: who });
    expect(rows.find((r) => r.accessRequestId === id)?.state).toBe('CANCELLED');

    const missing = await thrown(client.cancelAccessRequest('f'.repeat(32), 'nope'));
    expect(missing).toMatchObject({
      code: 'ISC_NOT_FOUND',
      status: 404,
      retryable: false,
      detailCode: '404 Not found',
    });
  });

  it('closes stuck requests through /v2025 even when configured for v3', async () => {
    const client = clientFor(sim.baseUrl, calls, { apiVersion: 'v3' });
    const who = identity(3);
    const id = await pendingRequest(client, who);
    await client.closeAccessRequests([id], 'stuck for too long');
    expect(
      calls.some((c) => c.method === 'POST' && c.path === '/v2025/access-requests/close' && c.status === 202),
    ).toBe(true);
    const rows = await client.listAccessRequestStatus({ requestedFor: who });
    expect(rows.find((r) => r.accessRequestId === id)?.state).toBe('TERMINATED');
  });

  it('uses the configured API version for its calls', async () => {
    const client = clientFor(sim.baseUrl, calls, { apiVersion: 'v2025' });
    await client.listAccessRequestStatus({ requestedFor: identity(0), requestState: 'EXECUTING' });
    expect(calls.filter((c) => c.path !== '/oauth/token').map((c) => c.path)).toEqual(['/v2025/access-request-status']);
  });

  it('reads what an identity holds from the search index, and [] for an identity without a document', async () => {
    const client = clientFor(sim.baseUrl, calls);
    const who = identity(4);
    const expected = await simJson<{ type: string; id: string }[]>(sim, `/__sim/identities/${who}/access`);
    const held = await client.getIdentityAccess(who);
    expect(held.map((h) => `${h.type}:${h.id}`).sort()).toEqual(expected.map((h) => `${h.type}:${h.id}`).sort());
    expect(await client.getIdentityAccess('0'.repeat(32))).toEqual([]);
  });
});

describe('ISC client against the simulator: identities and catalog', () => {
  it('reads every identity a query selects a page at a time, with attributes and access, one call a page', async () => {
    const client = clientFor(sim.baseUrl, calls);
    const read: string[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await client.searchIdentities({
        query: 'attributes.cloudLifecycleState:active',
        limit: 20,
        ...(after ? { after } : {}),
      });
      read.push(...page.identities.map((i) => i.id));
      if (!page.next) break;
      after = page.next;
    }
    // The 50 people and the API client's identity, each once, in id order, in three pages.
    expect(read).toHaveLength(51);
    expect(new Set(read).size).toBe(51);
    expect([...read].sort()).toEqual(read);
    expect(calls.filter((c) => c.path === '/v3/search')).toHaveLength(3);
    const first = await client.searchIdentities({ query: `id:${identity(1)}`, limit: 250 });
    expect(first.next).toBeUndefined();
    expect(first.identities[0]).toMatchObject({
      id: identity(1),
      employeeNumber: 'E1001',
      attributes: expect.objectContaining({ department: expect.any(String) }) as unknown,
      access: expect.arrayContaining([expect.objectContaining({ type: 'ENTITLEMENT', revocable: false })]) as unknown,
    });
    expect(await thrown(client.searchIdentities({ query: '*', limit: 1000 }))).toMatchObject({
      code: 'ISC_BAD_REQUEST',
    });
  });

  it('finds an identity by employee number, with its attributes; none is undefined', async () => {
    const client = clientFor(sim.baseUrl, calls);
    const found = await client.findIdentityByEmployeeNumber('E1004');
    expect(found).toEqual({
      id: identity(4),
      name: catalog.identities[4]?.name,
      attributes: expect.objectContaining({ employeeNumber: 'E1004', cloudLifecycleState: 'active' }) as unknown,
    });
    expect(found?.attributes).toEqual(catalog.identities[4]?.attributes);
    expect(await client.findIdentityByEmployeeNumber('E4242')).toBeUndefined();
    expect(calls.filter((c) => c.path === '/v3/search')).toHaveLength(2);
  });

  it('quotes the employee number, so quotes, backslashes and spaces in it cannot change the query', async () => {
    const created = await simJson<{ id: string }>(sim, '/__sim/identities', {
      name: 'Odd Number',
      attributes: { employeeNumber: 'E 1" OR *\\' },
    });
    const client = clientFor(sim.baseUrl, calls);
    expect((await client.findIdentityByEmployeeNumber('E 1" OR *\\'))?.id).toBe(created.id);
    expect(await client.findIdentityByEmployeeNumber('E 1')).toBeUndefined();
  });

  it("finds an identity HR created a moment ago, and sees a mover's new attributes", async () => {
    const client = clientFor(sim.baseUrl, calls);
    const created = await simJson<{ id: string }>(sim, '/__sim/identities', {
      name: 'Nia New',
      attributes: { employeeNumber: 'E8000', department: 'Legal' },
    });
    expect(await client.getIdentity(created.id)).toEqual({
      id: created.id,
      name: 'Nia New',
      attributes: { employeeNumber: 'E8000', department: 'Legal' },
    });
    await fetch(`${sim.baseUrl}/__sim/identities/${created.id}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ attributes: { department: 'Finance' } }),
    });
    expect((await client.findIdentityByEmployeeNumber('E8000'))?.attributes.department).toBe('Finance');
    expect(await client.getIdentity('0'.repeat(32))).toBeUndefined();
    expect(await thrown(client.getIdentity('x OR *'))).toMatchObject({ code: 'ISC_BAD_REQUEST', retryable: false });
    expect(calls.filter((c) => c.path === '/v3/search')).toHaveLength(3);
  });

  it('tells from the index which held access a request may revoke', async () => {
    const client = clientFor(sim.baseUrl, calls);
    const who = identity(1);
    const truth = await simJson<{ id: string; source: string }[]>(sim, `/__sim/identities/${who}/access`);
    const held = await client.getIdentityAccess(who);
    expect(held.map((h) => [h.id, h.revocable]).sort()).toEqual(
      truth.map((t) => [t.id, t.source === 'REQUEST']).sort(),
    );
    expect(held.every((h) => typeof h.name === 'string' && h.name.length > 0)).toBe(true);
  });

  it('looks catalog items up by exact name and by ids, on the right collection for each type', async () => {
    const client = clientFor(sim.baseUrl, calls);
    const role = itemsOf('ROLE')[4];
    const profile = itemsOf('ACCESS_PROFILE')[5];
    const [vpn, email] = [itemsOf('ENTITLEMENT')[1], itemsOf('ENTITLEMENT')[0]];
    expect(await client.findCatalogItems('ROLE', { name: role?.name ?? '' })).toEqual([
      { type: 'ROLE', id: role?.id, name: role?.name, requestable: true },
    ]);
    expect(await client.findCatalogItems('ROLE', { name: 'No Such Role' })).toEqual([]);
    expect(await client.findCatalogItems('ACCESS_PROFILE', { name: profile?.name ?? '' })).toEqual([
      { type: 'ACCESS_PROFILE', id: profile?.id, name: profile?.name, requestable: true },
    ]);
    expect(await client.findCatalogItems('ENTITLEMENT', { name: 'Birthright VPN' })).toEqual([
      { type: 'ENTITLEMENT', id: vpn?.id, name: 'Birthright VPN', requestable: true },
    ]);
    const byIds = await client.findCatalogItems('ENTITLEMENT', {
      ids: [email?.id ?? '', vpn?.id ?? '', email?.id ?? '', '0'.repeat(32)],
    });
    expect(byIds.map((i) => i.id)).toEqual([email?.id, vpn?.id]);
    // An id of another type is simply not an item of this one.
    expect(await client.findCatalogItems('ROLE', { ids: [profile?.id ?? ''] })).toEqual([]);
    expect(await client.findCatalogItems('ROLE', { ids: [] })).toEqual([]);
    expect(calls.filter((c) => c.path !== '/oauth/token').map((c) => c.path)).toEqual([
      '/v3/roles',
      '/v3/roles',
      '/v3/access-profiles',
      '/v2025/entitlements',
      '/v2025/entitlements',
      '/v3/roles',
    ]);
  });

  it('batches many ids, one call per batch', async () => {
    await sim.close();
    sim = await startSimulator({ port: 0, seed: 11, catalog: { roles: 120 } });
    catalog = await simJson<Catalog>(sim, '/__sim/catalog');
    const client = clientFor(sim.baseUrl, calls, { apiVersion: 'v2025' });
    const roles = itemsOf('ROLE').map((r) => r.id);
    const found = await client.findCatalogItems('ROLE', { ids: roles });
    expect(found.map((r) => r.id)).toEqual(roles);
    // 120 ids in batches of 50, one call each (a batch never outgrows a 50-row page of roles).
    expect(calls.filter((c) => c.path === '/v2025/roles')).toHaveLength(3);
  });

  it('refuses what cannot go into a query before sending it', async () => {
    const client = clientFor(sim.baseUrl, calls);
    for (const attempt of [
      client.findIdentityByEmployeeNumber(''),
      client.findCatalogItems('ROLE', { name: '' }),
      client.findCatalogItems('ROLE', { ids: ['a") or id pr ("'] }),
    ]) {
      expect(await thrown(attempt)).toMatchObject({ code: 'ISC_BAD_REQUEST', retryable: false });
    }
    expect(calls).toHaveLength(0);
  });
});

describe('ISC client against the simulator: tokens', () => {
  it('fetches one token for many calls, also when they start together', async () => {
    const client = clientFor(sim.baseUrl, calls);
    await Promise.all(Array.from({ length: 5 }, () => client.listAccessRequestStatus({ limit: 1 })));
    await client.listAccessRequestStatus({ limit: 1 });
    expect(tokenFetches(calls)).toBe(1);
  });

  it('refreshes the token once on a 401 (token expired on the server clock) and the call succeeds', async () => {
    const client = clientFor(sim.baseUrl, calls);
    await client.listAccessRequestStatus({ limit: 1 });
    await simJson(sim, '/__sim/clock', { advanceMs: 751_000 });
    await client.listAccessRequestStatus({ limit: 1 });
    expect(tokenFetches(calls)).toBe(2);
    expect(calls.filter((c) => c.status === 401)).toHaveLength(1);
  });

  it('refreshes the token before it expires, without a 401', async () => {
    await sim.close();
    sim = await startSimulator({ port: 0, seed: 11, tokenTtlSeconds: 2 });
    const client = clientFor(sim.baseUrl, calls);
    await client.listAccessRequestStatus({ limit: 1 });
    // A 2 s token is refreshed after half its life (the 60 s margin is capped at half the lifetime).
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await client.listAccessRequestStatus({ limit: 1 });
    expect(tokenFetches(calls)).toBe(2);
    expect(calls.filter((c) => c.status === 401)).toHaveLength(0);
  });

  it('fails with ISC_AUTH_FAILED on bad credentials, without the secret in the message', async () => {
    const secret = 'very-secret-value-123';
    const client = clientFor(sim.baseUrl, calls, { clientSecret: secret });
    const error = await thrown(client.listAccessRequestStatus({}));
    expect(error).toMatchObject({ code: 'ISC_AUTH_FAILED', status: 401, retryable: false });
    expect(error.messages).toContain('invalid_client');
    expect(error.message).not.toContain(secret);
    expect(JSON.stringify(error)).not.toContain(secret);
    expect(calls.map((c) => c.path)).toEqual(['/oauth/token']);
  });

  it('takes a secret rotated in SAIL_CLIENT_SECRET_FILE after ISC refused the one it started with', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'iscflow-secret-')), 'client-secret');
    writeFileSync(file, 'stale-secret-value\n');
    const client = clientFor(sim.baseUrl, calls, { clientSecret: 'stale-secret-value', clientSecretFile: file });
    expect(await thrown(client.listAccessRequestStatus({}))).toMatchObject({ code: 'ISC_AUTH_FAILED' });
    // Refused, read again, unchanged: not sent a second time.
    expect(tokenFetches(calls)).toBe(1);
    writeFileSync(file, `${SIMULATOR_DEFAULT_CREDENTIALS.clientSecret}\n`);
    await expect(client.listAccessRequestStatus({ limit: 1 })).resolves.toBeDefined();
    expect(calls.map((c) => `${c.path} ${c.status}`)).toEqual([
      '/oauth/token 401',
      '/oauth/token 401',
      '/oauth/token 200',
      '/v3/access-request-status 200',
    ]);
  });
});

describe('ISC client against the simulator: errors', () => {
  it('turns a 400 into a final ISC_BAD_REQUEST with detailCode and messages', async () => {
    const client = clientFor(sim.baseUrl, calls);
    const error = await thrown(
      client.submitAccessRequest({
        requestedFor: [identity(0), identity(1)],
        requestType: 'REVOKE_ACCESS',
        requestedItems: [{ type: 'ENTITLEMENT', id: itemsOf('ENTITLEMENT')[0]?.id ?? '', comment: 'x' }],
      }),
    );
    expect(error).toMatchObject({
      code: 'ISC_BAD_REQUEST',
      status: 400,
      detailCode: '400.1 Bad Request Content',
      retryable: false,
    });
    expect(error.messages.length).toBeGreaterThan(0);
    expect(error.message).toContain(error.messages[0]);
    expect(error.message).toContain('/v3/access-requests');
  });

  it('turns a 429 into a retryable ISC_RATE_LIMITED with the Retry-After delay', async () => {
    await simJson(sim, '/__sim/config', { rateLimit: { requests: 1, windowSeconds: 30 } });
    const client = clientFor(sim.baseUrl, calls);
    await client.listAccessRequestStatus({ limit: 1 });
    const error = await thrown(client.listAccessRequestStatus({ limit: 1 }));
    expect(error).toMatchObject({ code: 'ISC_RATE_LIMITED', status: 429, retryable: true });
    expect(error.retryAfterMs).toBeGreaterThan(0);
    expect(error.retryAfterMs).toBeLessThanOrEqual(30_000);
    expect(error.messages).toEqual(['Rate Limit Exceeded']);
  });

  it('does not retry a 429 itself: one call, one attempt', async () => {
    await simJson(sim, '/__sim/config', { faults: { rateLimitRate: 1 } });
    const client = clientFor(sim.baseUrl, calls);
    const error = await thrown(client.listAccessRequestStatus({}));
    expect(error).toMatchObject({ code: 'ISC_RATE_LIMITED', retryAfterMs: 1000 });
    expect(calls.filter((c) => c.path === '/v3/access-request-status')).toHaveLength(1);
  });

  it('turns 5xx into a retryable ISC_SERVER_ERROR, HTML bodies included, without retrying', async () => {
    await simJson(sim, '/__sim/config', { faults: { errorRate: 1 } });
    const client = clientFor(sim.baseUrl, calls);
    for (let i = 0; i < 4; i++) {
      const error = await thrown(client.listAccessRequestStatus({}));
      expect(error.code).toBe('ISC_SERVER_ERROR');
      expect(error.retryable).toBe(true);
      expect(error.status).toBeGreaterThanOrEqual(500);
    }
    expect(calls.filter((c) => c.path === '/v3/access-request-status')).toHaveLength(4);
  });

  it('times out a slow call with a retryable ISC_TIMEOUT', async () => {
    await simJson(sim, '/__sim/config', { faults: { latencyMs: 2_000 } });
    const client = clientFor(sim.baseUrl, calls, { requestTimeoutMs: 200 });
    const started = Date.now();
    const error = await thrown(client.listAccessRequestStatus({}));
    expect(error).toMatchObject({ code: 'ISC_TIMEOUT', retryable: true });
    expect(error.status).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it('turns a reset connection into a retryable ISC_NETWORK_ERROR', async () => {
    await simJson(sim, '/__sim/config', { faults: { resetRate: 1 } });
    const client = clientFor(sim.baseUrl, calls);
    const error = await thrown(client.listAccessRequestStatus({}));
    expect(error).toMatchObject({ code: 'ISC_NETWORK_ERROR', retryable: true });
  });

  it('turns a refused connection into a retryable ISC_NETWORK_ERROR', async () => {
    const baseUrl = sim.baseUrl;
    await sim.close();
    sim = await startSimulator({ port: 0, seed: 11 });
    const error = await thrown(clientFor(baseUrl, calls).listAccessRequestStatus({}));
    expect(error).toMatchObject({ code: 'ISC_NETWORK_ERROR', retryable: true });
  });

  it('refuses an invalid body before sending it', async () => {
    const client = clientFor(sim.baseUrl, calls);
    const error = await thrown(
      client.submitAccessRequest({ requestedFor: [], requestType: 'GRANT_ACCESS', requestedItems: [] }),
    );
    expect(error).toMatchObject({ code: 'ISC_BAD_REQUEST', retryable: false });
    expect(error.status).toBeUndefined();
    expect(calls).toHaveLength(0);
  });
});

describe('ISC client logging', () => {
  it('logs each call at debug with method, path, status and duration, never a token or secret', async () => {
    const { lines, stream } = captureLines();
    const logger = pino({ level: 'debug' }, stream);
    const client = clientFor(sim.baseUrl, calls, { logger });
    await client.listAccessRequestStatus({ requestedFor: identity(0) });
    await simJson(sim, '/__sim/clock', { advanceMs: 751_000 });
    await client.listAccessRequestStatus({ requestedFor: identity(0) });

    const entries = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(entries.length).toBeGreaterThanOrEqual(5);
    const statusEntry = entries.find((e) => e.path === '/v3/access-request-status' && e.status === 200);
    expect(statusEntry).toMatchObject({ method: 'GET', level: 20 });
    expect(typeof statusEntry?.durationMs).toBe('number');
    expect(entries).toContainEqual(expect.objectContaining({ method: 'POST', path: '/oauth/token', status: 200 }));
    const all = lines.join('\n');
    expect(all).not.toContain(SIMULATOR_DEFAULT_CREDENTIALS.clientSecret);
    expect(all).not.toMatch(/eyJ[\w-]+\.[\w-]+\./);
    expect(all.toLowerCase()).not.toContain('bearer');
    expect(all.toLowerCase()).not.toContain('authorization');
  });
});
