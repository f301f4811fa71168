/**
 * The submit activity counts what it did with each item on the activity's meter: sent to ISC now, or
 * nothing to send because the identity already holds it.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import pino from 'pino';
import { createActivities } from '../../../src/activities';
import type { SubmitItemsInput, SubmitItemsResult } from '../../../src/activities/contracts';
import { planAccessRequests } from '../../../src/domain';
import type { IscClient } from '../../../src/isc';
import { RecordingMeter } from '../../support/recording-meter';

const ALICE = 'a'.repeat(32);
const HELD = 'b'.repeat(32);
const NEW = 'c'.repeat(32);

/** Just what a first submit asks: nothing pending, one item held, and the submit itself. */
const isc = {
  listAllAccessRequestStatus: async () => [],
  getIdentityAccess: async () => [{ type: 'ENTITLEMENT' as const, id: HELD }],
  submitAccessRequest: async () => ({ kind: 'untracked' as const }),
} as unknown as IscClient;

it('counts submitted and already satisfied items by request type', async () => {
  const [request] = planAccessRequests({
    requestType: 'GRANT_ACCESS',
    identityIds: [ALICE],
    items: [
      { type: 'ENTITLEMENT', id: HELD },
      { type: 'ENTITLEMENT', id: NEW },
    ],
  });
  const meter = new RecordingMeter();
  const env = new MockActivityEnvironment({ attempt: 1 }, { metricMeter: meter });
  const { submitItems } = createActivities({ isc, logger: pino({ level: 'silent' }) });
  const input: SubmitItemsInput = {
    request: request!,
    items: request!.items.map((i) => ({ identityId: ALICE, itemType: i.type, itemId: i.id })),
    attempt: 1,
    omitRemoveDate: false,
    omitStartDate: false,
  };
  const result = await env.run<[SubmitItemsInput], SubmitItemsResult, typeof submitItems>(submitItems, input);
  expect(result.items.map((i) => i.disposition).sort()).toEqual(['ALREADY_SATISFIED', 'SUBMITTED']);
  expect(meter.total('iscflow_submitted_items', { request_type: 'GRANT_ACCESS', disposition: 'SUBMITTED' })).toBe(1);
  expect(meter.total('iscflow_submitted_items', { disposition: 'ALREADY_SATISFIED' })).toBe(1);
});
