/**
 * Generated requests for the ingress fuzz test, reproducible from a seed: valid events, events mutated
 * and then signed, signed and then tampered with, odd headers, garbage, odd encodings and sizes, wrong
 * methods and paths, standing look-ups and ISC trigger deliveries. Each case says what kind it is and,
 * where the test can know it independently, whether it holds a valid HR event.
 */
import { type Agent, request as httpRequest } from 'node:http';
import { HR_EVENT_TYPES, validateHrEvent } from '../../../src/domain';
import { type Random } from '../../../src/simulator/prng';
import { signWebhook } from '../../../src/ingress';
import { basicAuth, IDENTITY_ID, ISC_PASSWORD, ISC_TOKEN, ISC_USER, newSecret, nowSeconds, SECRET } from './harness';

export type CaseKind =
  | 'valid'
  | 'valid-cloudevent'
  | 'mutated-then-signed'
  | 'signed-then-tampered'
  | 'bad-signature-headers'
  | 'garbage'
  | 'encoding'
  | 'oversize'
  | 'wrong-route'
  | 'standing'
  | 'isc-trigger';

export interface FuzzCase {
  kind: CaseKind;
  method: string;
  path: string;
  headers: Record<string, string>;
  body: Buffer | undefined;
}

const KINDS: [CaseKind, number][] = [
  ['valid', 10],
  ['valid-cloudevent', 5],
  ['mutated-then-signed', 22],
  ['signed-then-tampered', 10],
  ['bad-signature-headers', 10],
  ['garbage', 9],
  ['encoding', 5],
  ['oversize', 0.5],
  ['wrong-route', 5],
  ['standing', 6],
  ['isc-trigger', 17.5],
];

const CONTENT_TYPES = [
  'application/json',
  'application/cloudevents+json',
  'application/json; charset=utf-8',
  'application/json; charset=latin1',
  'text/plain',
  'application/xml',
  'multipart/form-data; boundary=x',
  'application/x-www-form-urlencoded',
  'application/cloudevents-batch+json',
  '*/*',
  'application/',
  ';;;',
  'application/json\u00e9',
];

const OTHER_SECRET = newSecret();

export class Generator {
  private deliveries = 0;

  constructor(private readonly random: Random) {}

  int(max: number): number {
    return Math.floor(this.random() * max);
  }

  chance(p: number): boolean {
    return this.random() < p;
  }

  pick<T>(values: readonly T[]): T {
    if (values.length === 0) throw new Error('pick from an empty list');
    return values[this.int(values.length)] as T;
  }

  kind(): CaseKind {
    const total = KINDS.reduce((sum, [, weight]) => sum + weight, 0);
    let roll = this.random() * total;
    for (const [kind, weight] of KINDS) {
      roll -= weight;
      if (roll < 0) return kind;
    }
    return 'valid';
  }

  bytes(length: number): Buffer {
    const out = Buffer.alloc(length);
    for (let i = 0; i < length; i++) out[i] = this.int(256);
    return out;
  }

  text(maxLength: number): string {
    const alphabets = [
      'abcdefghijklmnopqrstuvwxyz0123456789',
      '._:@+=-/ ',
      '"\\{}[],:\n\t\r\u0000\u001f',
      'äöüßéñ漢字😀\u2028\u2029\ufeff',
    ];
    const alphabet = [...alphabets.slice(0, 1 + this.int(alphabets.length)).join('')];
    let out = '';
    const length = this.int(maxLength + 1);
    for (let i = 0; i < length; i++) out += this.pick(alphabet);
    if (this.chance(0.02)) out += '\ud800';
    return out;
  }

  value(depth = 0): unknown {
    switch (this.int(depth > 3 ? 5 : 7)) {
      case 0:
        return this.text(40);
      case 1:
        return this.pick([0, -1, 1.5, 1e308, -1e-308, 2 ** 53 + 1, 42]);
      case 2:
        return this.chance(0.5);
      case 3:
        return null;
      case 4:
        return this.pick(['hire', 'update', 'terminate', 'rescind', '2027-01-04T08:00:00Z', IDENTITY_ID, 'E1042']);
      case 5:
        return Array.from({ length: this.int(4) }, () => this.value(depth + 1));
      default:
        return Object.fromEntries(Array.from({ length: this.int(4) }, () => [this.text(10), this.value(depth + 1)]));
    }
  }

  /** A valid HR event v1, varied. */
  event(): Record<string, unknown> {
    const type = this.pick(HR_EVENT_TYPES);
    const identity = this.chance(0.7)
      ? { employeeNumber: `E${this.int(100_000)}` }
      : { id: IDENTITY_ID.replace(/^.{4}/, this.int(0xffff).toString(16).padStart(4, '0')) };
    const event: Record<string, unknown> = {
      id: `fz-${this.int(1_000_000)}`,
      source: this.pick(['workday', 'sap', 'bamboo', 'hr:eu']),
      type,
      identity,
      effectiveAt: this.pick(['2027-01-04T08:00:00Z', '2026-12-31T23:59:59.999Z', '2027-06-01T00:00:00+00:00']),
    };
    if (type === 'rescind') event.rescinds = `fz-${this.int(1_000_000)}`;
    else if (this.chance(0.8)) {
      event.attributes = { department: this.pick(['Sales', 'Engineering', 'Ops']), level: this.int(10) };
      if (type === 'update' && this.chance(0.3)) (event.attributes as Record<string, unknown>).location = null;
    }
    return event;
  }

  cloudEvent(event: Record<string, unknown>): Record<string, unknown> {
    const { id, source, ...data } = event;
    const envelope: Record<string, unknown> = {
      specversion: '1.0',
      id,
      source,
      type: 'com.example.hr.changed',
      data: this.chance(0.3) ? { ...data, id, source } : data,
    };
    if (this.chance(0.5)) envelope.datacontenttype = 'application/json';
    if (this.chance(0.3)) envelope.time = '2027-01-03T12:00:00Z';
    return envelope;
  }

  /** A structural change to a JSON object: it may stay valid, or break in one of many ways. */
  mutateObject(input: Record<string, unknown>): unknown {
    const target = structuredClone(input);
    const keys = Object.keys(target);
    const times = 1 + this.int(3);
    for (let i = 0; i < times; i++) {
      const key = this.pick(keys.length > 0 ? keys : ['id']);
      switch (this.int(8)) {
        case 0:
          delete target[key];
          break;
        case 1:
          target[key] = this.value();
          break;
        case 2:
          target[this.text(12) || 'extra'] = this.value();
          break;
        case 3:
          target.type = this.pick(['hire', 'update', 'terminate', 'rescind', 'promote', '', 7]);
          break;
        case 4:
          target.identity = this.pick([{}, { employeeNumber: this.text(120) }, { id: 'xyz' }, [], 'E1', null]);
          break;
        case 5:
          target.effectiveAt = this.pick([
            '2027-13-01T00:00:00Z',
            '2027-01-04',
            'yesterday',
            '2027-01-04T08:00:00+02:00',
          ]);
          break;
        case 6:
          target.attributes = this.value();
          break;
        default:
          return this.pick([[target], null, 0, 'text', true]);
      }
    }
    return target;
  }

  /** A byte-level change that always changes at least one byte. */
  mutateBytes(input: Buffer): Buffer {
    if (input.length === 0) return Buffer.from([this.int(256)]);
    const at = this.int(input.length);
    switch (this.int(6)) {
      case 0: {
        const out = Buffer.from(input);
        out[at] = (out[at] ?? 0) ^ (1 << this.int(8));
        return out;
      }
      case 1:
        return Buffer.concat([input.subarray(0, at), input.subarray(Math.min(input.length, at + 1 + this.int(10)))]);
      case 2:
        return Buffer.concat([input.subarray(0, at), this.bytes(1 + this.int(8)), input.subarray(at)]);
      case 3:
        return input.subarray(0, at);
      case 4:
        return Buffer.concat([input, Buffer.from(this.pick([' ', '\n', '}', '\u0000', '\t']))]);
      default:
        return Buffer.from(JSON.stringify(JSON.parse(input.toString('utf8')) as unknown, null, 1 + this.int(3)));
    }
  }

  signed(body: Buffer, secret = SECRET): Record<string, string> {
    const id = `msg_fz_${++this.deliveries}`;
    const timestamp = nowSeconds();
    return {
      'webhook-id': id,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': signWebhook(secret, id, timestamp, body),
    };
  }

  private post(kind: CaseKind, body: Buffer, contentType: string, headers: Record<string, string>): FuzzCase {
    return { kind, method: 'POST', path: '/v1/events', headers: { 'content-type': contentType, ...headers }, body };
  }

  next(): FuzzCase {
    const kind = this.kind();
    switch (kind) {
      case 'valid': {
        const body = Buffer.from(JSON.stringify(this.event()));
        return this.post(kind, body, 'application/json', this.signed(body));
      }
      case 'valid-cloudevent': {
        const body = Buffer.from(JSON.stringify(this.cloudEvent(this.event())));
        return this.post(kind, body, 'application/cloudevents+json', this.signed(body));
      }
      case 'mutated-then-signed': {
        const cloud = this.chance(0.3);
        const base = cloud ? this.cloudEvent(this.event()) : this.event();
        const mutated = this.chance(0.7)
          ? Buffer.from(JSON.stringify(this.mutateObject(base)))
          : this.mutateBytes(Buffer.from(JSON.stringify(base)));
        const type = cloud ? 'application/cloudevents+json' : 'application/json';
        return this.post(kind, mutated, type, this.signed(mutated));
      }
      case 'signed-then-tampered': {
        const body = Buffer.from(JSON.stringify(this.event()));
        return this.post(kind, this.mutateBytes(body), 'application/json', this.signed(body));
      }
      case 'bad-signature-headers': {
        const body = Buffer.from(JSON.stringify(this.event()));
        const headers = this.signed(body);
        const name = this.pick(['webhook-id', 'webhook-timestamp', 'webhook-signature']);
        switch (this.int(6)) {
          case 0:
            delete headers[name];
            break;
          case 1:
            headers[name] = this.text(60).replace(/[^\t\x20-\x7e\x80-\xff]/g, '');
            break;
          case 2:
            headers['webhook-timestamp'] = String(nowSeconds() + this.pick([-100_000, -301, 301, 86_400]));
            break;
          case 3:
            return this.post(kind, body, 'application/json', this.signed(body, OTHER_SECRET));
          case 4:
            headers['webhook-signature'] = Array.from(
              { length: 1 + this.int(20) },
              () => `v1,${this.bytes(32).toString('base64')}`,
            ).join(' ');
            break;
          default:
            headers['webhook-signature'] = `v1,${this.bytes(this.int(64))
              .toString(this.pick(['base64', 'hex', 'latin1'] as const))
              .replace(/[^\t\x20-\x7e\x80-\xff]/g, '')}`;
        }
        return this.post(kind, body, 'application/json', headers);
      }
      case 'garbage': {
        const body = this.chance(0.5) ? this.bytes(this.int(2000)) : Buffer.from(this.text(500));
        const headers = this.chance(0.5) ? this.signed(body) : {};
        return this.post(kind, body, this.pick(CONTENT_TYPES), headers);
      }
      case 'encoding': {
        const json = JSON.stringify(this.event());
        const variants: [Buffer, string, Record<string, string>][] = [
          [Buffer.from(json, 'utf16le'), 'application/json; charset=utf-16', {}],
          [Buffer.from(json, 'utf16le'), 'application/json', {}],
          [Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(json)]), 'application/json', {}],
          [Buffer.from(json, 'latin1'), 'application/json; charset=iso-8859-1', {}],
          [Buffer.from(json), 'application/json', { 'content-encoding': this.pick(['gzip', 'br', 'deflate', 'x']) }],
          [Buffer.from(json), 'APPLICATION/JSON; CHARSET=UTF-8', {}],
        ];
        const [body, type, extra] = this.pick(variants);
        return this.post(kind, body, type, { ...this.signed(body), ...extra });
      }
      case 'oversize': {
        const body = Buffer.alloc(1024 * 1024 + 1 + this.int(4096), 0x20);
        return this.post(kind, body, 'application/json', this.signed(body));
      }
      case 'wrong-route': {
        const paths = [
          '/v1/events',
          '/v1/event',
          '/',
          '/v2/events',
          '/v1/events/a',
          `/${this.text(20).replace(/[^a-z0-9]/g, '')}`,
          '/v1/isc/triggers/x',
          '/healthz/x',
        ];
        const method = this.pick(['GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'POST']);
        const path = this.pick(paths);
        const body = method === 'GET' || method === 'DELETE' ? undefined : Buffer.from(this.text(100));
        // GET /v1/events and POST /v1/events are real routes; make these cases wrong on purpose.
        const fixedMethod = path === '/v1/events' && method === 'POST' ? 'PUT' : method;
        return {
          kind,
          method: fixedMethod,
          path,
          headers: body ? { 'content-type': this.pick(CONTENT_TYPES) } : {},
          body,
        };
      }
      case 'standing': {
        const source = this.pick(['workday', 'sap', 'hr:eu', 'bad source', '']);
        const id = this.pick([`fz-${this.int(1_000_000)}`, this.text(30), 'x'.repeat(250)]);
        const encoded = encodeURIComponent(id.replace(/[\ud800-\udfff]/g, ''));
        // Sometimes a broken percent-encoding, as a careless client sends it.
        const tail = this.chance(0.1) ? this.pick(['%', '%zz', '%E0%A4%A', '%00', '%2F..%2F']) : '';
        const path = `/v1/events/${encodeURIComponent(source)}/${encoded}${tail}`;
        const headers = this.chance(0.6)
          ? this.signed(Buffer.alloc(0))
          : this.chance(0.5)
            ? this.signed(Buffer.from('x'))
            : {};
        return { kind, method: 'GET', path, headers, body: undefined };
      }
      case 'isc-trigger':
        return this.trigger();
    }
  }

  private trigger(): FuzzCase {
    const identity = { type: 'IDENTITY', id: IDENTITY_ID, name: 'A Person' };
    const payloads: [string | undefined, unknown][] = [
      ['idn:identity-created', { identity, attributes: { employeeNumber: `E${this.int(1000)}`, department: 'Sales' } }],
      [undefined, { identity, changes: [{ attribute: 'department', oldValue: 'a', newValue: this.text(20) }] }],
      [
        'idn:identity-attributes-changed',
        {
          identity,
          changes: [
            {
              attribute: 'cloudLifecycleState',
              oldValue: 'active',
              newValue: this.pick(['terminated', 'inactive', 'active']),
            },
          ],
        },
      ],
      ['idn:identity-deleted', { identity, attributes: {} }],
      [undefined, { accessRequestId: IDENTITY_ID, requestedFor: [], requestedItemsStatus: [], requestedBy: identity }],
      [this.pick(['idn:other', 'x', '']), { identity, attributes: {} }],
    ];
    const [trigger, payload] = this.pick(payloads);
    let body: Buffer = Buffer.from(JSON.stringify(payload));
    if (this.chance(0.35)) {
      body = this.chance(0.5)
        ? Buffer.from(JSON.stringify(this.mutateObject(payload as Record<string, unknown>)))
        : this.mutateBytes(body);
    }
    const authorization = this.pick([
      `Bearer ${ISC_TOKEN}`,
      `Bearer ${ISC_TOKEN}`,
      basicAuth(ISC_USER, ISC_PASSWORD),
      `Bearer ${this.text(40).replace(/[^\x21-\x7e]/g, '')}`,
      basicAuth(ISC_USER, 'nope'),
      'Basic ***',
      undefined,
    ]);
    const query = trigger === undefined ? '' : `?trigger=${encodeURIComponent(trigger)}`;
    return {
      kind: 'isc-trigger',
      method: 'POST',
      // Now and then the parameter twice, which must be refused rather than guessed.
      path: `/v1/isc/triggers${query}${this.chance(0.05) ? `${query === '' ? '?' : '&'}trigger=idn:identity-deleted` : ''}`,
      headers: {
        'content-type': this.chance(0.9) ? 'application/json' : this.pick(CONTENT_TYPES),
        ...(authorization === undefined ? {} : { authorization }),
      },
      body,
    };
  }
}

export interface FuzzAnswer {
  status: number;
  body: string;
}

/**
 * Sends one case over `agent` (keep-alive) to the ingress at `base` and reads the whole answer. Rejects
 * when the connection fails: a dropped connection is a fault, never an answer.
 */
export function sendCase(base: string, agent: Agent, fuzzCase: FuzzCase): Promise<FuzzAnswer> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      {
        host: hostname,
        port,
        agent,
        method: fuzzCase.method,
        path: fuzzCase.path,
        // An explicit length: node's client sends an OPTIONS body unframed, which would desynchronise the connection.
        headers: fuzzCase.body
          ? { ...fuzzCase.headers, 'content-length': String(fuzzCase.body.length) }
          : fuzzCase.headers,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
      },
    );
    request.on('error', (error) =>
      reject(new Error(`${fuzzCase.kind} ${fuzzCase.method} ${fuzzCase.path}: ${error.message}`)),
    );
    request.end(fuzzCase.body);
  });
}

/** Whether a case holds a valid HR event as plain JSON, as the test itself (not the ingress) decides. */
export function independentlyValid(fuzzCase: FuzzCase): boolean {
  if (fuzzCase.path !== '/v1/events' || fuzzCase.method !== 'POST' || !fuzzCase.body) return false;
  if (fuzzCase.headers['content-type'] !== 'application/json') return false;
  try {
    const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(fuzzCase.body);
    return validateHrEvent(JSON.parse(text)).ok;
  } catch {
    return false;
  }
}
