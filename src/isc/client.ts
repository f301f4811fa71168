/**
 * The ISC HTTP client: OAuth client credentials, typed calls validated with zod, every failure turned
 * into an `IscError` with a stable code.
 *
 * It deliberately does not retry 429, 5xx, timeouts or connection errors: the Temporal activity's retry
 * policy (with `nextRetryDelay` from Retry-After for 429) is the single retry mechanism, so every attempt
 * is visible in the Temporal UI and retries never multiply (client retries x activity retries). The one
 * exception is a single token refresh after a 401, which is part of authenticating, not a retry of work.
 */
import { type Logger } from 'pino';
import { z } from 'zod';
import { ITEM_TYPES, type ItemType } from '../domain/model';
import { codeForStatus, IscError, parseRetryAfter } from './errors';
import {
  type AccessRequestBody,
  accessRequestBodySchema,
  cancelAccessRequestSchema,
  catalogItemListSchema,
  type CatalogItemResponse,
  closeAccessRequestSchema,
  errorResponseDtoSchema,
  type IdentityAccessEntry,
  type IdentityDocument,
  identitySearchResultSchema,
  type RequestedItemStatus,
  requestedItemStatusListSchema,
  submitResponseSchema,
  tokenResponseSchema,
  type Tracking,
} from './schemas';

/**
 * What `POST /access-requests` told us: `tracked` with ISC's ids, or `untracked` when an older tenant
 * answered 202 `{}` (the request exists, but only item `clientMetadata` can find it).
 */
export type SubmitResult =
  { kind: 'tracked'; newRequests: Tracking[]; existingRequests: Tracking[] } | { kind: 'untracked' };

/** Query of `GET /access-request-status`; names follow the API with kebab-case turned into camelCase. */
export interface AccessRequestStatusQuery {
  requestedFor?: string;
  requestedBy?: string;
  /** Exclusive with `requestedFor` and `requestedBy` (ISC's rule). */
  regardingIdentity?: string;
  filters?: string;
  sorters?: string;
  /** 0..250 (ISC's maximum and default is 250). */
  limit?: number;
  offset?: number;
  requestState?: 'EXECUTING';
}

/** One access item an identity holds according to the search index (which lags behind changes). */
export interface HeldAccess {
  type: ItemType;
  id: string;
  /** The item's name, when the index gives it. */
  name?: string;
  /**
   * Whether an access request can revoke it, when the index says: false for access that came with a
   * role or access profile, by birthright or by a rule (ISC's `revocable` for roles and access profiles,
   * `standalone` for entitlements). Such access goes when what granted it goes.
   */
  revocable?: boolean;
}

/** An ISC identity as the identities search index shows it. */
export interface IscIdentity {
  id: string;
  name: string;
  /** The identity profile's attributes: `employeeNumber`, `department`, `cloudLifecycleState`, ... */
  attributes: Record<string, unknown>;
}

/** A role, access profile or entitlement as the catalog lists it. */
export interface CatalogItem {
  type: ItemType;
  id: string;
  name: string;
  requestable?: boolean;
}

/** Look catalog items up by their exact ISC name, or by ids. */
export type CatalogLookup = { name: string } | { ids: string[] };

/**
 * The seam between iscflow and ISC. Activities depend on this interface only, so tests can hand in the
 * simulator-backed client or a fake.
 *
 * Every method rejects with an `IscError` only.
 */
export interface IscClient {
  /** Submits an access request (`POST /{version}/access-requests`). */
  submitAccessRequest(body: AccessRequestBody): Promise<SubmitResult>;
  /** One page of `GET /{version}/access-request-status`. */
  listAccessRequestStatus(query: AccessRequestStatusQuery): Promise<RequestedItemStatus[]>;
  /** Every page of `GET /{version}/access-request-status`, 250 rows at a time, from `query.offset`. */
  listAllAccessRequestStatus(query: Omit<AccessRequestStatusQuery, 'limit'>): Promise<RequestedItemStatus[]>;
  /** Cancels an access request before its approval has passed (`POST /{version}/access-requests/cancel`). */
  cancelAccessRequest(accessRequestId: string, comment: string): Promise<void>;
  /**
   * Closes stuck access requests at any stage. Always `POST /v2025/access-requests/close`, whatever the
   * configured version: the endpoint does not exist in v3.
   */
  closeAccessRequests(accessRequestIds: string[], message: string): Promise<void>;
  /**
   * The roles, access profiles and entitlements an identity holds, from the `identities` search index,
   * with how they were granted where the index says it.
   */
  getIdentityAccess(identityId: string): Promise<HeldAccess[]>;
  /** The same for many identities, a hundred per search call; every id asked for is in the answer. */
  getIdentitiesAccess(identityIds: string[]): Promise<Map<string, HeldAccess[]>>;
  /**
   * The identity HR knows by `employeeNumber`, from the identities search index; undefined when there is
   * none. Matches ignore case, as ISC's search does; two identities with the number is ISC_BAD_REQUEST.
   */
  findIdentityByEmployeeNumber(employeeNumber: string): Promise<IscIdentity | undefined>;
  /** One identity from the identities search index; undefined when there is none. */
  getIdentity(identityId: string): Promise<IscIdentity | undefined>;
  /**
   * Catalog items of one type by exact name (all items with that name) or by ids (those that exist; the
   * others are simply absent). Roles and access profiles through the configured version; entitlements
   * always through `/v2025/entitlements`, which v3 does not have.
   */
  findCatalogItems(type: ItemType, by: CatalogLookup): Promise<CatalogItem[]>;
}

/**
 * One finished HTTP exchange with ISC, for an observer (the worker's metrics): the method, the path
 * without its query, how long it took, and the HTTP status, or why none came.
 */
export type IscCallObservation = { method: string; path: string; durationMs: number } & (
  { status: number; failure?: undefined } | { status?: undefined; failure: 'ISC_TIMEOUT' | 'ISC_NETWORK_ERROR' }
);

/** Options of `createIscClient`. */
export interface IscClientOptions {
  /** Tenant API base, e.g. `https://acme.api.identitynow.com` (no version suffix). */
  baseUrl: string;
  /**
   * OAuth client id. A personal access token (PAT) is a client id/secret pair used through the same
   * client-credentials exchange, so PATs work here unchanged (the token then carries the user's authority).
   */
  clientId: string;
  clientSecret: string;
  apiVersion: 'v3' | 'v2025';
  /** Timeout of each HTTP call, token fetch included. Default 30 000 ms. */
  requestTimeoutMs?: number;
  logger?: Logger;
  /** Injected for tests; defaults to the global fetch. */
  fetch?: typeof fetch;
  /** Told of every HTTP exchange, the token's included (metrics); it must not throw. */
  observe?: (call: IscCallObservation) => void;
}

const STATUS_PAGE_SIZE = 250;
/** Identities per `id:a OR id:b ...` search: well inside one page of results. */
const SEARCH_IDS_PER_CALL = 100;
const CLOSE_BATCH_SIZE = 500;
/** Ids per `id in (...)` filter: ISC publishes no maximum, so batches stay modest. */
const ID_BATCH_SIZE = 50;
/** `GET /roles` allows 50 rows a page; the other collections 250. */
const CATALOG_PAGE_SIZE: Record<ItemType, number> = { ROLE: 50, ACCESS_PROFILE: 250, ENTITLEMENT: 250 };
/** Refresh this long before ISC's `expires_in` runs out, so a token never expires in flight. */
const TOKEN_REFRESH_MARGIN_MS = 60_000;

interface CachedToken {
  value: string;
  refreshAtMs: number;
}

interface CallSpec<S extends z.ZodType> {
  method: 'GET' | 'POST';
  path: string;
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  schema: S;
}

function describeFetchFailure(error: unknown): { code: 'ISC_TIMEOUT' | 'ISC_NETWORK_ERROR'; reason: string } {
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

/** A value as a double-quoted string of ISC's search and filter syntax, quotes and backslashes escaped. */
function quoteValue(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/**
 * Every page of a collection, `pageSize` rows at a time, from `offset`. Some ISC collections answer 4xx
 * instead of [] past the last page; after a full page that is the end.
 */
async function collectPages<T>(
  fetchPage: (offset: number) => Promise<T[]>,
  pageSize: number,
  startOffset = 0,
): Promise<T[]> {
  const rows: T[] = [];
  let offset = startOffset;
  for (;;) {
    let page: T[];
    try {
      page = await fetchPage(offset);
    } catch (error) {
      const pastEnd =
        rows.length > 0 &&
        error instanceof IscError &&
        (error.code === 'ISC_BAD_REQUEST' || error.code === 'ISC_NOT_FOUND');
      if (pastEnd) return rows;
      throw error;
    }
    rows.push(...page);
    if (page.length < pageSize) return rows;
    offset += pageSize;
  }
}

function toIdentity(doc: IdentityDocument): IscIdentity {
  return { id: doc.id, name: doc.name ?? doc.id, attributes: doc.attributes };
}

function employeeNumberOf(doc: IdentityDocument): string | undefined {
  const value = doc.employeeNumber ?? doc.attributes.employeeNumber;
  return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
}

function revocableOf(entry: IdentityAccessEntry): boolean | undefined {
  if (typeof entry.revocable === 'boolean') return entry.revocable;
  if (entry.type === 'ENTITLEMENT' && typeof entry.standalone === 'boolean') return entry.standalone;
  return undefined;
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  if (text.trim() === '') return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

/**
 * Builds an ISC client. Nothing is fetched until the first call; the token is fetched lazily, cached,
 * refreshed about a minute before it expires, and fetched once for all concurrent callers.
 */
export function createIscClient(options: IscClientOptions): IscClient {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const timeoutMs = options.requestTimeoutMs ?? 30_000;
  const doFetch = options.fetch ?? fetch;
  const logger = options.logger;
  const version = options.apiVersion;
  const observe = (call: IscCallObservation): void => {
    try {
      options.observe?.(call);
    } catch (error) {
      // Counting a call must never fail it.
      logger?.warn({ error: String(error) }, 'isc call observer failed');
    }
  };

  let cached: CachedToken | undefined;
  let inflight: Promise<CachedToken> | undefined;

  /** Belt and braces: ISC never echoes credentials, but nothing we put in an error may contain them. */
  function redact(text: string): string {
    let out = text;
    for (const secret of [options.clientSecret, cached?.value]) {
      if (secret && secret.length >= 4) out = out.split(secret).join('[REDACTED]');
    }
    return out;
  }

  async function send(
    method: string,
    path: string,
    init: { headers: Record<string, string>; body?: string },
  ): Promise<{ status: number; headers: Headers; text: string }> {
    const started = Date.now();
    try {
      const response = await doFetch(baseUrl + path, {
        method,
        headers: init.headers,
        body: init.body,
        signal: AbortSignal.timeout(timeoutMs),
      });
      // The body is read under the same timeout signal: a server that stalls mid-body also times out.
      const text = await response.text();
      const durationMs = Date.now() - started;
      logger?.debug({ method, path: path.split('?')[0], status: response.status, durationMs }, 'isc call');
      observe({ method, path: path.split('?')[0] ?? path, durationMs, status: response.status });
      return { status: response.status, headers: response.headers, text };
    } catch (error) {
      const failure = describeFetchFailure(error);
      const durationMs = Date.now() - started;
      logger?.debug({ method, path: path.split('?')[0], error: failure.code, durationMs }, 'isc call');
      observe({ method, path: path.split('?')[0] ?? path, durationMs, failure: failure.code });
      throw new IscError(failure.code, `ISC ${method} ${path.split('?')[0]} ${failure.reason}`, {}, { cause: error });
    }
  }

  function httpError(
    method: string,
    path: string,
    status: number,
    headers: Headers,
    text: string,
    auth = false,
  ): IscError {
    const parsed = parseJson(text);
    const { detailCode, messages } = errorTexts(parsed.ok ? parsed.value : undefined);
    const code = auth ? 'ISC_AUTH_FAILED' : codeForStatus(status);
    const retryAfterMs = status === 429 ? parseRetryAfter(headers.get('retry-after'), Date.now()) : undefined;
    const summary = [detailCode, ...messages].filter(Boolean).join(': ');
    return new IscError(
      code,
      redact(`ISC ${method} ${path.split('?')[0]} answered ${status}${summary ? ` (${summary})` : ''}`),
      { status, detailCode, messages: messages.map(redact), retryAfterMs },
    );
  }

  async function fetchToken(): Promise<CachedToken> {
    const path = '/oauth/token';
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: options.clientId,
      client_secret: options.clientSecret,
    });
    const response = await send('POST', path, {
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: form.toString(),
    });
    if (response.status < 200 || response.status >= 300) {
      // Bad credentials answer 400 or 401 depending on the OAuth server; either needs a person.
      const auth = response.status === 400 || response.status === 401 || response.status === 403;
      throw httpError('POST', path, response.status, response.headers, response.text, auth);
    }
    const json = parseJson(response.text);
    const parsed = json.ok ? tokenResponseSchema.safeParse(json.value) : undefined;
    if (!parsed?.success) {
      throw new IscError('ISC_INVALID_RESPONSE', `ISC POST ${path} answered a body that is not a token response`, {
        status: response.status,
      });
    }
    const lifetimeMs = parsed.data.expires_in * 1000;
    // Short-lived tokens (tests, odd tenants) would otherwise be refreshed on every call.
    const margin = Math.min(TOKEN_REFRESH_MARGIN_MS, lifetimeMs / 2);
    return { value: parsed.data.access_token, refreshAtMs: Date.now() + lifetimeMs - margin };
  }

  async function getToken(): Promise<string> {
    if (cached && Date.now() < cached.refreshAtMs) return cached.value;
    inflight ??= fetchToken().finally(() => {
      inflight = undefined;
    });
    cached = await inflight;
    return cached.value;
  }

  /** After a 401: drop the rejected token (unless a concurrent caller already replaced it) and get another. */
  async function refreshAfterRejection(rejected: string): Promise<string> {
    if (cached?.value === rejected) cached = undefined;
    return getToken();
  }

  async function call<S extends z.ZodType>(spec: CallSpec<S>): Promise<z.output<S>> {
    const search = new URLSearchParams();
    for (const [name, value] of Object.entries(spec.query ?? {})) {
      if (value !== undefined) search.set(name, String(value));
    }
    const path = search.size > 0 ? `${spec.path}?${search.toString()}` : spec.path;
    const body = spec.body === undefined ? undefined : JSON.stringify(spec.body);
    const attempt = (token: string) =>
      send(spec.method, path, {
        headers: {
          authorization: `Bearer ${token}`,
          accept: 'application/json',
          ...(body !== undefined && { 'content-type': 'application/json' }),
        },
        body,
      });

    const token = await getToken();
    let response = await attempt(token);
    if (response.status === 401) {
      response = await attempt(await refreshAfterRejection(token));
      // A fresh token refused again: the credentials lack the authority, not a stale token.
      if (response.status === 401) {
        throw httpError(spec.method, path, response.status, response.headers, response.text, true);
      }
    }
    if (response.status < 200 || response.status >= 300) {
      throw httpError(spec.method, path, response.status, response.headers, response.text);
    }
    const json = parseJson(response.text);
    const parsed = json.ok ? spec.schema.safeParse(json.value) : undefined;
    if (!parsed?.success) {
      const why = parsed
        ? parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ')
        : 'not JSON';
      throw new IscError(
        'ISC_INVALID_RESPONSE',
        `ISC ${spec.method} ${spec.path} answered ${response.status} with an unexpected body (${why})`,
        { status: response.status },
      );
    }
    return parsed.data;
  }

  function checkOutgoing<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
    const parsed = schema.safeParse(value);
    if (!parsed.success) {
      const why = parsed.error.issues.map((i) => `${i.path.join('.') || what}: ${i.message}`).join('; ');
      throw new IscError('ISC_BAD_REQUEST', `Refused to send an invalid ${what} to ISC (${why})`);
    }
    return parsed.data;
  }

  async function listAccessRequestStatus(query: AccessRequestStatusQuery): Promise<RequestedItemStatus[]> {
    return call({
      method: 'GET',
      path: `/${version}/access-request-status`,
      query: {
        'requested-for': query.requestedFor,
        'requested-by': query.requestedBy,
        'regarding-identity': query.regardingIdentity,
        filters: query.filters,
        sorters: query.sorters,
        limit: query.limit,
        offset: query.offset,
        'request-state': query.requestState,
      },
      schema: requestedItemStatusListSchema,
    });
  }

  async function searchIdentities(query: string): Promise<IdentityDocument[]> {
    return call({
      method: 'POST',
      path: `/${version}/search`,
      body: { indices: ['identities'], query: { query } },
      schema: identitySearchResultSchema,
    });
  }

  function heldAccessOf(doc: IdentityDocument): HeldAccess[] {
    return doc.access
      .filter((a): a is IdentityAccessEntry & { type: ItemType } => (ITEM_TYPES as readonly string[]).includes(a.type))
      .map((a) => {
        const revocable = revocableOf(a);
        return {
          type: a.type,
          id: a.id,
          ...(typeof a.name === 'string' && { name: a.name }),
          ...(revocable !== undefined && { revocable }),
        };
      });
  }

  async function identityById(identityId: string): Promise<IdentityDocument | undefined> {
    checkOutgoing(idForQuery, identityId, 'identity id');
    const docs = await searchIdentities(`id:${identityId}`);
    return docs.find((d) => d.id === identityId);
  }

  return {
    async submitAccessRequest(body) {
      const checked = checkOutgoing(accessRequestBodySchema, body, 'access request');
      const result = await call({
        method: 'POST',
        path: `/${version}/access-requests`,
        body: checked,
        schema: submitResponseSchema.optional(),
      });
      // An empty 202 carries no id either: treat it like the legacy `{}`.
      return result ?? { kind: 'untracked' };
    },

    listAccessRequestStatus,

    async listAllAccessRequestStatus(query) {
      return collectPages(
        (offset) => listAccessRequestStatus({ ...query, limit: STATUS_PAGE_SIZE, offset }),
        STATUS_PAGE_SIZE,
        query.offset ?? 0,
      );
    },

    async cancelAccessRequest(accessRequestId, comment) {
      const body = checkOutgoing(
        cancelAccessRequestSchema,
        { accountActivityId: accessRequestId, comment },
        'cancel request',
      );
      await call({ method: 'POST', path: `/${version}/access-requests/cancel`, body, schema: ignoredBody });
    },

    async closeAccessRequests(accessRequestIds, message) {
      for (let i = 0; i < accessRequestIds.length; i += CLOSE_BATCH_SIZE) {
        const batch = accessRequestIds.slice(i, i + CLOSE_BATCH_SIZE);
        const body = checkOutgoing(closeAccessRequestSchema, { accessRequestIds: batch, message }, 'close request');
        await call({ method: 'POST', path: '/v2025/access-requests/close', body, schema: ignoredBody });
      }
    },

    async getIdentityAccess(identityId) {
      const doc = await identityById(identityId);
      return doc ? heldAccessOf(doc) : [];
    },

    async getIdentitiesAccess(identityIds) {
      const held = new Map<string, HeldAccess[]>();
      const ids = [...new Set(identityIds)];
      for (const id of ids) checkOutgoing(idForQuery, id, 'identity id');
      for (let at = 0; at < ids.length; at += SEARCH_IDS_PER_CALL) {
        const chunk = ids.slice(at, at + SEARCH_IDS_PER_CALL);
        const docs = await searchIdentities(chunk.map((id) => `id:${id}`).join(' OR '));
        for (const doc of docs) if (chunk.includes(doc.id)) held.set(doc.id, heldAccessOf(doc));
      }
      for (const id of ids) if (!held.has(id)) held.set(id, []);
      return held;
    },

    async findIdentityByEmployeeNumber(employeeNumber) {
      const wanted = checkOutgoing(employeeNumberSchema, employeeNumber, 'employee number');
      const docs = await searchIdentities(`employeeNumber:${quoteValue(wanted)}`);
      // The index matches loosely (analysed text); only an equal number, ignoring case, is the person.
      const matches = docs.filter((d) => employeeNumberOf(d)?.toLowerCase() === wanted.toLowerCase());
      if (matches.length > 1) {
        throw new IscError(
          'ISC_BAD_REQUEST',
          `ISC has ${matches.length} identities with employeeNumber ${wanted} (${matches.map((d) => d.id).join(', ')}): refusing to pick one`,
        );
      }
      const [match] = matches;
      return match ? toIdentity(match) : undefined;
    },

    async getIdentity(identityId) {
      const doc = await identityById(identityId);
      return doc ? toIdentity(doc) : undefined;
    },

    async findCatalogItems(type, by) {
      const path =
        type === 'ROLE'
          ? `/${version}/roles`
          : type === 'ACCESS_PROFILE'
            ? `/${version}/access-profiles`
            : '/v2025/entitlements';
      const pageSize = CATALOG_PAGE_SIZE[type];
      const listPage = (filters: string, offset: number): Promise<CatalogItemResponse[]> =>
        call({ method: 'GET', path, query: { filters, limit: pageSize, offset }, schema: catalogItemListSchema });
      const toItem = (item: CatalogItemResponse): CatalogItem => ({
        type,
        id: item.id,
        name: item.name,
        ...(typeof item.requestable === 'boolean' && { requestable: item.requestable }),
      });

      if ('name' in by) {
        const name = checkOutgoing(itemNameSchema, by.name, 'item name');
        // `eq` may ignore case on some tenants; a policy names one item exactly.
        const filters = `name eq ${quoteValue(name)}`;
        const rows = await collectPages((offset) => listPage(filters, offset), pageSize);
        return rows.filter((i) => i.name === name).map(toItem);
      }
      const ids = [...new Set(checkOutgoing(itemIdsSchema, by.ids, 'item ids'))];
      // A batch never holds more ids than a page holds rows, so each batch is one call.
      const batchSize = Math.min(ID_BATCH_SIZE, pageSize);
      const found = new Map<string, CatalogItem>();
      for (let i = 0; i < ids.length; i += batchSize) {
        const batch = ids.slice(i, i + batchSize);
        const rows = await listPage(`id in (${batch.map(quoteValue).join(',')})`, 0);
        for (const row of rows) if (batch.includes(row.id)) found.set(row.id, toItem(row));
      }
      return [...found.values()];
    },
  };
}

/** Cancel and close answer 202 `{}`: nothing in it is used, so any JSON (or none) is accepted. */
const ignoredBody = z.unknown();

/** Ids go into queries and filters: only the id alphabet, so nothing can widen them. */
const idForQuery = z.string().regex(/^[0-9A-Za-z-]+$/, 'must contain only letters, digits and dashes');
const itemIdsSchema = z.array(idForQuery);
const employeeNumberSchema = z.string().min(1, 'must not be empty').max(256);
const itemNameSchema = z.string().min(1, 'must not be empty').max(256);
