import { formatViolations, validateAccessChange, type Violation } from '../../../src/domain';

const NOW = '2026-06-01T12:00:00Z';
const ID1 = 'a'.repeat(32);
const ID2 = 'b'.repeat(32);
const ENT1 = '1'.repeat(32);
const ENT2 = '2'.repeat(32);

function grant(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { requestType: 'GRANT_ACCESS', identityIds: [ID1], items: [{ type: 'ENTITLEMENT', id: ENT1 }], ...overrides };
}

function revoke(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...grant({ requestType: 'REVOKE_ACCESS', comment: 'left the team' }), ...overrides };
}

function violationsOf(change: unknown): Violation[] {
  const result = validateAccessChange(change, NOW);
  if (result.ok) throw new Error('expected violations');
  return result.violations;
}

/** Every violation must name its field and its rule in its one-sentence message. */
function expectOne(change: unknown, field: string, rule: string): Violation {
  const found = violationsOf(change).find((v) => v.field === field && v.rule === rule);
  expect(found).toBeDefined();
  expect(found?.message).toContain(field);
  expect(found?.message).toContain(rule);
  expect(found?.message).not.toContain('\n');
  return found as Violation;
}

describe('validateAccessChange', () => {
  it('accepts a valid grant and normalises ids to lower case', () => {
    const result = validateAccessChange(
      grant({
        identityIds: [ID1.toUpperCase()],
        removeDate: '2026-07-01T00:00:00Z',
        startDate: '2026-06-02T00:00:00+00:00',
      }),
      NOW,
    );
    expect(result).toEqual({
      ok: true,
      change: {
        requestType: 'GRANT_ACCESS',
        identityIds: [ID1],
        items: [{ type: 'ENTITLEMENT', id: ENT1 }],
        removeDate: '2026-07-01T00:00:00Z',
        startDate: '2026-06-02T00:00:00+00:00',
      },
    });
  });

  it('accepts a revoke for several identities and items: the planner splits it', () => {
    const result = validateAccessChange(
      revoke({
        identityIds: [ID1, ID2],
        items: [
          { type: 'ENTITLEMENT', id: ENT1 },
          { type: 'ROLE', id: ENT2 },
        ],
      }),
      NOW,
    );
    expect(result.ok).toBe(true);
  });

  it('accepts a revoke with a future removeDate', () => {
    expect(validateAccessChange(revoke({ removeDate: '2026-06-02T00:00:00.000Z' }), NOW).ok).toBe(true);
  });

  it.each([
    ['a date without a zone', '2026-07-01T00:00:00', 'DATE_NOT_UTC'],
    ['a non-UTC offset', '2026-07-01T00:00:00+02:00', 'DATE_NOT_UTC'],
    ['a date without time', '2026-07-01', 'DATE_MALFORMED'],
    ['an impossible day', '2026-02-30T00:00:00Z', 'DATE_MALFORMED'],
    ['free text', 'next tuesday', 'DATE_MALFORMED'],
    ['a past date', '2026-05-31T23:59:59Z', 'DATE_IN_PAST'],
    ['exactly now', NOW, 'DATE_IN_PAST'],
  ])('refuses removeDate as %s', (_label, removeDate, rule) => {
    expectOne(grant({ removeDate }), 'removeDate', rule);
  });

  it('refuses a startDate in the past', () => {
    expectOne(grant({ startDate: '2020-01-01T00:00:00Z' }), 'startDate', 'DATE_IN_PAST');
  });

  it('refuses a startDate that is not before removeDate', () => {
    expectOne(
      grant({ startDate: '2026-08-01T00:00:00Z', removeDate: '2026-07-01T00:00:00Z' }),
      'startDate',
      'START_NOT_BEFORE_REMOVE',
    );
    expectOne(
      grant({ startDate: '2026-07-01T00:00:00Z', removeDate: '2026-07-01T00:00:00+00:00' }),
      'startDate',
      'START_NOT_BEFORE_REMOVE',
    );
  });

  it('requires a comment on a revoke, and refuses a blank one', () => {
    expectOne(revoke({ comment: undefined }), 'comment', 'REVOKE_COMMENT_REQUIRED');
    expectOne(revoke({ comment: '   ' }), 'comment', 'REVOKE_COMMENT_REQUIRED');
  });

  it('refuses a startDate on a revoke', () => {
    expectOne(revoke({ startDate: '2026-07-01T00:00:00Z' }), 'startDate', 'REVOKE_NO_START_DATE');
  });

  it('refuses an unknown item type, naming the item', () => {
    const items = [
      { type: 'ROLE', id: ENT1 },
      { type: 'ENTITLEMENT', id: ENT2 },
      { type: 'GROUP', id: ID2 },
    ];
    expectOne(grant({ items }), 'items[2].type', 'UNKNOWN_ITEM_TYPE');
  });

  it('refuses an unknown request type', () => {
    expectOne(grant({ requestType: 'MODIFY_ACCESS' }), 'requestType', 'UNKNOWN_REQUEST_TYPE');
  });

  it.each([
    ['too short', 'abc'],
    ['dashed UUID', '2c918085-7466-4d3d-8a2b-1b4a3cf1e4a1'],
    ['non-hex', 'z'.repeat(32)],
  ])('refuses a malformed id (%s) and says ISC ids are 32 hex characters', (_label, id) => {
    const v = expectOne(grant({ identityIds: [ID1, id] }), 'identityIds[1]', 'MALFORMED_ID');
    expect(v.message).toContain('32 hexadecimal');
    expectOne(grant({ items: [{ type: 'ROLE', id }] }), 'items[0].id', 'MALFORMED_ID');
  });

  it('refuses duplicate items, also when only the case differs', () => {
    const items = [
      { type: 'ENTITLEMENT', id: ENT1 },
      { type: 'ROLE', id: ENT1 },
      { type: 'ENTITLEMENT', id: ENT1.toUpperCase() },
    ];
    const violations = violationsOf(grant({ items }));
    expect(violations).toHaveLength(1);
    expectOne(grant({ items }), 'items[2]', 'DUPLICATE_ITEM');
  });

  it('refuses duplicate identities', () => {
    expectOne(grant({ identityIds: [ID1, ID2, ID1] }), 'identityIds[2]', 'DUPLICATE_IDENTITY');
  });

  it('refuses empty lists and missing fields', () => {
    expectOne(grant({ identityIds: [] }), 'identityIds', 'EMPTY_LIST');
    expectOne(grant({ items: [] }), 'items', 'EMPTY_LIST');
    expectOne(grant({ identityIds: undefined }), 'identityIds', 'REQUIRED');
    expectOne(grant({ requestType: undefined }), 'requestType', 'REQUIRED');
  });

  it('refuses wrong types and unknown fields (a misspelt removeDate must not be dropped)', () => {
    expectOne(grant({ comment: 42 }), 'comment', 'INVALID_TYPE');
    expectOne(grant({ removedate: '2026-07-01T00:00:00Z' }), 'removedate', 'UNKNOWN_FIELD');
    expectOne('not an object', 'change', 'INVALID_TYPE');
  });

  it('reports every problem at once, shape and rules together', () => {
    const violations = violationsOf(
      revoke({ comment: undefined, removeDate: '2020-01-01T00:00:00Z', items: [{ type: 'GROUP', id: ENT1 }] }),
    );
    expect(violations.map((v) => `${v.field}:${v.rule}`).sort()).toEqual([
      'comment:REVOKE_COMMENT_REQUIRED',
      'items[0].type:UNKNOWN_ITEM_TYPE',
      'removeDate:DATE_IN_PAST',
    ]);
  });

  it('throws on a malformed now: that is a programming error, not bad input', () => {
    expect(() => validateAccessChange(grant(), 'yesterday')).toThrow(TypeError);
  });
});

describe('formatViolations', () => {
  it('prints one line per violation', () => {
    const violations = violationsOf(grant({ removeDate: 'soon', items: [{ type: 'GROUP', id: ENT1 }] }));
    const text = formatViolations(violations);
    expect(text.split('\n')).toHaveLength(2);
    expect(text).toContain('removeDate');
    expect(text).toContain('DATE_MALFORMED');
    expect(text).toContain('items[0].type');
  });
});
