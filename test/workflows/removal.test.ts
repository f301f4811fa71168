/**
 * Removal and start dates on the time-skipping server: days and months pass in seconds, against a fake
 * ISC whose clock is the server's.
 */
import { planAccessRequests, type AccessChange } from '../../src/domain';
import type { accessRequestWorkflow } from '../../src/workflows';
import {
  setRemoveDateUpdate,
  statusQuery,
  type AccessRequestInput,
  type AccessRequestOptions,
} from '../../src/workflows/access-request/contracts';
import { environmentPerFile, withTestWorker } from '../support/temporal';
import { DAY, iso } from '../support/time';
import { createFakeIsc } from '../support/workflows/fake-isc';

const IDENTITY = 'c'.repeat(32);
const ENTITLEMENT = 'd'.repeat(32);
const REF = { identityId: IDENTITY, itemType: 'ENTITLEMENT' as const, itemId: ENTITLEMENT };

describe('removal and start dates (time-skipping)', () => {
  const env = environmentPerFile();

  function input(change: Partial<AccessChange>, options: Partial<AccessRequestOptions>): AccessRequestInput {
    const [request] = planAccessRequests({
      requestType: 'GRANT_ACCESS',
      identityIds: [IDENTITY],
      items: [{ type: 'ENTITLEMENT', id: ENTITLEMENT }],
      ...change,
    });
    if (!request) throw new Error('nothing planned');
    return { request, options: { statusPollSeconds: 1800, ...options } };
  }

  const withWorker = <T>(isc: ReturnType<typeof createFakeIsc>, body: (taskQueue: string) => Promise<T>): Promise<T> =>
    withTestWorker(env(), isc.activities, body);

  const start = (taskQueue: string, args: AccessRequestInput) =>
    env().client.workflow.start<typeof accessRequestWorkflow>('accessRequestWorkflow', {
      taskQueue,
      workflowId: `wf-${taskQueue}`,
      args: [args],
    });

  it('exact mode: a 90-day contractor grant is revoked on day 90 and verified', async () => {
    const isc = createFakeIsc({ approvalMs: 3600_000 });
    const t0 = await env().currentTimeMs();
    const result = await withWorker(isc, async (q) =>
      (await start(q, input({ removeDate: iso(t0 + 90 * DAY) }, { removalMode: 'exact' }))).result(),
    );

    const [grant, revoke] = isc.submissions;
    expect(grant).toMatchObject({ requestType: 'GRANT_ACCESS', removeDate: undefined });
    expect(revoke).toMatchObject({
      requestType: 'REVOKE_ACCESS',
      comment: expect.stringContaining('Scheduled removal'),
    });
    expect(revoke!.at).toBeGreaterThanOrEqual(t0 + 90 * DAY);
    expect(revoke!.at).toBeLessThan(t0 + 90 * DAY + 3600_000);
    expect(result.items[0]).toMatchObject({ outcome: 'GRANTED', removal: { mode: 'exact', status: 'REMOVED' } });
    expect(isc.holds(REF, await env().currentTimeMs())).toBe(false);
  });

  it('isc mode: passes removeDate to ISC and, when ISC fails to remove, revokes after the SLA', async () => {
    const isc = createFakeIsc({ removesAtRemoveDate: false });
    const t0 = await env().currentTimeMs();
    const removeDate = iso(t0 + 30 * DAY);
    const result = await withWorker(isc, async (q) =>
      (await start(q, input({ removeDate }, { removalMode: 'isc' }))).result(),
    );

    expect(isc.submissions[0]).toMatchObject({ requestType: 'GRANT_ACCESS', removeDate });
    const revoke = isc.submissions[1]!;
    expect(revoke.requestType).toBe('REVOKE_ACCESS');
    // ISC gets its 24-hour deprovisioning SLA before iscflow steps in.
    expect(revoke.at).toBeGreaterThanOrEqual(t0 + 31 * DAY);
    expect(result.items[0]!.removal).toMatchObject({ mode: 'isc', status: 'REMOVED' });
    expect(isc.holds(REF, await env().currentTimeMs())).toBe(false);
  });

  it('isc mode: when ISC removes on time, the verification finds nothing to do', async () => {
    const isc = createFakeIsc({ removesAtRemoveDate: true });
    const t0 = await env().currentTimeMs();
    const result = await withWorker(isc, async (q) =>
      (await start(q, input({ removeDate: iso(t0 + 10 * DAY) }, {}))).result(),
    );
    expect(isc.submissions.map((s) => s.requestType)).toEqual(['GRANT_ACCESS']);
    expect(result.items[0]!.removal).toMatchObject({ status: 'REMOVED' });
  });

  it('an extension on day 60 moves the removal to day 120', async () => {
    const isc = createFakeIsc();
    const t0 = await env().currentTimeMs();
    const result = await withWorker(isc, async (q) => {
      const handle = await start(q, input({ removeDate: iso(t0 + 90 * DAY) }, { removalMode: 'exact' }));
      await env().sleep(60 * DAY);
      const state = await handle.executeUpdate(setRemoveDateUpdate, { args: [{ removeDate: iso(t0 + 120 * DAY) }] });
      expect(state.removals[0]).toMatchObject({ removeDate: iso(t0 + 120 * DAY), status: 'SCHEDULED' });
      const refusal = async (removeDate: string): Promise<string> => {
        const error = await handle
          .executeUpdate(setRemoveDateUpdate, { args: [{ removeDate }] })
          .catch((e: Error) => e);
        return error instanceof Error ? String((error.cause as Error | undefined)?.message) : 'accepted';
      };
      expect(await refusal(iso(t0 - DAY))).toMatch(/removeDate must be in the future/);
      expect(await refusal('next tuesday')).toMatch(/ISO-8601/);
      expect(await refusal('2030-01-01T00:00:00+02:00')).toMatch(/UTC/);
      return handle.result();
    });
    const revoke = isc.submissions.find((s) => s.requestType === 'REVOKE_ACCESS')!;
    expect(revoke.at).toBeGreaterThanOrEqual(t0 + 120 * DAY);
    expect(revoke.at).toBeLessThan(t0 + 121 * DAY);
    expect(result.items[0]!.removal).toMatchObject({ removeDate: iso(t0 + 120 * DAY), status: 'REMOVED' });
  });

  it('isc mode: a new date is sent to ISC with the grant again, never without it', async () => {
    const isc = createFakeIsc();
    const t0 = await env().currentTimeMs();
    await withWorker(isc, async (q) => {
      const handle = await start(q, input({ removeDate: iso(t0 + 30 * DAY) }, {}));
      await env().sleep(5 * DAY);
      await handle.executeUpdate(setRemoveDateUpdate, { args: [{ removeDate: iso(t0 + 60 * DAY) }] });
      return handle.result();
    });
    const grants = isc.submissions.filter((s) => s.requestType === 'GRANT_ACCESS');
    expect(grants.map((g) => g.removeDate)).toEqual([iso(t0 + 30 * DAY), iso(t0 + 60 * DAY)]);
  });

  it('cancelling the removal keeps the access', async () => {
    const isc = createFakeIsc();
    const t0 = await env().currentTimeMs();
    const result = await withWorker(isc, async (q) => {
      const handle = await start(q, input({ removeDate: iso(t0 + 90 * DAY) }, { removalMode: 'exact' }));
      await env().sleep(10 * DAY);
      await handle.executeUpdate(setRemoveDateUpdate, { args: [{ removeDate: null }] });
      return handle.result();
    });
    expect(isc.submissions.map((s) => s.requestType)).toEqual(['GRANT_ACCESS']);
    expect(result.items[0]!.removal).toMatchObject({ status: 'KEPT' });
    expect(isc.holds(REF, (await env().currentTimeMs()) + 365 * DAY)).toBe(true);
  });

  it('a start date in three weeks: the workflow waits (SCHEDULED) where ISC cannot take it, then grants', async () => {
    const isc = createFakeIsc();
    const t0 = await env().currentTimeMs();
    const startDate = iso(t0 + 21 * DAY);
    const result = await withWorker(isc, async (q) => {
      const handle = await start(q, input({ startDate }, { tenantProfile: 'legacy' }));
      await env().sleep(DAY);
      expect((await handle.query(statusQuery)).phase).toBe('SCHEDULED');
      expect(isc.submissions).toHaveLength(0);
      return handle.result();
    });
    expect(isc.submissions[0]!.at).toBeGreaterThanOrEqual(t0 + 21 * DAY);
    expect(isc.submissions[0]!.startDate).toBeUndefined();
    expect(result.items[0]).toMatchObject({ outcome: 'GRANTED' });
  });

  it('a start date goes to ISC where the tenant takes it', async () => {
    const isc = createFakeIsc();
    const t0 = await env().currentTimeMs();
    const startDate = iso(t0 + 21 * DAY);
    const result = await withWorker(isc, async (q) => (await start(q, input({ startDate }, {}))).result());
    expect(isc.submissions[0]).toMatchObject({ startDate });
    expect(isc.submissions[0]!.at).toBeLessThan(t0 + DAY);
    expect(result.items[0]).toMatchObject({ outcome: 'GRANTED' });
  });

  it('a removal a year away keeps the history small', async () => {
    const isc = createFakeIsc();
    const t0 = await env().currentTimeMs();
    const events = await withWorker(isc, async (q) => {
      const handle = await start(q, input({ removeDate: iso(t0 + 365 * DAY) }, { removalMode: 'exact' }));
      await handle.result();
      return (await handle.fetchHistory()).events?.length ?? 0;
    });
    console.log(`history events of a workflow that waits 365 days for its removal: ${events}`);
    expect(isc.submissions.map((s) => s.requestType)).toEqual(['GRANT_ACCESS', 'REVOKE_ACCESS']);
    expect(events).toBeLessThan(120);
  });
});
