import { type RandomStreams } from './prng';

/**
 * The seeded tenant: identities with managers, requestable items, and what each identity holds at
 * start. Some access is held through a role or as a birthright so the revoke rule that forbids
 * revoking such access can be exercised.
 */
export type ItemType = 'ROLE' | 'ACCESS_PROFILE' | 'ENTITLEMENT';

/** How an identity came to hold access: only `REQUEST` access may be revoked by an access request. */
export type AccessSource = 'REQUEST' | 'ROLE' | 'BIRTHRIGHT';

export interface CatalogIdentity {
  id: string;
  name: string;
  managerId: string | null;
}

export interface CatalogItem {
  type: ItemType;
  id: string;
  name: string;
  /** Entitlements a role grants to its members. */
  entitlementIds: string[];
}

export interface Holding {
  type: ItemType;
  id: string;
  removeDate: string | null;
  source: AccessSource;
  /** The role that granted this entitlement, when `source` is `ROLE`. */
  grantedBy: string | null;
}

export interface CatalogSizes {
  identities: number;
  roles: number;
  accessProfiles: number;
  entitlements: number;
}

export const DEFAULT_CATALOG_SIZES: CatalogSizes = { identities: 50, roles: 20, accessProfiles: 20, entitlements: 200 };

export interface Catalog {
  /** The identity behind every API token: the requester of all requests and approver of last resort. */
  admin: CatalogIdentity;
  identities: CatalogIdentity[];
  items: CatalogItem[];
  identityById: Map<string, CatalogIdentity>;
  itemById: Map<string, CatalogItem>;
  initialHoldings: Map<string, Holding[]>;
}

const FIRST = [
  'Ada',
  'Ben',
  'Chloe',
  'Dev',
  'Elif',
  'Farid',
  'Grace',
  'Hiro',
  'Ines',
  'Jonas',
  'Kemi',
  'Lars',
  'Mei',
  'Nia',
  'Omar',
  'Priya',
];
const LAST = [
  'Ahmed',
  'Brown',
  'Costa',
  'Dubois',
  'Evans',
  'Fischer',
  'Garcia',
  'Haddad',
  'Ito',
  'Jensen',
  'Kowalski',
  'Lopez',
];
const AREAS = [
  'Finance',
  'Payroll',
  'Sales',
  'Engineering',
  'Support',
  'Legal',
  'Marketing',
  'Warehouse',
  'HR',
  'Security',
];
const BIRTHRIGHT_NAMES = ['Birthright Email', 'Birthright VPN'];

/**
 * Names drive two documented rules: "Restricted" items are always rejected by automatic approval and
 * "Broken" items always fail provisioning. Every tenth item of each type (offsets 3 and 7) gets one.
 */
function itemName(kind: string, index: number, rng: RandomStreams): string {
  const area = rng.pick('catalog', AREAS);
  if (index % 10 === 3) return `Restricted ${area} ${kind} ${index}`;
  if (index % 10 === 7) return `Broken ${area} ${kind} ${index}`;
  return `${area} ${kind} ${index}`;
}

const isPlain = (index: number): boolean => index % 10 !== 3 && index % 10 !== 7;

export function buildCatalog(rng: RandomStreams, sizes: CatalogSizes): Catalog {
  const admin: CatalogIdentity = { id: rng.hexId('catalog'), name: 'iscflow-sim', managerId: null };
  const identities: CatalogIdentity[] = [];
  const managerCount = Math.max(1, Math.min(5, Math.floor(sizes.identities / 10)));
  for (let i = 0; i < sizes.identities; i++) {
    const manager = i < managerCount ? undefined : identities[i % managerCount];
    identities.push({
      id: rng.hexId('catalog'),
      name: `${rng.pick('catalog', FIRST)} ${rng.pick('catalog', LAST)} ${i}`,
      managerId: manager?.id ?? null,
    });
  }

  const entitlements: CatalogItem[] = [];
  for (let i = 0; i < sizes.entitlements; i++) {
    const name = i < BIRTHRIGHT_NAMES.length ? `${BIRTHRIGHT_NAMES[i]}` : itemName('Entitlement', i, rng);
    entitlements.push({ type: 'ENTITLEMENT', id: rng.hexId('catalog'), name, entitlementIds: [] });
  }
  const birthrights = entitlements.slice(0, BIRTHRIGHT_NAMES.length);
  const bundleable = entitlements.filter((e, i) => i >= BIRTHRIGHT_NAMES.length && isPlain(i));

  const roles: CatalogItem[] = [];
  for (let i = 0; i < sizes.roles; i++) {
    const bundle = bundleable.length === 0 ? [] : [0, 1].map((k) => bundleable[(i * 2 + k) % bundleable.length]);
    roles.push({
      type: 'ROLE',
      id: rng.hexId('catalog'),
      name: itemName('Role', i, rng),
      entitlementIds: [...new Set(bundle.flatMap((e) => (e ? [e.id] : [])))],
    });
  }
  const accessProfiles: CatalogItem[] = [];
  for (let i = 0; i < sizes.accessProfiles; i++) {
    accessProfiles.push({
      type: 'ACCESS_PROFILE',
      id: rng.hexId('catalog'),
      name: itemName('Access Profile', i, rng),
      entitlementIds: [],
    });
  }

  const items = [...roles, ...accessProfiles, ...entitlements];
  const initialHoldings = new Map<string, Holding[]>();
  const plainRoles = roles.filter((_, i) => isPlain(i));
  const plainProfiles = accessProfiles.filter((_, i) => isPlain(i));
  identities.forEach((identity, i) => {
    const held: Holding[] = birthrights.map((e) => ({
      type: 'ENTITLEMENT',
      id: e.id,
      removeDate: null,
      source: 'BIRTHRIGHT',
      grantedBy: null,
    }));
    const role = plainRoles[i % Math.max(1, plainRoles.length)];
    if (i % 4 === 1 && role) {
      held.push({ type: 'ROLE', id: role.id, removeDate: null, source: 'REQUEST', grantedBy: null });
      for (const entitlementId of role.entitlementIds) {
        held.push({ type: 'ENTITLEMENT', id: entitlementId, removeDate: null, source: 'ROLE', grantedBy: role.id });
      }
    }
    const profile = plainProfiles[i % Math.max(1, plainProfiles.length)];
    if (i % 5 === 2 && profile)
      held.push({ type: 'ACCESS_PROFILE', id: profile.id, removeDate: null, source: 'REQUEST', grantedBy: null });
    initialHoldings.set(identity.id, held);
  });

  return {
    admin,
    identities,
    items,
    identityById: new Map([admin, ...identities].map((x) => [x.id, x])),
    itemById: new Map(items.map((x) => [x.id, x])),
    initialHoldings,
  };
}
