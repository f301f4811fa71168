import { eventKey, identityKeyOf, identityKeyText, validateHrEvent } from '../../../src/domain';

const hire = {
  id: 'wd-88121',
  source: 'workday',
  type: 'hire',
  identity: { employeeNumber: 'E1042' },
  effectiveAt: '2027-01-04T08:00:00Z',
  attributes: { department: 'Engineering', location: 'Berlin', workerType: 'employee' },
};

const rulesOf = (input: unknown): string[] => {
  const result = validateHrEvent(input);
  return result.ok ? [] : result.violations.map((v) => `${v.field}:${v.rule}`);
};

describe('HR event (v1) validation', () => {
  it('accepts the documented example and defaults the source', () => {
    expect(validateHrEvent(hire)).toEqual({ ok: true, event: hire });
    const { source: _source, ...unsourced } = hire;
    const result = validateHrEvent(unsourced);
    expect(result.ok && result.event.source).toBe('default');
  });

  it('names every problem at once, each with its field and rule', () => {
    expect(
      rulesOf({
        id: 'has space',
        type: 'fire',
        identity: {},
        effectiveAt: '2027-01-04',
        extra: 1,
        attributes: { a: {} },
      }),
    ).toEqual([
      'id:EVENT_ID_FORMAT',
      'type:UNKNOWN_EVENT_TYPE',
      'attributes.a:ATTRIBUTE_VALUE',
      'extra:UNKNOWN_FIELD',
      'identity:IDENTITY_REQUIRED',
      'effectiveAt:DATE_MALFORMED',
    ]);
    const result = validateHrEvent({ ...hire, effectiveAt: '2027-01-04T08:00:00+02:00' });
    expect(result.ok ? '' : result.violations[0]!.message).toBe(
      'effectiveAt must be in UTC, ending in Z or +00:00 (rule DATE_NOT_UTC).',
    );
  });

  it('checks the rules of each type', () => {
    expect(rulesOf({ ...hire, type: 'rescind', attributes: undefined })).toEqual(['rescinds:RESCINDS_REQUIRED']);
    expect(rulesOf({ ...hire, rescinds: 'wd-1' })).toEqual(['rescinds:RESCINDS_NOT_ALLOWED']);
    expect(rulesOf({ ...hire, type: 'rescind', rescinds: 'wd-1' })).toEqual(['attributes:ATTRIBUTES_NOT_ALLOWED']);
    expect(rulesOf({ ...hire, attributes: { location: null } })).toEqual([
      'attributes.location:ATTRIBUTE_REMOVAL_NOT_ALLOWED',
    ]);
    expect(rulesOf({ ...hire, type: 'update', attributes: { location: null } })).toEqual([]);
    expect(rulesOf({ ...hire, identity: { id: 'not-hex' } })).toEqual(['identity.id:MALFORMED_ID']);
    expect(rulesOf({ ...hire, identity: { employeeNumber: 'E 1' } })).toEqual([
      'identity.employeeNumber:EMPLOYEE_NUMBER_FORMAT',
    ]);
    expect(rulesOf('text')).toEqual(['event:INVALID_TYPE']);
    expect(rulesOf({ ...hire, id: undefined })).toEqual(['id:REQUIRED']);
  });

  it('keys events by source and id, and identities by employee number before ISC id', () => {
    expect(eventKey({ source: 'workday', id: 'wd-1' })).toBe('workday/wd-1');
    const both = { identity: { employeeNumber: 'E1', id: 'a'.repeat(32) } };
    expect(identityKeyOf(both)).toEqual({ kind: 'employeeNumber', value: 'E1' });
    expect(identityKeyText(identityKeyOf({ identity: { id: 'b'.repeat(32) } }))).toBe(`id:${'b'.repeat(32)}`);
  });
});
