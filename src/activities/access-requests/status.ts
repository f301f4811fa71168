/**
 * checkStatus: one access change's look at its items in ISC, one identity at a time. Nothing new is a
 * retryable `STATUS_UNCHANGED` failure when the workflow asks for one: with a backoff coefficient of 1 the
 * activity's retries are then the polling loop, without history events.
 */
import { ApplicationFailure } from '@temporalio/common';
import { STATUS_UNCHANGED } from '../../common';
import type { CheckStatusInput, CheckStatusResult, ItemObservation, ItemRef } from '../contracts';
import { withIscFailures } from '../failures';
import { sameItem, unique, type StatusReader } from '../status-reader';

/** Whether any item moved: a final outcome, another ISC state, or an access request id newly known. */
function anyChanged(input: CheckStatusInput, observations: ItemObservation[]): boolean {
  return observations.some((seen) => {
    const before = input.items.find((i) => sameItem(i, seen));
    return (
      seen.outcome !== undefined ||
      seen.iscState !== before?.iscState ||
      (seen.accessRequestId !== undefined && seen.accessRequestId !== before?.accessRequestId)
    );
  });
}

/** The observations of one identity's items; what it holds is asked only if an item needs it, and once. */
async function observeIdentity(
  reader: Pick<StatusReader, 'rowsFor' | 'heldItems' | 'observe'>,
  input: CheckStatusInput,
  identityId: string,
): Promise<ItemObservation[]> {
  const mine = input.items.filter((i) => i.identityId === identityId);
  const rows = await reader.rowsFor(identityId, mine);
  let held: Set<string> | undefined;
  const holds = async (ref: ItemRef): Promise<boolean> => {
    held ??= await reader.heldItems(identityId);
    return held.has(`${ref.itemType}:${ref.itemId}`);
  };
  const observations: ItemObservation[] = [];
  for (const item of mine) observations.push(await reader.observe(input, item, rows, holds));
  return observations;
}

export function createCheckStatus(
  reader: Pick<StatusReader, 'rowsFor' | 'heldItems' | 'observe'>,
): (input: CheckStatusInput) => Promise<CheckStatusResult> {
  return async function checkStatus(input) {
    return withIscFailures(async () => {
      const observations: ItemObservation[] = [];
      for (const identityId of unique(input.items.map((i) => i.identityId))) {
        observations.push(...(await observeIdentity(reader, input, identityId)));
      }
      if (!anyChanged(input, observations) && input.failWhenUnchanged) {
        throw ApplicationFailure.retryable('No status change yet', STATUS_UNCHANGED);
      }
      return { items: observations };
    });
  };
}
