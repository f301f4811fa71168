/**
 * Driving a production topology through a run of access changes: start them with the CLI, wait for
 * their workflows to complete, report progress. Used by the production tests and meant for the scenarios
 * that come with the HR-event ingress.
 */
import type { AccessRequestResult } from '../../../src/workflows/access-request/contracts';
import type { ProductionTopology } from './topology';

/** One grant the CLI started, and the workflow that carries it. */
export interface StartedChange {
  identityId: string;
  entitlementId: string;
  workflowId: string;
}

/** `identity ENTITLEMENT:item`, the key the tenant's request items are judged by. */
export const changeKey = (c: { identityId: string; entitlementId: string }): string =>
  `${c.identityId} ENTITLEMENT:${c.entitlementId}`;

/** Progress lines on stderr, prefixed, so a run of several minutes shows where it is. */
export function progress(label: string): (line: string) => void {
  const began = Date.now();
  return (line) => process.stderr.write(`[${label} +${Math.round((Date.now() - began) / 1000)}s] ${line}\n`);
}

/** `work` over `items`, at most `limit` at a time, results in input order. */
async function mapLimit<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next;
      next += 1;
      results[index] = await work(items[index] as T);
    }
  });
  await Promise.all(lanes);
  return results;
}

/**
 * `count` distinct grants of plain entitlements that the identities do not hold yet (each should end
 * GRANTED with exactly one ISC item), skipping the first `skip` such pairs.
 */
export async function planGrants(
  topology: ProductionTopology,
  count: number,
  skip = 0,
): Promise<Array<{ identityId: string; entitlementId: string }>> {
  const identities = topology.catalog.identities.map((i) => i.id);
  const entitlements = topology.plainEntitlements().map((e) => e.id);
  if (count + skip > identities.length * entitlements.length) throw new Error('the catalog is too small');
  const held = new Map<string, Set<string>>();
  for (const id of identities) {
    const access = await topology.simulator.get<Array<{ id: string }>>(`/__sim/identities/${id}/access`);
    held.set(id, new Set(access.map((a) => a.id)));
  }
  const planned: Array<{ identityId: string; entitlementId: string }> = [];
  for (let n = 0; planned.length < count + skip; n += 1) {
    const identityId = identities[n % identities.length] as string;
    const entitlementId = entitlements[Math.floor(n / identities.length) % entitlements.length] as string;
    if (!held.get(identityId)?.has(entitlementId)) planned.push({ identityId, entitlementId });
  }
  return planned.slice(skip);
}

/**
 * Judged by the tenant, as the chaos harness does: how many ISC request items each change got (exactly
 * one is right: zero is a lost change, two a duplicate), as `key xN` lines in the changes' order.
 */
export async function itemsPerChange(topology: ProductionTopology, changes: StartedChange[]): Promise<string[]> {
  const perChange = new Map<string, number>();
  for (const row of await topology.simRequests()) {
    const key = `${row.requestedFor} ${row.itemType}:${row.itemId}`;
    perChange.set(key, (perChange.get(key) ?? 0) + 1);
  }
  return changes.map((c) => `${changeKey(c)} x${perChange.get(changeKey(c)) ?? 0}`);
}

/**
 * `iscflow request --grant` for each pair (four CLI processes at a time), as an HR integration would: each
 * change carries its own idempotency key (the id of the HR event behind it), so a replayed event is a no-op.
 */
export async function startChanges(
  topology: ProductionTopology,
  pairs: Array<{ identityId: string; entitlementId: string }>,
): Promise<StartedChange[]> {
  return mapLimit(pairs, 4, async (pair) => {
    const key = `hr-${pair.identityId.slice(0, 8)}-${pair.entitlementId.slice(0, 8)}`;
    const run = await topology.grant(
      pair.identityId,
      pair.entitlementId,
      '--comment',
      'production run',
      '--idempotency-key',
      key,
      '--json',
    );
    if (run.code !== 0) throw new Error(`iscflow request for ${changeKey(pair)} exited ${run.code}: ${run.err}`);
    const [workflow, ...more] = run.json<{ workflows: Array<{ workflowId: string }> }>().workflows;
    if (!workflow || more.length > 0) throw new Error(`one workflow expected for ${changeKey(pair)}: ${run.out}`);
    return { ...pair, workflowId: workflow.workflowId };
  });
}

/**
 * Waits until every change's workflow has COMPLETED and returns the results; fails at the deadline
 * naming the ones still open, with their status.
 */
export async function waitForCompletion(
  topology: ProductionTopology,
  changes: StartedChange[],
  timeoutMs: number,
  log: (line: string) => void,
): Promise<Map<string, AccessRequestResult>> {
  const client = await topology.client();
  const results = new Map<string, AccessRequestResult>();
  const deadline = Date.now() + timeoutMs;
  const open = new Map<string, string>();
  for (;;) {
    open.clear();
    for (const { workflowId } of changes) {
      if (results.has(workflowId)) continue;
      const handle = client.workflow.getHandle(workflowId);
      try {
        const status = (await handle.describe()).status.name;
        if (status === 'COMPLETED') results.set(workflowId, (await handle.result()) as AccessRequestResult);
        else open.set(workflowId, status);
      } catch (error) {
        // The server restarting: asked again on the next round.
        open.set(workflowId, (error as Error).message);
      }
    }
    log(`${results.size}/${changes.length} workflows completed`);
    if (open.size === 0) return results;
    if (Date.now() > deadline) {
      throw new Error(`not completed after ${timeoutMs} ms: ${JSON.stringify(Object.fromEntries(open))}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
}
