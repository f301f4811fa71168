/**
 * An ingress listening on a free loopback port with the fake gateway, a clock the test sets, a log
 * captured line by line, and helpers that sign requests the way a sender does.
 */
import { randomBytes } from 'node:crypto';
import { type FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import { buildIngress, type IngressOptions, loadIngressConfig, signWebhook } from '../../../src/ingress';
import { createLogger } from '../../../src/logger';
import { answer, listenOnLoopback, type Answer } from '../http';
import { captureLines } from '../logs';
import { FakeGateway } from './fake-gateway';

export const newSecret = (): string => `whsec_${randomBytes(32).toString('base64')}`;

export const SECRET = newSecret();
export const ISC_TOKEN = randomBytes(33).toString('base64url');
export const ISC_USER = 'isc-subscriber';
export const ISC_PASSWORD = randomBytes(24).toString('base64url');
/** An ISC identity id (32 hex). */
export const IDENTITY_ID = '2c7180a46faadee4016fb4e018c20642';

/** Fixed, so signatures and effective dates are predictable. */
export const NOW = new Date('2027-03-01T09:00:00.000Z');
export const nowSeconds = (): number => Math.floor(NOW.getTime() / 1000);

export function hireEvent(id = 'wd-88121', extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    source: 'workday',
    type: 'hire',
    identity: { employeeNumber: 'E1042' },
    effectiveAt: '2027-01-04T08:00:00Z',
    attributes: { department: 'Engineering', location: 'Berlin' },
    ...extra,
  };
}

export interface RunningIngress {
  base: string;
  app: FastifyInstance;
  gateway: FakeGateway;
  registry: Registry;
  logLines: string[];
  /** Moves the ingress's clock. */
  setNow(date: Date): void;
  close(): Promise<void>;
}

export interface StartOptions {
  env?: Record<string, string>;
  codec?: IngressOptions['codec'];
}

export async function startIngress(options: StartOptions = {}): Promise<RunningIngress> {
  const { lines: logLines, stream: sink } = captureLines();
  const config = loadIngressConfig({
    ISCFLOW_WEBHOOK_SECRETS: SECRET,
    ISCFLOW_ISC_TRIGGER_TOKEN: ISC_TOKEN,
    ISCFLOW_ISC_TRIGGER_BASIC: `${ISC_USER}:${ISC_PASSWORD}`,
    ...options.env,
  });
  const gateway = new FakeGateway();
  const registry = new Registry();
  let now = NOW;
  const app = buildIngress({
    config,
    gateway,
    metrics: registry,
    logger: createLogger('debug', sink),
    now: () => now,
    ...(options.codec ? { codec: options.codec } : {}),
  });
  return {
    base: await listenOnLoopback(app),
    app,
    gateway,
    registry,
    logLines,
    setNow: (date) => {
      now = date;
    },
    close: () => app.close(),
  };
}

export interface SignOptions {
  secret?: string;
  id?: string;
  timestamp?: number | string;
  contentType?: string;
  headers?: Record<string, string>;
}

let deliveries = 0;

/** The three Standard Webhooks headers for `body`. */
export function signedHeaders(body: Buffer | string, options: SignOptions = {}): Record<string, string> {
  const id = options.id ?? `msg_${++deliveries}`;
  const timestamp = options.timestamp ?? nowSeconds();
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signWebhook(options.secret ?? SECRET, id, timestamp, body),
  };
}

/** POSTs `body` (an object is serialised) to /v1/events, signed unless the headers say otherwise. */
export async function postEvent(
  ingress: RunningIngress,
  body: unknown,
  options: SignOptions = {},
  path = '/v1/events',
): Promise<Answer> {
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  const response = await fetch(`${ingress.base}${path}`, {
    method: 'POST',
    headers: {
      'content-type': options.contentType ?? 'application/json',
      ...signedHeaders(bytes, options),
      ...options.headers,
    },
    body: bytes,
  });
  return answer(response);
}

/** GET /v1/events/{source}/{id}, signed over an empty body. */
export async function getStanding(
  ingress: RunningIngress,
  source: string,
  id: string,
  headers: Record<string, string> = signedHeaders(''),
): Promise<Answer> {
  const response = await fetch(`${ingress.base}/v1/events/${encodeURIComponent(source)}/${encodeURIComponent(id)}`, {
    headers,
  });
  return answer(response);
}

export function basicAuth(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

/** POSTs an ISC trigger delivery. */
export async function postTrigger(
  ingress: RunningIngress,
  payload: unknown,
  options: { trigger?: string; authorization?: string | null; contentType?: string } = {},
): Promise<Answer> {
  const query = options.trigger === undefined ? '' : `?trigger=${encodeURIComponent(options.trigger)}`;
  const authorization = options.authorization === undefined ? `Bearer ${ISC_TOKEN}` : options.authorization;
  const response = await fetch(`${ingress.base}/v1/isc/triggers${query}`, {
    method: 'POST',
    headers: {
      'content-type': options.contentType ?? 'application/json',
      ...(authorization === null ? {} : { authorization }),
    },
    body: typeof payload === 'string' ? payload : JSON.stringify(payload),
  });
  return answer(response);
}
