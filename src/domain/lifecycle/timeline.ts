/**
 * An identity's timeline: every HR event it received, and what they add up to at a given instant.
 *
 * The projection depends only on the set of events, never on the order they arrived in: events are
 * ordered by when they take effect (then by type, then by key), and a rescind is decided by comparing
 * effective instants, not arrival. So a late event with a past date is simply folded in where it belongs,
 * and a duplicate changes nothing. Pure: workflows run it on every change.
 */
import type { AttributeValue, Attributes, HrEventType } from '../hr-event';

export interface TimelineEvent {
  /** `source/id`: the same key is the same event. */
  key: string;
  type: HrEventType;
  effectiveAt: string;
  receivedAt: string;
  attributes?: Record<string, AttributeValue>;
  /** For a rescind: the key of the event it cancels (same source). */
  rescinds?: string;
  /** How it reached iscflow (webhook, cloudevents, isc-trigger, file, cli): for the audit trail. */
  channel?: string;
}

export type EmploymentStatus = 'NONE' | 'ACTIVE' | 'TERMINATED';

export type EventOutcome =
  | { state: 'applied'; detail?: string }
  | { state: 'pending'; until: string }
  | { state: 'rescinded'; by: string }
  | { state: 'ignored'; reason: string };

export interface Projection {
  status: EmploymentStatus;
  /** Attributes in force (of the current or last employment). */
  attributes: Attributes;
  hiredAt?: string;
  terminatedAt?: string;
  /** The next instant after `at` at which an event takes effect. */
  nextAt?: string;
  /** The next hire after `at`, with the attributes it will start with (pre-hire updates folded in). */
  upcomingHire?: { at: string; key: string; attributes: Attributes };
  /** What became of each event, by key. */
  outcomes: Record<string, EventOutcome>;
}

const TYPE_RANK: Record<HrEventType, number> = { hire: 0, update: 1, terminate: 2, rescind: 3 };

/** An event that takes effect: a received one, or the termination a late rescind of a hire stands for. */
interface Effective {
  key: string;
  type: 'hire' | 'update' | 'terminate';
  at: number;
  attributes: Record<string, AttributeValue>;
}

const ms = (iso: string): number => Date.parse(iso);

function compare(a: Effective, b: Effective): number {
  return a.at - b.at || TYPE_RANK[a.type] - TYPE_RANK[b.type] || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}

/** Decides every rescind; returns what takes effect, and records what became of rescinds and their targets. */
function effectiveEvents(events: readonly TimelineEvent[], outcomes: Record<string, EventOutcome>): Effective[] {
  const byKey = new Map(events.map((e) => [e.key, e]));
  const rescinded = new Map<string, TimelineEvent>();
  const asTermination: Effective[] = [];
  // The earliest rescind of a target decides; ties by key keep it independent of arrival.
  const rescinds = events
    .filter((e) => e.type === 'rescind')
    .sort((a, b) => ms(a.effectiveAt) - ms(b.effectiveAt) || (a.key < b.key ? -1 : 1));
  for (const r of rescinds) {
    const target = r.rescinds ? byKey.get(r.rescinds) : undefined;
    if (!target) {
      outcomes[r.key] = { state: 'ignored', reason: `names ${r.rescinds ?? '?'}, which has not been received` };
      continue;
    }
    if (target.type === 'rescind') {
      outcomes[r.key] = { state: 'ignored', reason: 'a rescind cannot be rescinded; send the event again instead' };
      continue;
    }
    if (rescinded.has(target.key)) {
      outcomes[r.key] = {
        state: 'ignored',
        reason: `${target.key} was already rescinded by ${rescinded.get(target.key)?.key}`,
      };
      continue;
    }
    if (ms(r.effectiveAt) < ms(target.effectiveAt)) {
      rescinded.set(target.key, r);
      outcomes[r.key] = { state: 'applied', detail: `cancels ${target.key} before it took effect` };
    } else if (target.type === 'hire') {
      // After it took effect, a rescinded hire is a termination.
      rescinded.set(target.key, r);
      asTermination.push({ key: r.key, type: 'terminate', at: ms(r.effectiveAt), attributes: {} });
      outcomes[r.key] = { state: 'applied', detail: `terminates: ${target.key} had already taken effect` };
    } else {
      outcomes[r.key] = { state: 'ignored', reason: `too late: ${target.key} took effect at ${target.effectiveAt}` };
    }
  }
  const lateRescinded = new Set(asTermination.map((t) => t.key));
  const received: Effective[] = [];
  for (const e of events) {
    if (e.type === 'rescind') continue;
    const by = rescinded.get(e.key);
    if (by) outcomes[e.key] = { state: 'rescinded', by: by.key };
    // Rescinded before it took effect: as if never sent. After: it did take effect (the rescind terminates).
    if (by && !lateRescinded.has(by.key)) continue;
    received.push({ key: e.key, type: e.type, at: ms(e.effectiveAt), attributes: e.attributes ?? {} });
  }
  return [...received, ...asTermination].sort(compare);
}

interface Fold {
  status: EmploymentStatus;
  attributes: Attributes;
  /** Updates while not employed: they apply at the next hire (`null` = remove). */
  preHire: Record<string, AttributeValue>;
  hiredAt?: number;
  terminatedAt?: number;
}

function apply(fold: Fold, event: Effective): void {
  switch (event.type) {
    case 'hire': {
      const merged: Record<string, AttributeValue> = { ...event.attributes, ...fold.preHire };
      fold.attributes = Object.fromEntries(
        Object.entries(merged).filter((entry): entry is [string, string | number | boolean] => entry[1] !== null),
      );
      fold.preHire = {};
      fold.status = 'ACTIVE';
      fold.hiredAt = event.at;
      fold.terminatedAt = undefined;
      return;
    }
    case 'update':
      if (fold.status === 'ACTIVE') {
        for (const [name, value] of Object.entries(event.attributes)) {
          if (value === null) delete fold.attributes[name];
          else fold.attributes[name] = value;
        }
      } else {
        fold.preHire = { ...fold.preHire, ...event.attributes };
      }
      return;
    case 'terminate':
      fold.status = 'TERMINATED';
      fold.terminatedAt = event.at;
      fold.preHire = {};
      return;
  }
}

const iso = (at: number): string => new Date(at).toISOString();

/**
 * What older events, folded away to keep a lifecycle of years small, added up to. An event that arrives
 * later with an effective date before the baseline is applied at the baseline: its place among the
 * folded events is no longer known.
 */
export interface Baseline {
  at: string;
  status: EmploymentStatus;
  attributes: Attributes;
  hiredAt?: string;
  terminatedAt?: string;
}

/** What the timeline adds up to at `at` (epoch ms), from the baseline when there is one. */
export function project(events: readonly TimelineEvent[], at: number, baseline?: Baseline): Projection {
  const outcomes: Record<string, EventOutcome> = {};
  const floor = baseline ? ms(baseline.at) : -Infinity;
  const effective = effectiveEvents(events, outcomes)
    .map((e) => (e.at < floor ? { ...e, at: floor } : e))
    .sort(compare);
  const fold: Fold = {
    status: baseline?.status ?? 'NONE',
    attributes: { ...baseline?.attributes },
    preHire: {},
    ...(baseline?.hiredAt ? { hiredAt: ms(baseline.hiredAt) } : {}),
    ...(baseline?.terminatedAt ? { terminatedAt: ms(baseline.terminatedAt) } : {}),
  };
  let index = 0;
  for (; index < effective.length && effective[index]!.at <= at; index++) {
    const event = effective[index]!;
    apply(fold, event);
    outcomes[event.key] ??= { state: 'applied' };
  }
  const now: Projection = {
    status: fold.status,
    attributes: { ...fold.attributes },
    ...(fold.hiredAt !== undefined ? { hiredAt: iso(fold.hiredAt) } : {}),
    ...(fold.terminatedAt !== undefined ? { terminatedAt: iso(fold.terminatedAt) } : {}),
    outcomes,
  };
  const next = effective[index];
  if (next) now.nextAt = iso(next.at);
  // Keep folding to find the next hire and the attributes it starts with.
  for (let k = index; k < effective.length; k++) {
    const event = effective[k]!;
    apply(fold, event);
    if (outcomes[event.key]?.state !== 'rescinded') outcomes[event.key] = { state: 'pending', until: iso(event.at) };
    if (event.type === 'hire' && !now.upcomingHire) {
      now.upcomingHire = { at: iso(event.at), key: event.key, attributes: { ...fold.attributes } };
    }
  }
  return now;
}
