/**
 * The figures of one day-one run (`npm run bench:adopt`), computed from what the simulator and Temporal
 * recorded. Pure, so the same definitions serve every run and the documentation.
 */
import type { ActionTally } from '../support/billable-actions';

/** What the issue asks of a run, by these names. */
export interface AdoptFigures {
  identities: number;
  /** From `iscflow adopt` starting to every adopted lifecycle settled (its grants final in ISC). */
  adoptSeconds: number;
  /** ISC calls of the adoption (API and token), the workers' included. */
  iscCalls: number;
  callsPerIdentity: number;
  /** 429s ISC answered during the adoption. */
  rateLimited: number;
  maxCallsIn10s: number;
  /** Grants that reached ISC for access the identity already held: must be 0. */
  grantsOfHeldAccess: number;
  /** Grant rows that reached ISC: must equal the items missing. */
  grantsSent: number;
  temporalActions: number;
  temporalActionsPerIdentity: number;
  /** What an adopted identity with no events costs over a day: measured over an idle interval, scaled. */
  idleActionsPerIdentityDay: number;
  driftSweepSeconds: number;
  /** ISC calls of one `iscflow drift` over the adopted tenant (its policy load included). */
  driftSweepCalls: number;
}

/** What the figures are judged against, for the log and the JSON file. */
export interface AdoptContext {
  held: number;
  itemsMissing: number;
  adopted: number;
  alreadyManaged: number;
  /** Lifecycles the drift sweep queried (a billed action each): 0 when nothing drifted. */
  driftQueried: number;
  driftFindings: number;
  /** Actions by workflow type, and by kind in all. */
  actions: ActionTally;
  idleSeconds: number;
  idleActions: number;
}

export interface SimRow {
  requestType: string;
  requestedFor: string;
  itemId: string;
  state: string | null;
  ignored: boolean;
}

export interface SimStats {
  calls: Record<string, Record<string, number>>;
  apiCalls: number;
  maxCallsIn10s: number;
}

export const round = (value: number, digits = 3): number => Math.round(value * 10 ** digits) / 10 ** digits;

const sum = (byStatus: Record<string, number> | undefined): number =>
  Object.values(byStatus ?? {}).reduce((a, b) => a + b, 0);

/** ISC calls as ISC counts them against the budget, and the token exchanges beside them. */
export function iscCallsOf(stats: SimStats): number {
  return stats.apiCalls + sum(stats.calls['POST /oauth/token']);
}

export function rateLimitedOf(stats: SimStats): number {
  return Object.values(stats.calls).reduce((total, byStatus) => total + (byStatus['429'] ?? 0), 0);
}

/** Grant rows that reached ISC, and those for access held before the run (`identity|item`). */
export function grantsOf(rows: readonly SimRow[], heldBefore: ReadonlySet<string>): { sent: number; ofHeld: number } {
  const grants = rows.filter((r) => r.requestType === 'GRANT_ACCESS' && !r.ignored);
  return { sent: grants.length, ofHeld: grants.filter((r) => heldBefore.has(`${r.requestedFor}|${r.itemId}`)).length };
}

const DAY_SECONDS = 24 * 3600;

/** Actions over an idle interval, per identity, scaled to a day. */
export function perIdentityDay(actions: number, identities: number, seconds: number): number {
  return round((actions / Math.max(1, identities)) * (DAY_SECONDS / Math.max(1, seconds)), 4);
}
