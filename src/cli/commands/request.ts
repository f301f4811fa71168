/**
 * `iscflow request`: validate an access change, start it, and optionally wait for every item's outcome.
 */
import { parseArgs } from 'node:util';
import {
  IDEMPOTENCY_KEY_PATTERN,
  isSuccess,
  validateAccessChange,
  type AccessChange,
  type ItemType,
  type RequestType,
} from '../../domain';
import { startAccessChange, type StartedChange } from '../../operations/access-changes';
import { waitForChange, waitForRoutedChange, type ChangeView } from '../../operations/change-status';
import { describeItem, describeRun, itemJson, runJson } from '../format';
import { commandUsage, UsageError, withTemporal, type CliCommand, type Output } from '../io';
import { describeViolations, requestLabels, type TypedRequest } from '../violations';

const SYNOPSIS = `iscflow request --for ID [--for ID ...] (--grant TYPE:ID ... | --revoke TYPE:ID) [--remove-date ISO]
                [--start-date ISO] [--comment TEXT] [--removal isc|exact] [--idempotency-key KEY]
                [--wait] [--json]`;

const OPTIONS = {
  for: { type: 'string', multiple: true },
  grant: { type: 'string', multiple: true },
  revoke: { type: 'string', multiple: true },
  'remove-date': { type: 'string' },
  'start-date': { type: 'string' },
  comment: { type: 'string' },
  removal: { type: 'string' },
  'idempotency-key': { type: 'string' },
  wait: { type: 'boolean', default: false },
  json: { type: 'boolean', default: false },
} as const;

/** What the command line asks for: a valid change, and how to start it and report it. */
interface RequestArgs {
  change: AccessChange;
  removal?: 'isc' | 'exact';
  idempotencyKey?: string;
  wait: boolean;
  json: boolean;
}

function parseItem(value: string, flag: string): { type: ItemType; id: string } {
  const separator = value.indexOf(':');
  if (separator < 0)
    throw new UsageError(`${flag} ${value}: expected TYPE:ID, e.g. ENTITLEMENT:2c9180835d2e5168015d32f890ca1581`);
  return { type: value.slice(0, separator) as ItemType, id: value.slice(separator + 1) };
}

/** The grant or the revoke the options name, as the user typed it; refuses a mix, none, or two revokes. */
function typedRequest(values: {
  for?: string[];
  grant?: string[];
  revoke?: string[];
  'remove-date'?: string;
  'start-date'?: string;
}): TypedRequest {
  const grants = values.grant ?? [];
  const revokes = values.revoke ?? [];
  if (grants.length > 0 && revokes.length > 0)
    throw new UsageError('--grant and --revoke: one request is either a grant or a revoke');
  if (grants.length === 0 && revokes.length === 0)
    throw new UsageError('--grant or --revoke: at least one item is required');
  if (revokes.length > 1) {
    throw new UsageError('--revoke: ISC revokes one item per request; give one --revoke per command');
  }
  return {
    for: values.for ?? [],
    flag: grants.length > 0 ? '--grant' : '--revoke',
    items: grants.length > 0 ? grants : revokes,
    ...(values['remove-date'] !== undefined ? { removeDate: values['remove-date'] } : {}),
    ...(values['start-date'] !== undefined ? { startDate: values['start-date'] } : {}),
  };
}

/** The change the options describe, checked against ISC's rules; each problem names its option. */
function validChange(typed: TypedRequest, comment: string | undefined): AccessChange {
  const candidate = {
    requestType: typed.flag === '--grant' ? 'GRANT_ACCESS' : 'REVOKE_ACCESS',
    identityIds: typed.for,
    items: typed.items.map((v) => parseItem(v, typed.flag)),
    ...(comment !== undefined ? { comment } : {}),
    ...(typed.removeDate !== undefined ? { removeDate: typed.removeDate } : {}),
    ...(typed.startDate !== undefined ? { startDate: typed.startDate } : {}),
  };
  const validation = validateAccessChange(candidate, new Date().toISOString());
  if (!validation.ok) throw new UsageError(describeViolations(validation.violations, requestLabels(typed)));
  return validation.change;
}

function parseRequestArgs(argv: string[]): RequestArgs {
  const { values } = parseArgs({ args: argv, options: OPTIONS, strict: true });
  const typed = typedRequest(values);
  const { removal, 'idempotency-key': idempotencyKey } = values;
  if (removal !== undefined && removal !== 'isc' && removal !== 'exact') {
    throw new UsageError(`--removal ${removal}: must be isc or exact`);
  }
  if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY_PATTERN.test(idempotencyKey)) {
    throw new UsageError(
      `--idempotency-key ${JSON.stringify(idempotencyKey)}: 1 to 200 of letters, digits and . _ : @ / + = - (rule IDEMPOTENCY_KEY_FORMAT)`,
    );
  }
  return {
    change: validChange(typed, values.comment),
    ...(removal ? { removal } : {}),
    ...(idempotencyKey ? { idempotencyKey } : {}),
    wait: values.wait,
    json: values.json,
  };
}

function describeAction(s: StartedChange): string {
  switch (s.action) {
    case 'started':
      return '(started)';
    case 'joined':
      return '(already running: joined it)';
    case 'duplicate':
      return `(duplicate: this idempotency key already ran ${s.duplicateOf?.status ?? ''} at ${s.duplicateOf?.closedAt ?? '?'}; nothing started)`;
    case 'rescheduled':
      return `(removal of ${s.itemId} for ${s.identityId} rescheduled)`;
    case 'removing':
      return `(scheduled removal of ${s.itemId} for ${s.identityId} carried out now)`;
  }
}

/** What `--wait` reports for one started, joined, duplicate or routed change. */
async function settled(s: StartedChange): Promise<ChangeView> {
  if (s.action === 'duplicate' && s.duplicateOf) return { ...s.duplicateOf, live: false };
  if ((s.action === 'rescheduled' || s.action === 'removing') && s.identityId && s.itemId) {
    return waitForRoutedChange(s.handle, { action: s.action, identityId: s.identityId, itemId: s.itemId });
  }
  return waitForChange(s.handle);
}

function succeeded(view: ChangeView, aimedAt: RequestType): boolean {
  return view.items.length > 0 && view.items.every((i) => i.outcome !== null && isSuccess(aimedAt, i.outcome));
}

/** Without `--wait`: which workflow each planned request went to, and how. */
function printStarted(started: StartedChange[], json: boolean, io: Output): void {
  if (!json) {
    for (const s of started) io.out(`${s.workflowId} ${describeAction(s)}`);
    return;
  }
  const workflows = started.map((s) => ({
    workflowId: s.workflowId,
    action: s.action,
    ...(s.duplicateOf ? { duplicateOf: { ...runJson(s.duplicateOf), items: s.duplicateOf.items.map(itemJson) } } : {}),
  }));
  io.out(JSON.stringify({ workflows }));
}

/** With `--wait`: how each workflow ended and each item's outcome. */
function printSettled(views: Array<{ started: StartedChange; view: ChangeView }>, json: boolean, io: Output): void {
  if (!json) {
    for (const { started: s, view } of views) {
      io.out(s.action === 'duplicate' ? `${s.workflowId} ${describeAction(s)}` : describeRun(view, { waited: true }));
      view.items.forEach((i) => io.out(describeItem(i)));
    }
    return;
  }
  const workflows = views.map(({ started: s, view }) => ({
    workflowId: s.workflowId,
    action: s.action,
    state: s.action === 'duplicate' ? 'DUPLICATE' : (view.phase ?? view.status),
    run: runJson(view),
    items: view.items.map(itemJson),
  }));
  io.out(JSON.stringify({ workflows }));
}

export const requestCommand: CliCommand = {
  name: 'request',
  synopsis: SYNOPSIS,
  usage: commandUsage(
    SYNOPSIS,
    `Validates an access change against ISC's rules, starts one workflow per ISC request, and with --wait
waits for every item's outcome. TYPE is ROLE, ACCESS_PROFILE or ENTITLEMENT; ISO is a UTC date-time.
Exit codes: 0 every item reached what the request aims for, 1 otherwise, 2 bad input (nothing started).`,
    [
      ['--for ID', 'an ISC identity id (32 hexadecimal characters); repeat it for several identities'],
      ['--grant TYPE:ID', 'an item to grant; repeat it for several items'],
      ['--revoke TYPE:ID', 'the one item to revoke (needs --comment)'],
      ['--remove-date ISO', 'when granted access is removed again'],
      ['--start-date ISO', 'when a grant starts (not for a revoke)'],
      ['--comment TEXT', 'why, as ISC records it; required with --revoke'],
      ['--removal isc|exact', "at --remove-date ISC removes it, or iscflow does on the dot (default: the worker's)"],
      ['--idempotency-key KEY', 'a replay of KEY starts nothing (an HR event id, a ticket number)'],
      ['--wait', "wait for every item's outcome"],
      ['--json', 'print JSON'],
    ],
  ),
  async run(argv, io, settings) {
    const args = parseRequestArgs(argv);
    const { temporal, changes } = settings.read('temporal', 'changes');
    return withTemporal(temporal, async ({ client, taskQueue }) => {
      const started = await startAccessChange(client, taskQueue, args.change, {
        options: { ...changes, ...(args.removal ? { removalMode: args.removal } : {}) },
        ...(args.idempotencyKey ? { idempotencyKey: args.idempotencyKey } : {}),
        cause: { kind: 'cli', ...(args.idempotencyKey ? { ref: args.idempotencyKey } : {}) },
      });
      if (!args.wait) {
        printStarted(started, args.json, io);
        return 0;
      }
      const views = await Promise.all(started.map(async (s) => ({ started: s, view: await settled(s) })));
      printSettled(views, args.json, io);
      return views.every(({ view }) => succeeded(view, args.change.requestType)) ? 0 : 1;
    });
  },
};
