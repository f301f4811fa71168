/**
 * Drift sweeps (`iscflow drift`, and the worker's schedule): what ISC holds for each managed identity
 * against what its lifecycle says it should hold.
 *
 * The cost is the point. ISC is read the way `iscflow adopt` reads it, a call per 250 identities. Whether an
 * identity drifted is decided from visibility (every running lifecycle's `IscflowAccessDigest`, listed once:
 * list calls are not billed) and that read alone; only a candidate (a difference, or a digest that cannot be
 * read with this policy) is queried, a billed action, and its findings come from the lifecycle's own answer.
 * An identity that did not drift costs no Temporal action at all.
 *
 * A repair (`--repair`, or the policy's `drift: repair` on the schedule) sends each drifted lifecycle its
 * findings through the `repairDrift` Update: it asks again for what is missing and revokes what is not
 * desired (cause `drift`). Access ISC will not let a request revoke is reported and never repaired.
 */
import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import type { DriftSweeper } from '../activities';
import type { DriftSweepSummary } from '../activities/contracts';
import { inParallel } from '../activities/tracking/signals';
import {
  DRIFT_FINDINGS,
  confirmedFindings,
  disagrees,
  driftModeOf,
  itemKey,
  readAccessDigest,
  type DriftFinding,
  type IdentityKey,
  type ItemFinding,
  type PolicyItem,
  type ResolvedPolicy,
} from '../domain';
import type { IscClient } from '../isc';
import type { IscflowMetrics } from '../metrics/instruments';
import type { identityLifecycleWorkflow } from '../workflows';
import { lifecycleStatusQuery, repairDriftUpdate } from '../workflows/identity-lifecycle/contracts';
import { ACTIVE_IDENTITIES, identityPages } from './isc-identities';
import { readManagedLifecycles, type ManagedLifecycle } from './managed-lifecycles';

/** What one managed identity's lifecycle and ISC disagree on. */
export interface DriftedIdentity {
  workflowId: string;
  ref: string;
  iscIdentityId: string;
  /** Its key (an employee number is personal data: the CLI shows it, a scheduled sweep's record leaves it out). */
  key?: IdentityKey;
  findings: ItemFinding[];
}

/** What a sweep found: the figures its record keeps, and each drifted identity with its key. */
export interface DriftReport extends Omit<DriftSweepSummary, 'drifted' | 'repair'> {
  drifted: DriftedIdentity[];
}

export interface FindDriftOptions {
  client: Client;
  isc: IscClient;
  /** The policy the workers run: a digest is read with it (another policy's is a candidate). */
  policy: ResolvedPolicy;
  query: string;
  budgetPer10s: number;
  /**
   * A holding that changed less than this long before ISC was read is not judged: ISC's search index lags
   * behind the changes it has made.
   */
  settleMs?: number;
  /** Lifecycles queried at once. */
  concurrency?: number;
  /** Told after each page of ISC's identities: how many were read so far. */
  onRead?: (read: number) => void;
  now?: () => Date;
}

/** How long ISC's search index may lag behind what it did. */
export const DEFAULT_SETTLE_MS = 10 * 60_000;
const QUERY_CONCURRENCY = 8;

interface Candidate {
  lifecycle: ManagedLifecycle;
  iscIdentityId: string;
  held: Set<string>;
}

export const noFindings = (): Record<DriftFinding, number> =>
  Object.fromEntries(DRIFT_FINDINGS.map((f) => [f, 0])) as Record<DriftFinding, number>;

/** Reads ISC and visibility, queries only the candidates, and says what drifted. Sends nothing. */
export async function findDrift(options: FindDriftOptions): Promise<DriftReport> {
  const { client, isc, policy, query } = options;
  const now = options.now ?? (() => new Date());
  const startedAt = now();
  const managed = await readManagedLifecycles(client);
  const report: DriftReport = {
    policyHash: policy.hash,
    query,
    startedAt: startedAt.toISOString(),
    finishedAt: startedAt.toISOString(),
    read: 0,
    managed: managed.count,
    judged: 0,
    queried: 0,
    unanswered: 0,
    iscCalls: 0,
    drifted: [],
    counts: noFindings(),
  };
  const candidates: Candidate[] = [];
  const pages = identityPages(isc, { query, budgetPer10s: options.budgetPer10s, onCall: () => (report.iscCalls += 1) });
  for await (const page of pages) {
    for (const identity of page) {
      report.read += 1;
      const lifecycles = managed.byIscId.get(identity.id) ?? [];
      if (lifecycles.length === 0) continue;
      const held = new Set(identity.access.map(itemKey));
      for (const lifecycle of lifecycles) {
        report.judged += 1;
        const expectation = readAccessDigest(policy, lifecycle.accessDigest);
        if (!expectation || disagrees(expectation, held))
          candidates.push({ lifecycle, iscIdentityId: identity.id, held });
      }
    }
    options.onRead?.(report.read);
  }
  const settledBefore = startedAt.getTime() - (options.settleMs ?? DEFAULT_SETTLE_MS);
  await inParallel(candidates, options.concurrency ?? QUERY_CONCURRENCY, async (candidate) => {
    report.queried += 1;
    let drifted: DriftedIdentity | undefined;
    try {
      drifted = await confirm(client, candidate, settledBefore);
    } catch {
      report.unanswered += 1;
      return;
    }
    if (!drifted) return;
    report.drifted.push(drifted);
    for (const f of drifted.findings) report.counts[f.finding] += 1;
  });
  report.drifted.sort((a, b) => a.workflowId.localeCompare(b.workflowId));
  report.finishedAt = now().toISOString();
  return report;
}

/** The lifecycle's own answer decides: what it says now, against what ISC held when it was read. */
async function confirm(
  client: Client,
  candidate: Candidate,
  settledBefore: number,
): Promise<DriftedIdentity | undefined> {
  const { lifecycle, iscIdentityId, held } = candidate;
  const handle = client.workflow.getHandle<typeof identityLifecycleWorkflow>(lifecycle.workflowId);
  const view = await handle.query(lifecycleStatusQuery);
  const standing = {
    active: view.employment === 'ACTIVE',
    desired: view.desired,
    holdings: view.holdings,
    ownership: view.ownership,
  };
  const findings = confirmedFindings(standing, held, settledBefore);
  if (findings.length === 0) return undefined;
  return { workflowId: lifecycle.workflowId, ref: lifecycle.ref, iscIdentityId, key: view.identity, findings };
}

export interface RepairOutcome {
  /** Lifecycles told their findings; each reconciled at once. */
  repaired: number;
  /** Findings that are not repaired: access ISC will not let a request revoke. */
  leftAlone: number;
  failed: Array<{ workflowId: string; error: string }>;
}

const itemsOf = (findings: readonly ItemFinding[], kind: DriftFinding): PolicyItem[] =>
  findings.filter((f) => f.finding === kind).map((f) => f.item);

/** Sends every drifted lifecycle what it must put right (`repairDrift`), a few at a time. */
export async function repairDrift(
  client: Client,
  drifted: readonly DriftedIdentity[],
  { reason = 'drift sweep', concurrency = QUERY_CONCURRENCY }: { reason?: string; concurrency?: number } = {},
): Promise<RepairOutcome> {
  const outcome: RepairOutcome = { repaired: 0, leftAlone: 0, failed: [] };
  const repairable = drifted.filter((d) => d.findings.some((f) => f.finding !== 'unrevocable'));
  outcome.leftAlone = drifted.reduce((n, d) => n + itemsOf(d.findings, 'unrevocable').length, 0);
  await inParallel(repairable, concurrency, async (d) => {
    const handle = client.workflow.getHandle<typeof identityLifecycleWorkflow>(d.workflowId);
    const missing = itemsOf(d.findings, 'missing');
    const unexpected = itemsOf(d.findings, 'unexpected');
    try {
      await handle.executeUpdate(repairDriftUpdate, { args: [{ missing, unexpected, reason }] });
      outcome.repaired += 1;
    } catch (error) {
      outcome.failed.push({ workflowId: d.workflowId, error: error instanceof Error ? error.message : String(error) });
    }
  });
  return outcome;
}

/** Whether anything drifted: access missing, unexpected, or held that ISC will not let a request revoke. */
export function hasDrift(report: Pick<DriftReport, 'counts'>): boolean {
  return DRIFT_FINDINGS.some((finding) => report.counts[finding] > 0);
}

export interface DriftSweeperDependencies {
  client: Client;
  isc: IscClient;
  policy: ResolvedPolicy;
  budgetPer10s: number;
  metrics?: Pick<IscflowMetrics, 'driftItems'>;
  logger?: Logger;
}

/**
 * The sweep a schedule runs in the worker: the people ISC says are active, repaired when asked or when the
 * policy says `drift: repair`. Its record leaves out the keys (employee numbers): ids and refs only.
 */
export function driftSweeper(deps: DriftSweeperDependencies): DriftSweeper {
  return async ({ repair }) => {
    const { client, isc, policy, budgetPer10s } = deps;
    const report = await findDrift({ client, isc, policy, query: ACTIVE_IDENTITIES, budgetPer10s });
    for (const finding of DRIFT_FINDINGS) deps.metrics?.driftItems(finding, report.counts[finding]);
    const repairs = repair ?? driftModeOf(policy) === 'repair';
    const outcome = repairs && hasDrift(report) ? await repairDrift(client, report.drifted) : undefined;
    deps.logger?.info(
      { ...report.counts, read: report.read, queried: report.queried, repaired: outcome?.repaired ?? 0 },
      'drift sweep done',
    );
    const { drifted, ...figures } = report;
    return {
      ...figures,
      drifted: drifted.map(({ workflowId, ref, iscIdentityId, findings }) => ({
        workflowId,
        ref,
        iscIdentityId,
        findings,
      })),
      ...(outcome ? { repair: { repaired: outcome.repaired, failed: outcome.failed.length } } : {}),
    };
  };
}
