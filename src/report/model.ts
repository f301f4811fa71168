/**
 * The audit report's contract: one row per (identity, item) of each access change, the period it covers,
 * and the documented columns every format shares. Rows carry ids and codes only, never personal data.
 */
import type { ItemType } from '../domain';

/** An operator's decision on a change, as its history recorded it (an accepted Update). */
export interface DecisionRecord {
  /** When Temporal accepted the Update. */
  at: string;
  decision: 'retry' | 'skip' | 'cancel';
  reason: string | null;
  /** The client identity that sent it (the CLI's `pid@host`, the Web UI's, ...), when recorded. */
  by: string | null;
}

/**
 * `final`: the change's workflow has closed; `outcome` is what its result recorded. `running`: it is still
 * open; `outcome` is what its `status` query says now (an item's outcome once known, else the phase).
 */
export type RowStatus = 'final' | 'running';

/** One (identity, item) of one access change. */
export interface ReportRow {
  workflowId: string;
  /** The run the row was read from (the latest, when the change continued as new). */
  runId: string;
  identityId: string;
  itemType: ItemType;
  itemId: string;
  /** `drift`: not a change but a finding of a drift sweep (outcome `MISSING`, `UNEXPECTED` or `UNREVOCABLE`). */
  change: 'grant' | 'revoke' | 'drift';
  /**
   * What made the change: `cli`, `hr-event`, `policy-apply`, `lifecycle`, `api`, `adopt`, `drift` (a
   * repair), or `unknown` (older inputs); a drift finding's is `drift-sweep`.
   */
  cause: string;
  /** The HR event id, ticket or lifecycle reference behind the cause, when there is one. */
  causeRef: string | null;
  idempotencyKey: string | null;
  /** When the change's workflow started (its first run). */
  requestedAt: string;
  /** When it closed; null while it runs. */
  finalAt: string | null;
  status: RowStatus;
  /**
   * The item's outcome (`GRANTED`, `REVOKED`, `ALREADY_SATISFIED`, `REJECTED`, `FAILED`, `CANCELLED`); while
   * running and not yet known, the phase (`TRACKING`, `AWAITING_OPERATOR`, ...); for a workflow that
   * closed without a result, `WORKFLOW_` and how it closed (`WORKFLOW_TERMINATED`, ...).
   */
  outcome: string;
  iscState: string | null;
  accessRequestId: string | null;
  /** The removal date of a temporary grant, and where that removal stands. */
  removeDate: string | null;
  removalStatus: string | null;
  decisions: DecisionRecord[];
}

/** The period a report covers: changes requested before `until` and not closed before `since`. */
export interface ReportPeriod {
  since: string | null;
  until: string | null;
}

/** How the rows were narrowed to one identity; the pseudonymous ref, never the employee number. */
export type IdentityFilter =
  { kind: 'identityId'; identityId: string } | { kind: 'ref'; ref: string; identityIds: string[] };

export interface Report {
  period: ReportPeriod;
  generatedAt: string;
  identity: IdentityFilter | null;
  rows: ReportRow[];
}

export const REPORT_FORMATS = ['table', 'csv', 'json', 'html'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** The columns of the CSV (and the keys of each JSON row), in order, with what each holds. */
export const REPORT_COLUMNS = [
  ['requestedAt', 'when the change was requested (its workflow started), ISO 8601 UTC'],
  ['finalAt', 'when it closed, ISO 8601 UTC; empty while it runs'],
  ['status', 'final, or running (the outcome is then the live status)'],
  ['identityId', 'the ISC identity id'],
  ['itemType', 'ROLE, ACCESS_PROFILE or ENTITLEMENT'],
  ['itemId', 'the ISC id of the role, access profile or entitlement'],
  ['change', 'grant or revoke; drift for a finding of a drift sweep (outcome MISSING, UNEXPECTED or UNREVOCABLE)'],
  ['outcome', 'the item outcome, the live phase while running, or WORKFLOW_<how it closed> without a result'],
  ['iscState', "ISC's last state for the item's request"],
  ['accessRequestId', "ISC's access request id"],
  [
    'cause',
    'cli, hr-event, policy-apply, lifecycle, api, adopt, drift (a repair); drift-sweep for a finding (unknown for changes made before causes were recorded)',
  ],
  ['causeRef', 'the HR event (source/id), ticket or lifecycle reference behind the cause'],
  ['idempotencyKey', "the caller's idempotency key, when the change had one"],
  ['removeDate', 'the removal date of a temporary grant'],
  ['removalStatus', 'SCHEDULED, REMOVING, REMOVED, KEPT or FAILED'],
  ['decisions', 'operator decisions: time, retry/skip/cancel, who, and the reason; one per line'],
  ['workflowId', 'the Temporal workflow id of the change'],
  ['runId', 'the Temporal run the row was read from'],
] as const satisfies ReadonlyArray<readonly [keyof ReportRow, string]>;
