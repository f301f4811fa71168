/**
 * `iscflow request`: validate an access change, start it, and optionally wait for every item's outcome.
 */
import { parseArgs } from 'node:util';
import { loadWorkflowDefaults } from '../../config';
import {
  formatViolations,
  IDEMPOTENCY_KEY_PATTERN,
  isSuccess,
  validateAccessChange,
  type ItemType,
  type RequestType,
} from '../../domain';
import { startAccessChange, type StartedChange } from '../../operations/access-changes';
import { waitForChange, waitForRoutedChange, type ChangeView } from '../../operations/change-status';
import { describeItem, describeRun, itemJson, runJson } from '../format';
import { UsageError, withTemporal, type Env, type Output } from '../io';

function parseItem(value: string, flag: string): { type: ItemType; id: string } {
  const separator = value.indexOf(':');
  if (separator < 0)
    throw new UsageError(`${flag} ${value}: expected TYPE:ID, e.g. ENTITLEMENT:2c9180835d2e5168015d32f890ca1581`);
  return { type: value.slice(0, separator) as ItemType, id: value.slice(separator + 1) };
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

export async function requestCommand(argv: string[], io: Output, env: Env): Promise<number> {
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
      'idempotency-key': { type: 'string' },
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
  const idempotencyKey = values['idempotency-key'];
  if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY_PATTERN.test(idempotencyKey)) {
    throw new UsageError(
      `--idempotency-key ${JSON.stringify(idempotencyKey)}: 1 to 200 of letters, digits and . _ : @ / + = - (rule IDEMPOTENCY_KEY_FORMAT)`,
    );
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

  return withTemporal(env, async ({ client, taskQueue }) => {
    const started = await startAccessChange(client, taskQueue, validation.change, {
      options: { ...defaults, ...(removal ? { removalMode: removal } : {}) },
      ...(idempotencyKey ? { idempotencyKey } : {}),
      cause: { kind: 'cli', ...(idempotencyKey ? { ref: idempotencyKey } : {}) },
    });
    if (!values.wait) {
      if (values.json) {
        io.out(
          JSON.stringify({
            workflows: started.map((s) => ({
              workflowId: s.workflowId,
              action: s.action,
              ...(s.duplicateOf
                ? { duplicateOf: { ...runJson(s.duplicateOf), items: s.duplicateOf.items.map(itemJson) } }
                : {}),
            })),
          }),
        );
      } else for (const s of started) io.out(`${s.workflowId} ${describeAction(s)}`);
      return 0;
    }
    const views = await Promise.all(started.map(async (s) => ({ started: s, view: await settled(s) })));
    const ok = views.every(({ view }) => succeeded(view, validation.change.requestType));
    if (values.json) {
      io.out(
        JSON.stringify({
          workflows: views.map(({ started: s, view }) => ({
            workflowId: s.workflowId,
            action: s.action,
            state: s.action === 'duplicate' ? 'DUPLICATE' : (view.phase ?? view.status),
            run: runJson(view),
            items: view.items.map(itemJson),
          })),
        }),
      );
    } else {
      for (const { started: s, view } of views) {
        io.out(s.action === 'duplicate' ? `${s.workflowId} ${describeAction(s)}` : describeRun(view, { waited: true }));
        view.items.forEach((i) => io.out(describeItem(i)));
      }
    }
    return ok ? 0 : 1;
  });
}
