/**
 * Catalog look-ups: roles, access profiles and entitlements by exact name or by ids, each type from its
 * own collection. Policies name items; this turns the names into ISC ids and checks that ids exist.
 */
import { type ItemType } from '../domain/model';
import { catalogItemListSchema, type CatalogItemResponse } from './schemas';
import { batchesOf, checkOutgoing, collectPages, idForQuery, quotedForQuery, quoteValue } from './shared';
import { type IscTransport } from './transport';
import { type IscApiVersion, type IscClient } from './types';

/** `GET /roles` allows 50 rows a page; the other collections 250. */
const CATALOG_PAGE_SIZE: Record<ItemType, number> = { ROLE: 50, ACCESS_PROFILE: 250, ENTITLEMENT: 250 };
/** Ids per `id in (...)` filter: ISC publishes no maximum, so batches stay modest. */
const ID_BATCH_SIZE = 50;

type ListPage = (filters: string, offset: number) => Promise<CatalogItemResponse[]>;

export function createCatalog(transport: IscTransport, version: IscApiVersion): Pick<IscClient, 'findCatalogItems'> {
  return {
    async findCatalogItems(type, by) {
      // Entitlements exist only in v2025, whatever the configured version.
      const path = {
        ROLE: `/${version}/roles`,
        ACCESS_PROFILE: `/${version}/access-profiles`,
        ENTITLEMENT: '/v2025/entitlements',
      }[type];
      const pageSize = CATALOG_PAGE_SIZE[type];
      const listPage: ListPage = (filters, offset) =>
        transport.call({
          method: 'GET',
          path,
          query: { filters, limit: pageSize, offset },
          schema: catalogItemListSchema,
        });
      const rows = 'name' in by ? await byName(listPage, pageSize, by.name) : await byIds(listPage, pageSize, by.ids);
      return rows.map((item) => ({
        type,
        id: item.id,
        name: item.name,
        ...(typeof item.requestable === 'boolean' && { requestable: item.requestable }),
      }));
    },
  };
}

async function byName(listPage: ListPage, pageSize: number, name: string): Promise<CatalogItemResponse[]> {
  const wanted = checkOutgoing(quotedForQuery, name, 'item name');
  // `eq` may ignore case on some tenants; a policy names one item exactly.
  const filters = `name eq ${quoteValue(wanted)}`;
  const rows = await collectPages((offset) => listPage(filters, offset), pageSize);
  return rows.filter((i) => i.name === wanted);
}

/** The items that exist among `ids`, each once; ids of no item are simply absent. */
async function byIds(listPage: ListPage, pageSize: number, ids: string[]): Promise<CatalogItemResponse[]> {
  const unique = [...new Set(checkOutgoing(idForQuery.array(), ids, 'item ids'))];
  const found = new Map<string, CatalogItemResponse>();
  // A batch never holds more ids than a page holds rows, so each batch is one call.
  for (const batch of batchesOf(unique, Math.min(ID_BATCH_SIZE, pageSize))) {
    const rows = await listPage(`id in (${batch.map(quoteValue).join(',')})`, 0);
    for (const row of rows) if (batch.includes(row.id)) found.set(row.id, row);
  }
  return [...found.values()];
}
