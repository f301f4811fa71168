/**
 * The iscflow CLI (`npx iscflow ...`): start access changes, watch them, and make operator decisions.
 * Exit codes: 0 every item reached what its request aims for, 1 otherwise (or a failed command), 2 bad input.
 */
import { parseArgs } from 'node:util';
import { Client, Connection, WorkflowNotFoundError, type WorkflowHandle } from '@temporalio/client';
import { ConfigError, loadTemporalConfig, loadWorkflowDefaults } from './config';
import { formatViolations, isSuccess, validateAccessChange, type ItemType } from './domain';
import { IDENTITY_IDS, STATE } from './search-attributes';
import { startAccessChange, type StartedRequest } from './starter';
import { itemResults } from './workflows/results';
import {
  cancelUpdate,
  retryUpdate,
  setRemoveDateUpdate,
  skipUpdate,
  statusQuery,
  type AccessRequestResult,
  type ItemResult,
} from './workflows/contracts';
import type { accessRequestWorkflow } from './workflows';

const USAGE = `Usage:
  iscflow request --for ID [--for ID ...] (--grant TYPE:ID ... | --revoke TYPE:ID) [--remove-date ISO]
                  [--start-date ISO] [--comment TEXT] [--removal isc|exact] [--wait] [--json]
  iscflow status WORKFLOW_ID [--json]
  iscflow list [--identity ID] [--state STATE] [--json]
  iscflow retry WORKFLOW_ID [--reason TEXT]
  iscflow skip WORKFLOW_ID --reason TEXT
  iscflow cancel WORKFLOW_ID --reason TEXT      (a request stuck in ISC: cancel before approval, close after)
  iscflow remove-date WORKFLOW_ID (ISO|none) [--identity ID] [--item ID]
TYPE is ROLE, ACCESS_PROFILE or ENTITLEMENT.`;

/** A problem with what the user typed: exit code 2, nothing started. */
class UsageError extends Error {}

type Handle = WorkflowHandle<typeof accessRequestWorkflow>;

interface Output {
  out: (line: string) => void;
  err: (line: string) => void;
}

type Env = Record<string, string | undefined>;

function parseItem(value: string, flag: string): { type: ItemType; id: string } {
  const separator = value.indexOf(':');
  if (separator < 0)
    throw new UsageError(`${flag} ${value}: expected TYPE:ID, e.g. ENTITLEMENT:2c9180835d2e5168015d32f890ca1581`);
  return { type: value.slice(0, separator) as ItemType, id: value.slice(separator + 1) };
}

async function connect(env: Env): Promise<{ client: Client; taskQueue: string; close: () => Promise<void> }> {
  const config = loadTemporalConfig(env);
  const connection = await Connection.connect({
    address: config.connection.address,
    tls: config.connection.tls,
    apiKey: config.connection.apiKey,
    metadata: config.connection.metadata,
  });
  return {
    client: new Client({ connection, namespace: config.namespace }),
    taskQueue: config.taskQueue,
    close: () => connection.close(),
  };
}

function describeAction(s: StartedRequest): string {
  switch (s.action) {
    case 'started':
      return '';
    case 'already-run':
      return '(already run: not started again)';
    case 'rescheduled':
      return `(removal of ${s.itemId} for ${s.identityId} rescheduled)`;
    case 'removing':
      return `(scheduled removal of ${s.itemId} for ${s.identityId} carried out now)`;
  }
}

/** What `--wait` reports for one started or routed change. */
async function outcomeOf(s: StartedRequest): Promise<{ state: string; items: ItemResult[] }> {
  if (s.action !== 'rescheduled' && s.action !== 'removing') return settle(s.handle);
  // A routed change is about one (identity, item) of a grant workflow that may hold other removals.
  const isMine = (i: { identityId: string; itemId: string }): boolean =>
    i.identityId === s.identityId && i.itemId === s.itemId;
  for (;;) {
    const description = await s.handle.describe();
    if (description.status.name === 'COMPLETED') {
      const result: AccessRequestResult = await s.handle.result();
      return { state: 'COMPLETED', items: result.items.filter(isMine).map((i) => asRoutedOutcome(s, i)) };
    }
    const state = await s.handle.query(statusQuery);
    const removal = state.removals.find(isMine);
    const finished = removal && removal.status !== 'SCHEDULED' && removal.status !== 'REMOVING';
    if (s.action === 'rescheduled' || finished || state.phase === 'AWAITING_OPERATOR') {
      return {
        state: state.phase,
        items: itemResults(state, { final: false })
          .filter(isMine)
          .map((i) => asRoutedOutcome(s, i)),
      };
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** A routed revoke succeeded when the removal did; a rescheduled grant when the access is still granted. */
function asRoutedOutcome(s: StartedRequest, item: ItemResult): ItemResult {
  if (s.action === 'rescheduled') return item;
  const removed = item.removal?.status === 'REMOVED';
  return { ...item, outcome: removed ? 'REVOKED' : 'FAILED' };
}

/** Waits until the workflow completes or asks an operator; returns the items as they stand then. */
async function settle(handle: Handle): Promise<{ state: string; items: ItemResult[] }> {
  for (;;) {
    const description = await handle.describe();
    if (description.status.name === 'COMPLETED') {
      const result: AccessRequestResult = await handle.result();
      return { state: 'COMPLETED', items: result.items };
    }
    if (description.status.name !== 'RUNNING') {
      return { state: description.status.name, items: [] };
    }
    const status = await handle.query(statusQuery);
    if (status.phase === 'AWAITING_OPERATOR')
      return { state: status.phase, items: itemResults(status, { final: false }) };
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

function describeItem(item: ItemResult): string {
  const parts = [
    `  ${item.identityId} ${item.itemType}:${item.itemId} -> ${item.outcome ?? 'in progress'}`,
    item.iscState ? `(ISC ${item.iscState})` : '',
    item.accessRequestId ? `request ${item.accessRequestId}` : '',
    item.errorMessages.length > 0 ? `errors: ${item.errorMessages.join('; ')}` : '',
  ];
  return parts.filter(Boolean).join(' ');
}

async function requestCommand(argv: string[], io: Output, env: Env): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      for: { type: 'string', multiple: true },
      grant: { type: 'string', multiple: true },
      revoke: { type: 'string', multiple: true },
      'remove-date': { type: 'string' },
      'start-date': { type: 'string' },
      comment: { type: 'string' },
      removal: { type: 'string' },
      wait: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const grants = values.grant ?? [];
  const revokes = values.revoke ?? [];
  if (grants.length > 0 && revokes.length > 0)
    throw new UsageError('--grant and --revoke: one request is either a grant or a revoke');
  if (grants.length === 0 && revokes.length === 0)
    throw new UsageError('--grant or --revoke: at least one item is required');
  if (revokes.length > 1) {
    throw new UsageError('--revoke: ISC revokes one item per request; give one --revoke per command');
  }
  const removal = values.removal;
  if (removal !== undefined && removal !== 'isc' && removal !== 'exact') {
    throw new UsageError(`--removal ${removal}: must be isc or exact`);
  }
  const isGrant = grants.length > 0;
  const candidate = {
    requestType: isGrant ? 'GRANT_ACCESS' : 'REVOKE_ACCESS',
    identityIds: values.for ?? [],
    items: (isGrant ? grants : revokes).map((v) => parseItem(v, isGrant ? '--grant' : '--revoke')),
    ...(values.comment !== undefined ? { comment: values.comment } : {}),
    ...(values['remove-date'] !== undefined ? { removeDate: values['remove-date'] } : {}),
    ...(values['start-date'] !== undefined ? { startDate: values['start-date'] } : {}),
  };
  const validation = validateAccessChange(candidate, new Date().toISOString());
  if (!validation.ok) throw new UsageError(formatViolations(validation.violations));

  const defaults = loadWorkflowDefaults(env);
  const { client, taskQueue, close } = await connect(env);
  try {
    const started = await startAccessChange(client, taskQueue, validation.change, {
      ...defaults,
      ...(removal ? { removalMode: removal } : {}),
    });
    if (!values.wait) {
      if (values.json)
        io.out(JSON.stringify({ workflows: started.map((s) => ({ workflowId: s.workflowId, action: s.action })) }));
      else for (const s of started) io.out(`${s.workflowId} ${describeAction(s)}`);
      return 0;
    }
    const settled = await Promise.all(
      started.map(async (s) => ({ workflowId: s.workflowId, action: s.action, ...(await outcomeOf(s)) })),
    );
    const aimedAt = validation.change.requestType;
    const ok = settled.every(
      (s) => s.items.length > 0 && s.items.every((i) => i.outcome !== null && isSuccess(aimedAt, i.outcome)),
    );
    if (values.json) {
      io.out(
        JSON.stringify({
          workflows: settled.map((s) => ({
            workflowId: s.workflowId,
            action: s.action,
            state: s.state,
            items: s.items.map((i) => ({
              identityId: i.identityId,
              itemType: i.itemType,
              itemId: i.itemId,
              outcome: i.outcome,
              iscState: i.iscState ?? null,
              accessRequestId: i.accessRequestId ?? null,
              errorMessages: i.errorMessages,
              ...(i.removal ? { removal: i.removal } : {}),
            })),
          })),
        }),
      );
    } else {
      for (const s of settled) {
        io.out(`${s.workflowId}: ${s.state}`);
        s.items.forEach((i) => io.out(describeItem(i)));
      }
    }
    return ok ? 0 : 1;
  } finally {
    await close();
  }
}

async function statusCommand(argv: string[], io: Output, env: Env): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { json: { type: 'boolean', default: false } },
    allowPositionals: true,
  });
  const workflowId = positionals[0];
  if (!workflowId) throw new UsageError('status: WORKFLOW_ID is required');
  const { client, close } = await connect(env);
  try {
    const handle: Handle = client.workflow.getHandle(workflowId);
    const description = await handle.describe();
    let view: { workflowId: string; status: string; phase?: string; operator?: unknown; items: ItemResult[] };
    if (description.status.name === 'COMPLETED') {
      const result = await handle.result();
      view = { workflowId, status: 'COMPLETED', phase: 'COMPLETED', items: result.items };
    } else if (description.status.name === 'RUNNING') {
      const state = await handle.query(statusQuery);
      view = {
        workflowId,
        status: 'RUNNING',
        phase: state.phase,
        operator: state.operator,
        items: itemResults(state, { final: false }),
      };
    } else {
      view = { workflowId, status: description.status.name, items: [] };
    }
    if (values.json) io.out(JSON.stringify(view));
    else {
      io.out(`${workflowId}: ${view.status}${view.phase ? ` (${view.phase})` : ''}`);
      view.items.forEach((i) => io.out(describeItem(i)));
    }
    return 0;
  } finally {
    await close();
  }
}

function quote(value: string): string {
  if (!/^[A-Za-z0-9_.:-]+$/.test(value)) throw new UsageError(`${value}: ids and states are letters, digits, _ . : -`);
  return `'${value}'`;
}

async function listCommand(argv: string[], io: Output, env: Env): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { identity: { type: 'string' }, state: { type: 'string' }, json: { type: 'boolean', default: false } },
  });
  const clauses = [`WorkflowType = 'accessRequestWorkflow'`];
  if (values.identity) clauses.push(`${IDENTITY_IDS.name} = ${quote(values.identity)}`);
  if (values.state) clauses.push(`${STATE.name} = ${quote(values.state)}`);
  const { client, close } = await connect(env);
  try {
    const rows: Array<{ workflowId: string; status: string; state: string | null; startTime: string }> = [];
    for await (const wf of client.workflow.list({ query: clauses.join(' AND ') })) {
      rows.push({
        workflowId: wf.workflowId,
        status: wf.status.name,
        state: wf.typedSearchAttributes.get(STATE) ?? null,
        startTime: wf.startTime.toISOString(),
      });
    }
    if (values.json) io.out(JSON.stringify({ workflows: rows }));
    else rows.forEach((r) => io.out(`${r.workflowId}  ${r.status}  ${r.state ?? '-'}  ${r.startTime}`));
    return 0;
  } finally {
    await close();
  }
}

async function decisionCommand(
  kind: 'retry' | 'skip' | 'cancel',
  argv: string[],
  io: Output,
  env: Env,
): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { reason: { type: 'string' } },
    allowPositionals: true,
  });
  const workflowId = positionals[0];
  if (!workflowId) throw new UsageError(`${kind}: WORKFLOW_ID is required`);
  if (kind !== 'retry' && !values.reason?.trim()) throw new UsageError(`${kind}: --reason is required`);
  const { client, close } = await connect(env);
  try {
    const handle: Handle = client.workflow.getHandle(workflowId);
    const reason = values.reason ? { reason: values.reason } : {};
    const update = { retry: retryUpdate, skip: skipUpdate, cancel: cancelUpdate }[kind];
    const state = await handle.executeUpdate(update, { args: [reason] });
    io.out(`${workflowId}: ${kind} accepted, now ${state.phase}`);
    return 0;
  } finally {
    await close();
  }
}

async function removeDateCommand(argv: string[], io: Output, env: Env): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { identity: { type: 'string' }, item: { type: 'string' } },
    allowPositionals: true,
  });
  const [workflowId, date] = positionals;
  if (!workflowId || !date)
    throw new UsageError('remove-date: WORKFLOW_ID and an ISO date-time (or none) are required');
  const removeDate = date === 'none' ? null : date;
  if (removeDate !== null) {
    const probe = validateAccessChange(
      {
        requestType: 'GRANT_ACCESS',
        identityIds: ['0'.repeat(32)],
        items: [{ type: 'ROLE', id: '0'.repeat(32) }],
        removeDate,
      },
      new Date().toISOString(),
    );
    if (!probe.ok) throw new UsageError(formatViolations(probe.violations));
  }
  const { client, close } = await connect(env);
  try {
    const handle: Handle = client.workflow.getHandle(workflowId);
    const state = await handle.executeUpdate(setRemoveDateUpdate, {
      args: [
        {
          removeDate,
          ...(values.identity ? { identityId: values.identity } : {}),
          ...(values.item ? { itemId: values.item } : {}),
        },
      ],
    });
    io.out(`${workflowId}: removal ${removeDate === null ? 'cancelled' : `now due ${removeDate}`} (${state.phase})`);
    return 0;
  } finally {
    await close();
  }
}

function isParseArgsError(error: unknown): error is Error {
  if (typeof error !== 'object' || error === null) return false;
  const { code } = error as { code?: unknown };
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}

/** Runs one CLI invocation; returns the exit code. Exported for tests. */
export async function runCli(
  argv: string[],
  io: Output = { out: console.log, err: console.error },
  env: Env = process.env,
): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'request':
        return await requestCommand(rest, io, env);
      case 'status':
        return await statusCommand(rest, io, env);
      case 'list':
        return await listCommand(rest, io, env);
      case 'retry':
      case 'skip':
      case 'cancel':
        return await decisionCommand(command, rest, io, env);
      case 'remove-date':
        return await removeDateCommand(rest, io, env);
      default:
        io.err(USAGE);
        return 2;
    }
  } catch (error) {
    if (error instanceof UsageError || error instanceof ConfigError) {
      io.err(`iscflow: ${error.message}`);
      return 2;
    }
    // By Node's error code, not `instanceof TypeError`: the class differs between realms (vm contexts, jest).
    if (isParseArgsError(error)) {
      io.err(`iscflow: ${error.message}\n${USAGE}`);
      return 2;
    }
    if (error instanceof WorkflowNotFoundError) {
      io.err(`iscflow: no such workflow: ${error.workflowId}`);
      return 1;
    }
    io.err(`iscflow: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

if (require.main === module) {
  runCli(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
