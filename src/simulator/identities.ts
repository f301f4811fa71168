/**
 * The tenant's identities as they are now: the seeded ones (with attributes an HR aggregation may have
 * changed since) and those an HR aggregation created at run time. The catalog stays the seed; this is
 * what requests, approvals, search and the control API read.
 */
import { type AttributeValue, type Catalog, type IdentityAttributes, SEEDED_AT } from './catalog';
import { conflict, notFound } from './errors';

export interface SimIdentity {
  id: string;
  name: string;
  managerId: string | null;
  attributes: IdentityAttributes;
  /** Epoch ms; seeded identities were created at {@link SEEDED_AT}. */
  created: number;
  modified: number;
  /** True for identities created through `POST /__sim/identities`. */
  createdAtRunTime: boolean;
}

/** An attribute change: a value sets it, `null` removes it. */
export type AttributePatch = Record<string, AttributeValue | null>;

/** What survives a restart: run-time identities whole, seeded ones only when their attributes changed. */
export interface DirectorySnapshot {
  created: SimIdentity[];
  changed: { id: string; attributes: IdentityAttributes; modified: number }[];
}

const employeeNumberOf = (attributes: IdentityAttributes): string | undefined => {
  const value = attributes.employeeNumber;
  return value === undefined ? undefined : String(value);
};

/** Employee numbers are compared as ISC search compares them: case-insensitively. */
const employeeKey = (value: string): string => value.toLowerCase();

export class IdentityDirectory {
  private readonly byId = new Map<string, SimIdentity>();
  private readonly byEmployeeNumber = new Map<string, SimIdentity>();
  private changes = 0;
  private managers: { version: number; ids: Set<string> } | undefined;

  constructor(private readonly catalog: Catalog) {
    this.reset();
  }

  /** Bumped by every change: part of the state's fingerprint (see persistence). */
  get version(): number {
    return this.changes;
  }

  get admin(): SimIdentity {
    const admin = this.byId.get(this.catalog.admin.id);
    if (!admin) throw new Error('the admin identity is missing from the directory');
    return admin;
  }

  get(id: string): SimIdentity | undefined {
    return this.byId.get(id);
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  nameOf(id: string): string {
    return this.byId.get(id)?.name ?? id;
  }

  /** Admin first, then the seeded identities, then those created at run time, in creation order. */
  all(): SimIdentity[] {
    return [...this.byId.values()];
  }

  /** Every identity except the admin: what `GET /__sim/catalog` lists as `identities`. */
  people(): SimIdentity[] {
    return this.all().filter((identity) => identity.id !== this.catalog.admin.id);
  }

  findByEmployeeNumber(employeeNumber: string): SimIdentity | undefined {
    return this.byEmployeeNumber.get(employeeKey(employeeNumber));
  }

  /** Whether any identity reports to `id`. */
  isManager(id: string): boolean {
    if (this.managers?.version !== this.changes) {
      const ids = new Set<string>();
      for (const identity of this.byId.values()) if (identity.managerId !== null) ids.add(identity.managerId);
      this.managers = { version: this.changes, ids };
    }
    return this.managers.ids.has(id);
  }

  /**
   * An identity as an HR aggregation creates it: it holds nothing and reports to the admin, so its
   * requests are approved like any other. 409 when the employee number is taken.
   */
  create(name: string, attributes: IdentityAttributes, now: number, newId: () => string): SimIdentity {
    // Checked before the id is drawn: a refused identity leaves the id stream where it was.
    this.checkEmployeeNumber(attributes, undefined);
    const identity: SimIdentity = {
      id: newId(),
      name,
      managerId: this.catalog.admin.id,
      attributes: { ...attributes },
      created: now,
      modified: now,
      createdAtRunTime: true,
    };
    this.add(identity);
    this.changes++;
    return identity;
  }

  /** Applies an HR change (a mover): values set attributes, nulls remove them. 404/409 as ISC would. */
  patch(id: string, patch: AttributePatch, now: number): SimIdentity {
    const identity = this.byId.get(id);
    if (!identity) throw notFound(`Identity ${id} was not found.`);
    const attributes: IdentityAttributes = { ...identity.attributes };
    for (const [key, value] of Object.entries(patch)) {
      if (value === null) delete attributes[key];
      else attributes[key] = value;
    }
    this.checkEmployeeNumber(attributes, identity);
    const before = employeeNumberOf(identity.attributes);
    if (before !== undefined) this.byEmployeeNumber.delete(employeeKey(before));
    identity.attributes = attributes;
    identity.modified = now;
    const after = employeeNumberOf(attributes);
    if (after !== undefined) this.byEmployeeNumber.set(employeeKey(after), identity);
    this.changes++;
    return identity;
  }

  /** Back to the seeded identities and attributes. */
  reset(): void {
    this.byId.clear();
    this.byEmployeeNumber.clear();
    for (const seeded of [this.catalog.admin, ...this.catalog.identities]) {
      this.add({
        ...seeded,
        attributes: { ...seeded.attributes },
        created: SEEDED_AT,
        modified: SEEDED_AT,
        createdAtRunTime: false,
      });
    }
    this.changes++;
  }

  /** Like the engine's snapshot, it shares live objects: serialize it at once. */
  snapshot(): DirectorySnapshot {
    const all = this.all();
    return {
      created: all.filter((i) => i.createdAtRunTime),
      changed: all
        .filter((i) => !i.createdAtRunTime && i.modified !== SEEDED_AT)
        .map(({ id, attributes, modified }) => ({ id, attributes, modified })),
    };
  }

  /** Throws (plain Error: the caller names the file) when the snapshot does not fit the seeded catalog. */
  restore(snapshot: DirectorySnapshot): void {
    this.reset();
    for (const { id, attributes, modified } of snapshot.changed) {
      const identity = this.byId.get(id);
      if (!identity) throw new Error(`identity ${id} is not in the seeded catalog`);
      identity.attributes = { ...attributes };
      identity.modified = modified;
    }
    for (const identity of snapshot.created) {
      if (this.byId.has(identity.id)) throw new Error(`identity ${identity.id} is listed twice`);
      this.byId.set(identity.id, { ...identity, attributes: { ...identity.attributes }, createdAtRunTime: true });
    }
    // Indexed once everything is in place: two identities that swapped numbers are legal, a shared one is not.
    this.byEmployeeNumber.clear();
    for (const identity of this.byId.values()) {
      const number = employeeNumberOf(identity.attributes);
      if (number === undefined) continue;
      const holder = this.byEmployeeNumber.get(employeeKey(number));
      if (holder) throw new Error(`employeeNumber ${number} belongs to both ${holder.id} and ${identity.id}`);
      this.byEmployeeNumber.set(employeeKey(number), identity);
    }
    this.changes++;
  }

  private add(identity: SimIdentity): void {
    this.byId.set(identity.id, identity);
    const number = employeeNumberOf(identity.attributes);
    if (number !== undefined) this.byEmployeeNumber.set(employeeKey(number), identity);
  }

  private checkEmployeeNumber(attributes: IdentityAttributes, self: SimIdentity | undefined): void {
    const number = employeeNumberOf(attributes);
    if (number === undefined) return;
    const holder = this.byEmployeeNumber.get(employeeKey(number));
    if (holder && holder !== self)
      throw conflict(`employeeNumber ${number} already belongs to identity ${holder.id} (${holder.name}).`);
  }
}
