/**
 * The harness of the simulator's own tests (test/unit/simulator): the simulator over real HTTP, with every
 * ISC response the OpenAPI documents describe validated against them on the way back, so no test can pass
 * on an off-spec body.
 */
import { expectValidResponse, type IscApiVersion } from './openapi';
import { expectValidCatalogResponse } from './catalog-openapi';
import type { Catalog, CatalogItem } from './catalog';
import { startTestSimulator, type CallResult, type TestSimulator } from './simulator';
import { type SimulatorConfigPatch, type SimulatorOptions } from '../../src/simulator';

export interface StatusRow {
  id: string;
  name: string;
  type: string;
  state: string;
  accessRequestId: string;
  accountActivityItemId: string;
  requestType: string;
  requestedFor: { type: string; id: string; name: string };
  created: string;
  modified: string;
  removeDate: string | null;
  startDate: string | null;
  cancelable: boolean;
  clientMetadata: Record<string, string> | null;
  approvalDetails: { approvalId: string; status: string; comment: string | null }[];
  errorMessages: { text: string }[][] | null;
  accessRequestPhases: { name: string; state: string; result: string | null }[];
  cancelledRequestDetails: { comment: string } | null;
}

export interface Tracking {
  requestedFor: string;
  requestedItemsDetails: { type: string; id: string }[];
  attributesHash: number;
  accessRequestIds: string[];
}

export interface SubmitResponse {
  newRequests: Tracking[];
  existingRequests: Tracking[];
}

export interface Held {
  type: string;
  id: string;
  removeDate: string | null;
  source: string;
  grantedBy: string | null;
}

export interface Harness extends TestSimulator {
  catalog: Catalog;
  isc<T = unknown>(method: string, path: string, body?: unknown): Promise<CallResult<T>>;
  submit(body: unknown, version?: IscApiVersion): Promise<CallResult<SubmitResponse>>;
  status(query: string, version?: IscApiVersion): Promise<StatusRow[]>;
  advance(ms: number): Promise<void>;
  configure(patch: SimulatorConfigPatch): Promise<void>;
  access(identityId: string): Promise<Held[]>;
  /** Plain items of a type: not "Restricted" (auto-rejected) nor "Broken" (fails provisioning). */
  plain(type: CatalogItem['type']): CatalogItem[];
  named(type: CatalogItem['type'], prefix: 'Restricted' | 'Broken'): CatalogItem;
  identity(index: number): string;
  /** An ISO date `ms` after the simulator's now (which tests move forward). */
  later(ms: number): Promise<string>;
}

/** Which OpenAPI document describes an ISC path: the access-request one, or search-and-catalog. */
function documentOf(path: string): 'access-requests' | 'search-and-catalog' | undefined {
  if (!/^\/(v3|v2025)\//.test(path)) return undefined;
  return /^\/(v3|v2025)\/(search|roles|access-profiles|entitlements)(\?|$)/.test(path)
    ? 'search-and-catalog'
    : 'access-requests';
}

export async function harness(options: SimulatorOptions & { port?: number } = {}): Promise<Harness> {
  const t = await startTestSimulator(options);
  const catalog = (await t.call<Catalog>('GET', '/__sim/catalog')).body;
  const isc = async <T>(method: string, path: string, body?: unknown): Promise<CallResult<T>> => {
    const result = await t.call<T>(method, path, body);
    const version = path.startsWith('/v2025') ? 'v2025' : 'v3';
    const document = documentOf(path);
    if (document === 'access-requests') expectValidResponse(version, method, path, result.status, result.body);
    if (document === 'search-and-catalog')
      expectValidCatalogResponse(version, method, path, result.status, result.body);
    return result;
  };
  const plain: Harness['plain'] = (type) =>
    catalog.items.filter((i) => i.type === type && !/^(Restricted|Broken|Birthright)/.test(i.name));
  return {
    ...t,
    catalog,
    isc,
    submit: (body, version = 'v3') => isc<SubmitResponse>('POST', `/${version}/access-requests`, body),
    status: async (query, version = 'v3') => {
      const result = await isc<StatusRow[]>('GET', `/${version}/access-request-status?${query}`);
      if (result.status !== 200)
        throw new Error(`status listing failed: ${result.status} ${JSON.stringify(result.body)}`);
      return result.body;
    },
    advance: async (ms) => {
      const result = await t.call('POST', '/__sim/clock', { advanceMs: ms });
      if (result.status !== 200) throw new Error('clock advance failed');
      // Jumps of days would expire the cached token; tests that study expiry use explicit tokens.
      t.resetToken();
    },
    configure: async (patch) => {
      const result = await t.call('POST', '/__sim/config', patch);
      if (result.status !== 200) throw new Error(`config failed: ${JSON.stringify(result.body)}`);
    },
    access: async (identityId) => (await t.call<Held[]>('GET', `/__sim/identities/${identityId}/access`)).body,
    plain,
    named: (type, prefix) => {
      const item = catalog.items.find((i) => i.type === type && i.name.startsWith(prefix));
      if (!item) throw new Error(`no ${prefix} ${type} in the catalog`);
      return item;
    },
    later: async (ms) => {
      const { now } = (await t.call<{ now: string }>('GET', '/__sim/clock')).body;
      return new Date(Date.parse(now) + ms).toISOString();
    },
    identity: (index) => {
      const identity = catalog.identities[index];
      if (!identity) throw new Error(`no identity ${index}`);
      return identity.id;
    },
  };
}

/** Asymmetric matchers typed as `unknown` (jest types them `any`, which the lint rules refuse). */
export const anyString = (): unknown => expect.any(String) as unknown;
export const anyNumber = (): unknown => expect.any(Number) as unknown;
export const matching = (pattern: RegExp): unknown => expect.stringMatching(pattern) as unknown;
export const like = (shape: Record<string, unknown>): unknown => expect.objectContaining(shape) as unknown;
export const containing = (values: unknown[]): unknown => expect.arrayContaining(values) as unknown;
