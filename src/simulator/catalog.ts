/**
 * The seeded tenant: identities with managers, requestable items, and what each identity holds at
 * start. Some access is held through a role or as a birthright so the revoke rule that forbids
 * revoking such access can be exercised.
 */
import { type RandomStreams } from './prng';

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

interface SeededPerson {
  identity: CatalogIdentity;
  first: string;
  last: string;
}

interface SeededItems {
  roles: CatalogItem[];
  accessProfiles: CatalogItem[];
  entitlements: CatalogItem[];
}

/** Identities with their names; the first few (one in ten, one to five) manage the rest in turn. */
function seedPeople(rng: RandomStreams, count: number): SeededPerson[] {
  const people: SeededPerson[] = [];
  const managerCount = Math.max(1, Math.min(5, Math.floor(count / 10)));
  for (let i = 0; i < count; i++) {
    const manager = i < managerCount ? undefined : people[i % managerCount];
    const id = rng.hexId('catalog');
    const first = rng.pick('catalog', FIRST);
    const last = rng.pick('catalog', LAST);
    const identity = { id, name: `${first} ${last} ${i}`, managerId: manager?.identity.id ?? null, attributes: {} };
    people.push({ identity, first, last });
  }
  return people;
}

/**
 * Entitlements (the first ones birthrights), then roles bundling two plain entitlements each, then access
 * profiles. The draw order is part of the seed's meaning: each id and name is drawn as it always was.
 */
function seedItems(rng: RandomStreams, sizes: CatalogSizes): SeededItems {
  const entitlements: CatalogItem[] = [];
  for (let i = 0; i < sizes.entitlements; i++) {
    const name = i < BIRTHRIGHT_NAMES.length ? `${BIRTHRIGHT_NAMES[i]}` : itemName('Entitlement', i, rng);
    entitlements.push({ type: 'ENTITLEMENT', id: rng.hexId('catalog'), name, entitlementIds: [] });
  }
  const bundleable = entitlements.filter((e, i) => i >= BIRTHRIGHT_NAMES.length && isPlain(i));
  const roles: CatalogItem[] = [];
  for (let i = 0; i < sizes.roles; i++) {
    const bundle = bundleable.length === 0 ? [] : [0, 1].map((k) => bundleable[(i * 2 + k) % bundleable.length]);
    const id = rng.hexId('catalog');
    const entitlementIds = [...new Set(bundle.flatMap((e) => (e ? [e.id] : [])))];
    roles.push({ type: 'ROLE', id, name: itemName('Role', i, rng), entitlementIds });
  }
  const accessProfiles: CatalogItem[] = [];
  for (let i = 0; i < sizes.accessProfiles; i++) {
    const id = rng.hexId('catalog');
    accessProfiles.push({ type: 'ACCESS_PROFILE', id, name: itemName('Access Profile', i, rng), entitlementIds: [] });
  }
  return { roles, accessProfiles, entitlements };
}

const requested = (type: ItemType, id: string): Holding => ({
  type,
  id,
  removeDate: null,
  source: 'REQUEST',
  grantedBy: null,
});

/**
 * What each identity holds at start: every birthright; every fourth identity a plain role (with the
 * entitlements it grants), every fifth a plain access profile, both as if once requested.
 */
function seedHoldings(
  identities: CatalogIdentity[],
  { roles, accessProfiles, entitlements }: SeededItems,
): Map<string, Holding[]> {
  const birthrights = entitlements.slice(0, BIRTHRIGHT_NAMES.length);
  const plainRoles = roles.filter((_, i) => isPlain(i));
  const plainProfiles = accessProfiles.filter((_, i) => isPlain(i));
  const holdings = new Map<string, Holding[]>();
  identities.forEach((identity, i) => {
    const held: Holding[] = birthrights.map((e) => ({ ...requested('ENTITLEMENT', e.id), source: 'BIRTHRIGHT' }));
    const role = plainRoles[i % Math.max(1, plainRoles.length)];
    if (i % 4 === 1 && role) {
      held.push(requested('ROLE', role.id));
      for (const entitlementId of role.entitlementIds) {
        held.push({ ...requested('ENTITLEMENT', entitlementId), source: 'ROLE', grantedBy: role.id });
      }
    }
    const profile = plainProfiles[i % Math.max(1, plainProfiles.length)];
    if (i % 5 === 2 && profile) held.push(requested('ACCESS_PROFILE', profile.id));
    holdings.set(identity.id, held);
  });
  return holdings;
}

/** The token's identity is an API client, not a person HR knows: no employeeNumber, no department. */
function adminAttributes(admin: CatalogIdentity): IdentityAttributes {
  return {
    firstname: 'iscflow',
    lastname: 'sim',
    displayName: admin.name,
    email: emailOf(admin.name),
    cloudLifecycleState: 'active',
  };
}

/** Builds the seeded tenant; the same seed and sizes give the same tenant, id for id. */
export function buildCatalog(rng: RandomStreams, sizes: CatalogSizes): Catalog {
  const admin: CatalogIdentity = { id: rng.hexId('catalog'), name: 'iscflow-sim', managerId: null, attributes: {} };
  const people = seedPeople(rng, sizes.identities);
  const identities = people.map((p) => p.identity);
  const seeded = seedItems(rng, sizes);
  const items = [...seeded.roles, ...seeded.accessProfiles, ...seeded.entitlements];

  // Everything below draws from `attributes` only: see hrAttributes.
  const hrSource: CatalogSource = { id: rng.hexId('attributes'), name: 'Workday', type: 'Workday' };
  const accessSource: CatalogSource = {
    id: rng.hexId('attributes'),
    name: 'Active Directory',
    type: 'Active Directory - Direct',
  };
  const identityProfile = { id: rng.hexId('attributes'), name: 'Employees' };
  admin.attributes = adminAttributes(admin);
  people.forEach(({ identity, first, last }, i) => {
    identity.attributes = hrAttributes(rng, i, identity, first, last);
  });

  return {
    admin,
    identities,
    items,
    itemById: new Map(items.map((x) => [x.id, x])),
    initialHoldings: seedHoldings(identities, seeded),
    hrSource,
    accessSource,
    identityProfile,
  };
}
