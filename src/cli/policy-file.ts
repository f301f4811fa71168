/**
 * The birthright policy as the CLI reads it: FILE, or the one the workers run (`ISCFLOW_POLICY`), resolved
 * through ISC as the workers resolve it (names to ids). A policy that cannot be used is bad input.
 */
import { iscClientOptions, type IscConfig } from '../config';
import type { ResolvedPolicy } from '../domain';
import { createIscClient } from '../isc';
import { PolicyError, loadPolicy } from '../policy/load';
import { UsageError } from './io';
import type { CliSettings } from './settings';

/** The policy file: FILE, or the one the workers run (`ISCFLOW_POLICY`). */
export function policyPath(file: string | undefined, settings: CliSettings, command = 'policy'): string {
  const path = file ?? settings.read('policyFile').policyFile;
  if (!path) throw new UsageError(`${command}: give FILE or set ISCFLOW_POLICY`);
  return path;
}

/** The policy as the workers would load it: names resolved through ISC; a bad policy is bad input. */
export async function resolvedPolicy(path: string, isc: Readonly<IscConfig>): Promise<ResolvedPolicy> {
  try {
    return await loadPolicy(path, createIscClient(iscClientOptions(isc)));
  } catch (error) {
    if (error instanceof PolicyError) throw new UsageError(error.message);
    throw error;
  }
}
