/**
 * The simulator's seeded tenant as `GET /__sim/catalog` shows it, the one catalog type of the tests, and
 * the items they pick from it by the names the simulator gives them (docs/simulator.md).
 */

export type Attributes = Record<string, string | number | boolean>;

export interface CatalogItem {
  type: 'ROLE' | 'ACCESS_PROFILE' | 'ENTITLEMENT';
  id: string;
  name: string;
}

export interface CatalogIdentity {
  id: string;
  name: string;
  managerId: string | null;
  attributes: Attributes;
  /** Created through `POST /__sim/identities` (a hire ISC learns of later), not seeded. */
  createdAtRunTime: boolean;
}

export interface Catalog {
  admin: { id: string; name: string; attributes: Attributes };
  identities: CatalogIdentity[];
  items: CatalogItem[];
}

/** Entitlements that are not birthright, auto-rejected or failing by design: safe to grant and revoke. */
export function plainEntitlements(catalog: Catalog): CatalogItem[] {
  return catalog.items.filter((i) => i.type === 'ENTITLEMENT' && !/birthright|restricted|broken/i.test(i.name));
}

/** The first entitlement whose provisioning always fails (a "Broken ..." one). */
export function brokenEntitlement(catalog: Catalog): CatalogItem {
  const broken = catalog.items.find((i) => i.type === 'ENTITLEMENT' && /^Broken/.test(i.name));
  if (!broken) throw new Error('the catalog has no Broken entitlement');
  return broken;
}
