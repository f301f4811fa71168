/**
 * Ownership and adoption in a lifecycle. Under the policy's `ownership: policy` the lifecycle owns what the
 * policy gives, whoever granted it; lifecycles that ran before this existed owned only their own grants.
 * The patch marks the difference in history: a recorded run replays as it ran, and a running lifecycle
 * follows the policy's ownership from its next event, timer, settled change or apply on.
 */
import { patched } from '@temporalio/workflow';
import {
  adoptedAttributes,
  desiredAccess,
  itemKey,
  ownershipOf,
  type Holding,
  type Ownership,
  type ResolvedPolicy,
} from '../../domain';
import { workflowNow } from '../clock';
import type { Lifecycle } from './lifecycle';

/** The patch that brought policy ownership, claimed and unrevocable access, adoption and the access digest. */
export const OWNERSHIP_PATCH = 'policy-ownership';

/** Whether this run goes by the policy's ownership (and publishes its access digest). */
export function ownershipPatched(): boolean {
  return patched(OWNERSHIP_PATCH);
}

/** The ownership this round goes by: the policy's, or `granted` where the run replays from before the patch. */
export function ownershipNow(life: Lifecycle): Ownership {
  if (!ownershipPatched()) return 'granted';
  return life.policy ? ownershipOf(life.policy) : 'policy';
}

/**
 * An adopted lifecycle's start, once: ACTIVE from ISC's attributes (as the timeline's baseline, so an HR
 * event dated before the read applies at it), and the desired access the identity already holds claimed
 * (under `granted`: recorded as PRESENT, not its own) with what ISC said of its revocability. No ISC call;
 * what is missing is granted by the first reconciliation.
 */
export function adoptOnce(life: Lifecycle, policy: ResolvedPolicy): boolean {
  const { s, input } = life;
  const adopt = input.adopt;
  if (!adopt || s.adoptedAt !== undefined) return false;
  const ownership = ownershipNow(life);
  const attributes = adoptedAttributes(policy, adopt.attributes);
  s.baseline = { at: adopt.readAt, status: 'ACTIVE', attributes };
  s.adoptedAt = adopt.readAt;
  const held = new Map(adopt.held.map((h) => [itemKey(h), h]));
  for (const want of desiredAccess(policy, attributes)) {
    const found = held.get(itemKey(want));
    if (!found) continue;
    const holding: Holding = {
      item: { type: want.type, id: want.id },
      state: ownership === 'policy' ? 'HELD' : 'PRESENT',
      graceMs: want.graceMs,
      since: workflowNow(),
      note: ownership === 'policy' ? 'held before adoption; claimed' : 'held before adoption; not the lifecycle’s',
      ...(ownership === 'policy' ? { claimed: true } : {}),
      ...(found.revocable !== undefined ? { revocable: found.revocable } : {}),
    };
    s.ledger = [...s.ledger.filter((h) => itemKey(h.item) !== itemKey(holding.item)), holding];
  }
  return true;
}
