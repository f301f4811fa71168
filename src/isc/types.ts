/**
 * The ISC client's public contract: the `IscClient` interface activities depend on, what its methods
 * return, and the options of `createIscClient`. Kept apart from the code so the transport, every resource
 * module and the client can share them without importing each other.
 */
import { type Logger } from 'pino';
import { type ItemType } from '../domain/model';
import { type CircuitOptions } from './circuit';
import { type AccessRequestBody, type RequestedItemStatus, type Tracking } from './schemas';

/** The API version of the configured calls; a few endpoints exist only in v2025 and always use it. */
export type IscApiVersion = 'v3' | 'v2025';

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

/** An identity as a page of the search index gives it: its attributes and what it holds, in one document. */
export interface SearchedIdentity extends IscIdentity {
  /** HR's key, when the identity has one (ISC's `employeeNumber`, or the attribute of that name). */
  employeeNumber?: string;
  access: HeldAccess[];
}

/** One page of identities: those `query` selects, in id order, from just after `after`. */
export interface IdentityPageRequest {
  /** ISC's search syntax, e.g. `attributes.cloudLifecycleState:active`. */
  query: string;
  /** 1..250 identities (a page of ISC's documented size). */
  limit: number;
  /** The `next` of the page before; absent for the first page. */
  after?: string;
}

export interface IdentityPage {
  identities: SearchedIdentity[];
  /** The `after` of the next page; absent when this page was the last. */
  next?: string;
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
   * One page of the identities `query` selects, each with its attributes and access, in id order: one
   * search call, chained by `searchAfter` (ISC's offset paging stops at 10,000 results).
   */
  searchIdentities(request: IdentityPageRequest): Promise<IdentityPage>;
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
  /**
   * Where the secret is kept (a mounted secret), when it is: read again after ISC refuses the secret in
   * hand, so that a rotated secret takes effect without a restart. `clientSecret` is what it held at start.
   */
  clientSecretFile?: string;
  apiVersion: IscApiVersion;
  /** Timeout of each HTTP call, token fetch included. Default 30 000 ms. */
  requestTimeoutMs?: number;
  logger?: Logger;
  /** Injected for tests; defaults to the global fetch. */
  fetch?: typeof fetch;
  /** Told of every HTTP exchange, the token's included (metrics); it must not throw. */
  observe?: (call: IscCallObservation) => void;
  /**
   * The circuit that holds calls back while ISC is down (circuit.ts): when refusals escalate to a person,
   * who hears that ISC went down or came back (the `iscflow_isc_up` gauge), and its tuning.
   */
  circuit?: CircuitOptions;
}
