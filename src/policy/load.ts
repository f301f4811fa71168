/**
 * Loading the birthright policy (`ISCFLOW_POLICY`, YAML): parse, check, and resolve every item named by
 * ISC name to its id through ISC. The worker does this once at start and refuses to start on any problem,
 * naming it; `iscflow policy check` runs the same steps.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import {
  checkPolicyDocument,
  namedItemKey,
  namedItems,
  resolvePolicy,
  type PolicyDocument,
  type ResolvedPolicy,
} from '../domain';
import type { IscClient } from '../isc';

/** A policy that cannot be used; `problems` names each one with its place in the file. */
export class PolicyError extends Error {
  readonly code = 'POLICY_INVALID';
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`Policy ${source} cannot be used:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'PolicyError';
  }
}

/** Parses and checks a policy's text (YAML or JSON); ISC is not asked. */
export function parsePolicy(text: string, source: string): PolicyDocument {
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (error) {
    throw new PolicyError(source, [`not valid YAML: ${(error as Error).message.split('\n')[0] ?? ''}`]);
  }
  const checked = checkPolicyDocument(raw);
  if (!checked.ok) throw new PolicyError(source, checked.problems);
  return checked.document;
}

export function readPolicyFile(path: string): PolicyDocument {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new PolicyError(path, [
      `cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    ]);
  }
  return parsePolicy(text, path);
}

/**
 * Resolves the document's names through ISC and checks that every item given by id exists: a policy
 * naming access ISC does not have would fail every joiner, so it fails here instead.
 */
export async function resolveThroughIsc(
  document: PolicyDocument,
  isc: IscClient,
  source: string,
): Promise<ResolvedPolicy> {
  const ids = new Map<string, string>();
  const problems: string[] = [];
  for (const named of namedItems(document)) {
    const found = await isc.findCatalogItems(named.type, { name: named.name });
    if (found.length === 1 && found[0]) ids.set(namedItemKey(named), found[0].id);
    else if (found.length > 1)
      problems.push(`${named.type} "${named.name}" names ${found.length} items in ISC; use its id`);
  }
  const resolved = resolvePolicy(document, ids);
  if (!resolved.ok) throw new PolicyError(source, [...problems, ...resolved.problems]);
  if (problems.length > 0) throw new PolicyError(source, problems);
  for (const type of ['ROLE', 'ACCESS_PROFILE', 'ENTITLEMENT'] as const) {
    const wanted = [
      ...new Set(resolved.policy.rules.flatMap((r) => r.items.filter((i) => i.type === type).map((i) => i.id))),
    ];
    if (wanted.length === 0) continue;
    const found = new Set((await isc.findCatalogItems(type, { ids: wanted })).map((i) => i.id));
    for (const id of wanted) if (!found.has(id)) problems.push(`no ${type} with id ${id} in ISC`);
  }
  if (problems.length > 0) throw new PolicyError(source, problems);
  return resolved.policy;
}

export async function loadPolicy(path: string, isc: IscClient): Promise<ResolvedPolicy> {
  return resolveThroughIsc(readPolicyFile(path), isc, path);
}
