/**
 * Reads a report from Temporal: the changes of the period from visibility (paged), each run's history
 * (with bounded concurrency, since thousands of histories are thousands of calls), the runs a chain
 * continued from or into, and the `status` query of changes still running.
 */
import type { Client } from '@temporalio/client';
import { IDENTITY_IDS, IDENTITY_REF, STATE } from '../common';
import { identityRef } from '../operations/identity-refs';
import type { AccessRequestHandle } from '../operations/change-status';
import { statusQuery } from '../workflows/access-request/contracts';
import { itemResults } from '../workflows/access-request/results';
import { readChangeRun, readLiveItems, type ChangeRun } from './history';
import type { IdentityFilter, Report, ReportPeriod } from './model';
import { lifecycleQuery, reportQuery, rowMatches, type IdentityKeyInput } from './query';
import { chainRuns, changeRows, compareRows, type Change, type LiveStatus } from './rows';
import { mapBounded } from './bounded';
import { readDriftRows } from './drift';

export { mapBounded } from './bounded';

export interface ReadReportOptions {
  period: ReportPeriod;
  /** Narrow the report to one identity (`--identity KEY`). */
  identity?: IdentityKeyInput;
  /** The deployment's pseudonym secret: how an employee number becomes the ref its lifecycle carries. */
  pseudonymKey: string;
  /** Histories fetched at once; the dev server and a small cluster take 16 without strain. */
  concurrency?: number;
  /** How long a running change's `status` query may take before the report falls back to its phase. */
  queryTimeoutMs?: number;
  now?: () => Date;
}

const DEFAULT_CONCURRENCY = 16;
const DEFAULT_QUERY_TIMEOUT_MS = 5_000;

/** What visibility says of one listed run. */
interface Listed {
  workflowId: string;
  runId: string;
  /** The phase visibility last saw (the fallback when the status query does not answer). */
  phase: string | null;
  /** Started by the lifecycle of the identity asked about (it carries that identity's ref). */
  fromLifecycle: boolean;
}

async function resolveIdentity(
  client: Client,
  input: IdentityKeyInput | undefined,
  pseudonymKey: string,
): Promise<IdentityFilter | null> {
  if (!input) return null;
  if (input.kind === 'identityId') return { kind: 'identityId', identityId: input.identityId };
  const ref = identityRef({ kind: 'employeeNumber', value: input.value }, pseudonymKey);
  const identityIds = new Set<string>();
  for await (const lifecycle of client.workflow.list({ query: lifecycleQuery(ref) })) {
    for (const id of lifecycle.typedSearchAttributes.get(IDENTITY_IDS) ?? []) identityIds.add(id);
  }
  return { kind: 'ref', ref, identityIds: [...identityIds].sort() };
}

async function listRuns(client: Client, query: string, filter: IdentityFilter | null): Promise<Listed[]> {
  const listed: Listed[] = [];
  for await (const run of client.workflow.list({ query })) {
    listed.push({
      workflowId: run.workflowId,
      runId: run.runId,
      phase: run.typedSearchAttributes.get(STATE) ?? null,
      fromLifecycle: filter?.kind === 'ref' && run.typedSearchAttributes.get(IDENTITY_REF) === filter.ref,
    });
  }
  return listed;
}

async function fetchRun(client: Client, workflowId: string, runId: string): Promise<ChangeRun> {
  const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
  return readChangeRun(runId, history, client.options.loadedDataConverter);
}

/**
 * Adds the runs a listed run continued from or into, when the period's bounds left them out: a change's
 * request time is its first run's start, and its outcome its last run's.
 */
async function completeChains(
  client: Client,
  runs: Map<string, { workflowId: string; run: ChangeRun }>,
  concurrency: number,
): Promise<void> {
  for (;;) {
    const missing = new Map<string, string>();
    for (const { workflowId, run } of runs.values()) {
      for (const linked of [run.previousRunId, run.nextRunId]) {
        if (linked && !runs.has(linked)) missing.set(linked, workflowId);
      }
    }
    if (missing.size === 0) return;
    const fetched = await mapBounded([...missing], concurrency, async ([runId, workflowId]) => ({
      workflowId,
      run: await fetchRun(client, workflowId, runId),
    }));
    for (const entry of fetched) runs.set(entry.run.runId, entry);
  }
}

async function liveStatus(
  client: Client,
  workflowId: string,
  fallbackPhase: string | null,
  timeoutMs: number,
): Promise<LiveStatus> {
  const handle: AccessRequestHandle = client.workflow.getHandle(workflowId);
  try {
    const state = await client.withDeadline(Date.now() + timeoutMs, () => handle.query(statusQuery));
    return { phase: state.phase, items: readLiveItems(itemResults(state, { final: false })) };
  } catch {
    // No worker to answer (stopped, or not yet started on it): the phase visibility last saw still says
    // where the change stands, and a report must not wait on a worker.
    return { phase: fallbackPhase ?? 'RUNNING', items: [] };
  }
}

/** Every access change of the period, one row per (identity, item), and every drift finding, in report order. */
export async function readReport(client: Client, options: ReadReportOptions): Promise<Report> {
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  const timeoutMs = options.queryTimeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS;
  const generatedAt = (options.now ?? (() => new Date()))().toISOString();
  const identity = await resolveIdentity(client, options.identity, options.pseudonymKey);
  const listed = await listRuns(client, reportQuery(options.period, identity), identity);
  const byRun = new Map(listed.map((l) => [l.runId, l]));

  const runs = new Map<string, { workflowId: string; run: ChangeRun }>();
  const fetched = await mapBounded(listed, concurrency, async (l) => ({
    workflowId: l.workflowId,
    run: await fetchRun(client, l.workflowId, l.runId),
  }));
  for (const entry of fetched) runs.set(entry.run.runId, entry);
  await completeChains(client, runs, concurrency);

  const workflowOf = new Map([...runs.values()].map((e) => [e.run.runId, e.workflowId]));
  const chains = chainRuns([...runs.values()].map((e) => e.run));
  const changes: Array<{ change: Change; fromLifecycle: boolean }> = await mapBounded(
    chains,
    concurrency,
    async (chain) => {
      const last = chain[chain.length - 1];
      const workflowId = (last && workflowOf.get(last.runId)) ?? '';
      const seen = chain.map((r) => byRun.get(r.runId)).filter((l): l is Listed => l !== undefined);
      const live =
        last && last.closure === null
          ? await liveStatus(client, workflowId, byRun.get(last.runId)?.phase ?? null, timeoutMs)
          : null;
      return { change: { workflowId, runs: chain, live }, fromLifecycle: seen.some((l) => l.fromLifecycle) };
    },
  );

  const findings = await readDriftRows(client, options.period, identity, concurrency);
  const rows = changes
    .flatMap(({ change, fromLifecycle }) =>
      changeRows(change).filter((row) => rowMatches(identity, row, fromLifecycle)),
    )
    .concat(findings)
    .sort(compareRows);
  return { period: options.period, generatedAt, identity, rows };
}
