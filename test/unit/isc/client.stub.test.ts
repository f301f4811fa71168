/**
 * Answers the simulator never gives (it is faithful to ISC), read by the whole client: bodies that break
 * or stretch the schemas, 4xx past the last page, duplicate and loose search matches. How the transport
 * maps answers and failures on their own (401 after a refresh, 403, Retry-After variants, token endpoint
 * failures, bodies that are not JSON) is in transport.test.ts.
 */
import { clientFor, type RecordedCall, startStub, thrown } from '../../support/isc';

let stub: { baseUrl: string; close: () => Promise<void> } | undefined;
let calls: RecordedCall[];

beforeEach(() => {
  calls = [];
});

afterEach(async () => {
  await stub?.close();
  stub = undefined;
});

describe('ISC client against a stub', () => {
  it('turns a status body that breaks the schema into a final ISC_INVALID_RESPONSE', async () => {
    stub = await startStub((app) => {
      app.get('/v3/access-request-status', async () => [{ id: 5, state: null }]);
    });
    const error = await thrown(clientFor(stub.baseUrl, calls).listAccessRequestStatus({}));
    expect(error).toMatchObject({ code: 'ISC_INVALID_RESPONSE', status: 200, retryable: false });
    expect(error.message).toContain('0.id');
  });

  it('reads a 202 with lists of the wrong type as invalid, not as legacy', async () => {
    stub = await startStub((app) => {
      app.post('/v3/access-requests', async (_request, reply) => reply.code(202).send({ newRequests: 'nope' }));
    });
    const error = await thrown(
      clientFor(stub.baseUrl, calls).submitAccessRequest({
        requestedFor: ['a'.repeat(32)],
        requestType: 'GRANT_ACCESS',
        requestedItems: [{ type: 'ROLE', id: 'b'.repeat(32) }],
      }),
    );
    expect(error.code).toBe('ISC_INVALID_RESPONSE');
  });

  it('tolerates nulls and unknown fields and states in status rows', async () => {
    stub = await startStub((app) => {
      app.get('/v3/access-request-status', async () => [
        {
          id: 'x',
          state: 'SOME_NEW_STATE',
          name: null,
          type: null,
          accessRequestId: null,
          requestedFor: null,
          clientMetadata: null,
          errorMessages: [[{ locale: 'en-US', localeOrigin: null, text: 'boom' }], null],
          cancelledRequestDetails: null,
          brandNewField: { anything: true },
        },
      ]);
    });
    const rows = await clientFor(stub.baseUrl, calls).listAccessRequestStatus({});
    expect(rows[0]).toMatchObject({ id: 'x', state: 'SOME_NEW_STATE', brandNewField: { anything: true } });
    expect(rows[0]?.errorMessages?.[0]?.[0]?.text).toBe('boom');
  });

  it('stops paging when ISC answers 4xx past a full last page', async () => {
    stub = await startStub((app) => {
      app.get('/v3/access-request-status', async (request, reply) => {
        const offset = Number((request.query as Record<string, string>).offset ?? 0);
        if (offset >= 250) return reply.code(400).send({ detailCode: '400.1 Bad Request Content', messages: [] });
        return Array.from({ length: 250 }, (_, i) => ({ id: `row${offset + i}`, state: 'EXECUTING' }));
      });
    });
    const rows = await clientFor(stub.baseUrl, calls).listAllAccessRequestStatus({});
    expect(rows).toHaveLength(250);
  });

  it('refuses to pick between two identities with the same employee number, and ignores loose matches', async () => {
    const queries: unknown[] = [];
    stub = await startStub((app) => {
      app.post('/v3/search', async (request) => {
        queries.push(request.body);
        return [
          { id: 'a'.repeat(32), name: 'A', employeeNumber: 'E1', attributes: {} },
          { id: 'b'.repeat(32), name: 'B', attributes: { employeeNumber: 'e1' } },
          { id: 'c'.repeat(32), name: 'C', employeeNumber: 'E10', attributes: {} },
        ];
      });
    });
    const client = clientFor(stub.baseUrl, calls);
    const error = await thrown(client.findIdentityByEmployeeNumber('E1'));
    expect(error).toMatchObject({ code: 'ISC_BAD_REQUEST', retryable: false });
    expect(error.message).toContain(`${'a'.repeat(32)}, ${'b'.repeat(32)}`);
    expect(queries).toEqual([{ indices: ['identities'], query: { query: 'employeeNumber:"E1"' } }]);
    expect(await client.findIdentityByEmployeeNumber('E10')).toEqual({ id: 'c'.repeat(32), name: 'C', attributes: {} });
    expect(await client.findIdentityByEmployeeNumber('E2')).toBeUndefined();
  });

  it('escapes quotes and backslashes in search values and filters', async () => {
    const seen: string[] = [];
    stub = await startStub((app) => {
      app.post('/v3/search', async (request) => {
        seen.push((request.body as { query: { query: string } }).query.query);
        return [];
      });
      app.get('/v3/roles', async (request) => {
        seen.push((request.query as Record<string, string>).filters ?? '');
        return [];
      });
    });
    const client = clientFor(stub.baseUrl, calls);
    await client.findIdentityByEmployeeNumber('a"b\\c');
    await client.findCatalogItems('ROLE', { name: 'Say "hi" \\ bye' });
    await client.findCatalogItems('ROLE', { ids: ['r1', 'r2'] });
    expect(seen).toEqual(['employeeNumber:"a\\"b\\\\c"', 'name eq "Say \\"hi\\" \\\\ bye"', 'id in ("r1","r2")']);
  });

  it('keeps only exact names, reads what identity documents leave out, and fails a broken catalog body', async () => {
    stub = await startStub((app) => {
      app.get('/v3/access-profiles', async () => [
        { id: 'p1', name: 'Sales' },
        { id: 'p2', name: 'sales', requestable: false },
      ]);
      app.get('/v3/roles', async () => [{ id: 'r1' }]);
      app.post('/v3/search', async () => [
        {
          id: 'd'.repeat(32),
          access: [
            { id: 'r', type: 'ROLE' },
            { id: 'e', type: 'ENTITLEMENT', name: 'E', standalone: true },
            { id: 'a', type: 'ACCESS_PROFILE', revocable: false },
            { id: 'x', type: 'APP', name: 'not requestable' },
          ],
        },
      ]);
    });
    const client = clientFor(stub.baseUrl, calls);
    expect(await client.findCatalogItems('ACCESS_PROFILE', { name: 'Sales' })).toEqual([
      { type: 'ACCESS_PROFILE', id: 'p1', name: 'Sales' },
    ]);
    expect(await client.getIdentity('d'.repeat(32))).toEqual({
      id: 'd'.repeat(32),
      name: 'd'.repeat(32),
      attributes: {},
    });
    expect(await client.getIdentityAccess('d'.repeat(32))).toEqual([
      { type: 'ROLE', id: 'r' },
      { type: 'ENTITLEMENT', id: 'e', name: 'E', revocable: true },
      { type: 'ACCESS_PROFILE', id: 'a', revocable: false },
    ]);
    const error = await thrown(client.findCatalogItems('ROLE', { name: 'x' }));
    expect(error).toMatchObject({ code: 'ISC_INVALID_RESPONSE', retryable: false });
    expect(error.message).toContain('0.name');
  });

  it('stops paging a catalog collection when ISC answers 4xx past a full last page', async () => {
    stub = await startStub((app) => {
      app.get('/v2025/entitlements', async (request, reply) => {
        const offset = Number((request.query as Record<string, string>).offset ?? 0);
        if (offset >= 250) return reply.code(400).send({ detailCode: '400.1 Bad Request Content', messages: [] });
        return Array.from({ length: 250 }, (_, i) => ({ id: `e${i}`, name: 'Same Name' }));
      });
    });
    const found = await clientFor(stub.baseUrl, calls).findCatalogItems('ENTITLEMENT', { name: 'Same Name' });
    expect(found).toHaveLength(250);
    expect(calls.filter((c) => c.path === '/v2025/entitlements').map((c) => c.status)).toEqual([200, 400]);
  });
});
