/**
 * The simulated tenant's state and every state transition. Time-driven transitions sit in a min-heap
 * and are applied, in due-time order, by {@link Engine.catchUp} at the start of every HTTP request:
 * no timers, deterministic, and cheap when nothing is due.
 */
import { type Catalog, type CatalogItem, type Holding, type ItemType } from './catalog';
import { type SimClock } from './clock';
import { type SimulatorConfig } from './config';
import { badRequest, message, notFound } from './errors';
import { MinHeap, type Scheduled } from './heap';
import { type IdentityDirectory } from './identities';
import { type IscRequestState } from '../common/isc-states';
import { IN_PROGRESS_STATES, type Phase, type RequestItem, type RequestType } from './model';
import { type RandomStreams } from './prng';

export interface PlannedItem {
  item: CatalogItem;
  comment: string | null;
  clientMetadata: Record<string, string> | null;
  removeDate: string | null;
  startDate: string | null;
}

export interface SubmissionPlan {
  requestType: RequestType;
  perIdentity: { identityId: string; items: PlannedItem[] }[];
}

export interface Tracking {
  requestedFor: string;
  requestedItemsDetails: { type: ItemType; id: string }[];
  attributesHash: number;
  accessRequestIds: string[];
}

export interface SubmissionResult {
  newRequests: Tracking[];
  existingRequests: Tracking[];
  created: RequestItem[];
}

type Event =
  | { kind: 'decide'; item: RequestItem }
  | { kind: 'startProvisioning'; item: RequestItem }
  | { kind: 'provisioned'; item: RequestItem }
  | { kind: 'expire'; identityId: string; key: string; removeDate: string };

/** A scheduled transition as saved: the row it moves is named by its `seq`. */
export type SavedEvent =
  | { kind: 'decide' | 'startProvisioning' | 'provisioned'; row: number }
  | { kind: 'expire'; identityId: string; key: string; removeDate: string };

/** A request row as saved: everything but the cached JSON. */
export type SavedRow = Omit<RequestItem, 'json'>;

/**
 * Everything the engine holds, JSON-safe. Indexes are not saved: they are rebuilt from the rows, in
 * `seq` order, which is the order they were built in.
 */
export interface EngineSnapshot {
  seq: number;
  rows: SavedRow[];
  /** Non-final rows that later submissions are matched against as pending duplicates, by row `seq`. */
  pendingKeys: [string, number][];
  holdings: [string, Holding[]][];
  scheduled: Scheduled<SavedEvent>[];
  nextScheduleSeq: number;
}

const FINAL_COMMENT_DUPLICATE = 'Cancelled as a duplicate: the identity already holds this access with the same dates.';
const RULE_REJECT = /restricted/i;
const RULE_FAIL = /broken/i;

const holdingKey = (type: ItemType, id: string): string => `${type}:${id}`;

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** A stable int32 of the request attributes, standing in for ISC's attributesHash. */
function attributesHash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h | 0;
}

/** What ISC answers for one identity's rows of a submission: the items, their hash and their requests. */
function trackingOf(
  requestType: RequestType,
  identityId: string,
  rows: RequestItem[],
  accessRequestIds: string[],
): Tracking {
  const attributes = rows.map((r) => `${r.itemType}:${r.itemId}:${r.removeDate ?? ''}:${r.startDate ?? ''}`);
  return {
    requestedFor: identityId,
    requestedItemsDetails: rows.map((r) => ({ type: r.itemType, id: r.itemId })),
    attributesHash: attributesHash(`${requestType}|${identityId}|${attributes.join(',')}`),
    accessRequestIds,
  };
}

/** Normalises a date for comparison and display (ISO with milliseconds, UTC). */
function normaliseDate(value: string | null): string | null {
  return value === null ? null : new Date(value).toISOString();
}

export class Engine {
  readonly heap = new MinHeap<Event>();
  readonly all: RequestItem[] = [];
  readonly visible: RequestItem[] = [];
  readonly byAccessRequestId = new Map<string, RequestItem[]>();
  readonly byActivityItemId = new Map<string, RequestItem>();
  readonly byIdentity = new Map<string, RequestItem[]>();
  readonly byRequester = new Map<string, RequestItem[]>();
  readonly byApprovalOwner = new Map<string, RequestItem[]>();
  readonly approvals = new Map<string, RequestItem>();
  readonly pendingApprovals = new Map<string, RequestItem>();
  readonly inProgress = new Set<RequestItem>();
  /** Non-final rows by request type, identity and item: how pending duplicates are found. */
  private readonly pendingByKey = new Map<string, RequestItem>();
  readonly holdings = new Map<string, Map<string, Holding>>();
  private seq = 0;
  private changes = 0;

  constructor(
    readonly catalog: Catalog,
    private readonly identities: IdentityDirectory,
    private readonly clock: SimClock,
    private readonly random: RandomStreams,
    private readonly config: () => SimulatorConfig,
  ) {
    this.reset();
  }

  /** Bumped by every change of rows, approvals, holdings or the schedule: part of the state's fingerprint. */
  get version(): number {
    return this.changes;
  }

  reset(): void {
    this.changes++;
    this.heap.clear();
    for (const collection of [this.all, this.visible]) collection.length = 0;
    for (const map of [
      this.byAccessRequestId,
      this.byActivityItemId,
      this.byIdentity,
      this.byRequester,
      this.byApprovalOwner,
    ])
      map.clear();
    this.approvals.clear();
    this.pendingApprovals.clear();
    this.inProgress.clear();
    this.pendingByKey.clear();
    this.holdings.clear();
    this.seq = 0;
    for (const identity of this.catalog.identities) {
      const held = this.catalog.initialHoldings.get(identity.id) ?? [];
      this.holdings.set(identity.id, new Map(held.map((h) => [holdingKey(h.type, h.id), { ...h }])));
    }
  }

  /** Applies every transition due by now, each at its own due time. */
  catchUp(now: number = this.clock.now()): void {
    for (let next = this.heap.peek(); next && next.at <= now; next = this.heap.peek()) {
      this.heap.pop();
      this.changes++;
      this.apply(next.value, next.at);
    }
  }

  heldBy(identityId: string): Map<string, Holding> {
    let held = this.holdings.get(identityId);
    if (!held) {
      held = new Map();
      this.holdings.set(identityId, held);
    }
    return held;
  }

  holding(identityId: string, type: ItemType, id: string): Holding | undefined {
    return this.holdings.get(identityId)?.get(holdingKey(type, id));
  }

  /**
   * Takes access away outside any access request, as an administrator or a certification does in ISC
   * (entitlements a role brought go with it). False when the identity did not hold it.
   */
  takeAway(identityId: string, type: ItemType, id: string): boolean {
    const holding = this.holding(identityId, type, id);
    if (!holding) return false;
    this.changes++;
    this.removeHolding(identityId, holding);
    return true;
  }

  /**
   * Gives access outside any access request, as if granted long ago by one (a request's access: an access
   * request may revoke it). What the identity already holds is left as it is. Answers how many were new.
   */
  give(grants: ReadonlyArray<{ identityId: string; type: ItemType; id: string }>): number {
    this.changes++;
    let added = 0;
    for (const { identityId, type, id } of grants) {
      const held = this.heldBy(identityId);
      const key = holdingKey(type, id);
      if (held.has(key)) continue;
      held.set(key, { type, id, removeDate: null, source: 'REQUEST', grantedBy: null });
      added += 1;
      for (const entitlementId of this.catalog.itemById.get(id)?.entitlementIds ?? []) {
        const entitlementKey = holdingKey('ENTITLEMENT', entitlementId);
        if (!held.has(entitlementKey)) {
          const viaRole: Holding = {
            type: 'ENTITLEMENT',
            id: entitlementId,
            removeDate: null,
            source: 'ROLE',
            grantedBy: id,
          };
          held.set(entitlementKey, viaRole);
        }
      }
    }
    return added;
  }

  submit(plan: SubmissionPlan): SubmissionResult {
    const now = this.clock.now();
    const legacy = this.config().profile === 'legacy';
    const result: SubmissionResult = { newRequests: [], existingRequests: [], created: [] };
    this.changes++;
    for (const { identityId, items } of plan.perIdentity) {
      const accessRequestId = this.random.hexId();
      const fresh: RequestItem[] = [];
      const existing: RequestItem[] = [];
      for (const planned of items) {
        const key = `${plan.requestType}|${identityId}|${holdingKey(planned.item.type, planned.item.id)}`;
        const pending = legacy ? undefined : this.pendingByKey.get(key);
        if (pending) {
          existing.push(pending);
          continue;
        }
        const row = this.createRow(plan.requestType, identityId, accessRequestId, planned, now);
        if (!this.place(row, key, legacy, now)) continue;
        fresh.push(row);
        result.created.push(row);
      }
      if (fresh.length > 0) result.newRequests.push(trackingOf(plan.requestType, identityId, fresh, [accessRequestId]));
      if (existing.length > 0) {
        const accessRequestIds = [...new Set(existing.map((r) => r.accessRequestId))];
        result.existingRequests.push(trackingOf(plan.requestType, identityId, existing, accessRequestIds));
      }
    }
    return result;
  }

  /**
   * Starts a new row on its way to approval, or, when a grant asks for access already held with the same
   * dates, finishes it at once as a duplicate. Older tenants drop such a grant (any dates) without a trace
   * in the status API: then the row is not placed and this answers false.
   */
  private place(row: RequestItem, pendingKey: string, legacy: boolean, now: number): boolean {
    const held = this.holding(row.identityId, row.itemType, row.itemId);
    const sameDates = held !== undefined && held.removeDate === row.removeDate;
    if (row.requestType !== 'GRANT_ACCESS' || !held || !(legacy || sameDates)) {
      this.index(row);
      this.inProgress.add(row);
      if (!legacy) this.pendingByKey.set(pendingKey, row);
      this.startApproval(row, now);
      return true;
    }
    if (legacy) {
      row.ignored = true;
      row.stage = 'DONE';
      row.state = 'REQUEST_COMPLETED';
      row.phases = [];
      this.all.push(row);
      return false;
    }
    this.index(row);
    this.finishDuplicate(row, now);
    return true;
  }

  private createRow(
    requestType: RequestType,
    identityId: string,
    accessRequestId: string,
    planned: PlannedItem,
    now: number,
  ): RequestItem {
    const config = this.config();
    return {
      seq: this.seq++,
      accessRequestId,
      accountActivityItemId: this.random.hexId(),
      requestType,
      identityId,
      itemType: planned.item.type,
      itemId: planned.item.id,
      itemName: planned.item.name,
      requesterId: this.catalog.admin.id,
      comment: planned.comment,
      clientMetadata: planned.clientMetadata,
      created: now,
      modified: now,
      removeDate: normaliseDate(planned.removeDate),
      startDate: normaliseDate(planned.startDate),
      state: 'EXECUTING',
      stage: 'APPROVAL',
      approval: null,
      phases: [],
      errorMessages: null,
      cancelled: null,
      outcome: this.drawOutcome(planned.item, config),
      ignored: false,
      json: null,
    };
  }

  /** A fixed delay, or (with `delayMaxMs`) a uniform draw between the two: approvers do not all answer at once. */
  private approvalDelay(config: SimulatorConfig): number {
    const { delayMs, delayMaxMs } = config.approval;
    if (delayMaxMs <= delayMs) return delayMs;
    return delayMs + Math.floor(this.random.next('approval') * (delayMaxMs - delayMs));
  }

  private drawOutcome(item: CatalogItem, config: SimulatorConfig): RequestItem['outcome'] {
    if (RULE_FAIL.test(item.name)) return 'PROVISIONING_FAILED';
    if (!this.random.chance('provisioning', config.provisioning.failRate)) return 'SUCCESS';
    return this.random.next('provisioning') < 0.5 ? 'PROVISIONING_FAILED' : 'ERROR';
  }

  private index(row: RequestItem): void {
    this.all.push(row);
    this.visible.push(row);
    push(this.byAccessRequestId, row.accessRequestId, row);
    this.byActivityItemId.set(row.accountActivityItemId, row);
    push(this.byIdentity, row.identityId, row);
    push(this.byRequester, row.requesterId, row);
  }

  private touch(row: RequestItem, at: number): void {
    row.modified = at;
    row.json = null;
    this.changes++;
  }

  private phase(name: Phase['name'], state: Phase['state'], at: number): Phase {
    return { name, state, result: null, started: this.clock.iso(at), finished: null, phaseReference: null };
  }

  private closePhase(row: RequestItem, state: Phase['state'], result: Phase['result'], at: number): void {
    const open = row.phases[row.phases.length - 1];
    if (open && open.finished === null) {
      open.state = state;
      open.result = result;
      open.finished = this.clock.iso(at);
    }
  }

  private finishDuplicate(row: RequestItem, at: number): void {
    row.state = 'CANCELLED';
    row.stage = 'DONE';
    row.phases = [{ ...this.phase('APPROVAL_PHASE', 'NOT_EXECUTED', at), finished: this.clock.iso(at) }];
    row.cancelled = { comment: FINAL_COMMENT_DUPLICATE, ownerId: this.catalog.admin.id, modified: at };
    this.touch(row, at);
  }

  private startApproval(row: RequestItem, at: number): void {
    const config = this.config();
    const ownerId = this.identities.get(row.identityId)?.managerId ?? this.catalog.admin.id;
    row.approval = { id: this.random.hexId(), status: 'PENDING', ownerId, comment: null, created: at, modified: at };
    row.phases.push({ ...this.phase('APPROVAL_PHASE', 'EXECUTING', at), phaseReference: 'approvalDetails' });
    this.approvals.set(row.approval.id, row);
    this.pendingApprovals.set(row.approval.id, row);
    push(this.byApprovalOwner, ownerId, row);
    if (config.approval.mode === 'auto') this.heap.push(at + this.approvalDelay(config), { kind: 'decide', item: row });
  }

  private apply(event: Event, at: number): void {
    switch (event.kind) {
      case 'decide': {
        const row = event.item;
        if (row.approval?.status !== 'PENDING') return;
        if (RULE_REJECT.test(row.itemName))
          this.reject(row, 'Rejected by rule: restricted items are never approved automatically.', at);
        else if (this.random.chance('approval', this.config().approval.rejectRate))
          this.reject(row, 'Rejected by the simulated approver.', at);
        else this.approve(row, 'Approved automatically.', at);
        return;
      }
      case 'startProvisioning':
        if (event.item.stage === 'SCHEDULED') this.startProvisioning(event.item, at);
        return;
      case 'provisioned':
        if (event.item.stage === 'PROVISIONING') this.finishProvisioning(event.item, at);
        return;
      case 'expire': {
        const held = this.holdings.get(event.identityId);
        const current = held?.get(event.key);
        if (held && current && current.removeDate === event.removeDate) this.removeHolding(event.identityId, current);
        return;
      }
    }
  }

  approve(row: RequestItem, comment: string | null, at: number): void {
    if (!this.decide(row, 'APPROVED', comment, at)) return;
    const start = row.startDate === null ? at : Math.max(at, Date.parse(row.startDate));
    if (start > at) {
      row.stage = 'SCHEDULED';
      row.phases.push(this.phase('PROVISIONING_PHASE', 'PENDING', at));
      this.heap.push(start, { kind: 'startProvisioning', item: row });
    } else {
      this.startProvisioning(row, at);
    }
    this.touch(row, at);
  }

  reject(row: RequestItem, comment: string | null, at: number): void {
    if (this.decide(row, 'REJECTED', comment, at)) this.finish(row, 'REJECTED', at);
  }

  /** Records the approver's decision and closes the approval phase; false when the row has no approval. */
  private decide(row: RequestItem, status: 'APPROVED' | 'REJECTED', comment: string | null, at: number): boolean {
    const approval = row.approval;
    if (!approval) return false;
    approval.status = status;
    approval.comment = comment;
    approval.modified = at;
    this.pendingApprovals.delete(approval.id);
    this.closePhase(row, 'COMPLETED', status === 'APPROVED' ? 'SUCCESSFUL' : 'FAILED', at);
    return true;
  }

  private startProvisioning(row: RequestItem, at: number): void {
    row.stage = 'PROVISIONING';
    const open = row.phases[row.phases.length - 1];
    if (open?.name === 'PROVISIONING_PHASE' && open.finished === null) open.state = 'EXECUTING';
    else row.phases.push(this.phase('PROVISIONING_PHASE', 'EXECUTING', at));
    this.heap.push(at + this.config().provisioning.delayMs, { kind: 'provisioned', item: row });
    this.touch(row, at);
  }

  private finishProvisioning(row: RequestItem, at: number): void {
    if (row.outcome === 'SUCCESS') {
      this.closePhase(row, 'COMPLETED', 'SUCCESSFUL', at);
      this.applyAccessChange(row);
      this.finish(row, 'REQUEST_COMPLETED', at);
      return;
    }
    this.closePhase(row, 'COMPLETED', 'FAILED', at);
    const siblings = this.byAccessRequestId.get(row.accessRequestId) ?? [];
    // A failed row of a request that otherwise succeeds (or will) reports the partial failure.
    const partial = siblings.some(
      (s) =>
        s !== row &&
        s.outcome === 'SUCCESS' &&
        (s.state === 'REQUEST_COMPLETED' || (IN_PROGRESS_STATES.has(s.state) && s.approval?.status !== 'REJECTED')),
    );
    const text =
      row.outcome === 'ERROR'
        ? `An unexpected error occurred while provisioning ${row.itemName}.`
        : `The connector failed to provision ${row.itemName}: target system refused the change.`;
    row.errorMessages = [[message(text)]];
    this.finish(row, partial ? 'NOT_ALL_ITEMS_PROVISIONED' : row.outcome, at);
  }

  private applyAccessChange(row: RequestItem): void {
    const held = this.heldBy(row.identityId);
    const key = holdingKey(row.itemType, row.itemId);
    const lag = this.config().removalLagMs;
    if (row.requestType === 'GRANT_ACCESS') {
      const holding: Holding = {
        type: row.itemType,
        id: row.itemId,
        removeDate: row.removeDate,
        source: 'REQUEST',
        grantedBy: null,
      };
      held.set(key, holding);
      const item = this.catalog.itemById.get(row.itemId);
      for (const entitlementId of item?.entitlementIds ?? []) {
        const entitlementKey = holdingKey('ENTITLEMENT', entitlementId);
        if (!held.has(entitlementKey)) {
          held.set(entitlementKey, {
            type: 'ENTITLEMENT',
            id: entitlementId,
            removeDate: null,
            source: 'ROLE',
            grantedBy: row.itemId,
          });
        }
      }
      if (row.removeDate !== null) this.scheduleExpiry(row.identityId, key, row.removeDate, lag);
      return;
    }
    const current = held.get(key);
    if (!current) return;
    if (row.removeDate !== null) {
      current.removeDate = row.removeDate;
      this.scheduleExpiry(row.identityId, key, row.removeDate, lag);
    } else {
      this.removeHolding(row.identityId, current);
    }
  }

  private scheduleExpiry(identityId: string, key: string, removeDate: string, lagMs: number): void {
    this.heap.push(Date.parse(removeDate) + lagMs, { kind: 'expire', identityId, key, removeDate });
  }

  private removeHolding(identityId: string, holding: Holding): void {
    const held = this.heldBy(identityId);
    held.delete(holdingKey(holding.type, holding.id));
    if (holding.type !== 'ROLE') return;
    for (const [key, h] of held) if (h.source === 'ROLE' && h.grantedBy === holding.id) held.delete(key);
  }

  private finish(row: RequestItem, state: IscRequestState, at: number): void {
    row.state = state;
    row.stage = 'DONE';
    this.inProgress.delete(row);
    const key = `${row.requestType}|${row.identityId}|${holdingKey(row.itemType, row.itemId)}`;
    if (this.pendingByKey.get(key) === row) this.pendingByKey.delete(key);
    this.touch(row, at);
  }

  /** Rows of an access request that are still before the end of their approval step. */
  private cancelableRows(accessRequestId: string): RequestItem[] {
    const rows = this.byAccessRequestId.get(accessRequestId);
    if (!rows) throw notFound(`Access request ${accessRequestId} was not found.`);
    const open = rows.filter(isCancelable);
    if (open.length === 0) {
      throw badRequest(
        `Access request ${accessRequestId} cannot be cancelled: it has already passed the approval step or is complete.`,
      );
    }
    return open;
  }

  /** Validates every id first so a bulk call is all-or-nothing. */
  cancel(accessRequestIds: string[], comment: string): void {
    const at = this.clock.now();
    const rows = accessRequestIds.flatMap((id) => this.cancelableRows(id));
    for (const row of rows) {
      if (row.approval) {
        row.approval.status = 'CANCELLED';
        row.approval.modified = at;
        this.pendingApprovals.delete(row.approval.id);
      }
      this.closePhase(row, 'CANCELLED', null, at);
      row.cancelled = { comment, ownerId: this.catalog.admin.id, modified: at };
      this.finish(row, 'CANCELLED', at);
    }
  }

  /** Closes requests at any stage; ids that are unknown or already final are left alone, as ISC does. */
  close(accessRequestIds: string[], text: string): void {
    const at = this.clock.now();
    for (const id of accessRequestIds) {
      for (const row of this.byAccessRequestId.get(id) ?? []) {
        if (!IN_PROGRESS_STATES.has(row.state)) continue;
        if (row.approval?.status === 'PENDING') {
          row.approval.status = 'CANCELLED';
          row.approval.modified = at;
          this.pendingApprovals.delete(row.approval.id);
        }
        this.closePhase(row, 'CANCELLED', null, at);
        row.errorMessages = [...(row.errorMessages ?? []), [message(text)]];
        this.finish(row, 'TERMINATED', at);
      }
    }
  }

  /**
   * The engine as a JSON-safe value. It shares the live rows' nested objects (approval, phases): it is
   * meant to be serialized at once, which is what the state file does, and costs no deep copy per save.
   */
  snapshot(): EngineSnapshot {
    const { entries, nextSeq } = this.heap.snapshot();
    return {
      seq: this.seq,
      rows: this.all.map(({ json: _json, ...row }) => row),
      pendingKeys: [...this.pendingByKey].map(([key, row]) => [key, row.seq]),
      holdings: [...this.holdings].map(([identityId, held]) => [identityId, [...held.values()]]),
      scheduled: entries.map(({ at, seq, value }) => ({ at, seq, value: saveEvent(value) })),
      nextScheduleSeq: nextSeq,
    };
  }

  /**
   * Replaces everything with a snapshot and rebuilds the indexes. Throws a plain Error when the
   * snapshot contradicts itself (a schedule entry for a row that does not exist, ...).
   */
  restore(snapshot: EngineSnapshot): void {
    this.reset();
    this.holdings.clear();
    const bySeq = new Map<number, RequestItem>();
    for (const saved of snapshot.rows) {
      if (bySeq.has(saved.seq)) throw new Error(`request row ${saved.seq} is listed twice`);
      const row: RequestItem = { ...structuredClone(saved), json: null };
      bySeq.set(row.seq, row);
      if (row.ignored) {
        this.all.push(row);
        continue;
      }
      this.index(row);
      if (row.stage !== 'DONE') this.inProgress.add(row);
      const approval = row.approval;
      if (!approval) continue;
      this.approvals.set(approval.id, row);
      push(this.byApprovalOwner, approval.ownerId, row);
      if (approval.status === 'PENDING') this.pendingApprovals.set(approval.id, row);
    }
    const rowFor = (seq: number): RequestItem => {
      const row = bySeq.get(seq);
      if (!row) throw new Error(`request row ${seq} is referenced but not saved`);
      return row;
    };
    for (const [key, seq] of snapshot.pendingKeys) this.pendingByKey.set(key, rowFor(seq));
    for (const [identityId, held] of snapshot.holdings) {
      this.holdings.set(identityId, new Map(held.map((h) => [holdingKey(h.type, h.id), { ...h }])));
    }
    this.heap.restore(
      snapshot.scheduled.map(({ at, seq, value }) => ({
        at,
        seq,
        value: value.kind === 'expire' ? { ...value } : { kind: value.kind, item: rowFor(value.row) },
      })),
      snapshot.nextScheduleSeq,
    );
    this.seq = snapshot.seq;
  }

  /** Looks up pending approvals, all-or-nothing: 404 for unknown ids, 400 for decided ones. */
  pendingApprovalRows(approvalIds: string[]): RequestItem[] {
    return approvalIds.map((id) => {
      const row = this.approvals.get(id);
      if (!row) throw notFound(`Approval ${id} was not found.`);
      if (row.approval?.status !== 'PENDING') throw badRequest(`Approval ${id} is no longer pending.`);
      return row;
    });
  }
}

function saveEvent(event: Event): SavedEvent {
  return event.kind === 'expire' ? { ...event } : { kind: event.kind, row: event.item.seq };
}

export function isCancelable(row: RequestItem): boolean {
  return row.state === 'EXECUTING' && row.stage === 'APPROVAL' && row.approval?.status === 'PENDING';
}
