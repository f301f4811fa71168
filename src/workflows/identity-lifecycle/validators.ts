/**
 * The lifecycle's Update validators: each refuses what cannot be done (malformed input, a decision nobody
 * awaits) before the Update is accepted, so a refusal leaves no trace in the history.
 */
import type { DriftRepairRequest, OperatorDecision } from './contracts';
import type { Lifecycle } from './lifecycle';

/** `reconcile` takes an object (its `policyHash` and `reason` are optional). */
export function validateReconcile(request: unknown): void {
  if (request === null || typeof request !== 'object') throw new Error('Send {"policyHash"?: "...", "reason"?: "..."}');
}

/** `retry` only while a person is being asked. */
export function validateRetry(life: Lifecycle): void {
  if (!life.s.operator) throw new Error('No operator decision is awaited: this identity is not waiting for a person');
}

/** `skip` only while a person is being asked, and never without a reason. */
export function validateSkip(life: Lifecycle, decision: OperatorDecision): void {
  validateRetry(life);
  if (typeof decision?.reason !== 'string' || decision.reason.trim() === '')
    throw new Error('skip needs a reason: {"reason": "..."}');
}

const ITEM = /^(ROLE|ACCESS_PROFILE|ENTITLEMENT)$/;

/** `repairDrift` takes the items a sweep found, each `{ "type": ..., "id": ... }`. */
export function validateRepair(request: DriftRepairRequest): void {
  const lists = [request?.missing, request?.unexpected];
  const valid = lists.every(
    (list) =>
      Array.isArray(list) &&
      list.every((item) => typeof item?.id === 'string' && typeof item.type === 'string' && ITEM.test(item.type)),
  );
  if (!valid)
    throw new Error('Send {"missing": [{"type": "...", "id": "..."}], "unexpected": [...], "reason"?: "..."}');
}
