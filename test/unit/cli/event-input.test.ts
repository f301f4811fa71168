/**
 * Reading HR events from a file (`iscflow event FILE`): every way a file can be refused names where (line,
 * row, index), the field and the rule, and refuses the whole file. Through the command, Temporal is a
 * closed port: exit code 2 with the message proves nothing was sent (a connection attempt ends in 1).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readEventFile } from '../../../src/cli/event-input';
import { runCaptured } from '../../support/cli';

const ISC_ID = '0123456789abcdef0123456789abcdef';
const HIRE = {
  id: 'wd-1',
  source: 'workday',
  type: 'hire',
  identity: { employeeNumber: 'E1042' },
  effectiveAt: '2027-01-04T08:00:00Z',
  attributes: { department: 'Engineering', workerType: 'employee' },
};
const line = (event: unknown): string => JSON.stringify(event);

function problemsOf(text: string, options?: { csv?: boolean }): string[] {
  const read = readEventFile(text, options);
  if (read.ok) throw new Error(`expected a refusal, got ${read.events.length} events`);
  return read.problems;
}

describe('readEventFile: the formats', () => {
  it('reads a JSON object, a JSON array and NDJSON, each event located', () => {
    const object = readEventFile(line(HIRE));
    expect(object).toEqual({ ok: true, events: [{ where: 'event', event: HIRE }] });
    const array = readEventFile(line([HIRE, { ...HIRE, id: 'wd-2' }]));
    expect(array.ok && array.events.map((e) => [e.where, e.event.id])).toEqual([
      ['[0]', 'wd-1'],
      ['[1]', 'wd-2'],
    ]);
    const ndjson = readEventFile(`${line(HIRE)}\n\n${line({ ...HIRE, id: 'wd-3' })}\n`);
    expect(ndjson.ok && ndjson.events.map((e) => [e.where, e.event.id])).toEqual([
      ['line 1', 'wd-1'],
      ['line 3', 'wd-3'],
    ]);
  });

  it('maps CSV columns: identity columns, other columns as attributes, an empty cell left out', () => {
    const csv = [
      'id,source,type,employeeNumber,identityId,effectiveAt,rescinds,department,location',
      `wd-1,workday,hire,E1042,${ISC_ID},2027-01-04T08:00:00Z,,Engineering,Berlin`,
      'wd-2,workday,update,E1042,,2027-02-01T08:00:00Z,,,Paris',
      'wd-3,workday,rescind,E1042,,2027-01-02T08:00:00Z,wd-1,,',
    ].join('\n');
    const read = readEventFile(csv);
    expect(read).toEqual({
      ok: true,
      events: [
        {
          where: 'row 2',
          event: {
            id: 'wd-1',
            source: 'workday',
            type: 'hire',
            identity: { employeeNumber: 'E1042', id: ISC_ID },
            effectiveAt: '2027-01-04T08:00:00Z',
            attributes: { department: 'Engineering', location: 'Berlin' },
          },
        },
        {
          where: 'row 3',
          event: {
            id: 'wd-2',
            source: 'workday',
            type: 'update',
            identity: { employeeNumber: 'E1042' },
            effectiveAt: '2027-02-01T08:00:00Z',
            attributes: { location: 'Paris' },
          },
        },
        {
          where: 'row 4',
          event: {
            id: 'wd-3',
            source: 'workday',
            type: 'rescind',
            identity: { employeeNumber: 'E1042' },
            effectiveAt: '2027-01-02T08:00:00Z',
            rescinds: 'wd-1',
          },
        },
      ],
    });
  });

  it('takes a file that starts with a byte-order mark, as spreadsheet and Windows exports do', () => {
    const bom = '\uFEFF';
    expect(readEventFile(`${bom}${line(HIRE)}\n${line({ ...HIRE, id: 'wd-2' })}\n`).ok).toBe(true);
    expect(readEventFile(`${bom}${line(HIRE)}`).ok).toBe(true);
    expect(readEventFile(`${bom}id,type,employeeNumber,effectiveAt\nwd-1,hire,E1,2027-01-04T08:00:00Z\n`).ok).toBe(
      true,
    );
  });

  it('reads CSV when told to, whatever the first character', () => {
    expect(problemsOf('[x]\n1', { csv: true })[0]).toMatch(/^row 2: /);
  });

  it('keeps the same event twice in one file (the second is reported as a duplicate when sent)', () => {
    const read = readEventFile(`${line(HIRE)}\n${line(HIRE)}`);
    expect(read.ok && read.events).toHaveLength(2);
  });
});

describe('readEventFile: every refusal names where, the field and the rule', () => {
  it.each([
    ['an empty file', '  \n', /^file: is empty: no event to send$/],
    ['a CSV with only its header', 'id,type,employeeNumber,effectiveAt\n', /^file: holds no event to send$/],
    ['an empty JSON array', '[]', /^file: holds no event to send$/],
    ['a CSV that cannot be parsed', 'id,type\n"wd-1,hire', /^CSV: cannot be read: /],
    ['an NDJSON line that is not JSON', `${line(HIRE)}\n{"id": `, /^line 2: is not valid JSON$/],
  ])('%s', (_name, text, message) => {
    expect(problemsOf(text)).toEqual([expect.stringMatching(message)]);
  });

  const without = (field: string): Record<string, unknown> =>
    Object.fromEntries(Object.entries(HIRE).filter(([k]) => k !== field));

  it.each([
    ['id', without('id'), 'id', 'REQUIRED'],
    ['type', without('type'), 'type', 'REQUIRED'],
    ['effectiveAt', without('effectiveAt'), 'effectiveAt', 'REQUIRED'],
    ['identity', without('identity'), 'identity', 'REQUIRED'],
    ['an id of the wrong type', { ...HIRE, id: 42 }, 'id', 'INVALID_TYPE'],
    ['an unknown field', { ...HIRE, department: 'Engineering' }, 'department', 'UNKNOWN_FIELD'],
    ['an unknown identity field', { ...HIRE, identity: { email: 'a@example.com' } }, 'identity.email', 'UNKNOWN_FIELD'],
    ['an event id with a space', { ...HIRE, id: 'wd 1' }, 'id', 'EVENT_ID_FORMAT'],
    ['a source with a slash', { ...HIRE, source: 'work/day' }, 'source', 'SOURCE_FORMAT'],
    ['an unknown type', { ...HIRE, type: 'leave' }, 'type', 'UNKNOWN_EVENT_TYPE'],
    ['an identity with no key', { ...HIRE, identity: {} }, 'identity', 'IDENTITY_REQUIRED'],
    [
      'an employee number with a space',
      { ...HIRE, identity: { employeeNumber: 'E 1042' } },
      'identity.employeeNumber',
      'EMPLOYEE_NUMBER_FORMAT',
    ],
    ['an ISC id with dashes', { ...HIRE, identity: { id: '0123-4567' } }, 'identity.id', 'MALFORMED_ID'],
    ['a date that is not a date', { ...HIRE, effectiveAt: 'next Monday' }, 'effectiveAt', 'DATE_MALFORMED'],
    ['a date in local time', { ...HIRE, effectiveAt: '2027-01-04T08:00:00+01:00' }, 'effectiveAt', 'DATE_NOT_UTC'],
    ['a rescind naming nothing', { ...without('attributes'), type: 'rescind' }, 'rescinds', 'RESCINDS_REQUIRED'],
    ['rescinds on a hire', { ...HIRE, rescinds: 'wd-0' }, 'rescinds', 'RESCINDS_NOT_ALLOWED'],
    ['attributes on a rescind', { ...HIRE, type: 'rescind', rescinds: 'wd-0' }, 'attributes', 'ATTRIBUTES_NOT_ALLOWED'],
    [
      'a null attribute on a hire',
      { ...HIRE, attributes: { location: null } },
      'attributes.location',
      'ATTRIBUTE_REMOVAL_NOT_ALLOWED',
    ],
    ['an object as an attribute value', { ...HIRE, attributes: { site: {} } }, 'attributes.site', 'ATTRIBUTE_VALUE'],
  ])('%s', (_name, event, field, rule) => {
    const problems = problemsOf(line([HIRE, event]));
    expect(problems).toContainEqual(
      expect.stringMatching(new RegExp(`^\\[1\\]: ${field.replace('.', '\\.')} .*\\(rule ${rule}\\)\\.$`)),
    );
    // The good event before it does not make the file acceptable: the whole file is refused.
    expect(problems.every((p) => p.startsWith('[1]: '))).toBe(true);
  });

  it('names a CSV row as a spreadsheet numbers it, and reports every problem at once', () => {
    const csv = [
      'id,type,employeeNumber,effectiveAt',
      'wd-1,hire,E1,2027-01-04T08:00:00Z',
      'wd-2,leave,,tomorrow',
    ].join('\n');
    expect(problemsOf(csv)).toEqual([
      expect.stringMatching(/^row 3: type .*\(rule UNKNOWN_EVENT_TYPE\)/),
      'row 3: employeeNumber or identityId is required (rule IDENTITY_REQUIRED).',
      expect.stringMatching(/^row 3: effectiveAt .*\(rule DATE_MALFORMED\)/),
    ]);
  });

  it("names a CSV row's fields by their columns, not by the event's JSON paths", () => {
    const csv = [
      'id,type,employeeNumber,identityId,effectiveAt',
      'wd-1,hire,E 1042,0123-4567,2027-01-04T08:00:00Z',
    ].join('\n');
    const problems = problemsOf(csv);
    expect(problems).toEqual([
      expect.stringMatching(/^row 2: employeeNumber must be .*\(rule EMPLOYEE_NUMBER_FORMAT\)\.$/),
      expect.stringMatching(/^row 2: identityId must be an ISC id.*\(rule MALFORMED_ID\)\.$/),
    ]);
    expect(problems.join('\n')).not.toContain('identity.');
  });
});

describe('iscflow event: a refused file sends nothing', () => {
  const dir = mkdtempSync(join(tmpdir(), 'iscflow-event-input-'));
  const ENV = { TEMPORAL_ADDRESS: '127.0.0.1:1', ISCFLOW_PSEUDONYM_KEY: 'unit-test-pseudonym-key' };

  async function event(name: string, text: string) {
    const file = join(dir, name);
    writeFileSync(file, text);
    return { ...(await runCaptured(ENV, ['event', file])), file };
  }

  it('exits 2 naming the file, the place, the field and the rule', async () => {
    const run = await event('bad.ndjson', `${line(HIRE)}\n${line({ ...HIRE, id: 'wd-2', effectiveAt: '2027-01-04' })}`);
    expect(run.code).toBe(2);
    expect(run.out).toBe('');
    expect(run.err).toContain(`${run.file}: nothing was sent:`);
    expect(run.err).toMatch(/line 2: effectiveAt .*\(rule DATE_MALFORMED\)/);
  });

  it('reads a .csv name as CSV even when it looks like JSON', async () => {
    const run = await event('events.csv', line(HIRE));
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/CSV: cannot be read: /);
  });

  it('refuses a file that cannot be read, and a missing FILE argument', async () => {
    const missing = await runCaptured(ENV, ['event', join(dir, 'absent.json')]);
    expect(missing.code).toBe(2);
    const noFile = await runCaptured(ENV, ['event']);
    expect(noFile.code).toBe(2);
    expect(noFile.err).toMatch(/FILE \(or - for standard input\) is required/);
  });
});
