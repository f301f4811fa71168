/** A policy document resolved as the workers resolve it, for tests that name items by id (no ISC needed). */
import { checkPolicyDocument, resolvePolicy, type ResolvedPolicy } from '../../src/domain';

export function policyOf(document: unknown): ResolvedPolicy {
  const checked = checkPolicyDocument(document);
  if (!checked.ok) throw new Error(checked.problems.join('; '));
  const resolved = resolvePolicy(checked.document, new Map());
  if (!resolved.ok) throw new Error(resolved.problems.join('; '));
  return resolved.policy;
}
