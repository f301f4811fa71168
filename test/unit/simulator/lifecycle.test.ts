import { anyNumber, harness, like, matching, type Harness, type StatusRow } from '../../support/simulator-harness';
import { DAY } from '../../support/time';

/** Every state path a requested row can take, driven on the simulator clock. */
describe('request lifecycle', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness({ seed: 31 });
  });
  afterAll(() => h.close());
  beforeEach(async () => {
    await h.call('POST', '/__sim/reset');
    await h.configure({
      // Long enough that real time between two calls never crosses a step; tests move the clock.
      approval: { mode: 'auto', delayMs: 5_000, rejectRate: 0 },
      provisioning: { delayMs: 5_000, failRate: 0 },
      removalLagMs: 0,
    });
  });

  const grant = async (
    identityId: string,
    items: {
      type: string;
      id: string | undefined;
      removeDate?: string;
      startDate?: string;
      clientMetadata?: Record<string, string>;
    }[],
  ) => {
    const result = await h.submit({ requestedFor: [identityId], requestedItems: items });
    expect(result.status).toBe(202);
    return result.body;
  };
  const rowsFor = (identityId: string): Promise<StatusRow[]> => h.status(`requested-for=${identityId}`);

  it('approves automatically, provisions, grants the access, echoes clientMetadata', async () => {
    const identity = h.identity(12);
    const role = h.plain('ROLE')[0];
    const body = await grant(identity, [{ type: 'ROLE', id: role?.id, clientMetadata: { correlation: 'c-1' } }]);
    const accessRequestId = body.newRequests[0]?.accessRequestIds[0];
    let [row] = await rowsFor(identity);
    expect(row).toMatchObject({
      state: 'EXECUTING',
      cancelable: true,
      accessRequestId,
      clientMetadata: { correlation: 'c-1' },
      id: role?.id,
      type: 'ROLE',
    });
    expect(row?.approvalDetails[0]?.status).toBe('PENDING');
    await h.advance(5_500);
    [row] = await rowsFor(identity);
    expect(row).toMatchObject({ state: 'EXECUTING', cancelable: false });
    expect(row?.accessRequestPhases.map((p) => [p.name, p.state])).toEqual([
      ['APPROVAL_PHASE', 'COMPLETED'],
      ['PROVISIONING_PHASE', 'EXECUTING'],
    ]);
    await h.advance(5_500);
    [row] = await rowsFor(identity);
    expect(row?.state).toBe('REQUEST_COMPLETED');
    expect((await h.access(identity)).some((x) => x.id === role?.id && x.source === 'REQUEST')).toBe(true);
    const requests = (
      await h.call<{ accessRequestId: string; state: string; clientMetadata: unknown }[]>('GET', '/__sim/requests')
    ).body;
    expect(requests).toEqual([
      like({ accessRequestId, state: 'REQUEST_COMPLETED', clientMetadata: { correlation: 'c-1' } }),
    ]);
  });

  it('rejects "Restricted" items by rule and at rejectRate', async () => {
    const identity = h.identity(13);
    await grant(identity, [{ type: 'ROLE', id: h.named('ROLE', 'Restricted').id }]);
    await h.advance(11_000);
    const [row] = await rowsFor(identity);
    expect(row).toMatchObject({ state: 'REJECTED' });
    expect(row?.approvalDetails[0]).toMatchObject({ status: 'REJECTED', comment: matching(/restricted/) });

    await h.configure({ approval: { rejectRate: 1 } });
    const other = h.identity(14);
    await grant(other, [{ type: 'ACCESS_PROFILE', id: h.plain('ACCESS_PROFILE')[0]?.id }]);
    await h.advance(11_000);
    expect((await rowsFor(other))[0]?.state).toBe('REJECTED');
  });

  it('waits for a manual decision, then approves or rejects', async () => {
    await h.configure({ approval: { mode: 'manual' } });
    const identity = h.identity(15);
    const [a, b] = h.plain('ACCESS_PROFILE');
    await grant(identity, [
      { type: 'ACCESS_PROFILE', id: a?.id },
      { type: 'ACCESS_PROFILE', id: b?.id },
    ]);
    await h.advance(60_000);
    const rows = await rowsFor(identity);
    expect(rows.map((r) => r.state)).toEqual(['EXECUTING', 'EXECUTING']);
    const pending = await h.isc<{ id: string; requestedObject: { id: string }; owner: { id: string } }[]>(
      'GET',
      `/v3/access-request-approvals/pending?filters=requestedFor.id eq "${identity}"`,
    );
    expect(pending.body).toHaveLength(2);
    const managerId = h.catalog.identities.find((i) => i.id === identity)?.managerId;
    expect(pending.body[0]?.owner.id).toBe(managerId);
    const approvalOf = (itemId: string | undefined): string =>
      pending.body.find((p) => p.requestedObject.id === itemId)?.id ?? '';
    expect(
      (await h.isc('POST', `/v3/access-request-approvals/${approvalOf(a?.id)}/approve`, { comment: 'ok' })).status,
    ).toBe(202);
    expect(
      (await h.isc('POST', `/v3/access-request-approvals/${approvalOf(b?.id)}/reject`, { comment: 'no' })).status,
    ).toBe(202);
    expect(
      (await h.isc('POST', `/v3/access-request-approvals/${approvalOf(b?.id)}/reject`, { comment: 'again' })).status,
    ).toBe(400);
    expect((await h.isc('POST', `/v3/access-request-approvals/${'0'.repeat(32)}/approve`, {})).status).toBe(404);
    await h.advance(5_500);
    const after = await rowsFor(identity);
    expect(after.find((r) => r.id === a?.id)?.state).toBe('REQUEST_COMPLETED');
    expect(after.find((r) => r.id === b?.id)).toMatchObject({
      state: 'REJECTED',
      approvalDetails: [like({ comment: 'no' })],
    });
  });

  it('bulk-approves on v2025 (max 50)', async () => {
    await h.configure({ approval: { mode: 'manual' } });
    const identity = h.identity(16);
    await grant(
      identity,
      h
        .plain('ACCESS_PROFILE')
        .slice(0, 3)
        .map((p) => ({ type: 'ACCESS_PROFILE', id: p.id })),
    );
    const pending = await h.isc<{ id: string }[]>(
      'GET',
      `/v2025/access-request-approvals/pending?filters=requestedFor.id eq "${identity}"&count=true`,
    );
    expect(pending.headers.get('x-total-count')).toBe('3');
    const tooMany = await h.isc('POST', '/v2025/access-request-approvals/bulk-approve', {
      approvalIds: Array.from({ length: 51 }, () => 'x'),
      comment: 'ok',
    });
    expect(tooMany.status).toBe(400);
    expect(
      (
        await h.isc('POST', '/v2025/access-request-approvals/bulk-approve', {
          approvalIds: pending.body.map((p) => p.id),
          comment: 'ok',
        })
      ).status,
    ).toBe(202);
    await h.advance(5_500);
    expect((await rowsFor(identity)).map((r) => r.state)).toEqual([
      'REQUEST_COMPLETED',
      'REQUEST_COMPLETED',
      'REQUEST_COMPLETED',
    ]);
    expect(
      (await h.call('POST', '/v3/access-request-approvals/bulk-approve', { approvalIds: ['x'], comment: 'ok' })).status,
    ).toBe(404);
  });

  it('fails provisioning of "Broken" items; siblings that succeed make it NOT_ALL_ITEMS_PROVISIONED', async () => {
    const alone = h.identity(17);
    await grant(alone, [{ type: 'ACCESS_PROFILE', id: h.named('ACCESS_PROFILE', 'Broken').id }]);
    const mixed = h.identity(18);
    await grant(mixed, [
      { type: 'ACCESS_PROFILE', id: h.named('ACCESS_PROFILE', 'Broken').id },
      { type: 'ACCESS_PROFILE', id: h.plain('ACCESS_PROFILE')[3]?.id },
    ]);
    await h.advance(11_000);
    const [failed] = await rowsFor(alone);
    expect(failed).toMatchObject({
      state: 'PROVISIONING_FAILED',
      errorMessages: [[like({ text: matching(/failed to provision/) })]],
    });
    const rows = await rowsFor(mixed);
    expect(rows.map((r) => r.state)).toEqual(['NOT_ALL_ITEMS_PROVISIONED', 'REQUEST_COMPLETED']);
    expect((await h.access(alone)).some((x) => x.type === 'ACCESS_PROFILE' && x.id === failed?.id)).toBe(false);
  });

  it('fails at failRate with PROVISIONING_FAILED or ERROR', async () => {
    await h.configure({ provisioning: { failRate: 1 } });
    const states = new Set<string>();
    for (let i = 20; i < 30; i++)
      await grant(h.identity(i), [{ type: 'ACCESS_PROFILE', id: h.plain('ACCESS_PROFILE')[1]?.id }]);
    await h.advance(11_000);
    for (let i = 20; i < 30; i++) for (const row of await rowsFor(h.identity(i))) states.add(row.state);
    expect([...states].sort()).toEqual(['ERROR', 'PROVISIONING_FAILED']);
  });

  it('cancels before approval, not after; 404 for unknown ids', async () => {
    const identity = h.identity(19);
    const body = await grant(identity, [{ type: 'ACCESS_PROFILE', id: h.plain('ACCESS_PROFILE')[2]?.id }]);
    const id = body.newRequests[0]?.accessRequestIds[0];
    expect((await h.isc('POST', '/v3/access-requests/cancel', { accountActivityId: id })).status).toBe(400);
    expect((await h.isc('POST', '/v3/access-requests/cancel', { accountActivityId: id, comment: 'oops' })).status).toBe(
      202,
    );
    const [row] = await rowsFor(identity);
    expect(row).toMatchObject({
      state: 'CANCELLED',
      cancelable: false,
      cancelledRequestDetails: like({ comment: 'oops' }),
    });
    const notFound = await h.isc<{ detailCode: string }>('POST', '/v3/access-requests/cancel', {
      accountActivityId: 'f'.repeat(32),
      comment: 'x',
    });
    expect(notFound.status).toBe(404);
    expect(notFound.body.detailCode).toBe('404 Not found');

    const late = await grant(identity, [{ type: 'ACCESS_PROFILE', id: h.plain('ACCESS_PROFILE')[4]?.id }]);
    await h.advance(5_500);
    const refused = await h.isc('POST', '/v3/access-requests/cancel', {
      accountActivityId: late.newRequests[0]?.accessRequestIds[0],
      comment: 'too late',
    });
    expect(refused.status).toBe(400);
  });

  it('bulk-cancels on v2025 only, max 50', async () => {
    const identity = h.identity(31);
    const a = await grant(identity, [{ type: 'ACCESS_PROFILE', id: h.plain('ACCESS_PROFILE')[5]?.id }]);
    const b = await grant(identity, [{ type: 'ACCESS_PROFILE', id: h.plain('ACCESS_PROFILE')[6]?.id }]);
    const ids = [a, b].map((x) => x.newRequests[0]?.accessRequestIds[0]);
    expect(
      (await h.call('POST', '/v3/access-requests/bulk-cancel', { accessRequestIds: ids, comment: 'x' })).status,
    ).toBe(404);
    expect(
      (
        await h.isc('POST', '/v2025/access-requests/bulk-cancel', {
          accessRequestIds: Array.from({ length: 51 }, () => 'x'),
          comment: 'x',
        })
      ).status,
    ).toBe(400);
    expect(
      (await h.isc('POST', '/v2025/access-requests/bulk-cancel', { accessRequestIds: ids, comment: 'bulk' })).status,
    ).toBe(202);
    expect((await rowsFor(identity)).map((r) => r.state)).toEqual(['CANCELLED', 'CANCELLED']);
  });

  it('closes at any stage on v2025 -> TERMINATED', async () => {
    const identity = h.identity(32);
    const body = await grant(identity, [{ type: 'ACCESS_PROFILE', id: h.plain('ACCESS_PROFILE')[7]?.id }]);
    await h.advance(5_500);
    const id = body.newRequests[0]?.accessRequestIds[0];
    expect((await h.isc('POST', '/v2025/access-requests/close', { accessRequestIds: [] })).status).toBe(400);
    expect(
      (await h.isc('POST', '/v2025/access-requests/close', { accessRequestIds: [id], executionStatus: 'Done' })).status,
    ).toBe(400);
    expect(
      (await h.isc('POST', '/v2025/access-requests/close', { accessRequestIds: [id], message: 'stuck' })).status,
    ).toBe(202);
    const [row] = await h.status(`requested-for=${identity}`, 'v2025');
    expect(row).toMatchObject({ state: 'TERMINATED', errorMessages: [[like({ text: matching(/stuck/) })]] });
    await h.advance(1000);
    expect((await rowsFor(identity))[0]?.state).toBe('TERMINATED');
    expect((await h.call('POST', '/v3/access-requests/close', { accessRequestIds: [id] })).status).toBe(404);
  });

  it('provisions at startDate and removes at removeDate + removalLagMs', async () => {
    await h.configure({ removalLagMs: 60_000 });
    const identity = h.identity(33);
    const profile = h.plain('ACCESS_PROFILE')[8];
    const startDate = await h.later(DAY);
    const removeDate = await h.later(3 * DAY);
    await grant(identity, [{ type: 'ACCESS_PROFILE', id: profile?.id, startDate, removeDate }]);
    await h.advance(11_000);
    let [row] = await rowsFor(identity);
    expect(row).toMatchObject({ state: 'EXECUTING', startDate, removeDate });
    expect(row?.accessRequestPhases.map((p) => p.state)).toEqual(['COMPLETED', 'PENDING']);
    await h.advance(DAY);
    [row] = await rowsFor(identity);
    expect(row?.state).toBe('REQUEST_COMPLETED');
    expect((await h.access(identity)).find((x) => x.id === profile?.id)).toMatchObject({ removeDate });
    await h.advance(2 * DAY);
    expect((await h.access(identity)).some((x) => x.id === profile?.id)).toBe(true);
    await h.advance(60_000);
    expect((await h.access(identity)).some((x) => x.id === profile?.id)).toBe(false);
  });

  it('revokes requested access, and the role-granted entitlements with it', async () => {
    const identity = h.identity(1);
    const role = (await h.access(identity)).find((x) => x.type === 'ROLE');
    await h.submit({
      requestType: 'REVOKE_ACCESS',
      requestedFor: [identity],
      requestedItems: [{ type: 'ROLE', id: role?.id, comment: 'mover' }],
    });
    await h.advance(11_000);
    const held = await h.access(identity);
    expect(held.some((x) => x.id === role?.id || x.grantedBy === role?.id)).toBe(false);
    expect(held.filter((x) => x.source === 'BIRTHRIGHT')).toHaveLength(2);
  });

  it('revokes with a removeDate earlier than the sunset: the sunset moves, then the access goes', async () => {
    const identity = h.identity(36);
    const item = { type: 'ACCESS_PROFILE', id: h.plain('ACCESS_PROFILE')[11]?.id };
    const sunset = await h.later(10 * DAY);
    await grant(identity, [{ ...item, removeDate: sunset }]);
    await h.advance(11_000);
    const revoke = (removeDate: string) =>
      h.submit({
        requestType: 'REVOKE_ACCESS',
        requestedFor: [identity],
        requestedItems: [{ ...item, comment: 'shorter', removeDate }],
      });
    expect((await revoke(await h.later(11 * DAY))).status).toBe(400);
    const earlier = await h.later(2 * DAY);
    expect((await revoke(earlier)).status).toBe(202);
    await h.advance(11_000);
    expect((await h.access(identity)).find((x) => x.id === item.id)?.removeDate).toBe(earlier);
    await h.advance(2 * DAY);
    expect((await h.access(identity)).some((x) => x.id === item.id)).toBe(false);
  });

  it('returns a pending duplicate in existingRequests without creating it again', async () => {
    const identity = h.identity(34);
    const item = { type: 'ACCESS_PROFILE', id: h.plain('ACCESS_PROFILE')[9]?.id };
    const first = await grant(identity, [item]);
    const again = await grant(identity, [item]);
    expect(again.newRequests).toEqual([]);
    expect(again.existingRequests).toEqual([
      {
        requestedFor: identity,
        requestedItemsDetails: [item],
        attributesHash: anyNumber(),
        accessRequestIds: first.newRequests[0]?.accessRequestIds,
      },
    ]);
    expect(await rowsFor(identity)).toHaveLength(1);
  });

  it('cancels a request for access already held as a duplicate; a date change is processed', async () => {
    const identity = h.identity(35);
    const item = { type: 'ACCESS_PROFILE', id: h.plain('ACCESS_PROFILE')[10]?.id };
    await grant(identity, [item]);
    await h.advance(11_000);
    const dup = await grant(identity, [item]);
    expect(dup.newRequests).toHaveLength(1);
    let rows = await rowsFor(identity);
    expect(rows[1]).toMatchObject({
      state: 'CANCELLED',
      cancelledRequestDetails: { comment: matching(/duplicate/) },
      accessRequestId: dup.newRequests[0]?.accessRequestIds[0],
    });

    const removeDate = await h.later(5 * DAY);
    await grant(identity, [{ ...item, removeDate }]);
    await h.advance(11_000);
    expect((await h.access(identity)).find((x) => x.id === item.id)?.removeDate).toBe(removeDate);
    // Sent again without removeDate, the grant clears the sunset, as ISC does.
    await grant(identity, [item]);
    await h.advance(11_000);
    rows = await rowsFor(identity);
    expect(rows.map((r) => r.state)).toEqual([
      'REQUEST_COMPLETED',
      'CANCELLED',
      'REQUEST_COMPLETED',
      'REQUEST_COMPLETED',
    ]);
    expect((await h.access(identity)).find((x) => x.id === item.id)?.removeDate).toBeNull();
  });
});
