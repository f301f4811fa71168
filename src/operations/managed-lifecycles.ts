/**
 * The identities iscflow manages, read from Temporal's visibility once, a thousand a page: every running
 * lifecycle with its pseudonymous ref, the ISC identity it resolved, where it stands and the digest of what
 * it expects ISC to hold. Visibility list calls are not billed actions (queries are), so `iscflow adopt` and
 * drift sweeps learn all of this without touching a single lifecycle.
 */
import type { Client } from '@temporalio/client';
import { ACCESS_DIGEST, IDENTITY_IDS, IDENTITY_REF, LIFECYCLE_STATE, WORKFLOW_TYPES } from '../common';

export interface ManagedLifecycle {
  workflowId: string;
  ref: string;
  /** The ISC identity it resolved, once it has. */
  iscIdentityId?: string;
  state?: string;
  accessDigest?: string;
}

export interface ManagedLifecycles {
  count: number;
  byRef: ReadonlyMap<string, ManagedLifecycle>;
  /** Usually one lifecycle an ISC identity; two when the same person was started under two keys. */
  byIscId: ReadonlyMap<string, readonly ManagedLifecycle[]>;
}

const RUNNING_LIFECYCLES = `WorkflowType = '${WORKFLOW_TYPES.identityLifecycle}' AND ExecutionStatus = 'Running'`;
const PAGE_SIZE = 1000;

export async function readManagedLifecycles(client: Client): Promise<ManagedLifecycles> {
  const byRef = new Map<string, ManagedLifecycle>();
  const byIscId = new Map<string, ManagedLifecycle[]>();
  let count = 0;
  for await (const wf of client.workflow.list({ query: RUNNING_LIFECYCLES, pageSize: PAGE_SIZE })) {
    const attributes = wf.typedSearchAttributes;
    const ref = attributes.get(IDENTITY_REF);
    if (!ref) continue;
    const iscIdentityId = attributes.get(IDENTITY_IDS)?.[0];
    const state = attributes.get(LIFECYCLE_STATE);
    const accessDigest = attributes.get(ACCESS_DIGEST);
    const lifecycle: ManagedLifecycle = {
      workflowId: wf.workflowId,
      ref,
      ...(iscIdentityId ? { iscIdentityId } : {}),
      ...(state ? { state } : {}),
      ...(accessDigest ? { accessDigest } : {}),
    };
    count += 1;
    byRef.set(ref, lifecycle);
    if (iscIdentityId) byIscId.set(iscIdentityId, [...(byIscId.get(iscIdentityId) ?? []), lifecycle]);
  }
  return { count, byRef, byIscId };
}
