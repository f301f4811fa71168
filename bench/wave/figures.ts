/**
 * The figures of one wave, computed from what the simulator and Temporal recorded. Pure, so the same
 * definitions serve every run and the documentation.
 */
export interface WaveFigures {
  mode: 'shared' | 'poll';
  identities: number;
  items: number;
  completedItems: number;
  /** Every call the simulator saw on ISC's API, and the token calls. */
  iscCalls: number;
  submitCalls: number;
  statusCalls: number;
  callsPerItem: number;
  /** 429s sent. */
  rateLimited: number;
  maxCallsIn10s: number;
  /** First event sent to the last access change seeing its items final. */
  makespanSeconds: number;
  /** The slowest approval plus the fewest submit calls at ISC's limit. */
  lowerBoundSeconds: number;
  /** An item reaching its final state in ISC to its access change seeing it (95th percentile). */
  detectionLagP95Seconds: number;
  /** An event sent to its identity's first row in ISC (95th percentile). */
  submitWaitP95Seconds: number;
  workflowTasksPerItem: number;
  workerKills: number;
  /** Items that reached ISC more than once for the same identity, item and request type. */
  duplicateItems: number;
  deadlineHit: boolean;
  /** Calls by route, busiest first (`METHOD path=count`, comma-separated): where the calls went. */
  callsByRoute: string;
}

export interface SimRow {
  requestType: string;
  requestedFor: string;
  itemId: string;
  state: string | null;
  created: string;
  finishedAt: string | null;
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

export const round = (value: number, digits = 2): number => Math.round(value * 10 ** digits) / 10 ** digits;

export interface WaveRecord {
  mode: 'shared' | 'poll';
  identities: number;
  itemsPerIdentity: number;
  firstEventAt: number;
  /** When each identity's event was sent. */
  sentAt: Map<string, number>;
  rows: SimRow[];
  calls: Record<string, Record<string, number>>;
  apiCalls: number;
  maxCallsIn10s: number;
  /** Close time of each identity's access change (the lifecycle's child), by ISC identity id. */
  closedAt: Map<string, number>;
  workflowTasks: number;
  budgetPerSecond: number;
  workerKills: number;
  deadlineHit: boolean;
}

const sum = (byStatus: Record<string, number> | undefined): number =>
  Object.values(byStatus ?? {}).reduce((a, b) => a + b, 0);

export function figuresOf(record: WaveRecord): WaveFigures {
  const items = record.identities * record.itemsPerIdentity;
  const grants = record.rows.filter((r) => r.requestType === 'GRANT_ACCESS');
  const completed = grants.filter((r) => r.state === 'REQUEST_COMPLETED');
  const tokenCalls = sum(record.calls['POST /oauth/token']);
  const iscCalls = record.apiCalls + tokenCalls;
  const submitCalls = Object.entries(record.calls)
    .filter(([route]) => /^POST \/v(3|2025)\/access-requests$/.test(route))
    .reduce((total, [, byStatus]) => total + sum(byStatus), 0);
  const statusCalls = Object.entries(record.calls)
    .filter(([route]) => /^GET \/v(3|2025)\/access-request-status$/.test(route))
    .reduce((total, [, byStatus]) => total + sum(byStatus), 0);
  const rateLimited = Object.values(record.calls).reduce((total, byStatus) => total + (byStatus['429'] ?? 0), 0);
  const byIdentity = new Map<string, SimRow[]>();
  for (const row of grants) byIdentity.set(row.requestedFor, [...(byIdentity.get(row.requestedFor) ?? []), row]);
  const lags: number[] = [];
  const waits: number[] = [];
  for (const [identity, rows] of byIdentity) {
    const closed = record.closedAt.get(identity);
    const finished = rows.map((r) => (r.finishedAt ? Date.parse(r.finishedAt) : NaN));
    if (closed !== undefined && finished.every((f) => !Number.isNaN(f)))
      lags.push((closed - Math.max(...finished)) / 1000);
    const sent = record.sentAt.get(identity);
    if (sent !== undefined) waits.push((Math.min(...rows.map((r) => Date.parse(r.created))) - sent) / 1000);
  }
  const slowestApproval = Math.max(
    0,
    ...completed.map((r) => (r.finishedAt ? Date.parse(r.finishedAt) - Date.parse(r.created) : 0)),
  );
  // ISC takes at most ten identities per request: that many submit calls at least, at the budget's pace.
  const minimumSubmits = Math.ceil(record.identities / 10);
  const lastClose = Math.max(0, ...record.closedAt.values());
  const keys = grants.map((r) => `${r.requestedFor}|${r.itemId}`);
  return {
    mode: record.mode,
    identities: record.identities,
    items,
    completedItems: completed.length,
    iscCalls,
    submitCalls,
    statusCalls,
    callsPerItem: round(iscCalls / Math.max(1, items), 3),
    rateLimited,
    maxCallsIn10s: record.maxCallsIn10s,
    makespanSeconds: round((lastClose - record.firstEventAt) / 1000, 1),
    lowerBoundSeconds: round(slowestApproval / 1000 + minimumSubmits / record.budgetPerSecond, 1),
    detectionLagP95Seconds: round(percentile(lags, 95), 1),
    submitWaitP95Seconds: round(percentile(waits, 95), 1),
    workflowTasksPerItem: round(record.workflowTasks / Math.max(1, items), 2),
    workerKills: record.workerKills,
    duplicateItems: keys.length - new Set(keys).size,
    deadlineHit: record.deadlineHit,
    callsByRoute: Object.entries(record.calls)
      .filter(([route]) => !route.includes(' /__sim/'))
      .map(([route, byStatus]) => [route, sum(byStatus)] as const)
      .sort((a, b) => b[1] - a[1])
      .map(([route, count]) => `${route}=${count}`)
      .join(', '),
  };
}
