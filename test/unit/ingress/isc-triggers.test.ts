import { identityKeyOf } from '../../../src/domain';
import { ISC_TRIGGERS } from '../../../src/ingress';
import { interpretTrigger } from '../../../src/ingress/isc-triggers';
import {
  basicAuth,
  IDENTITY_ID,
  ISC_PASSWORD,
  ISC_TOKEN,
  ISC_USER,
  NOW,
  postTrigger,
  type RunningIngress,
  SECRET,
  startIngress,
} from '../../support/ingress/harness';

const identity = { type: 'IDENTITY', id: IDENTITY_ID, name: 'Michael Michaels' };

const created = {
  identity,
  attributes: {
    employeeNumber: 'E2001',
    department: 'Sales',
    firstname: 'Michael',
    isManager: false,
    level: 3,
    manager: { id: 'ee769173319b41d19ccec6c235423237', type: 'IDENTITY' },
    groups: ['a', 'b'],
    nothing: null,
  },
};

function changes(...list: { attribute: string; oldValue?: unknown; newValue?: unknown }[]) {
  return { identity, changes: list };
}

const decision = {
  accessRequestId: '2c91808b6ef1d43e016efba0ce470904',
  requestedFor: [{ type: 'IDENTITY', id: IDENTITY_ID, name: 'Michael Michaels' }],
  requestedItemsStatus: [],
  requestedBy: { type: 'IDENTITY', id: IDENTITY_ID, name: 'Michael Michaels' },
};

describe('ISC trigger authentication', () => {
  let ingress: RunningIngress;
  beforeAll(async () => {
    ingress = await startIngress();
  });
  afterAll(() => ingress.close());

  const payload = changes({ attribute: 'department', oldValue: 'Sales', newValue: 'Marketing' });

  it('accepts the configured bearer token, and the configured basic credentials', async () => {
    const bearer = await postTrigger(ingress, payload, { trigger: 'idn:identity-attributes-changed' });
    expect(bearer.status).toBe(202);
    const basic = await postTrigger(ingress, changes({ attribute: 'department', newValue: 'Support' }), {
      authorization: basicAuth(ISC_USER, ISC_PASSWORD),
    });
    expect(basic.status).toBe(202);
  });

  it.each([
    ['missing', null, 'MISSING_CREDENTIALS'],
    ['a wrong bearer token', `Bearer ${ISC_TOKEN}x`, 'WRONG_CREDENTIALS'],
    ['a wrong password', basicAuth(ISC_USER, `${ISC_PASSWORD}x`), 'WRONG_CREDENTIALS'],
    ['the webhook secret as a token', `Bearer ${SECRET}`, 'WRONG_CREDENTIALS'],
    ['another scheme', `Digest ${ISC_TOKEN}`, 'MALFORMED_CREDENTIALS'],
    ['basic that is not base64', 'Basic ***', 'MALFORMED_CREDENTIALS'],
  ])(
    '401 for %s credentials, with a challenge, the body unread and no gateway call',
    async (_n, authorization, reason) => {
      const before = ingress.gateway.sendCalls.length;
      // Even a malformed body gets 401 first: nothing is read for an unauthenticated caller.
      const response = await postTrigger(ingress, '{"not json', { authorization });
      expect(response.status).toBe(401);
      expect(response.json).toMatchObject({ code: 'UNAUTHORIZED', reason });
      expect(response.headers.get('www-authenticate')).toBe('Bearer, Basic realm="iscflow"');
      expect(response.text).not.toContain(ISC_TOKEN);
      expect(ingress.gateway.sendCalls.length).toBe(before);
    },
  );

  it('the log holds neither token nor password', () => {
    const log = ingress.logLines.join('\n');
    expect(log).toContain('"outcome":"unauthorized"');
    expect(log).not.toContain(ISC_TOKEN);
    expect(log).not.toContain(ISC_PASSWORD);
    expect(log).not.toContain(Buffer.from(`${ISC_USER}:${ISC_PASSWORD}`).toString('base64'));
  });

  it('is not served at all when no ISC credentials are configured', async () => {
    const bare = await startIngress({ env: { ISCFLOW_ISC_TRIGGER_TOKEN: '', ISCFLOW_ISC_TRIGGER_BASIC: '' } });
    try {
      expect((await postTrigger(bare, payload)).status).toBe(404);
    } finally {
      await bare.close();
    }
  });
});

describe('ISC triggers become HR events', () => {
  let ingress: RunningIngress;
  beforeAll(async () => {
    ingress = await startIngress({ env: { ISCFLOW_TERMINATED_LIFECYCLE_STATES: 'terminated,inactive,leaver' } });
  });
  afterAll(() => ingress.close());

  const lastSent = () => ingress.gateway.sendCalls[ingress.gateway.sendCalls.length - 1];

  it('identity-created: a hire effective now, scalar attributes only, the identity named by its ISC id and HR key', async () => {
    const response = await postTrigger(ingress, created, { trigger: 'idn:identity-created' });
    expect(response.status).toBe(202);
    const sent = lastSent();
    expect(sent?.delivery).toEqual({ channel: 'isc-trigger' });
    expect(sent?.event).toEqual({
      id: expect.stringMatching(new RegExp(`^identity-created:${IDENTITY_ID}:[0-9a-f]{32}$`)),
      source: 'isc',
      type: 'hire',
      // HR's key as well, so the hire joins HR's own events for the person; a later attribute change (ISC id
      // only) is routed to the lifecycle that resolved that id.
      identity: { id: IDENTITY_ID, employeeNumber: 'E2001' },
      effectiveAt: NOW.toISOString(),
      attributes: { employeeNumber: 'E2001', department: 'Sales', firstname: 'Michael', isManager: false, level: 3 },
    });
    expect(response.headers.get('location')).toBe(`/v1/events/isc/${encodeURIComponent(sent?.event.id ?? '')}`);
  });

  it('the same delivery twice is one event: 200 duplicate the second time', async () => {
    const again = await postTrigger(ingress, created, { trigger: 'idn:identity-created' });
    expect(again.status).toBe(200);
    expect(again.json.status).toBe('duplicate');
  });

  it('identity-created and a later leaver name the identity alike, so both reach one lifecycle', async () => {
    await postTrigger(ingress, { identity, attributes: { department: 'Ops' } }, { trigger: 'idn:identity-created' });
    const hire = lastSent()?.event;
    await postTrigger(ingress, changes({ attribute: 'cloudLifecycleState', oldValue: 'active', newValue: 'leaver' }));
    const leaver = lastSent()?.event;
    expect(leaver?.type).toBe('terminate');
    expect(identityKeyOf(leaver!)).toEqual(identityKeyOf(hire!));
  });

  it('identity-attributes-changed: an update with each new value; a cleared attribute becomes null', async () => {
    const response = await postTrigger(
      ingress,
      changes(
        { attribute: 'department', oldValue: 'Sales', newValue: 'Marketing' },
        { attribute: 'location', oldValue: 'Austin' },
        { attribute: 'manager', oldValue: null, newValue: { id: 'ee769173319b41d19ccec6c235423237' } },
        { attribute: 'cloudLifecycleState', oldValue: 'prehire', newValue: 'active' },
      ),
    );
    expect(response.status).toBe(202);
    expect(lastSent()?.event).toMatchObject({
      type: 'update',
      identity: { id: IDENTITY_ID },
      attributes: { department: 'Marketing', location: null, cloudLifecycleState: 'active' },
    });
    expect(lastSent()?.event.attributes).not.toHaveProperty('manager');
  });

  it.each(['terminated', 'Inactive', 'leaver'])(
    'identity-attributes-changed to cloudLifecycleState %s: a terminate',
    async (state) => {
      const response = await postTrigger(
        ingress,
        changes(
          { attribute: 'cloudLifecycleState', oldValue: 'active', newValue: state },
          { attribute: 'endDate', oldValue: null, newValue: '2027-03-01' },
          { attribute: 'costCenter', oldValue: 'CC1' },
        ),
        { trigger: 'idn:identity-attributes-changed' },
      );
      expect(response.status).toBe(202);
      expect(lastSent()?.event).toMatchObject({
        type: 'terminate',
        attributes: { cloudLifecycleState: state, endDate: '2027-03-01' },
      });
      expect(lastSent()?.event.attributes).not.toHaveProperty('costCenter');
    },
  );

  it('identity-attributes-changed with only values an event cannot carry: acknowledged and ignored', async () => {
    const before = ingress.gateway.sendCalls.length;
    const response = await postTrigger(ingress, changes({ attribute: 'groups', newValue: ['a', 'b'] }));
    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({ status: 'ignored', trigger: 'idn:identity-attributes-changed' });
    expect(ingress.gateway.sendCalls.length).toBe(before);
  });

  it('identity-deleted: acknowledged and ignored (not a leaver signal)', async () => {
    const before = ingress.gateway.sendCalls.length;
    const response = await postTrigger(ingress, created, { trigger: 'idn:identity-deleted' });
    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({ status: 'ignored', trigger: 'idn:identity-deleted' });
    expect(response.json.detail).toMatch(/not a leaver signal/);
    expect(ingress.gateway.sendCalls.length).toBe(before);
  });

  it('access-request-post-approval: a hint with the access request id, and nothing sent', async () => {
    const before = ingress.gateway.sendCalls.length;
    const response = await postTrigger(ingress, decision);
    expect(response.status).toBe(202);
    expect(response.json).toEqual({
      status: 'hinted',
      trigger: 'idn:access-request-post-approval',
      accessRequestIds: [decision.accessRequestId],
    });
    expect(ingress.gateway.hints).toContainEqual([decision.accessRequestId]);
    expect(ingress.gateway.sendCalls.length).toBe(before);
  });

  it('a hint that fails is still acknowledged (best effort; ISC would not resend)', async () => {
    ingress.gateway.failHints = true;
    try {
      expect((await postTrigger(ingress, decision)).status).toBe(202);
    } finally {
      ingress.gateway.failHints = false;
    }
  });

  it('503 with Retry-After when an identity trigger cannot be recorded', async () => {
    ingress.gateway.unavailable = true;
    try {
      const response = await postTrigger(ingress, changes({ attribute: 'department', newValue: 'Legal' }));
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('5');
    } finally {
      ingress.gateway.unavailable = false;
    }
  });

  it.each([
    ['a created/deleted shape without ?trigger=', created, undefined, 'TRIGGER_INVALID'],
    ['an unknown trigger', created, 'idn:account-correlated', 'TRIGGER_INVALID'],
    ['a payload of another trigger', decision, 'idn:identity-created', 'TRIGGER_INVALID'],
    [
      'an identity id that is not an ISC id',
      { identity: { id: 'x' }, attributes: {} },
      'idn:identity-created',
      'EVENT_INVALID',
    ],
    ['no changes', changes(), 'idn:identity-attributes-changed', 'TRIGGER_INVALID'],
    ['an array', [created], 'idn:identity-created', 'TRIGGER_INVALID'],
  ])('400 for %s', async (_name, payload, trigger, code) => {
    const before = ingress.gateway.sendCalls.length;
    const response = await postTrigger(ingress, payload, trigger === undefined ? {} : { trigger });
    expect(response.status).toBe(400);
    expect(response.json.code).toBe(code);
    expect(ingress.gateway.sendCalls.length).toBe(before);
  });

  it('400 for malformed JSON and 415 for other content types, once authenticated', async () => {
    expect((await postTrigger(ingress, '{"identity":')).json.code).toBe('BODY_MALFORMED');
    expect((await postTrigger(ingress, created, { contentType: 'text/plain' })).status).toBe(415);
  });
});

describe('interpretTrigger', () => {
  const mapping = { terminatedLifecycleStates: ['terminated'], receivedAt: NOW };
  const body = (payload: unknown) => Buffer.from(JSON.stringify(payload));

  it('knows the four triggers it handles', () => {
    expect(ISC_TRIGGERS).toEqual([
      'idn:identity-created',
      'idn:identity-attributes-changed',
      'idn:identity-deleted',
      'idn:access-request-post-approval',
    ]);
  });

  it('makes the event id from the trigger, the identity id and the body: another body, another id', () => {
    const first = changes({ attribute: 'department', newValue: 'A' });
    const second = changes({ attribute: 'department', newValue: 'B' });
    const a = interpretTrigger(undefined, first, body(first), mapping);
    const b = interpretTrigger(undefined, second, body(second), mapping);
    expect(a.kind === 'event' && b.kind === 'event' && a.event.id !== b.event.id).toBe(true);
  });

  it('keeps an attribute named __proto__ as plain data, never as a prototype', () => {
    const payload = JSON.parse(
      `{"identity":{"id":"${IDENTITY_ID}"},"changes":[{"attribute":"__proto__","newValue":"x"},{"attribute":"a","newValue":"b"}]}`,
    ) as unknown;
    const outcome = interpretTrigger(undefined, payload, Buffer.from('{}'), mapping);
    expect(outcome.kind).toBe('event');
    if (outcome.kind === 'event') expect(Object.getPrototypeOf(outcome.event.attributes)).toBe(Object.prototype);
  });
});
