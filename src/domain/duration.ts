/**
 * ISO-8601 durations as policies write them (`P7D`, `PT0S`, `P1DT12H`, `P2W`). Years and months are
 * refused: their length depends on the calendar, and a grace period must mean the same everywhere.
 */
const DURATION = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

export type ParsedDuration = { ok: true; ms: number } | { ok: false; reason: string };

export function parseIsoDuration(value: string): ParsedDuration {
  const match = DURATION.exec(value);
  if (!match || value === 'P' || value.endsWith('T')) {
    return {
      ok: false,
      reason: 'must be an ISO-8601 duration in weeks, days, hours, minutes or seconds, e.g. P7D or PT12H',
    };
  }
  const [, weeks, days, hours, minutes, seconds] = match;
  const ms =
    (Number(weeks ?? 0) * 7 * 24 * 3600 +
      Number(days ?? 0) * 24 * 3600 +
      Number(hours ?? 0) * 3600 +
      Number(minutes ?? 0) * 60 +
      Number(seconds ?? 0)) *
    1000;
  return { ok: true, ms: Math.round(ms) };
}
