/**
 * Taking in what arrived: HR events into the timeline (a duplicate only counts as one), settled changes
 * into the ledger, and the timeline kept bounded by folding its oldest events into a baseline.
 */
import { eventKey, project, type Holding, type ItemOutcome, type Ownership, type TimelineEvent } from '../../domain';
import type { ChangeSettled } from '../access-request/contracts';
import type { ClosedChange } from '../../activities/contracts';
import { epochMs, isoAt } from '../clock';
import { recordLifecycleEvent } from '../../metrics/workflow';
import type { Lifecycle } from './lifecycle';

/** Takes in the inbox; returns the keys of events that were new. */
export function takeEvents(life: Lifecycle): string[] {
  const { s } = life;
  const fresh: string[] = [];
  for (const received of s.inbox.splice(0)) {
    const { event } = received;
    const key = eventKey(event);
    if (s.timeline.some((e) => e.key === key) || s.seen.includes(key)) {
      s.duplicates[key] = (s.duplicates[key] ?? 0) + 1;
      recordLifecycleEvent(event.type, 'duplicate');
      continue;
    }
    s.timeline.push({
      key,
      type: event.type,
      effectiveAt: event.effectiveAt,
      receivedAt: received.receivedAt,
      ...(event.attributes ? { attributes: event.attributes } : {}),
      ...(event.rescinds ? { rescinds: `${event.source}/${event.rescinds}` } : {}),
      channel: received.delivery.channel,
    });
    if (event.identity.id && !s.iscIdentityId) s.iscIdentityId = event.identity.id;
    // News about the person: an identity wait an operator skipped starts again.
    if (s.identityWait?.skippedUntilEvent) s.identityWait = undefined;
    fresh.push(key);
  }
  return fresh;
}

type SettledItem = {
  itemType: string;
  itemId: string;
  outcome: ItemOutcome | null;
  accessRequestId?: string;
  errorMessages?: string[];
};

/**
 * How ISC words a revoke it refuses because the access came with a role or by birthright (ISC's rule:
 * such access "cannot be revoked by request"). The lifecycle checks revocability before revoking access it
 * did not grant; this catches what changed in between.
 */
const REFUSED_AS_UNREVOCABLE = /cannot be revoked|not revocable/i;

function settleGrant(holding: Holding, outcome: ItemOutcome | null, note: string, ownership: Ownership) {
  if (outcome === 'GRANTED') return { ...holding, state: 'HELD' as const, note };
  if (outcome !== 'ALREADY_SATISFIED') return undefined;
  // Found already held: under policy ownership it is claimed, the lifecycle's like its own grants.
  if (ownership === 'policy') return { ...holding, state: 'HELD' as const, claimed: true, note: `${note}; claimed` };
  return { ...holding, state: 'PRESENT' as const, note };
}

function settleHolding(
  holding: Holding,
  item: SettledItem | undefined,
  withdrawn: boolean,
  ownership: Ownership,
): Holding | undefined {
  const outcome = item?.outcome ?? null;
  const note = `${holding.state === 'REVOKING' ? 'revoke' : 'grant'} ended ${outcome ?? 'without an outcome'}`;
  switch (holding.state) {
    case 'GRANTING':
    case 'WITHDRAWING': {
      const granted = settleGrant(holding, outcome, note, ownership);
      if (granted) return granted;
      // Withdrawn on purpose: forgotten, so it is asked again if it is still (or again) desired.
      if (withdrawn || holding.state === 'WITHDRAWING') return undefined;
      return { ...holding, state: 'FAILED', note };
    }
    case 'REVOKING': {
      if (outcome === 'REVOKED' || outcome === 'ALREADY_SATISFIED') return undefined;
      const refused = item?.errorMessages?.find((m) => REFUSED_AS_UNREVOCABLE.test(m));
      if (refused && ownership === 'policy') {
        return { ...holding, state: 'UNREVOCABLE', revocable: false, note: `revoke refused by ISC: ${refused}` };
      }
      return { ...holding, state: 'REVOKE_FAILED', note };
    }
    default:
      return holding;
  }
}

/**
 * Applies one settled (or found closed) change to the ledger and its record. `ownership` is the round's
 * (`granted` in a run that replays from before policy ownership: it settled as it always did).
 */
export function settleChange(
  life: Lifecycle,
  settled: ChangeSettled | ClosedChange,
  now: string,
  ownership: Ownership,
): void {
  const { s } = life;
  const items: SettledItem[] = 'result' in settled ? settled.result.items : settled.items;
  const withdrawn = 'result' in settled ? settled.result.withdrawnAt !== undefined : settled.withdrawnAt !== undefined;
  const next: Holding[] = [];
  for (const holding of s.ledger) {
    if (holding.changeId !== settled.changeId) {
      next.push(holding);
      continue;
    }
    const item = items.find((i) => i.itemType === holding.item.type && i.itemId === holding.item.id);
    const settledHolding = settleHolding(holding, item, withdrawn, ownership);
    if (settledHolding) next.push({ ...settledHolding, since: now });
  }
  s.ledger = next;
  const record = s.changes.find((c) => c.changeId === settled.changeId);
  if (record && !record.settledAt) {
    record.settledAt = now;
    record.withdrawn = withdrawn || undefined;
    record.outcomes = items.map((i) => ({
      itemType: i.itemType,
      itemId: i.itemId,
      outcome: i.outcome,
      ...(i.accessRequestId ? { accessRequestId: i.accessRequestId } : {}),
    }));
  }
}

export function takeSettled(life: Lifecycle, now: string, ownership: Ownership): boolean {
  const settled = life.settled.splice(0);
  for (const change of settled) settleChange(life, change, now, ownership);
  return settled.length > 0;
}

/**
 * Keeps the timeline at most `timelineLimit` events: the oldest that have taken effect are folded into the
 * baseline, and their keys remembered (at most `seenMemory`) so a late duplicate is still recognised.
 */
export function compactTimeline(life: Lifecycle, nowMs: number): void {
  const { s, options } = life;
  if (s.timeline.length <= options.timelineLimit) return;
  const byTime = [...s.timeline].sort((a, b) => epochMs(a.effectiveAt) - epochMs(b.effectiveAt));
  const excess = s.timeline.length - options.timelineLimit;
  const cut = byTime[excess - 1];
  if (!cut || epochMs(cut.effectiveAt) > nowMs) return;
  const cutMs = epochMs(cut.effectiveAt);
  // Rescinds name their target by key: a target is folded only together with what rescinds it.
  const folded = new Set(byTime.filter((e) => epochMs(e.effectiveAt) <= cutMs).map((e) => e.key));
  for (const e of s.timeline) if (e.rescinds && folded.has(e.rescinds)) folded.add(e.key);
  const foldedEvents: TimelineEvent[] = s.timeline.filter((e) => folded.has(e.key));
  const at = isoAt(Math.max(cutMs, ...foldedEvents.map((e) => epochMs(e.effectiveAt))));
  const projection = project(foldedEvents, epochMs(at), s.baseline);
  s.baseline = {
    at,
    status: projection.status,
    attributes: projection.attributes,
    ...(projection.hiredAt ? { hiredAt: projection.hiredAt } : {}),
    ...(projection.terminatedAt ? { terminatedAt: projection.terminatedAt } : {}),
  };
  s.timeline = s.timeline.filter((e) => !folded.has(e.key));
  s.seen = [...s.seen, ...foldedEvents.map((e) => e.key)].slice(-options.seenMemory);
  for (const key of folded) delete s.duplicates[key];
}
