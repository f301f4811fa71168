/**
 * `iscflow report` against a dev server and the simulator: a few grants (one keyed, one for two
 * identities), a revoke, a grant an operator skipped with a reason, one still waiting for an approver, and
 * one a lifecycle started for an employee; the rows, outcomes, causes and the decision all appear, in every
 * format, narrowed by period and by identity.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IDENTITY_IDS, IDENTITY_REF, WORKFLOW_TYPES } from '../../src/common';
import { DEV_PSEUDONYM_KEY } from '../../src/config';
import { planAccessRequests } from '../../src/domain';
import { identityRef, lifecycleWorkflowId } from '../../src/operations/identity-refs';
import type { ReportRow } from '../../src/report';
import type { accessRequestWorkflow } from '../../src/workflows';
import { initialSearchAttributes } from '../../src/workflows/access-request/search-attributes';
import { brokenEntitlement } from '../support/catalog';
import { startStack, type RequestJson, type Stack } from '../support/stack';
import { waitFor } from '../support/wait';

interface ReportJson {
  period: { since: string | null; until: string | null };
  identity: unknown;
  rows: ReportRow[];
}

describe('iscflow report (dev server + simulator)', () => {
  let stack: Stack;
  let dir: string;
  let started: string;
  const reason = 'connector under maintenance, see INC-4711';
  const employee = 'E-1001';
  const ids: Record<string, string> = {};

  const identity = (n: number): string => stack.catalog.identities[n]!.id;
  const workflowOf = (run: { json<T>(): T }): string => run.json<RequestJson>().workflows[0]!.workflowId;
  const report = async (...args: string[]): Promise<ReportJson> => {
    const run = await stack.cli('report', '--format', 'json', ...args);
    expect(run.code).toBe(0);
    return run.json<ReportJson>();
  };
  const rowsOf = (r: ReportJson, workflowId: string): ReportRow[] => r.rows.filter((x) => x.workflowId === workflowId);

  beforeAll(async () => {
    stack = await startStack({ settings: { ISCFLOW_OUTCOME_RETRIES: '0' } });
    dir = mkdtempSync(join(tmpdir(), 'iscflow-report-'));
    started = new Date().toISOString();
    const [a, b, c, d, e] = stack.plainEntitlements();
    const broken = brokenEntitlement(stack.catalog);

    ids.granted = workflowOf(await stack.grant(identity(1), a!.id, '--wait', '--json'));
    ids.keyed = workflowOf(await stack.grant(identity(2), b!.id, '--idempotency-key', 'HR-EVT-77', '--wait', '--json'));
    ids.pair = workflowOf(
      await stack.cli(
        'request',
        '--for',
        identity(3),
        '--for',
        identity(4),
        '--grant',
        `ENTITLEMENT:${c!.id}`,
        '--wait',
        '--json',
      ),
    );
    ids.revoked = workflowOf(await stack.revoke(identity(1), a!.id, '--comment', 'Leaver', '--wait', '--json'));

    ids.skipped = workflowOf(await stack.grant(identity(5), broken.id, '--wait', '--json'));
    expect((await stack.cli('skip', ids.skipped, '--reason', reason)).code).toBe(0);

    // A change a lifecycle started for an employee: it carries the pseudonym of the employee number.
    const ref = identityRef({ kind: 'employeeNumber', value: employee }, DEV_PSEUDONYM_KEY);
    const [request] = planAccessRequests({ requestType: 'GRANT_ACCESS', identityIds: [identity(6)], items: [d!] });
    const client = stack.temporal.client();
    ids.lifecycleChange = `${lifecycleWorkflowId(ref)}-change-1`;
    const change = await client.workflow.start<typeof accessRequestWorkflow>(WORKFLOW_TYPES.accessRequest, {
      workflowId: ids.lifecycleChange,
      taskQueue: stack.taskQueue,
      args: [
        { request: request!, options: { statusPollSeconds: 1 }, cause: { kind: 'hr-event', ref: 'workday/EVT-9' } },
      ],
      typedSearchAttributes: [...initialSearchAttributes(request!), { key: IDENTITY_REF, value: ref }],
    });
    await change.result();
    // The lifecycle itself, as visibility shows it once it found the identity in ISC (no worker runs it:
    // only its search attributes matter here). A change made for the same person by hand is theirs too.
    await client.workflow.start(WORKFLOW_TYPES.identityLifecycle, {
      workflowId: lifecycleWorkflowId(ref),
      taskQueue: `${stack.taskQueue}-unpolled`,
      args: [],
      typedSearchAttributes: [
        { key: IDENTITY_REF, value: ref },
        { key: IDENTITY_IDS, value: [identity(6)] },
      ],
    });
    ids.byHand = workflowOf(await stack.grant(identity(6), e!.id, '--wait', '--json'));

    await stack.sim.call('POST', '/__sim/config', { approval: { mode: 'manual' } });
    const pending = await stack.grant(identity(7), b!.id, '--json');
    ids.pending = workflowOf(pending);

    // Visibility trails the workflows by a moment: wait until it has every change, the closed ones closed.
    await waitFor(async () => {
      const r = await report();
      const closed = r.rows.filter((x) => x.status === 'final').length;
      const tracking = r.rows.some((x) => x.workflowId === ids.pending && x.outcome === 'TRACKING');
      return closed === 8 && tracking ? true : undefined;
    });
  });
  afterAll(async () => {
    await stack?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('has a row per (identity, item) of each change, with its outcome, cause, key and ISC request id', async () => {
    const r = await report();
    expect(r.period).toEqual({ since: null, until: null });
    expect(r.rows).toHaveLength(9);

    expect(rowsOf(r, ids.granted!)).toEqual([
      expect.objectContaining({
        identityId: identity(1),
        change: 'grant',
        status: 'final',
        outcome: 'GRANTED',
        iscState: 'REQUEST_COMPLETED',
        accessRequestId: expect.stringMatching(/^[0-9a-f]{32}$/),
        cause: 'cli',
        causeRef: null,
        idempotencyKey: null,
        decisions: [],
      }),
    ]);
    expect(rowsOf(r, ids.keyed!)).toEqual([
      expect.objectContaining({ outcome: 'GRANTED', cause: 'cli', causeRef: 'HR-EVT-77', idempotencyKey: 'HR-EVT-77' }),
    ]);
    expect(rowsOf(r, ids.pair!).map((x) => [x.identityId, x.outcome])).toEqual(
      [
        [identity(3), 'GRANTED'],
        [identity(4), 'GRANTED'],
      ].sort(([x], [y]) => x!.localeCompare(y!)),
    );
    expect(rowsOf(r, ids.revoked!)).toEqual([
      expect.objectContaining({ identityId: identity(1), change: 'revoke', outcome: 'REVOKED' }),
    ]);
    expect(rowsOf(r, ids.lifecycleChange!)).toEqual([
      expect.objectContaining({
        identityId: identity(6),
        cause: 'hr-event',
        causeRef: 'workday/EVT-9',
        outcome: 'GRANTED',
      }),
    ]);
    for (const row of r.rows.filter((x) => x.status === 'final')) {
      expect(Date.parse(row.finalAt!)).toBeGreaterThanOrEqual(Date.parse(row.requestedAt));
      expect(Date.parse(row.requestedAt)).toBeGreaterThanOrEqual(Date.parse(started));
    }
    // Report order: by request time.
    expect(r.rows.map((x) => x.requestedAt)).toEqual([...r.rows.map((x) => x.requestedAt)].sort());
  });

  it("records the operator's decision with its reason, time and sender", async () => {
    const [skipped] = rowsOf(await report(), ids.skipped!);
    expect(skipped).toMatchObject({ status: 'final', outcome: 'FAILED', iscState: 'PROVISIONING_FAILED' });
    expect(skipped!.decisions).toEqual([
      { at: expect.any(String), decision: 'skip', reason, by: expect.stringMatching(/^\d+@/) },
    ]);
    expect(Date.parse(skipped!.decisions[0]!.at)).toBeLessThanOrEqual(Date.parse(skipped!.finalAt!));
  });

  it('shows a change still waiting for its approver as running, with its live status', async () => {
    expect(rowsOf(await report(), ids.pending!)).toEqual([
      expect.objectContaining({ status: 'running', outcome: 'TRACKING', finalAt: null, identityId: identity(7) }),
    ]);
  });

  it('covers changes that overlap the period', async () => {
    const before = await report('--until', started);
    expect(before.rows).toEqual([]);
    // After everything closed only what still runs overlaps.
    const later = new Date(Date.now() + 60_000).toISOString();
    expect((await report('--since', later)).rows.map((x) => x.workflowId)).toEqual([ids.pending]);
    const all = await report('--since', started, '--until', later);
    expect(all.period).toEqual({ since: started, until: later });
    expect(all.rows).toHaveLength(9);
  });

  it("narrows to one identity: by ISC id, only that identity's rows", async () => {
    const r = await report('--identity', identity(3));
    expect(r.identity).toEqual({ kind: 'identityId', identityId: identity(3) });
    expect(r.rows.map((x) => [x.workflowId, x.identityId])).toEqual([[ids.pair, identity(3)]]);
    const both = await report('--identity', identity(1));
    expect(both.rows.map((x) => [x.change, x.outcome])).toEqual([
      ['grant', 'GRANTED'],
      ['revoke', 'REVOKED'],
    ]);
  });

  it("narrows to one identity by employee number: its lifecycle's changes and changes for its ISC id, the number never shown", async () => {
    const run = await stack.cli('report', '--format', 'json', '--identity', employee);
    const r = run.json<ReportJson>();
    expect(r.rows.map((x) => x.workflowId).sort()).toEqual([ids.byHand, ids.lifecycleChange].sort());
    expect(r.identity).toEqual({
      kind: 'ref',
      ref: identityRef({ kind: 'employeeNumber', value: employee }, DEV_PSEUDONYM_KEY),
      identityIds: [identity(6)],
    });
    expect(run.out).not.toContain(employee);
  });

  it('writes the same rows as CSV to a file, and reads as a table on a terminal', async () => {
    const file = join(dir, 'changes.csv');
    const written = await stack.cli('report', '--format', 'csv', '--out', file);
    expect(written.out).toBe(`9 rows written to ${file}`);
    const csv = readFileSync(file, 'utf8');
    const lines = csv.split('\r\n');
    expect(lines[0]).toMatch(/^requestedAt,finalAt,status,identityId,itemType,itemId,change,outcome,/);
    expect(csv).toContain(`skip by `);
    expect(csv).toContain(reason);
    expect(csv.endsWith('\r\n')).toBe(true);

    const table = await stack.cli('report');
    expect(table.code).toBe(0);
    expect(table.out).toContain('TRACKING (running)');
    expect(table.out).toContain(`: ${reason}`);
    expect(table.out).toMatch(/9 rows from 8 changes \(1 rows still running\); all retained changes$/);
  });

  it('writes a self-contained HTML page', async () => {
    const file = join(dir, 'changes.html');
    expect((await stack.cli('report', '--format', 'html', '--out', file)).code).toBe(0);
    const html = readFileSync(file, 'utf8');
    expect(html).toContain('<canvas id="per-day"');
    expect(html).toContain(reason);
    expect(html).not.toMatch(/<script[^>]+src=/);
  });

  it("accepts every ready-made query of docs/operator.md, as the Web UI's query box sends them", async () => {
    const doc = readFileSync(join(__dirname, '..', '..', 'docs', 'operator.md'), 'utf8');
    const section = doc.slice(doc.indexOf('## Ready-made queries'), doc.indexOf('## The audit report'));
    const queries = [...section.matchAll(/^\| [^|]+\| `([^`]+)`/gm)].map((m) => m[1]!);
    expect(queries.length).toBeGreaterThanOrEqual(10);
    const client = stack.temporal.client();
    for (const query of queries) {
      const filled = query.replace(/<[^>]+>/g, identity(1));
      await expect(client.workflow.count(filled)).resolves.toMatchObject({ count: expect.any(Number) });
    }
    // The grant and the revoke of identity 1.
    const byIdentity = queries.find((q) => q.startsWith('IscflowIdentityIds ='))!;
    expect((await client.workflow.count(byIdentity.replace(/<[^>]+>/, identity(1)))).count).toBe(2);
  });
});
