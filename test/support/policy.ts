/**
 * Birthright policies for tests: files written as an operator writes one (docs/lifecycle.md), and documents
 * resolved as the workers resolve them, for tests that name items by id (no ISC needed).
 */
import { writeFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { checkPolicyDocument, resolvePolicy, type ResolvedPolicy } from '../../src/domain';

export interface PolicyRule {
  name: string;
  when: Record<string, string>;
  /** `TYPE:id`, e.g. `ENTITLEMENT:2c91...`. */
  grant: string[];
}

export interface PolicyFile {
  moverGrace?: string;
  submitAhead?: string;
  rules: PolicyRule[];
}

/** Writes `policy` (version 1) to `path` as YAML, and returns `path` (for `ISCFLOW_POLICY`). */
export function writePolicyFile(path: string, policy: PolicyFile): string {
  writeFileSync(path, stringify({ version: 1, ...policy }));
  return path;
}

/** A policy document resolved as the workers resolve it. */
export function policyOf(document: unknown): ResolvedPolicy {
  const checked = checkPolicyDocument(document);
  if (!checked.ok) throw new Error(checked.problems.join('; '));
  const resolved = resolvePolicy(checked.document, new Map());
  if (!resolved.ok) throw new Error(resolved.problems.join('; '));
  return resolved.policy;
}
