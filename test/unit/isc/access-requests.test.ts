/** Submit, cancel and close over a fake transport: paths, versions, batches, and bodies checked first. */
import { createAccessRequests } from '../../../src/isc/access-requests';
import { fakeTransport, thrown } from '../../support/isc';

const grant = {
  requestedFor: ['a'.repeat(32)],
  requestType: 'GRANT_ACCESS' as const,
  requestedItems: [{ type: 'ROLE' as const, id: 'b'.repeat(32) }],
};

describe('access requests', () => {
  it('submits through the configured version and reads an empty 202 as untracked', async () => {
    const { transport, requests } = fakeTransport(() => undefined);
    const result = await createAccessRequests(transport, 'v2025').submitAccessRequest(grant);
    expect(result).toEqual({ kind: 'untracked' });
    expect(requests).toMatchObject([{ method: 'POST', path: '/v2025/access-requests', body: grant }]);
  });

  it('closes through v2025 in batches of 500, and cancels through the configured version', async () => {
    const { transport, requests } = fakeTransport(() => ({}));
    const requestsApi = createAccessRequests(transport, 'v3');
    const ids = Array.from({ length: 1001 }, (_, i) => `r${i}`);
    await requestsApi.closeAccessRequests(ids, 'stuck');
    await requestsApi.cancelAccessRequest('c'.repeat(32), 'not needed');
    expect(requests.map((r) => r.path)).toEqual([
      '/v2025/access-requests/close',
      '/v2025/access-requests/close',
      '/v2025/access-requests/close',
      '/v3/access-requests/cancel',
    ]);
    const closed = requests.slice(0, 3).map((r) => (r.body as { accessRequestIds: string[] }).accessRequestIds);
    expect(closed.map((batch) => batch.length)).toEqual([500, 500, 1]);
    expect(closed.flat()).toEqual(ids);
    expect(requests[3]?.body).toEqual({ accountActivityId: 'c'.repeat(32), comment: 'not needed' });
  });

  it('refuses a cancel without a comment before sending it', async () => {
    const { transport, requests } = fakeTransport();
    const error = await thrown(createAccessRequests(transport, 'v3').cancelAccessRequest('c'.repeat(32), ''));
    expect(error).toMatchObject({ code: 'ISC_BAD_REQUEST', retryable: false });
    expect(requests).toHaveLength(0);
  });
});
