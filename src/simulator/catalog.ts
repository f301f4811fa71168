import { type RandomStreams } from './prng';

/**
 * The seeded tenant: identities with managers, requestable items, and what each identity holds at
 * start. Some access is held through a role or as a birthright so the revoke rule that forbids
 * revoking such access can be exercised.
 */
export const ITEM_TYPES = ['ROLE', 'ACCESS_PROFILE', 'ENTITLEMENT'] as const;
export type ItemType = (typeof ITEM_TYPES)[number];

/** How an identity came to hold access: only `REQUEST` access may be revoked by an access request. */
export const ACCESS_SOURCES = ['REQUEST', 'ROLE', 'BIRTHRIGHT'] as const;
export type AccessSource = (typeof ACCESS_SOURCES)[number];

/** Identity attribute values as an identity profile maps them; HR sends strings, numbers or flags. */
export type AttributeValue = string | number | boolean;
export type IdentityAttributes = Record<string, AttributeValue>;

export interface CatalogIdentity {
  id: string;
  name: string;
  managerId: string | null;
  /** What ISC's identity profile would map from HR: employeeNumber, department, cloudLifecycleState, ... */
  attributes: IdentityAttributes;
}

/** A source (connected system) that items and identities come from. */
export interface CatalogSource {
  id: string;
  name: string;
  /** The connector type ISC shows in `source.type`. */
  type: string;
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
  /** As seeded; identities created or changed at run time live in the identity directory. */
  identities: CatalogIdentity[];
  items: CatalogItem[];
  itemById: Map<string, CatalogItem>;
  initialHoldings: Map<string, Holding[]>;
  /** The authoritative HR source identities are aggregated from. */
  hrSource: CatalogSource;
  /** The directory every access profile and entitlement lives on. */
  accessSource: CatalogSource;
  identityProfile: { id: string; name: string };
}

/**
 * When the seeded tenant came to be: the `created`/`modified` of seeded identities and items. A fixed
 * instant keeps the catalog the same for the same seed, whenever it is built.
 */
export const SEEDED_AT = Date.UTC(2024, 0, 1);

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
const LOCATIONS = ['London', 'Paris', 'Berlin', 'Lisbon', 'New York', 'Austin', 'Toronto', 'Singapore'];
/** Employee numbers as HR issues them: `E1000` for the first seeded identity, `E1049` for the 50th. */
const FIRST_EMPLOYEE_NUMBER = 1000;
const CONTRACTOR_RATE = 0.2;

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

/** The group an entitlement stands for on the directory source: its `value` (attribute `memberOf`). */
export const entitlementValue = (name: string): string => `CN=${name},OU=Groups,DC=iscflow,DC=example`;

const isPlain = (index: number): boolean => index % 10 !== 3 && index % 10 !== 7;

/** The address HR would give a person: lower case, dots between the parts, unique through the index. */
const emailOf = (...parts: (string | number)[]): string => `${parts.join('.').toLowerCase()}@iscflow.example`;

/**
 * The attributes an identity profile maps from HR for seeded identity `index`. They draw from the
 * `attributes` stream only, after every `catalog` draw, so they changed no id when they were added.
 */
function hrAttributes(rng: RandomStreams, index: number, identity: CatalogIdentity, first: string, last: string) {
  return {
    employeeNumber: `E${FIRST_EMPLOYEE_NUMBER + index}`,
    firstname: first,
    lastname: last,
    displayName: identity.name,
    email: emailOf(first, last, index),
    department: rng.pick('attributes', AREAS),
    location: rng.pick('attributes', LOCATIONS),
    workerType: rng.chance('attributes', CONTRACTOR_RATE) ? 'contractor' : 'employee',
    cloudLifecycleState: 'active',
  } satisfies IdentityAttributes;
}

export function buildCatalog(rng: RandomStreams, sizes: CatalogSizes): Catalog {
  const admin: CatalogIdentity = { id: rng.hexId('catalog'), name: 'iscflow-sim', managerId: null, attributes: {} };
  const identities: CatalogIdentity[] = [];
  const names: { first: string; last: string }[] = [];
  const managerCount = Math.max(1, Math.min(5, Math.floor(sizes.identities / 10)));
  for (let i = 0; i < sizes.identities; i++) {
    const manager = i < managerCount ? undefined : identities[i % managerCount];
    const id = rng.hexId('catalog');
    const first = rng.pick('catalog', FIRST);
    const last = rng.pick('catalog', LAST);
    names.push({ first, last });
    identities.push({ id, name: `${first} ${last} ${i}`, managerId: manager?.id ?? null, attributes: {} });
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

  // Everything below draws from `attributes` only: see hrAttributes.
  const hrSource: CatalogSource = { id: rng.hexId('attributes'), name: 'Workday', type: 'Workday' };
  const accessSource: CatalogSource = {
    id: rng.hexId('attributes'),
    name: 'Active Directory',
    type: 'Active Directory - Direct',
  };
  const identityProfile = { id: rng.hexId('attributes'), name: 'Employees' };
  // The token's identity is an API client, not a person HR knows: no employeeNumber, no department.
  admin.attributes = {
    firstname: 'iscflow',
    lastname: 'sim',
    displayName: admin.name,
    email: emailOf(admin.name),
    cloudLifecycleState: 'active',
  };
  identities.forEach((identity, i) => {
    const name = names[i];
    if (name) identity.attributes = hrAttributes(rng, i, identity, name.first, name.last);
  });

  return {
    admin,
    identities,
    items,
    itemById: new Map(items.map((x) => [x.id, x])),
    initialHoldings,
    hrSource,
    accessSource,
    identityProfile,
  };
}
