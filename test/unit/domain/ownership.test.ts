/**
 * Ownership in reconciliation: under `ownership: policy` what the policy gives is the lifecycle's, whoever
 * granted it (claimed at adoption, or found already held); under `granted` only its own grants are. Access
 * ISC will not let a request revoke is marked, never sent to be refused, and asked about again only on news.
 */
import fc from 'fast-check';
import {
  desiredAccess,
  itemKey,
  project,
  reconcile,
  type Holding,
  type Ownership,
  type PolicyItem,
  type ReconcileInput,
  type TimelineEvent,
  type Trigger,
} from '../../../src/domain';
import { policyOf } from '../../support/policy';

const DAY = 24 * 3600 * 1000;
const T0 = Date.parse('2027-01-04T08:00:00Z');
const iso = (ms: number): string => new Date(ms).toISOString();
const id = (c: string): string => c.repeat(32);

const ROLE: PolicyItem = { type: 'ROLE', id: id('1') };
const ENG: PolicyItem = { type: 'ENTITLEMENT', id: id('2') };
const FIN: PolicyItem = { type: 'ENTITLEMENT', id: id('3') };
const POLICY = policyOf({
  version: 1,
  moverGrace: 'P7D',
  rules: [
    { name: 'everyone', when: { workerType: 'employee' }, grant: [`ROLE:${ROLE.id}`] },
    { name: 'eng', when: { department: 'Engineering' }, grant: [`ENTITLEMENT:${ENG.id}`] },
    { name: 'fin', when: { department: 'Finance' }, grant: [`ENTITLEMENT:${FIN.id}`] },
  ],
});

/** An identity adopted as an engineer at T0 (the baseline), with `events` after. */
function adopted(at: number, events: TimelineEvent[] = []) {
  const baseline = {
    at: iso(T0),
    status: 'ACTIVE' as const,
    attributes: { workerType: 'employee', department: 'Engineering' },
  };
  return project(events, at, baseline);
}
const move = (to: string, at = T0 + DAY): TimelineEvent => ({
  key: `hr/move-${to}`,
  type: 'update',
  effectiveAt: iso(at),
  receivedAt: iso(at),
  attributes: { department: to },
});
const leave = (at = T0 + DAY): TimelineEvent => ({
  key: 'hr/leave',
  type: 'terminate',
  effectiveAt: iso(at),
  receivedAt: iso(at),
});

const claimed = (item: PolicyItem, extra: Partial<Holding> = {}): Holding => ({
  item,
  state: 'HELD',
  graceMs: 7 * DAY,
  since: iso(T0),
  claimed: true,
  ...extra,
});

function plan(
  now: number,
  projection: ReturnType<typeof project>,
  ledger: Holding[],
  ownership: Ownership,
  trigger: Trigger = 'event',
  checked?: string[],
) {
  const input: ReconcileInput = { now, projection, policy: POLICY, ledger, trigger, ownership };
  return reconcile(checked ? { ...input, checked: new Set(checked) } : input);
}

describe('ownership: policy', () => {
  it('revokes claimed access after the mover grace, once ISC has said a request may revoke it', () => {
    const ledger = [claimed(ROLE), claimed(ENG)];
    const moved = plan(T0 + DAY, adopted(T0 + DAY, [move('Finance')]), ledger, 'policy');
    expect(moved.actions).toEqual([
      { kind: 'grant', items: [expect.objectContaining({ id: FIN.id })] },
      { kind: 'schedule-revoke', item: ENG, at: iso(T0 + 8 * DAY) },
    ]);
    const finance: Holding = { item: FIN, state: 'HELD', graceMs: 7 * DAY, since: iso(T0 + DAY) };
    const due = [claimed(ROLE), claimed(ENG, { state: 'REVOKE_SCHEDULED', revokeAt: iso(T0 + 8 * DAY) }), finance];
    const after = adopted(T0 + 8 * DAY, [move('Finance')]);
    // Its revocability was never read: ISC is asked first, nothing is revoked yet.
    expect(plan(T0 + 8 * DAY, after, due, 'policy', 'timer')).toMatchObject({ check: [ENG] });
    expect(plan(T0 + 8 * DAY, after, due, 'policy', 'timer').actions).not.toContainEqual(
      expect.objectContaining({ kind: 'revoke' }),
    );
    const told = [claimed(ROLE), { ...due[1]!, revocable: true }, finance];
    expect(plan(T0 + 8 * DAY, after, told, 'policy', 'timer', [itemKey(ENG)]).actions).toEqual([
      { kind: 'revoke', item: ENG },
    ]);
  });

  it('revokes everything claimed at once on leave, and revokes access found held (PRESENT) like its own', () => {
    const ledger = [
      claimed(ROLE, { revocable: true }),
      { ...claimed(ENG, { revocable: true }), state: 'PRESENT' as const, claimed: undefined },
    ];
    const gone = plan(T0 + DAY, adopted(T0 + DAY, [leave()]), ledger, 'policy');
    expect(gone.actions).toEqual([
      { kind: 'revoke', item: ROLE },
      { kind: 'revoke', item: ENG },
    ]);
    expect(gone.check).toEqual([]);
  });

  it('never sends a revoke ISC would refuse: access that came with a role or by birthright is marked', () => {
    const ledger = [claimed(ROLE, { revocable: false }), claimed(ENG, { revocable: false })];
    // At once, grace or not: there is nothing to wait for.
    expect(plan(T0 + DAY, adopted(T0 + DAY, [move('Finance')]), ledger, 'policy').actions).toEqual([
      { kind: 'grant', items: [expect.objectContaining({ id: FIN.id })] },
      { kind: 'unrevocable', item: ENG },
    ]);
    const finance: Holding = { item: FIN, state: 'HELD', graceMs: 7 * DAY, since: iso(T0 + DAY) };
    const marked = [
      claimed(ROLE, { revocable: false }),
      claimed(ENG, { state: 'UNREVOCABLE', revocable: false }),
      finance,
    ];
    const later = adopted(T0 + 30 * DAY, [move('Finance')]);
    // Never on a timer, never in a loop.
    expect(plan(T0 + 30 * DAY, later, marked, 'policy', 'timer')).toMatchObject({ actions: [], check: [] });
    // On news ISC is asked again; it may let go now (the role that granted it went) ...
    expect(plan(T0 + 30 * DAY, later, marked, 'policy', 'event')).toMatchObject({ check: [ENG] });
    const freed = [marked[0]!, { ...marked[1]!, revocable: true }, finance];
    expect(plan(T0 + 30 * DAY, later, freed, 'policy', 'event', [itemKey(ENG)]).actions).toEqual([
      { kind: 'revoke', item: ENG },
    ]);
    // ... or not: then it stays as it is.
    expect(plan(T0 + 30 * DAY, later, marked, 'policy', 'event', [itemKey(ENG)])).toMatchObject({
      actions: [],
      check: [],
    });
    // Desired again: held again.
    expect(plan(T0 + 31 * DAY, adopted(T0 + 31 * DAY), marked, 'policy').actions).toEqual([
      { kind: 'keep', item: ENG },
      { kind: 'schedule-revoke', item: FIN, at: iso(T0 + 38 * DAY) },
    ]);
  });

  it('retries failed grants and revokes on a drift repair as on any news, never on a timer', () => {
    const ledger: Holding[] = [
      { item: ROLE, state: 'FAILED', graceMs: 0, since: iso(T0) },
      { item: FIN, state: 'REVOKE_FAILED', graceMs: 0, since: iso(T0) },
    ];
    expect(plan(T0 + DAY, adopted(T0 + DAY), ledger, 'policy', 'timer').actions).toEqual([
      { kind: 'grant', items: [expect.objectContaining({ id: ENG.id })] },
    ]);
    expect(plan(T0 + DAY, adopted(T0 + DAY), ledger, 'policy', 'drift').actions).toEqual([
      { kind: 'grant', items: [expect.objectContaining({ id: ENG.id }), expect.objectContaining({ id: ROLE.id })] },
      { kind: 'revoke', item: FIN },
    ]);
  });
});

describe('ownership: granted', () => {
  it('is the behaviour of before: claimed and found access is forgotten, never revoked', () => {
    const ledger = [claimed(ROLE), claimed(ENG), { ...claimed(FIN), state: 'PRESENT' as const, claimed: undefined }];
    const moved = plan(T0 + DAY, adopted(T0 + DAY, [move('Sales')]), ledger, 'granted');
    expect(moved.actions).toEqual([
      { kind: 'forget', item: ENG },
      { kind: 'forget', item: FIN },
    ]);
    const gone = plan(T0 + DAY, adopted(T0 + DAY, [leave()]), ledger, 'granted');
    expect(gone.actions.map((a) => a.kind)).toEqual(['forget', 'forget', 'forget']);
    expect(gone.check).toEqual([]);
  });
});

/**
 * An identity adopted with its desired access already held (claimed), then a random run of moves and maybe
 * a leave, with a perfect ISC that lets every revoke through. Returns what it holds in the end and every
 * item it ever revoked.
 */
function simulateAdopted(departments: string[], leaves: boolean, ownership: Ownership) {
  const events = departments.map((d, n) => move(d, T0 + (n + 1) * 10 * DAY));
  if (leaves) events.push(leave(T0 + (departments.length + 1) * 10 * DAY));
  let ledger: Holding[] = desiredAccess(POLICY, { workerType: 'employee', department: 'Engineering' }).map((d) =>
    claimed({ type: d.type, id: d.id }, { graceMs: d.graceMs }),
  );
  const revoked: string[] = [];
  /** Revokes of access the lifecycle had claimed rather than granted. */
  const revokedClaimed: string[] = [];
  const others = (item: PolicyItem) => ledger.filter((h) => itemKey(h.item) !== itemKey(item));
  for (let now = T0; now <= T0 + 100 * DAY; now += DAY) {
    const projection = adopted(now, events);
    let round = plan(now, projection, ledger, ownership, 'timer');
    if (round.check.length > 0) {
      const asked = round.check.map(itemKey);
      ledger = ledger.map((h) => (asked.includes(itemKey(h.item)) ? { ...h, revocable: true } : h));
      round = plan(now, projection, ledger, ownership, 'timer', asked);
    }
    for (const action of round.actions) {
      if (action.kind === 'grant') {
        for (const d of action.items)
          ledger = [
            ...others(d),
            { item: { type: d.type, id: d.id }, state: 'HELD', graceMs: d.graceMs, since: iso(now) },
          ];
      } else if (action.kind === 'schedule-revoke') {
        ledger = ledger.map((h) =>
          itemKey(h.item) === itemKey(action.item) ? { ...h, state: 'REVOKE_SCHEDULED', revokeAt: action.at } : h,
        );
      } else if (action.kind === 'keep') {
        ledger = ledger.map((h) => (itemKey(h.item) === itemKey(action.item) ? { ...h, state: 'HELD' } : h));
      } else if (action.kind === 'revoke') {
        revoked.push(itemKey(action.item));
        if (ledger.some((h) => itemKey(h.item) === itemKey(action.item) && h.claimed))
          revokedClaimed.push(itemKey(action.item));
        ledger = others(action.item);
      } else if (action.kind === 'forget') ledger = others(action.item);
    }
  }
  const end = adopted(T0 + 100 * DAY, events);
  const desired = end.status === 'ACTIVE' ? desiredAccess(POLICY, end.attributes).map(itemKey).sort() : [];
  return { held: ledger.map((h) => itemKey(h.item)).sort(), revoked, revokedClaimed, desired };
}

describe('an adopted identity over time', () => {
  const runs = fc.record({
    departments: fc.array(fc.constantFrom('Engineering', 'Finance', 'Sales'), { maxLength: 5 }),
    leaves: fc.boolean(),
  });

  it('under policy ownership ends holding exactly what the policy wants, claimed access included', () => {
    fc.assert(
      fc.property(runs, ({ departments, leaves }) => {
        const { held, desired } = simulateAdopted(departments, leaves, 'policy');
        expect(held).toEqual(desired);
      }),
      { numRuns: 300 },
    );
  });

  it('under granted ownership never revokes what it claimed; only its own grants go', () => {
    fc.assert(
      fc.property(runs, ({ departments, leaves }) => {
        expect(simulateAdopted(departments, leaves, 'granted').revokedClaimed).toEqual([]);
        // Under policy ownership the same claimed access does go when no longer desired.
        if (leaves) expect(simulateAdopted(departments, leaves, 'policy').revokedClaimed.length).toBeGreaterThan(0);
      }),
      { numRuns: 300 },
    );
  });

  it('touches only what the policy desired or the ledger holds, whatever the ownership', () => {
    fc.assert(
      fc.property(runs, fc.constantFrom<Ownership>('policy', 'granted'), ({ departments, leaves }, ownership) => {
        const { revoked } = simulateAdopted(departments, leaves, ownership);
        const policyItems = [ROLE, ENG, FIN].map(itemKey);
        expect(revoked.every((k) => policyItems.includes(k))).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});
