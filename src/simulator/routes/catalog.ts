/**
 * Catalog look-ups: GET /{v}/roles, /{v}/access-profiles and /v2025/entitlements, with the filters,
 * sorters and limits each document lists. Every seeded item is enabled and requestable, owned by the
 * admin identity; access profiles and entitlements live on the directory source.
 */
import { type FastifyInstance } from 'fastify';
import { type CatalogItem, type ItemType, SEEDED_AT, entitlementValue } from '../catalog';
import { iso } from '../clock';
import { bySorters, evaluateFilter, type FieldSpec, type FieldTable, filterParam, ops, sortersParam } from '../filters';
import { type ApiVersion } from '../guard';
import { type LimitRule, page, parsePaging } from '../paging';
import { type SimulatorState } from '../state';

const SEEDED = iso(SEEDED_AT);

const field = (operators: Parameters<typeof ops>, get: FieldSpec<CatalogItem>['get']): FieldSpec<CatalogItem> => ({
  ops: ops(...operators),
  kind: 'string',
  get,
});
const dateField = (operators: Parameters<typeof ops>): FieldSpec<CatalogItem> => ({
  ops: ops(...operators),
  kind: 'date',
  get: () => SEEDED,
});

interface Collection {
  type: ItemType;
  limit: LimitRule;
  fields: (state: SimulatorState) => FieldTable<CatalogItem>;
  sorters: ReadonlySet<string>;
  render: (item: CatalogItem, state: SimulatorState) => Record<string, unknown>;
}

function owner(state: SimulatorState): Record<string, unknown> {
  return { type: 'IDENTITY', id: state.catalog.admin.id, name: state.catalog.admin.name };
}

/** Requests for any item are approved by the identity's manager, as the access-request endpoints do. */
const requestConfig = {
  commentsRequired: false,
  denialCommentsRequired: false,
  reauthorizationRequired: false,
  requireEndDate: false,
  maxPermittedAccessDuration: null,
  approvalSchemes: [{ approverType: 'MANAGER', approverId: null }],
};

const ROLES: Collection = {
  type: 'ROLE',
  limit: { maxLimit: 50, defaultLimit: 50 },
  fields: (state) => ({
    id: field(['eq', 'in'], (i) => i.id),
    name: field(['eq', 'sw'], (i) => i.name),
    created: dateField(['gt', 'ge', 'le']),
    modified: dateField(['lt', 'ge', 'le']),
    'owner.id': field(['eq', 'in'], () => state.catalog.admin.id),
    requestable: field(['eq'], () => 'true'),
    dimensional: field(['eq'], () => 'false'),
  }),
  sorters: new Set(['name', 'created', 'modified']),
  render: (item, state) => ({
    id: item.id,
    name: item.name,
    created: SEEDED,
    modified: SEEDED,
    description: null,
    owner: owner(state),
    additionalOwners: [],
    accessProfiles: [],
    entitlements: item.entitlementIds.map((id) => ({
      type: 'ENTITLEMENT',
      id,
      name: state.catalog.itemById.get(id)?.name ?? null,
    })),
    membership: null,
    legacyMembershipInfo: null,
    enabled: true,
    requestable: true,
    accessRequestConfig: requestConfig,
    revocationRequestConfig: { commentsRequired: false, denialCommentsRequired: false, approvalSchemes: [] },
    segments: [],
    dimensional: false,
    dimensionRefs: [],
    accessModelMetadata: { attributes: [] },
    privilegeLevel: null,
  }),
};

const ACCESS_PROFILES: Collection = {
  type: 'ACCESS_PROFILE',
  limit: { maxLimit: 250, defaultLimit: 250 },
  fields: (state) => ({
    id: field(['eq', 'in'], (i) => i.id),
    name: field(['eq', 'sw'], (i) => i.name),
    created: dateField(['gt', 'ge', 'le']),
    modified: dateField(['gt', 'lt', 'ge', 'le']),
    'owner.id': field(['eq', 'in'], () => state.catalog.admin.id),
    requestable: field(['eq'], () => 'true'),
    'source.id': field(['eq', 'in'], () => state.catalog.accessSource.id),
  }),
  sorters: new Set(['name', 'created', 'modified']),
  render: (item, state) => ({
    id: item.id,
    name: item.name,
    description: null,
    created: SEEDED,
    modified: SEEDED,
    enabled: true,
    owner: owner(state),
    source: { id: state.catalog.accessSource.id, type: 'SOURCE', name: state.catalog.accessSource.name },
    entitlements: [],
    requestable: true,
    accessRequestConfig: requestConfig,
    revocationRequestConfig: { approvalSchemes: [] },
    segments: [],
    accessModelMetadata: { attributes: [] },
    provisioningCriteria: null,
    additionalOwners: [],
  }),
};

const ENTITLEMENTS: Collection = {
  type: 'ENTITLEMENT',
  limit: { maxLimit: 250, defaultLimit: 250 },
  fields: (state) => ({
    id: field(['eq', 'in'], (i) => i.id),
    name: field(['eq', 'in', 'sw'], (i) => i.name),
    type: field(['eq', 'in'], () => 'group'),
    attribute: field(['eq', 'in'], () => 'memberOf'),
    value: field(['eq', 'in', 'sw'], (i) => entitlementValue(i.name)),
    'source.id': field(['eq', 'in'], () => state.catalog.accessSource.id),
    requestable: field(['eq'], () => 'true'),
    created: dateField(['gt', 'lt', 'ge', 'le']),
    modified: dateField(['gt', 'lt', 'ge', 'le']),
    'owner.id': field(['eq', 'in'], () => state.catalog.admin.id),
  }),
  sorters: new Set(['id', 'name', 'created', 'modified', 'type', 'attribute', 'value', 'source.id', 'requestable']),
  render: (item, state) => ({
    id: item.id,
    name: item.name,
    attribute: 'memberOf',
    value: entitlementValue(item.name),
    sourceSchemaObjectType: 'group',
    description: null,
    privileged: false,
    cloudGoverned: false,
    requestable: true,
    owner: owner(state),
    additionalOwners: [],
    manuallyUpdatedFields: null,
    accessModelMetadata: { attributes: [] },
    created: SEEDED,
    modified: SEEDED,
    source: {
      id: state.catalog.accessSource.id,
      type: state.catalog.accessSource.type,
      name: state.catalog.accessSource.name,
    },
    attributes: {},
    segments: [],
    directPermissions: [],
  }),
};

function list(collection: Collection, state: SimulatorState, query: Record<string, unknown>) {
  const fields = collection.fields(state);
  const paging = parsePaging(query, collection.limit);
  const filter = filterParam(query, fields);
  const sorters = sortersParam(query, collection.sorters);
  const rows = state.catalog.items.filter(
    (item) => item.type === collection.type && (!filter || evaluateFilter(filter, fields, item)),
  );
  // Array.prototype.sort is stable: ties keep catalog order.
  if (sorters.length > 0) rows.sort(bySorters(sorters, (item: CatalogItem, name) => fields[name]?.get(item) ?? ''));
  return { rows, paging };
}

export function catalogRoutes(app: FastifyInstance, state: SimulatorState, version: ApiVersion): void {
  const route = (path: string, collection: Collection): void => {
    app.get(path, async (request, reply) => {
      const { rows, paging } = list(collection, state, request.query as Record<string, unknown>);
      return reply.send(page(rows, paging, reply).map((item) => collection.render(item, state)));
    });
  };
  route('/roles', ROLES);
  route('/access-profiles', ACCESS_PROFILES);
  // v3 has no entitlements collection; v2025 does.
  if (version === 'v2025') route('/entitlements', ENTITLEMENTS);
}
