/**
 * The Updates that change a grant's removals while it runs: `setRemoveDate` (move or cancel the removal
 * date) and `removeNow` (a revoke arriving for access whose removal is scheduled). Their validators
 * refuse bad input without touching history.
 */
import { log, setHandler } from '@temporalio/workflow';
import { parseIsoDateTime } from '../../domain';
import { msUntil, workflowNow } from '../clock';
import {
  removeNowUpdate,
  setRemoveDateUpdate,
  type AccessRequestState,
  type RemovalState,
  type RemoveNowInput,
  type SetRemoveDateInput,
} from './contracts';
import type { AccessRequestRun } from './run';
import { refKey } from './state';

function validateFutureDate(value: string, field: string): void {
  const parsed = parseIsoDateTime(value);
  if (parsed.kind === 'malformed') throw new Error(`${field} must be an ISO-8601 date-time, e.g. 2027-01-31T17:00:00Z`);
  if (parsed.kind === 'not-utc') throw new Error(`${field} must be in UTC (Z or +00:00)`);
  if (msUntil(value) <= 0) throw new Error(`${field} must be in the future`);
}

/** Registers both Updates; synchronous, so they exist before the run's first await. */
export function registerRemovalUpdates(run: AccessRequestRun): void {
  setHandler(setRemoveDateUpdate, (d) => setRemoveDate(run, d), {
    validator: (d: SetRemoveDateInput) => validateSetRemoveDate(run, d),
  });
  setHandler(removeNowUpdate, (d) => removeNow(run, d), {
    validator: (d: RemoveNowInput) => validateRemoveNow(run, d),
  });
}

/** Which (identity, item)s an Update is about: those it names, or all when it names none. */
type Narrowing = { identityId?: string; itemId?: string };

const names = (d: Narrowing, identityId: string | undefined, itemId: string | undefined): boolean =>
  (!d.identityId || identityId === d.identityId) && (!d.itemId || itemId === d.itemId);

/** The `removeDates` keys an Update is about. */
function targetedKeys(state: AccessRequestState, d: Narrowing): string[] {
  return Object.keys(state.removeDates).filter((key) => {
    const [identityId, , itemId] = key.split('|');
    return names(d, identityId, itemId);
  });
}

/** The removals still waiting for their date that an Update is about. */
function pendingRemovals(state: AccessRequestState, d: Narrowing): RemovalState[] {
  return state.removals.filter((r) => r.status === 'SCHEDULED' && names(d, r.identityId, r.itemId));
}

function setRemoveDate(run: AccessRequestRun, d: SetRemoveDateInput): AccessRequestState {
  const { state } = run;
  for (const key of targetedKeys(state, d)) state.removeDates[key] = d.removeDate;
  for (const removal of pendingRemovals(state, d)) {
    if (d.removeDate === null) removal.status = removal.mode === 'isc' ? 'SCHEDULED' : 'KEPT';
    else removal.removeDate = d.removeDate;
    // ISC holds the sunset itself in isc mode: it must hear the new date (or its removal) too.
    if (removal.mode === 'isc') removal.resendGrant = true;
  }
  run.removalChanges.pending = true;
  log.info('Removal date changed', { requestKey: run.request.key, removeDate: d.removeDate });
  return state;
}

function validateSetRemoveDate(run: AccessRequestRun, d: SetRemoveDateInput): void {
  const { state } = run;
  if (!run.isGrant) throw new Error('setRemoveDate applies to grants only');
  if (state.phase === 'COMPLETED') throw new Error('This request has completed; there is no removal to change');
  if (d === null || typeof d !== 'object' || !('removeDate' in d))
    throw new Error('Send {"removeDate": "<ISO date-time>" | null}');
  if (d.removeDate !== null) validateFutureDate(d.removeDate, 'removeDate');
  const targets = targetedKeys(state, d);
  if (targets.length === 0) throw new Error('No item of this request matches identityId/itemId');
  const settled = state.removals.filter(
    (r) => r.status !== 'SCHEDULED' && targets.includes(refKey(r.identityId, r.itemType, r.itemId)),
  );
  if (settled.length === targets.length && settled.length > 0)
    throw new Error('That removal has already been carried out');
}

function removeNow(run: AccessRequestRun, d: RemoveNowInput): AccessRequestState {
  for (const removal of pendingRemovals(run.state, d)) {
    removal.removeDate = workflowNow();
    removal.mode = 'exact';
    removal.note = d.comment ? `Removed on request: ${d.comment}` : 'Removed on request';
  }
  run.removalChanges.pending = true;
  return run.state;
}

function validateRemoveNow(run: AccessRequestRun, d: RemoveNowInput): void {
  if (pendingRemovals(run.state, d ?? {}).length === 0 || !d?.identityId || !d?.itemId) {
    throw new Error('No scheduled removal for that identityId and itemId');
  }
}
