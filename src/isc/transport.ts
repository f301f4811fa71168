/**
 * The ISC transport: the one way to ISC for the resource modules, which only say what to call and how to
 * read the answer (`call`). It owns everything about getting there: the OAuth client-credentials token,
 * the fetch under a timeout, the mapping of every answer and every failure to an `IscError` with a stable
 * code, the redaction of credentials, and the debug log and observation of each exchange.
 *
 * It deliberately does not retry 429, 5xx, timeouts or connection errors: the Temporal activity's retry
 * policy (with `nextRetryDelay` from Retry-After for 429) is the single retry mechanism, so every attempt
 * is visible in the Temporal UI and retries never multiply (client retries x activity retries). The one
 * exception is a single token refresh after a 401, which is part of authenticating, not a retry of work.
 *
 * Every exchange, the token's included, passes through `send` and ends in `settle`, the one place that
 * sees each answer's status and each failure to get one: what must know how ISC is doing (the metrics
 * observer today) belongs there. Answers become errors in `httpError`, bodies become values in `readBody`.
 *
 * What it does do about an outage is refuse to add to it: every exchange passes the process's circuit
 * (circuit.ts) first. While ISC is down one call at a time goes as a probe and the others fail at once
 * with `ISC_UNAVAILABLE`, carrying when to try again, so the activities' own retries back off as one
 * instead of each hammering ISC; past the escalation setting they fail with the final `ISC_OUTAGE`.
 *
 * The client secret may be kept in a file (a mounted secret): when ISC refuses it, the file is read
 * again and, if the secret changed, the token asked for once more with the new one.
 */
import { type Logger } from 'pino';
import { type z } from 'zod';
import { OUTAGE_ISC_ERROR_CODES } from '../common/error-codes';
import { type Admission, type AvailabilityChange, createCircuit, type IscCircuit } from './circuit';
import { codeForStatus, IscError, type IscErrorCode, parseRetryAfter } from './errors';
import { errorResponseDtoSchema, tokenResponseSchema } from './schemas';
import { type IscCallObservation, type IscClientOptions } from './types';

const DEFAULT_TIMEOUT_MS = 30_000;
/** Refresh this long before ISC's `expires_in` runs out, so a token never expires in flight. */
const TOKEN_REFRESH_MARGIN_MS = 60_000;
const TOKEN_PATH = '/oauth/token';

/** The client secret: the one in hand, and, when it is kept somewhere that can change, how to read it again. */
export interface SecretSource {
  current(): string;
  /** Reads the secret again where it is kept; called after ISC refused the one in hand. */
  reread?(): Promise<string>;
}

/** Options of `createIscTransport`: the client's without the API version (the resources' concern). */
export type IscTransportOptions = Omit<IscClientOptions, 'apiVersion' | 'clientSecret' | 'clientSecretFile'> & {
  clientSecret: SecretSource;
};

/** One call to the ISC API. */
export interface IscRequest<S extends z.ZodType> {
  method: 'GET' | 'POST';
  /** Without a query: logs, metrics and errors name the call by it. */
  path: string;
  /** Sent as the query string; undefined values are left out. */
  query?: Record<string, string | number | undefined>;
  /** Sent as JSON. */
  body?: unknown;
  /** What a 2xx body must match; its output is what `call` resolves to. */
  schema: S;
}

/** What the resource modules send through. */
export interface IscTransport {
  /** Sends an authenticated call and reads the answer with `request.schema`; rejects with an `IscError` only. */
  call<S extends z.ZodType>(request: IscRequest<S>): Promise<z.output<S>>;
}

/** One HTTP exchange: `path` is bare, `search` is empty or starts with `?`. */
interface Exchange {
  method: string;
  path: string;
  search: string;
  headers: Record<string, string>;
  body?: string;
}

/** An HTTP answer, whatever its status, with its body read. */
interface Answer {
  status: number;
  headers: Headers;
  text: string;
}

type Send = (exchange: Exchange) => Promise<Answer>;
type Redact = (text: string) => string;
type FetchFailureCode = 'ISC_TIMEOUT' | 'ISC_NETWORK_ERROR';

interface CachedToken {
  value: string;
  refreshAtMs: number;
}

/**
 * Builds the transport. Nothing is fetched until the first call; the token is fetched lazily, cached,
 * refreshed about a minute before it expires, and fetched once for all concurrent callers.
 */
export function createIscTransport(options: IscTransportOptions): IscTransport {
  const circuit = createCircuit({
    ...options.circuit,
    onChange: (change) => {
      logAvailability(options.logger, change);
      options.circuit?.onChange?.(change);
    },
  });
  const send = throughCircuit(circuit, createSend(options));
  const tokens = createTokens(send, options);

  async function attempt<S extends z.ZodType>(request: IscRequest<S>): Promise<z.output<S>> {
    const exchange = exchangeFor(request);
    const sendWith = (token: string) =>
      send({ ...exchange, headers: { ...exchange.headers, authorization: `Bearer ${token}` } });
    const token = await tokens.current();
    let answer = await sendWith(token);
    if (answer.status === 401) {
      answer = await sendWith(await tokens.renew(token));
      // A fresh token refused again: the credentials lack the authority, not a stale token.
      if (answer.status === 401) throw httpError(exchange, answer, tokens.redact, 'ISC_AUTH_FAILED');
    }
    if (!isSuccess(answer.status)) throw httpError(exchange, answer, tokens.redact);
    return readBody(exchange, answer, request.schema);
  }

  return {
    async call(request) {
      try {
        return await attempt(request);
      } catch (error) {
        throw whileDown(circuit, error);
      }
    },
  };
}

/**
 * Sends through the circuit: refused at once while ISC is down (unless this call is the probe), and the
 * circuit told how every call that went ended. Any answer below 500 is ISC answering.
 */
function throughCircuit(circuit: IscCircuit, send: Send): Send {
  return async (exchange) => {
    const admission = circuit.admit();
    if (admission.kind === 'refuse') throw notSent(exchange, admission);
    let answered = false;
    try {
      const answer = await send(exchange);
      answered = answer.status < 500;
      return answer;
    } finally {
      circuit.settle(admission, answered);
    }
  };
}

const seconds = (ms: number): string => `${Math.round(ms / 1000)} s`;

function outageCode(escalate: boolean): IscErrorCode {
  return escalate ? 'ISC_OUTAGE' : 'ISC_UNAVAILABLE';
}

function outageText(downForMs: number, escalate: boolean): string {
  return escalate
    ? `ISC has not answered for ${seconds(downForMs)}, longer than ISCFLOW_OUTAGE_ESCALATE_AFTER: a person decides`
    : `ISC has not answered for ${seconds(downForMs)}; the worker probes it one call at a time`;
}

function notSent({ method, path }: Exchange, refusal: Extract<Admission, { kind: 'refuse' }>): IscError {
  const { downForMs, escalate, retryAfterMs } = refusal;
  return new IscError(outageCode(escalate), `ISC ${method} ${path} not sent: ${outageText(downForMs, escalate)}`, {
    retryAfterMs,
  });
}

/** A failure that leaves ISC down (the probe's, or a call's that opened the circuit) says so, and when to retry. */
function whileDown(circuit: IscCircuit, error: unknown): unknown {
  if (!(error instanceof IscError) || !OUTAGE_ISC_ERROR_CODES.includes(error.code)) return error;
  const outage = circuit.outage();
  if (!outage) return error;
  const { downForMs, escalate, retryAfterMs } = outage;
  return new IscError(
    outageCode(escalate),
    `${error.message}: ${outageText(downForMs, escalate)}`,
    { status: error.status, retryAfterMs },
    { cause: error },
  );
}

function logAvailability(logger: Logger | undefined, { up, downSince }: AvailabilityChange): void {
  if (!up)
    logger?.warn(
      { since: new Date(downSince ?? Date.now()).toISOString() },
      'ISC is not answering: one probe at a time',
    );
  else if (downSince !== undefined) logger?.warn({ downForMs: Date.now() - downSince }, 'ISC answers again');
}

function exchangeFor(request: IscRequest<z.ZodType>): Exchange {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(request.query ?? {})) {
    if (value !== undefined) search.set(name, String(value));
  }
  const body = request.body === undefined ? undefined : JSON.stringify(request.body);
  return {
    method: request.method,
    path: request.path,
    search: search.size > 0 ? `?${search.toString()}` : '',
    headers: { accept: 'application/json', ...(body !== undefined && { 'content-type': 'application/json' }) },
    body,
  };
}

/** One HTTP exchange under the timeout; no answer at all is ISC_TIMEOUT or ISC_NETWORK_ERROR. */
function createSend(options: IscTransportOptions): Send {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const timeoutMs = options.requestTimeoutMs ?? DEFAULT_TIMEOUT_MS;
  const doFetch = options.fetch ?? fetch;
  const settle = createSettle(options.logger, options.observe);
  return async ({ method, path, search, headers, body }) => {
    const started = Date.now();
    try {
      const response = await doFetch(baseUrl + path + search, {
        method,
        headers,
        body,
        signal: AbortSignal.timeout(timeoutMs),
      });
      // The body is read under the same timeout signal: a server that stalls mid-body also times out.
      const text = await response.text();
      settle({ method, path, durationMs: Date.now() - started, status: response.status });
      return { status: response.status, headers: response.headers, text };
    } catch (error) {
      const failure = describeFetchFailure(error);
      settle({ method, path, durationMs: Date.now() - started, failure: failure.code });
      throw new IscError(failure.code, `ISC ${method} ${path} ${failure.reason}`, {}, { cause: error });
    }
  };
}

/** Where every exchange ends, answered or not: the debug log, and the observer (the worker's metrics). */
function createSettle(logger: Logger | undefined, observer: IscTransportOptions['observe']) {
  return (observation: IscCallObservation): void => {
    const { failure, ...fields } = observation;
    logger?.debug(failure === undefined ? fields : { ...fields, error: failure }, 'isc call');
    try {
      observer?.(observation);
    } catch (error) {
      // Counting a call must never fail it.
      logger?.warn({ error: String(error) }, 'isc call observer failed');
    }
  };
}

/**
 * The OAuth token: fetched on first need, once for all concurrent callers, refreshed before it expires,
 * dropped when ISC refuses it. It also knows the credentials in hand, so it is what redacts them.
 */
function createTokens(send: Send, { clientId, clientSecret: source, logger }: IscTransportOptions) {
  let cached: CachedToken | undefined;
  let inflight: Promise<CachedToken> | undefined;
  const secrets = new Set<string>();

  /** Belt and braces: ISC never echoes credentials, but nothing we put in an error may contain them. */
  const redact: Redact = (text) => {
    let out = text;
    for (const credential of [...secrets, cached?.value]) {
      if (credential && credential.length >= 4) out = out.split(credential).join('[REDACTED]');
    }
    return out;
  };
  const fetchWith = (secret: string): Promise<CachedToken> => {
    secrets.add(secret);
    return fetchToken(send, clientId, secret, redact);
  };

  /** Refused: a secret rotated where it is kept is read again and tried once; the same one is not sent twice. */
  async function fetchFresh(): Promise<CachedToken> {
    const secret = source.current();
    try {
      return await fetchWith(secret);
    } catch (error) {
      if (!(error instanceof IscError) || error.code !== 'ISC_AUTH_FAILED' || !source.reread) throw error;
      const again = await source.reread().catch((readError: unknown) => {
        logger?.warn({ error: String(readError) }, 'the client secret could not be read again');
        return secret;
      });
      if (again === secret) throw error;
      logger?.info('the client secret changed where it is kept: asking for a token with the new one');
      return fetchWith(again);
    }
  }

  async function current(): Promise<string> {
    if (cached && Date.now() < cached.refreshAtMs) return cached.value;
    inflight ??= fetchFresh().finally(() => {
      inflight = undefined;
    });
    cached = await inflight;
    return cached.value;
  }

  /** After a 401: drop the refused token (unless a concurrent caller already replaced it) and get another. */
  async function renew(refused: string): Promise<string> {
    if (cached?.value === refused) cached = undefined;
    return current();
  }

  return { current, renew, redact };
}

async function fetchToken(send: Send, clientId: string, secret: string, redact: Redact): Promise<CachedToken> {
  const exchange: Exchange = {
    method: 'POST',
    path: TOKEN_PATH,
    search: '',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: clientId,
      client_secret: secret,
    }).toString(),
  };
  const answer = await send(exchange);
  if (!isSuccess(answer.status)) {
    // Bad credentials answer 400, 401 or 403 depending on the OAuth server; each needs a person.
    const refused = answer.status === 400 || answer.status === 401 || answer.status === 403;
    throw httpError(exchange, answer, redact, refused ? 'ISC_AUTH_FAILED' : undefined);
  }
  const token = readBody(exchange, answer, tokenResponseSchema);
  const lifetimeMs = token.expires_in * 1000;
  // Short-lived tokens (tests, odd tenants) would otherwise be refreshed on every call.
  const margin = Math.min(TOKEN_REFRESH_MARGIN_MS, lifetimeMs / 2);
  return { value: token.access_token, refreshAtMs: Date.now() + lifetimeMs - margin };
}

function isSuccess(status: number): boolean {
  return status >= 200 && status < 300;
}

/** An answer that is not 2xx: the code its status means unless the caller knows better, ISC's own words. */
function httpError(
  { method, path }: Exchange,
  answer: Answer,
  redact: Redact,
  code: IscErrorCode = codeForStatus(answer.status),
): IscError {
  const parsed = parseJson(answer.text);
  const { detailCode, messages } = errorTexts(parsed.ok ? parsed.value : undefined);
  const { status } = answer;
  const retryAfterMs = status === 429 ? parseRetryAfter(answer.headers.get('retry-after'), Date.now()) : undefined;
  const summary = [detailCode, ...messages].filter(Boolean).join(': ');
  return new IscError(code, redact(`ISC ${method} ${path} answered ${status}${summary ? ` (${summary})` : ''}`), {
    status,
    detailCode,
    messages: messages.map(redact),
    retryAfterMs,
  });
}

/** A 2xx body read with the call's schema; one that is not JSON or does not match is ISC_INVALID_RESPONSE. */
function readBody<S extends z.ZodType>({ method, path }: Exchange, answer: Answer, schema: S): z.output<S> {
  const json = parseJson(answer.text);
  const parsed = json.ok ? schema.safeParse(json.value) : undefined;
  if (!parsed?.success) {
    const why = parsed
      ? parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ')
      : 'not JSON';
    throw new IscError(
      'ISC_INVALID_RESPONSE',
      `ISC ${method} ${path} answered ${answer.status} with an unexpected body (${why})`,
      { status: answer.status },
    );
  }
  return parsed.data;
}

function describeFetchFailure(error: unknown): { code: FetchFailureCode; reason: string } {
  // Duck-typed on purpose: the DOMException thrown for an aborted fetch is not an `Error` in every realm.
  const failure = (typeof error === 'object' && error !== null ? error : {}) as {
    name?: unknown;
    message?: unknown;
    cause?: { code?: unknown };
  };
  if (failure.name === 'TimeoutError' || failure.name === 'AbortError')
    return { code: 'ISC_TIMEOUT', reason: 'timed out' };
  const detail =
    typeof failure.cause?.code === 'string'
      ? failure.cause.code
      : typeof failure.message === 'string'
        ? failure.message
        : 'unknown error';
  return { code: 'ISC_NETWORK_ERROR', reason: `failed on the network (${detail})` };
}

function errorTexts(body: unknown): { detailCode?: string; messages: string[] } {
  const dto = errorResponseDtoSchema.safeParse(body);
  if (dto.success) {
    const texts = [...(dto.data.messages ?? []), ...(dto.data.causes ?? [])]
      .map((m) => m.text)
      .filter((t): t is string => typeof t === 'string' && t.trim() !== '')
      .map((t) => t.trim());
    if (texts.length > 0 || dto.data.detailCode)
      return { detailCode: dto.data.detailCode ?? undefined, messages: texts };
  }
  // 401, 429 and OAuth errors use other shapes: {error}, {message}, {error, error_description}.
  if (body !== null && typeof body === 'object') {
    const loose = body as Record<string, unknown>;
    const texts = [loose.message, loose.error, loose.error_description]
      .filter((t): t is string => typeof t === 'string' && t.trim() !== '')
      .map((t) => t.trim());
    return { messages: texts };
  }
  return { messages: [] };
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  if (text.trim() === '') return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}
