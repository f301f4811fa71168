/**
 * ISO-8601 date-time checks without the clock: every comparison takes its reference instant as an
 * argument, so workflow code can call these during replay.
 */

const ISO_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|z|[+-]\d{2}:?\d{2})?$/;

/** What a date-time string turned out to be. */
export type ParsedDateTime = { kind: 'malformed' } | { kind: 'not-utc' } | { kind: 'utc'; epochMs: number };

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/**
 * Parses an ISO-8601 date-time and tells whether it is in UTC (`Z` or a zero offset).
 *
 * The calendar is checked by hand because `Date.parse` accepts impossible days such as 30 February in
 * some engines and rolls them over.
 */
export function parseIsoDateTime(value: string): ParsedDateTime {
  const match = ISO_DATE_TIME.exec(value);
  if (!match) return { kind: 'malformed' };
  const [, y, mo, d, h, mi, s, , zone] = match;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = s === undefined ? 0 : Number(s);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return { kind: 'malformed' };
  if (hour > 23 || minute > 59 || second > 59) return { kind: 'malformed' };
  if (zone === undefined) return { kind: 'not-utc' };
  const utc = zone === 'Z' || zone === 'z' || /^[+-]00:?00$/.test(zone);
  if (!utc) return { kind: 'not-utc' };
  // Date.parse is deterministic for a given string; only the zone suffix is normalised for it.
  const epochMs = Date.parse(value.slice(0, value.length - zone.length) + 'Z');
  return Number.isNaN(epochMs) ? { kind: 'malformed' } : { kind: 'utc', epochMs };
}
