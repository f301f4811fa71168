import {
  AccessProfilesApi,
  AccessRequestApprovalsApi,
  AccessRequestsApi,
  Configuration,
  RolesApi,
  SearchApi,
} from 'sailpoint-api-client';
import { SIMULATOR_DEFAULT_CREDENTIALS } from '../../../src/simulator';
import { expectValidResponse } from '../../support/openapi';
import { expectValidCatalogResponse } from '../../support/catalog-openapi';
import { containing, harness, like, type Harness } from '../../support/simulator-harness';

/** SailPoint's own TypeScript SDK, unchanged, against the simulator. */
describe('sailpoint-api-client against the simulator', () => {
  let h: Harness;
  let config: Configuration;
  beforeAll(async () => {
    h = await harness({ seed: 71, config: { approval: { mode: 'manual' } } });
    config = new Configuration({
      baseurl: h.baseUrl,
      clientId: SIMULATOR_DEFAULT_CREDENTIALS.clientId,
      clientSecret: SIMULATOR_DEFAULT_CREDENTIALS.clientSecret,
      tokenUrl: `${h.baseUrl}/oauth/token`,
    });
  });
  afterAll(() => h.close());

  it('gets a token (multipart), submits, lists with filters, approves, rejects, cancels and searches', async () => {
    expect(typeof (await config.accessToken)).toBe('string');
    const requests = new AccessRequestsApi(config);
    const approvals = new AccessRequestApprovalsApi(config);
    const identity = h.identity(10);
    const [a, b, c] = h.plain('ACCESS_PROFILE');

    const submitted = await requests.createAccessRequest({
      accessRequest: {
        requestedFor: [identity],
        requestType: 'GRANT_ACCESS',
        requestedItems: [a, b, c].map((item) => ({
          type: 'ACCESS_PROFILE',
          id: item?.id ?? '',
          clientMetadata: { via: 'sdk' },
        })),
      },
    });
    expect(submitted.status).toBe(202);
    expectValidResponse('v3', 'POST', '/v3/access-requests', 202, submitted.data);
    const accessRequestId =
      (submitted.data as { newRequests: { accessRequestIds: string[] }[] }).newRequests[0]?.accessRequestIds[0] ?? '';

    const listed = await requests.listAccessRequestStatus({
      requestedFor: identity,
      filters: `accessRequestId eq "${accessRequestId}"`,
      sorters: 'name',
      count: true,
      limit: 10,
    });
    expect(listed.status).toBe(200);
    expect(listed.headers['x-total-count']).toBe('3');
    expectValidResponse('v3', 'GET', '/v3/access-request-status', 200, listed.data);
    expect(listed.data.every((row) => row.clientMetadata?.via === 'sdk')).toBe(true);

    const pending = await approvals.listPendingApprovals({ filters: `accessRequestId eq "${accessRequestId}"` });
    expectValidResponse('v3', 'GET', '/v3/access-request-approvals/pending', 200, pending.data);
    expect(pending.data).toHaveLength(3);
    const [first, second] = pending.data;
    // No commentDto: the SDK posts an empty JSON body, which ISC accepts.
    const approved = await approvals.approveAccessRequest({ approvalId: first?.id ?? '' });
    expect(approved.status).toBe(202);
    const rejected = await approvals.rejectAccessRequest({
      approvalId: second?.id ?? '',
      commentDto: { comment: 'no' },
    });
    expect(rejected.status).toBe(202);

    const cancelled = await requests.cancelAccessRequest({
      cancelAccessRequest: { accountActivityId: accessRequestId, comment: 'changed my mind' },
    });
    expect(cancelled.status).toBe(202);
    expectValidResponse('v3', 'POST', '/v3/access-requests/cancel', 202, cancelled.data);

    await h.advance(500);
    const final = await requests.listAccessRequestStatus({ requestedFor: identity });
    expect(final.data.map((row) => [row.id, row.state])).toEqual([
      [first?.requestedObject?.id, 'REQUEST_COMPLETED'],
      [second?.requestedObject?.id, 'REJECTED'],
      [pending.data[2]?.requestedObject?.id, 'CANCELLED'],
    ]);

    const search = await new SearchApi(config).searchPost({
      search: {
        indices: ['identities'],
        query: { query: `id:${identity} AND @access(id:${first?.requestedObject?.id})` },
      },
    });
    expect(search.data).toEqual([
      like({ id: identity, access: containing([like({ id: first?.requestedObject?.id, type: 'ACCESS_PROFILE' })]) }),
    ]);
  });

  it('looks roles and access profiles up by name and id, and finds identities by attribute', async () => {
    const role = h.plain('ROLE')[2];
    const roles = await new RolesApi(config).listRoles({ filters: `name eq "${role?.name}"`, count: true });
    expect(roles.status).toBe(200);
    expectValidCatalogResponse('v3', 'GET', '/v3/roles', 200, roles.data);
    expect(roles.data.map((r) => [r.id, r.name, r.requestable, r.owner?.id])).toEqual([
      [role?.id, role?.name, true, h.catalog.admin.id],
    ]);
    expect(roles.headers['x-total-count']).toBe('1');

    const [first, second] = h.plain('ACCESS_PROFILE');
    const profiles = await new AccessProfilesApi(config).listAccessProfiles({
      filters: `id in ("${first?.id}","${second?.id}")`,
      limit: 10,
    });
    expectValidCatalogResponse('v3', 'GET', '/v3/access-profiles', 200, profiles.data);
    expect(profiles.data.map((p) => [p.id, p.source?.name])).toEqual([
      [first?.id, 'Active Directory'],
      [second?.id, 'Active Directory'],
    ]);

    const person = h.catalog.identities[42];
    const found = await new SearchApi(config).searchPost({
      search: { indices: ['identities'], query: { query: 'employeeNumber:"E1042"' } },
    });
    expectValidCatalogResponse('v3', 'POST', '/v3/search', 200, found.data);
    expect(found.data).toEqual([
      like({ id: person?.id, employeeNumber: 'E1042', attributes: like({ email: person?.attributes.email }) }),
    ]);
    const department = String(person?.attributes.department);
    const colleagues = await new SearchApi(config).searchPost({
      search: { indices: ['identities'], query: { query: `attributes.department:"${department}"` } },
      count: true,
    });
    expect(colleagues.data.map((d) => d.id)).toEqual(
      h.catalog.identities.filter((i) => i.attributes.department === department).map((i) => i.id),
    );
  });

  it('surfaces ISC errors the way the SDK expects (axios rejects with the ErrorResponseDto)', async () => {
    const requests = new AccessRequestsApi(config);
    await expect(
      requests.cancelAccessRequest({ cancelAccessRequest: { accountActivityId: 'f'.repeat(32), comment: 'x' } }),
    ).rejects.toMatchObject({
      response: { status: 404, data: { detailCode: '404 Not found' } },
    });
  });
});
