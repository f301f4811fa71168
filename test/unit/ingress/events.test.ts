import { connect } from 'node:net';
import { createEncryptionCodec } from '../../../src/codec';
import { type EventStanding } from '../../../src/ingress';
import { keyEntry, ring } from '../../support/payload-keys';
import { answer } from '../../support/http';
import {
  getStanding,
  hireEvent,
  ISC_TOKEN,
  postEvent,
  type RunningIngress,
  SECRET,
  signedHeaders,
  startIngress,
} from '../../support/ingress/harness';

const CE = 'application/cloudevents+json';

function cloudEvent(overrides: Record<string, unknown> = {}, data: Record<string, unknown> = {}) {
  const { id: _id, source: _source, ...event } = hireEvent();
  return {
    specversion: '1.0',
    id: 'ce-1001',
    source: 'workday',
    type: 'com.workday.worker.hired',
    datacontenttype: 'application/json',
    time: '2027-01-03T12:00:00Z',
    data: { ...event, ...data },
    ...overrides,
  };
}

/** One raw HTTP/1.1 exchange, for requests fetch refuses to send. */
function rawRequest(base: string, request: string): Promise<string> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.end(request));
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    socket.on('end', () => resolve(received));
    socket.on('error', reject);
  });
}

describe('POST /v1/events answers', () => {
  let ingress: RunningIngress;
  beforeAll(async () => {
    ingress = await startIngress();
  });
  afterAll(() => ingress.close());

  it('202 with Location once the gateway recorded the event; a repeat is 200, same shape, nothing new', async () => {
    const first = await postEvent(ingress, hireEvent('wd-1'));
    expect(first.status).toBe(202);
    expect(first.headers.get('location')).toBe('/v1/events/workday/wd-1');
    expect(first.json).toEqual({
      status: 'accepted',
      source: 'workday',
      id: 'wd-1',
      location: '/v1/events/workday/wd-1',
    });
    const recorded = ingress.gateway.recorded.get('workday/wd-1');
    expect(recorded?.event).toMatchObject({ id: 'wd-1', type: 'hire', identity: { employeeNumber: 'E1042' } });
    expect(recorded?.delivery).toEqual({ channel: 'webhook', deliveryId: expect.stringMatching(/^msg_/) });

    const again = await postEvent(ingress, hireEvent('wd-1'));
    expect(again.status).toBe(200);
    expect(again.json).toEqual({ ...first.json, status: 'duplicate' });
    expect(again.headers.get('location')).toBe('/v1/events/workday/wd-1');
    expect(ingress.gateway.recorded.size).toBe(1);
  });

  it('URL-encodes the Location parts', async () => {
    const response = await postEvent(ingress, hireEvent('wd:2@x+y=z', { source: 'hr:eu' }));
    expect(response.status).toBe(202);
    expect(response.headers.get('location')).toBe('/v1/events/hr%3Aeu/wd%3A2%40x%2By%3Dz');
  });

  it('400 problem+json naming each invalid field, with validateHrEvent rules; the gateway is not called', async () => {
    const before = ingress.gateway.sendCalls.length;
    const response = await postEvent(ingress, {
      id: 'bad id!',
      type: 'promote',
      identity: {},
      effectiveAt: '2027-01-04 08:00',
      extra: 1,
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(response.json).toMatchObject({
      type: 'urn:iscflow:problem:event-invalid',
      title: 'The HR event is not valid',
      status: 400,
      code: 'EVENT_INVALID',
    });
    const errors = response.json.errors as { field: string; rule: string; message: string }[];
    expect(errors.map((e) => [e.field, e.rule])).toEqual(
      expect.arrayContaining([
        ['id', 'EVENT_ID_FORMAT'],
        ['type', 'UNKNOWN_EVENT_TYPE'],
        ['extra', 'UNKNOWN_FIELD'],
        ['identity', 'IDENTITY_REQUIRED'],
        ['effectiveAt', 'DATE_MALFORMED'],
      ]),
    );
    expect(response.json.detail).toMatch(/id, .*type/);
    expect(ingress.gateway.sendCalls.length).toBe(before);
  });

  it.each([
    ['malformed JSON', '{"id": "x",'],
    ['not UTF-8', Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d])],
    ['an empty body', ''],
    ['a JSON array', '[1,2,3]'],
    ['JSON null', 'null'],
    ['deeply nested arrays', `${'['.repeat(50_000)}${']'.repeat(50_000)}`],
  ])('400 (never 500) for %s', async (_name, body) => {
    const response = await postEvent(ingress, body);
    expect(response.status).toBe(400);
    expect(['BODY_MALFORMED', 'EVENT_INVALID']).toContain(response.json.code);
  });

  it('413 over 1 MiB, before the signature is looked at', async () => {
    const big = JSON.stringify(hireEvent('wd-big', { attributes: { note: 'x'.repeat(1024 * 1024) } }));
    const response = await postEvent(ingress, big);
    expect(response.status).toBe(413);
    expect(response.json).toMatchObject({ code: 'BODY_TOO_LARGE', status: 413 });
  });

  it.each([
    ['text/plain', 'text/plain'],
    ['form data', 'application/x-www-form-urlencoded'],
    ['a CloudEvents batch', 'application/cloudevents-batch+json'],
    ['UTF-16 JSON', 'application/json; charset=utf-16'],
    ['a garbled content type', 'application/json/extra;;=='],
  ])('415 for %s', async (_name, contentType) => {
    const response = await postEvent(ingress, hireEvent('wd-415'), { contentType });
    expect(response.status).toBe(415);
    expect(response.json.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('415 for a content encoding, and for a body without a content type', async () => {
    const gzip = await postEvent(ingress, hireEvent('wd-gz'), { headers: { 'content-encoding': 'gzip' } });
    expect(gzip.status).toBe(415);
    const body = JSON.stringify(hireEvent('wd-no-type'));
    const raw = await rawRequest(
      ingress.base,
      `POST /v1/events HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
    );
    expect(raw).toMatch(/^HTTP\/1\.1 415 /);
  });

  it('accepts charset=utf-8 in any spelling', async () => {
    const response = await postEvent(ingress, hireEvent('wd-charset'), {
      contentType: 'Application/JSON; Charset="UTF-8"',
    });
    expect(response.status).toBe(202);
  });

  it('503 with Retry-After when Temporal cannot be reached; the same event later goes through', async () => {
    ingress.gateway.unavailable = true;
    try {
      const response = await postEvent(ingress, hireEvent('wd-503'));
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('5');
      expect(response.json).toMatchObject({ code: 'TEMPORAL_UNAVAILABLE', status: 503 });
    } finally {
      ingress.gateway.unavailable = false;
    }
    expect((await postEvent(ingress, hireEvent('wd-503'))).status).toBe(202);
  });

  it('404 for unknown routes (whatever the body) and 405 with Allow for wrong methods', async () => {
    const unknown = await postEvent(ingress, 'not json', {}, '/v1/nothing');
    expect(unknown.status).toBe(404);
    expect(unknown.json.code).toBe('NOT_FOUND');
    expect((await answer(await fetch(`${ingress.base}/`))).status).toBe(404);

    const get = await answer(await fetch(`${ingress.base}/v1/events`));
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    expect(get.json.code).toBe('METHOD_NOT_ALLOWED');

    const put = await answer(
      await fetch(`${ingress.base}/v1/events/workday/wd-1`, {
        method: 'PUT',
        headers: { 'content-type': 'text/plain' },
        body: 'x',
      }),
    );
    expect(put.status).toBe(405);
    expect(put.headers.get('allow')).toBe('GET, HEAD');

    const deleteHealth = await answer(await fetch(`${ingress.base}/healthz`, { method: 'DELETE' }));
    expect(deleteHealth.status).toBe(405);
  });

  it('answers an unreadable request line with 400, and keeps serving', async () => {
    const raw = await rawRequest(ingress.base, 'POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n');
    expect(raw).toMatch(/^HTTP\/1\.1 400 /);
    expect((await fetch(`${ingress.base}/healthz`)).status).toBe(200);
  });
});

describe('CloudEvents (structured mode)', () => {
  let ingress: RunningIngress;
  beforeAll(async () => {
    ingress = await startIngress();
  });
  afterAll(() => ingress.close());

  it('takes the HR event from data, with the CloudEvent source and id', async () => {
    const response = await postEvent(ingress, cloudEvent(), { contentType: CE });
    expect(response.status).toBe(202);
    expect(response.headers.get('location')).toBe('/v1/events/workday/ce-1001');
    const recorded = ingress.gateway.recorded.get('workday/ce-1001');
    expect(recorded?.event).toMatchObject({ id: 'ce-1001', source: 'workday', type: 'hire' });
    expect(recorded?.delivery.channel).toBe('cloudevents');
  });

  it('accepts data repeating the same source and id, and extension attributes', async () => {
    const event = cloudEvent({ id: 'ce-1002', traceparent: '00-abc-def-01' }, { id: 'ce-1002', source: 'workday' });
    expect((await postEvent(ingress, event, { contentType: CE })).status).toBe(202);
  });

  it.each([
    ['a wrong specversion', cloudEvent({ id: 'ce-2', specversion: '0.3' }), 'specversion', 'SPECVERSION'],
    ['no specversion', cloudEvent({ id: 'ce-3', specversion: undefined }), 'specversion', 'REQUIRED'],
    ['a mismatched id', cloudEvent({ id: 'ce-4' }, { id: 'other' }), 'data.id', 'ID_MISMATCH'],
    ['a mismatched source', cloudEvent({ id: 'ce-5' }, { source: 'sap' }), 'data.source', 'SOURCE_MISMATCH'],
    ['data that is not an event', cloudEvent({ id: 'ce-6', data: 'hire E1042' }), 'data', 'DATA_NOT_EVENT'],
    ['no data', cloudEvent({ id: 'ce-7', data: undefined }), 'data', 'REQUIRED'],
    ['data_base64', cloudEvent({ id: 'ce-8', data: undefined, data_base64: 'e30=' }), 'data_base64', 'DATA_ENCODING'],
    [
      'an XML datacontenttype',
      cloudEvent({ id: 'ce-9', datacontenttype: 'application/xml' }),
      'datacontenttype',
      'DATA_CONTENT_TYPE',
    ],
    ['no type', cloudEvent({ id: 'ce-10', type: undefined }), 'type', 'REQUIRED'],
    ['an attribute name in capitals', cloudEvent({ id: 'ce-11', TraceParent: 'x' }), 'TraceParent', 'ATTRIBUTE_NAME'],
  ])('400 for %s, naming the attribute', async (_name, event, field, rule) => {
    const before = ingress.gateway.sendCalls.length;
    const response = await postEvent(ingress, event, { contentType: CE });
    expect(response.status).toBe(400);
    expect(response.json.code).toBe('CLOUDEVENT_INVALID');
    expect(response.json.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field, rule })]));
    expect(ingress.gateway.sendCalls.length).toBe(before);
  });

  it('400 EVENT_INVALID when the data is not a valid HR event, or the source is not an HR source', async () => {
    const invalid = await postEvent(ingress, cloudEvent({ id: 'ce-12' }, { type: 'promote' }), { contentType: CE });
    expect(invalid.status).toBe(400);
    expect(invalid.json.code).toBe('EVENT_INVALID');
    const uriSource = await postEvent(ingress, cloudEvent({ id: 'ce-13', source: '/workday/eu' }), {
      contentType: CE,
    });
    expect(uriSource.status).toBe(400);
    expect(uriSource.json.errors).toEqual([expect.objectContaining({ field: 'source', rule: 'SOURCE_FORMAT' })]);
  });

  it('400 for a batch (an array) sent as a single CloudEvent', async () => {
    const response = await postEvent(ingress, [cloudEvent()], { contentType: CE });
    expect(response.status).toBe(400);
    expect(response.json.code).toBe('CLOUDEVENT_INVALID');
  });
});

describe('GET /v1/events/{source}/{id}', () => {
  let ingress: RunningIngress;
  beforeAll(async () => {
    ingress = await startIngress();
    await postEvent(ingress, hireEvent('wd-st:1'));
  });
  afterAll(() => ingress.close());

  it('answers the standing of a recorded event at its Location, signed over an empty body', async () => {
    const response = await getStanding(ingress, 'workday', 'wd-st:1');
    expect(response.status).toBe(200);
    expect(response.json).toEqual({ source: 'workday', id: 'wd-st:1', state: 'received' });
  });

  it('answers only the fields of a standing, whatever else the gateway adds', async () => {
    const standing = { source: 'workday', id: 'wd-st:1', state: 'pending', pendingUntil: '2027-01-04T08:00:00Z' };
    jest
      .spyOn(ingress.gateway, 'standing')
      .mockResolvedValueOnce({ ...standing, employeeNumber: 'E1042' } as EventStanding);
    const response = await getStanding(ingress, 'workday', 'wd-st:1');
    expect(response.json).toEqual(standing);
  });

  it('404 for an event not on record', async () => {
    const response = await getStanding(ingress, 'workday', 'wd-unknown');
    expect(response.status).toBe(404);
    expect(response.json.code).toBe('NOT_FOUND');
  });

  it('401 without a valid signature, before the gateway is asked', async () => {
    const before = ingress.gateway.standingCalls.length;
    expect((await getStanding(ingress, 'workday', 'wd-st:1', {})).json.reason).toBe('MISSING_HEADERS');
    const wrongBody = await getStanding(ingress, 'workday', 'wd-st:1', signedHeaders('{}'));
    expect(wrongBody.status).toBe(401);
    const bearer = await getStanding(ingress, 'workday', 'wd-st:1', { authorization: `Bearer ${ISC_TOKEN}` });
    expect(bearer.status).toBe(401);
    expect(ingress.gateway.standingCalls.length).toBe(before);
  });

  it('400 for a source or id no event can have', async () => {
    const response = await getStanding(ingress, 'work day', 'x'.repeat(201));
    expect(response.status).toBe(400);
    expect((response.json.errors as { field: string }[]).map((e) => e.field)).toEqual(['source', 'id']);
  });

  it('503 when Temporal cannot be reached', async () => {
    ingress.gateway.unavailable = true;
    try {
      const response = await getStanding(ingress, 'workday', 'wd-st:1');
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('5');
    } finally {
      ingress.gateway.unavailable = false;
    }
  });
});

describe('probes, metrics and the request log', () => {
  let ingress: RunningIngress;
  beforeAll(async () => {
    ingress = await startIngress();
  });
  afterAll(() => ingress.close());

  it('/healthz is 200 while the process runs; /readyz follows the gateway', async () => {
    expect((await fetch(`${ingress.base}/healthz`)).status).toBe(200);
    expect((await fetch(`${ingress.base}/readyz`)).status).toBe(200);
    ingress.gateway.unavailable = true;
    try {
      const notReady = await fetch(`${ingress.base}/readyz`);
      expect(notReady.status).toBe(503);
      expect(notReady.headers.get('retry-after')).toBe('5');
      expect((await fetch(`${ingress.base}/healthz`)).status).toBe(200);
    } finally {
      ingress.gateway.unavailable = false;
    }
  });

  it('/metrics counts requests by route and outcome, latency, events by type and result, signature failures', async () => {
    await postEvent(ingress, hireEvent('m-1'));
    await postEvent(ingress, hireEvent('m-1'));
    await postEvent(ingress, hireEvent('m-2'), { headers: { 'webhook-timestamp': '1' } });
    await postEvent(ingress, { ...hireEvent('m-3'), type: 'terminate', attributes: { a: null } });
    const response = await answer(await fetch(`${ingress.base}/metrics`));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = response.text;
    expect(text).toContain('iscflow_ingress_requests_total{route="/v1/events",method="POST",outcome="accepted"} 1');
    expect(text).toContain('iscflow_ingress_requests_total{route="/v1/events",method="POST",outcome="duplicate"} 1');
    expect(text).toContain(
      'iscflow_ingress_requests_total{route="/v1/events",method="POST",outcome="signature_invalid"} 1',
    );
    expect(text).toContain('iscflow_ingress_events_total{type="hire",result="accepted"} 1');
    expect(text).toContain('iscflow_ingress_events_total{type="hire",result="duplicate"} 1');
    expect(text).toContain('iscflow_ingress_events_total{type="terminate",result="invalid"} 1');
    expect(text).toContain('iscflow_ingress_signature_failures_total{reason="timestamp_too_old"} 1');
    expect(text).toMatch(
      /iscflow_ingress_request_duration_seconds_bucket\{le="0.1",route="\/v1\/events",method="POST"\} \d+/,
    );
  });

  it('logs one line per request with its outcome, event id and latency; never secrets or signatures', async () => {
    const headers = signedHeaders(JSON.stringify(hireEvent('log-1')));
    await postEvent(ingress, hireEvent('log-1'), { headers });
    await postEvent(ingress, hireEvent('log-2'), {
      headers: { 'webhook-signature': headers['webhook-signature'] ?? '' },
    });
    const lines = ingress.logLines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const accepted = lines.find((l) => l.eventId === 'log-1');
    expect(accepted).toMatchObject({
      msg: 'ingress request',
      component: 'ingress',
      route: '/v1/events',
      status: 202,
      outcome: 'accepted',
      source: 'workday',
      eventType: 'hire',
      deliveryId: headers['webhook-id'],
      latencyMs: expect.any(Number),
    });
    expect(lines.filter((l) => l.eventId === 'log-1')).toHaveLength(1);
    const log = ingress.logLines.join('\n');
    expect(log).toContain('"outcome":"signature_invalid"');
    expect(log).not.toContain(headers['webhook-signature']?.slice(3));
    expect(log).not.toContain(SECRET.slice(6));
    expect(log).not.toContain('E1042');
  });

  it('the ingress logger redacts authorization and webhook-signature headers wherever they are logged', () => {
    ingress.app.log.info({ headers: { authorization: 'Bearer abc', 'webhook-signature': 'v1,xyz' } }, 'headers');
    ingress.app.log.info({ req: { headers: { 'webhook-signature': 'v1,xyz' } } }, 'request');
    const log = ingress.logLines.slice(-2).join('\n');
    expect(log).not.toContain('abc');
    expect(log).not.toContain('xyz');
    expect(log).toContain('[redacted]');
  });
});

describe('the codec server inside the ingress app', () => {
  const token = 'codec-token-0123456789-abcdefghijklmnop';
  let ingress: RunningIngress;
  beforeAll(async () => {
    ingress = await startIngress({
      codec: { codec: createEncryptionCodec(ring(keyEntry('k1'))), token, corsOrigins: [] },
    });
  });
  afterAll(() => ingress.close());

  it('serves /codec/* with the codec JSON parser beside the raw-body event routes', async () => {
    const response = await fetch(`${ingress.base}/codec/encode`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ payloads: [{ metadata: {}, data: 'IjEi' }] }),
    });
    expect(response.status).toBe(200);
    expect((await postEvent(ingress, hireEvent('codec-side'))).status).toBe(202);
  });
});
