/** How the CLI prints changes: one text line per item, and the stable `--json` shapes. */
import type { ChangeView, PastRun } from '../operations/change-status';
import type { ItemResult } from '../workflows/access-request/contracts';

export function describeItem(item: ItemResult): string {
  const parts = [
    `  ${item.identityId} ${item.itemType}:${item.itemId} -> ${item.outcome ?? 'in progress'}`,
    item.iscState ? `(ISC ${item.iscState})` : '',
    item.accessRequestId ? `request ${item.accessRequestId}` : '',
    item.errorMessages.length > 0 ? `errors: ${item.errorMessages.join('; ')}` : '',
  ];
  return parts.filter(Boolean).join(' ');
}

export function itemJson(i: ItemResult): Record<string, unknown> {
  return {
    identityId: i.identityId,
    itemType: i.itemType,
    itemId: i.itemId,
    outcome: i.outcome,
    iscState: i.iscState ?? null,
    accessRequestId: i.accessRequestId ?? null,
    errorMessages: i.errorMessages,
    ...(i.skippedReason ? { skippedReason: i.skippedReason } : {}),
    ...(i.removal ? { removal: i.removal } : {}),
  };
}

/** Which run a view shows, and whether it is live: a finished run's items are a record, not ISC now. */
export function runJson(view: ChangeView | PastRun): Record<string, unknown> {
  return {
    runId: view.runId,
    status: view.status,
    startedAt: view.startedAt,
    closedAt: view.closedAt ?? null,
    live: 'live' in view ? view.live : false,
  };
}

/**
 * The heading of a view. A run that ended before this command looked says when it ended and that its
 * items are that run's record; `waited` marks a run this command saw through to its end (its outcome is
 * as fresh as it gets).
 */
export function describeRun(view: ChangeView, { waited = false }: { waited?: boolean } = {}): string {
  const phase = view.phase && view.phase !== view.status ? ` (${view.phase})` : '';
  if (view.live) return `${view.workflowId}: ${view.status}${phase}`;
  if (waited) return `${view.workflowId}: ${view.status}${phase} at ${view.closedAt ?? '?'}`;
  return `${view.workflowId}: ${view.status}${phase} at ${view.closedAt ?? '?'}, the result of that run (run ${view.runId}), not a fresh look at ISC`;
}
