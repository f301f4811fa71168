/**
 * The lifecycle's pure rules: the timeline's projection, reconciliation, and which holdings have a change
 * in flight. The property at the heart of it: whatever order and times events arrive in, once every grace
 * has run out the identity holds exactly what the policy wants for the attributes in force, and a duplicate
 * changes nothing.
 */
import fc from 'fast-check';
import {
  changeInFlight,
  desiredAccess,
  itemKey,
  project,
  reconcile,
  type Holding,
  type HoldingState,
  type Ownership,
  type TimelineEvent,
  type Trigger,
} from '../../../src/domain';
import { DAY, iso } from '../../support/time';
import { policyOf } from '../../support/policy';

const T0 = Date.parse('2027-01-04T08:00:00Z');
const id = (c: string): string => c.repeat(32);

const POLICY = policyOf({
  version: 1,
  moverGrace: 'P7D',
  submitAhead: 'P1D',
  rules: [
    { name: 'everyone', when: { workerType: 'employee' }, grant: [`ROLE:${id('1')}`] },
    { name: 'eng', when: { department: ['Engineering', 'Platform'] }, grant: [`ENTITLEMENT:${id('2')}`] },
    { name: 'fin', when: { department: 'Finance' }, grant: [`ENTITLEMENT:${id('3')}`], moverGrace: 'PT0S' },
    { name: 'berlin', when: { location: 'Berlin' }, grant: [`ACCESS_PROFILE:${id('4')}`] },
  ],
});

const event = (
  key: string,
  type: TimelineEvent['type'],
  at: number,
  extra: Partial<TimelineEvent> = {},
): TimelineEvent => ({
  key,
  type,
  effectiveAt: iso(at),
  receivedAt: iso(at),
  ...extra,
});

describe('timeline projection', () => {
  it('folds events in effective order, whatever order they are listed in', () => {
    const events = [
      event('hr/3', 'update', T0 + 10 * DAY, { attributes: { department: 'Finance' } }),
      event('hr/1', 'hire', T0, { attributes: { department: 'Engineering', workerType: 'employee' } }),
      event('hr/2', 'update', T0 - DAY, { attributes: { location: 'Berlin' } }),
    ];
    const at = (ms: number) => project(events, ms);
    expect(at(T0 - 2 * DAY)).toMatchObject({
      status: 'NONE',
      upcomingHire: { at: iso(T0), attributes: { location: 'Berlin' } },
    });
    // A pre-hire update applies at the hire.
    expect(at(T0).attributes).toEqual({ department: 'Engineering', workerType: 'employee', location: 'Berlin' });
    expect(at(T0 + 11 * DAY)).toMatchObject({ status: 'ACTIVE', attributes: { department: 'Finance' } });
    expect(project([...events].reverse(), T0 + 11 * DAY)).toEqual(at(T0 + 11 * DAY));
  });

  it('rescinds by effective instants: before a hire takes effect it never happens; after, it is a termination', () => {
    const hire = event('hr/h', 'hire', T0 + 5 * DAY, { attributes: { workerType: 'employee' } });
    const early = event('hr/r', 'rescind', T0, { rescinds: 'hr/h' });
    const late = event('hr/r', 'rescind', T0 + 6 * DAY, { rescinds: 'hr/h' });
    expect(project([hire, early], T0 + 10 * DAY)).toMatchObject({
      status: 'NONE',
      outcomes: { 'hr/h': { state: 'rescinded', by: 'hr/r' }, 'hr/r': { state: 'applied' } },
    });
    expect(project([late, hire], T0 + 10 * DAY)).toMatchObject({
      status: 'TERMINATED',
      terminatedAt: iso(T0 + 6 * DAY),
    });
    // A termination rescinded in time; one rescinded too late stands.
    const leave = event('hr/t', 'terminate', T0 + 5 * DAY);
    const active = event('hr/a', 'hire', T0 - DAY, { attributes: { workerType: 'employee' } });
    const withdrawn = event('hr/w', 'rescind', T0, { rescinds: 'hr/t' });
    const tooLate = event('hr/w', 'rescind', T0 + 6 * DAY, { rescinds: 'hr/t' });
    expect(project([active, leave, withdrawn], T0 + 10 * DAY).status).toBe('ACTIVE');
    expect(project([active, leave, tooLate], T0 + 10 * DAY)).toMatchObject({
      status: 'TERMINATED',
      outcomes: { 'hr/w': { state: 'ignored' } },
    });
  });

  it('starts from a baseline, folding a late event older than it in at the baseline', () => {
    const baseline = {
      at: iso(T0),
      status: 'ACTIVE' as const,
      attributes: { workerType: 'employee', department: 'Finance' },
    };
    const late = event('hr/x', 'update', T0 - 30 * DAY, { attributes: { department: 'Engineering' } });
    expect(project([late], T0 + DAY, baseline).attributes).toEqual({
      workerType: 'employee',
      department: 'Engineering',
    });
  });
});

/**
 * The lifecycle loop with a perfect ISC: every grant and revoke completes at once. Events arrive at the
 * given instants; the loop also runs at every instant reconciliation asks to be woken.
 */
function simulate(
  events: TimelineEvent[],
  arrivals: number[],
  until: number,
  ownership: Ownership = 'policy',
): { ledger: Holding[]; status: string } {
  const timeline: TimelineEvent[] = [];
  let ledger: Holding[] = [];
  const schedule = events.map((e, n) => ({ at: arrivals[n] ?? 0, event: e })).sort((a, b) => a.at - b.at);
  let wake: number | undefined;
  let now = schedule[0]?.at ?? until;
  const run = (trigger: Trigger): void => {
    const plan = reconcile({ now, projection: project(timeline, now), policy: POLICY, ledger, trigger, ownership });
    for (const action of plan.actions) {
      const keyOf = (item: { type: string; id: string }): string => `${item.type}:${item.id}`;
      const others = (item: { type: string; id: string }) => ledger.filter((h) => itemKey(h.item) !== keyOf(item));
      switch (action.kind) {
        case 'grant':
          for (const item of action.items) {
            ledger = [
              ...others(item),
              { item: { type: item.type, id: item.id }, state: 'HELD', graceMs: item.graceMs, since: iso(now) },
            ];
          }
          break;
        case 'revoke':
        case 'withdraw':
        case 'forget':
          ledger = others(action.item);
          break;
        case 'schedule-revoke':
          ledger = ledger.map((h) =>
            itemKey(h.item) === keyOf(action.item) ? { ...h, state: 'REVOKE_SCHEDULED', revokeAt: action.at } : h,
          );
          break;
        case 'keep':
          ledger = ledger.map((h) =>
            itemKey(h.item) === keyOf(action.item) ? { ...h, state: 'HELD', revokeAt: undefined } : h,
          );
          break;
      }
    }
    wake = plan.wakeAt ? Date.parse(plan.wakeAt) : undefined;
  };
  for (const { at, event: e } of schedule) {
    while (wake !== undefined && wake <= at) {
      now = wake;
      run('timer');
    }
    now = at;
    if (!timeline.some((t) => t.key === e.key)) timeline.push(e);
    run('event');
  }
  while (wake !== undefined && wake <= until) {
    now = wake;
    run('timer');
  }
  return { ledger, status: project(timeline, until).status };
}

const DEPARTMENTS = ['Engineering', 'Platform', 'Finance', 'Sales'];

/** A random HR history of one person: a hire, moves, maybe a leave and a rehire, maybe a rescind. */
const histories = fc
  .record({
    hireDay: fc.integer({ min: 0, max: 20 }),
    moves: fc.array(
      fc.record({
        day: fc.integer({ min: 0, max: 60 }),
        department: fc.constantFrom(...DEPARTMENTS),
        berlin: fc.boolean(),
      }),
      { maxLength: 5 },
    ),
    leaveDay: fc.option(fc.integer({ min: 10, max: 70 }), { nil: undefined }),
    rehireDay: fc.option(fc.integer({ min: 71, max: 90 }), { nil: undefined }),
    rescind: fc.option(fc.record({ target: fc.constantFrom('hire', 'leave'), day: fc.integer({ min: 0, max: 80 }) }), {
      nil: undefined,
    }),
  })
  .map(({ hireDay, moves, leaveDay, rehireDay, rescind }) => {
    const events: TimelineEvent[] = [
      event('hr/hire', 'hire', T0 + hireDay * DAY, {
        attributes: { workerType: 'employee', department: 'Engineering' },
      }),
      ...moves.map((m, n) =>
        event(`hr/move-${n}`, 'update', T0 + m.day * DAY + n, {
          attributes: { department: m.department, location: m.berlin ? 'Berlin' : null },
        }),
      ),
    ];
    if (leaveDay !== undefined) events.push(event('hr/leave', 'terminate', T0 + leaveDay * DAY));
    if (leaveDay !== undefined && rehireDay !== undefined) {
      events.push(
        event('hr/rehire', 'hire', T0 + rehireDay * DAY, {
          attributes: { workerType: 'employee', department: 'Sales' },
        }),
      );
    }
    if (rescind && (rescind.target === 'hire' || leaveDay !== undefined)) {
      events.push(event('hr/rescind', 'rescind', T0 + rescind.day * DAY, { rescinds: `hr/${rescind.target}` }));
    }
    return events;
  });

describe('reconciliation', () => {
  const heldKeys = (ledger: Holding[]): string[] =>
    ledger
      .filter((h) => h.state === 'HELD')
      .map((h) => itemKey(h.item))
      .sort();
  const UNTIL = T0 + 120 * DAY;
  const at = (now: number, projection: ReturnType<typeof project>) => ({
    now,
    projection,
    policy: POLICY,
    ownership: 'policy' as const,
  });

  it('ends holding exactly what the policy wants now, whatever order and times events arrive in', () => {
    fc.assert(
      fc.property(
        histories,
        fc.array(fc.integer({ min: -10 * DAY, max: 100 * DAY }), { minLength: 10, maxLength: 10 }),
        fc.array(fc.nat(), { minLength: 10, maxLength: 10 }),
        fc.constantFrom<Ownership>('policy', 'granted'),
        (events, offsets, order, ownership) => {
          const arrivals = events.map((_, n) => T0 + (offsets[n] ?? 0));
          const shuffled = [...events]
            .map((e, n) => ({ e, k: order[n] ?? 0 }))
            .sort((a, b) => a.k - b.k)
            .map((x) => x.e);
          const result = simulate(shuffled, arrivals, UNTIL, ownership);
          const projection = project(events, UNTIL);
          const expected =
            projection.status === 'ACTIVE' ? desiredAccess(POLICY, projection.attributes).map(itemKey).sort() : [];
          expect(result.status).toBe(projection.status);
          expect(heldKeys(result.ledger)).toEqual(expected);
          // Nothing is left half-done: no revoke still scheduled, no grant or revoke in flight.
          expect(result.ledger.every((h) => h.state === 'HELD')).toBe(true);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('changes nothing on a duplicate', () => {
    fc.assert(
      fc.property(histories, fc.nat({ max: 9 }), (events, n) => {
        const duplicate = events[n % events.length]!;
        const arrivals = events.map((_, k) => T0 + k * DAY);
        const once = simulate(events, arrivals, UNTIL);
        const twice = simulate([...events, duplicate], [...arrivals, T0 + 50 * DAY], UNTIL);
        expect(heldKeys(twice.ledger)).toEqual(heldKeys(once.ledger));
      }),
      { numRuns: 500 },
    );
  });

  it('moving back inside the grace cancels the pending revoke; a leaver keeps nothing', () => {
    const held: Holding[] = [
      { item: { type: 'ENTITLEMENT', id: id('2') }, state: 'HELD', graceMs: 7 * DAY, since: iso(T0) },
    ];
    const moved = project([event('hr/h', 'hire', T0, { attributes: { department: 'Sales' } })], T0 + DAY);
    const away = reconcile({ ...at(T0 + DAY, moved), ledger: held, trigger: 'event' });
    expect(away.actions).toEqual([{ kind: 'schedule-revoke', item: held[0]!.item, at: iso(T0 + 8 * DAY) }]);
    expect(away.wakeAt).toBe(iso(T0 + 8 * DAY));
    const pending: Holding[] = [{ ...held[0]!, state: 'REVOKE_SCHEDULED', revokeAt: iso(T0 + 8 * DAY) }];
    const back = project([event('hr/h', 'hire', T0, { attributes: { department: 'Engineering' } })], T0 + 2 * DAY);
    expect(reconcile({ ...at(T0 + 2 * DAY, back), ledger: pending, trigger: 'event' }).actions).toEqual([
      { kind: 'keep', item: held[0]!.item },
    ]);
    const gone = project(
      [event('hr/h', 'hire', T0, { attributes: { department: 'Engineering' } }), event('hr/t', 'terminate', T0 + DAY)],
      T0 + 2 * DAY,
    );
    expect(reconcile({ ...at(T0 + 2 * DAY, gone), ledger: pending, trigger: 'event' }).actions).toEqual([
      { kind: 'revoke', item: held[0]!.item },
    ]);
  });

  it('under granted ownership leaves access it found already held alone, and asks again for a failed grant only on news', () => {
    const engineer = project(
      [event('hr/h', 'hire', T0, { attributes: { workerType: 'employee', department: 'Engineering' } })],
      T0,
    );
    const ledger: Holding[] = [
      { item: { type: 'ROLE', id: id('1') }, state: 'PRESENT', graceMs: 0, since: iso(T0) },
      { item: { type: 'ENTITLEMENT', id: id('2') }, state: 'FAILED', graceMs: 0, since: iso(T0) },
    ];
    const granted = { now: T0, policy: POLICY, ledger, ownership: 'granted' as const };
    expect(reconcile({ ...granted, projection: engineer, trigger: 'timer' }).actions).toEqual([]);
    expect(reconcile({ ...granted, projection: engineer, trigger: 'event' }).actions).toEqual([
      { kind: 'grant', items: [expect.objectContaining({ id: id('2') })] },
    ]);
    const leaver = project(
      [event('hr/h', 'hire', T0, { attributes: { workerType: 'employee' } }), event('hr/t', 'terminate', T0)],
      T0,
    );
    expect(reconcile({ ...granted, projection: leaver, trigger: 'event' }).actions).toEqual([
      { kind: 'forget', item: ledger[0]!.item },
      { kind: 'forget', item: ledger[1]!.item },
    ]);
  });
});

describe('holdings', () => {
  it('have a change in flight while granting, revoking or withdrawing, and in no other state', () => {
    // Every state is listed (the compiler insists), so a new one must be placed on one side or the other.
    const inFlight: Record<HoldingState, boolean> = {
      GRANTING: true,
      REVOKING: true,
      WITHDRAWING: true,
      HELD: false,
      PRESENT: false,
      REVOKE_SCHEDULED: false,
      FAILED: false,
      REVOKE_FAILED: false,
      UNREVOCABLE: false,
    };
    for (const [state, expected] of Object.entries(inFlight) as Array<[HoldingState, boolean]>) {
      expect({ state, inFlight: changeInFlight({ state }) }).toEqual({ state, inFlight: expected });
    }
  });
});
