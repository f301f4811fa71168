/** Birthright policy files for the tests that run the lifecycle, written as an operator writes one (docs/lifecycle.md). */
import { writeFileSync } from 'node:fs';
import { stringify } from 'yaml';

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
