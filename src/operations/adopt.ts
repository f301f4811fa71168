/**
 * Day one: taking the identities ISC already has under management (`iscflow adopt`). ISC's identities are
 * read a page at a time (attributes and access in one document); those already managed (a running lifecycle
 * under the key's ref, or one that resolved the ISC id, both from visibility read once) are left alone, so
 * HR's events win and a second run starts nothing. Each of the others gets a lifecycle, ACTIVE from ISC's
 * attributes, keyed by its employee number when it has one (else its ISC id), started with what it holds so
 * that it claims the desired access already there (no ISC call) and grants only what is missing.
 *
 * Two steps, so that a person can look at the totals first: `planAdoption` reads and decides (nothing is
 * sent), `startAdoptions` starts the lifecycles a few at a time.
 */
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { inParallel } from '../activities/tracking/signals';
import { WORKFLOW_TYPES } from '../common';
import {
  accessDigest,
  adoptedAttributes,
  adoptionKeyOf,
  desiredAccess,
  expectationOf,
  itemKey,
  ownershipOf,
  policyItemKeys,
  type IdentityKey,
  type PolicyItem,
  type ResolvedPolicy,
} from '../domain';
import type { IscClient, SearchedIdentity } from '../isc';
import type { identityLifecycleWorkflow } from '../workflows';
import type { LifecycleInput } from '../workflows/identity-lifecycle/contracts';
import {
  adoptedLifecycleSearchAttributes,
  lifecycleDetails,
  lifecycleSummary,
} from '../workflows/identity-lifecycle/search-attributes';
import { identityTarget, lifecycleOptions, type LifecycleSettings } from './hr-events';
import { identityPages } from './isc-identities';
import { readManagedLifecycles } from './managed-lifecycles';

/** One identity to adopt: whose lifecycle it becomes, and what it will claim and ask for. */
export interface AdoptionCandidate {
  key: IdentityKey;
  ref: string;
  workflowId: string;
  iscIdentityId: string;
  /** Desired and already held: claimed, no ISC call. */
  claim: PolicyItem[];
  /** Desired and not held: granted through the usual access changes. */
  grant: PolicyItem[];
  input: LifecycleInput;
  accessDigest: string;
}

export interface AdoptionPlan {
  policyHash: string;
  query: string;
  /** When ISC was read: the baseline of every adopted lifecycle. */
  readAt: string;
  /** Identities ISC answered with. */
  read: number;
  /** Of those, already under management: left alone. */
  managed: number;
  candidates: AdoptionCandidate[];
  /** Search calls the read took. */
  iscCalls: number;
}

export interface PlanAdoptionOptions {
  client: Client;
  isc: IscClient;
  /** The policy the workers run (to say what would be claimed and granted). */
  policy: ResolvedPolicy;
  query: string;
  budgetPer10s: number;
  settings: LifecycleSettings;
  /** Told after each page of ISC's identities: how many were read so far. */
  onRead?: (read: number) => void;
  now?: () => Date;
}

function candidateOf(
  identity: SearchedIdentity,
  { policy, settings, readAt }: { policy: ResolvedPolicy; settings: LifecycleSettings; readAt: string },
  policyItems: ReadonlySet<string>,
): AdoptionCandidate {
  const target = identityTarget(adoptionKeyOf(identity), settings.pseudonymKey);
  // The identity's ISC attributes as they are (the lifecycle maps their names with its own policy).
  const attributes = adoptedAttributes({}, identity.attributes);
  const desired = desiredAccess(policy, adoptedAttributes(policy, identity.attributes));
  const held = new Map(identity.access.map((a) => [itemKey(a), a]));
  const claim = desired.filter((d) => held.has(itemKey(d))).map(({ type, id }) => ({ type, id }));
  const grant = desired.filter((d) => !held.has(itemKey(d))).map(({ type, id }) => ({ type, id }));
  const expectation = expectationOf({ status: 'ACTIVE', desired, ledger: [], ownership: ownershipOf(policy) });
  return {
    key: target.key,
    ref: target.ref,
    workflowId: target.workflowId,
    iscIdentityId: identity.id,
    claim,
    grant,
    input: {
      identity: target.key,
      ref: target.ref,
      options: lifecycleOptions(settings),
      adopt: {
        identityId: identity.id,
        attributes,
        // What it holds of the policy's items: what a lifecycle may claim, now or after a policy change.
        held: identity.access
          .filter((a) => policyItems.has(itemKey(a)))
          .map((a) => ({ type: a.type, id: a.id, ...(a.revocable !== undefined ? { revocable: a.revocable } : {}) })),
        readAt,
      },
    },
    accessDigest: accessDigest(policy, expectation),
  };
}

/** Reads ISC and visibility and decides who would be adopted, with what; sends and starts nothing. */
export async function planAdoption(options: PlanAdoptionOptions): Promise<AdoptionPlan> {
  const { client, isc, policy, query, settings } = options;
  const readAt = (options.now?.() ?? new Date()).toISOString();
  const managed = await readManagedLifecycles(client);
  const policyItems = new Set(policyItemKeys(policy));
  const plan: AdoptionPlan = {
    policyHash: policy.hash,
    query,
    readAt,
    read: 0,
    managed: 0,
    candidates: [],
    iscCalls: 0,
  };
  const pages = identityPages(isc, { query, budgetPer10s: options.budgetPer10s, onCall: () => (plan.iscCalls += 1) });
  for await (const page of pages) {
    for (const identity of page) {
      plan.read += 1;
      const candidate = candidateOf(identity, { policy, settings, readAt }, policyItems);
      if (managed.byRef.has(candidate.ref) || managed.byIscId.has(identity.id)) plan.managed += 1;
      else plan.candidates.push(candidate);
    }
    options.onRead?.(plan.read);
  }
  return plan;
}

export interface AdoptionOutcome {
  adopted: number;
  /** Started meanwhile by someone else (an HR event, another run): left alone. */
  alreadyManaged: number;
  failed: Array<{ candidate: AdoptionCandidate; error: string }>;
}

/** Lifecycles started at once: a day-one tenant starts tens of thousands, and Temporal should not feel it. */
export const ADOPTION_CONCURRENCY = 16;

/** Starts the plan's lifecycles, a few at a time; one already running (started meanwhile) is left alone. */
export async function startAdoptions(
  client: Client,
  taskQueue: string,
  plan: AdoptionPlan,
  { concurrency = ADOPTION_CONCURRENCY, onStarted }: { concurrency?: number; onStarted?: () => void } = {},
): Promise<AdoptionOutcome> {
  const outcome: AdoptionOutcome = { adopted: 0, alreadyManaged: 0, failed: [] };
  await inParallel(plan.candidates, concurrency, async (candidate) => {
    try {
      await client.workflow.start<typeof identityLifecycleWorkflow>(WORKFLOW_TYPES.identityLifecycle, {
        workflowId: candidate.workflowId,
        taskQueue,
        args: [candidate.input],
        workflowIdConflictPolicy: 'FAIL',
        // Its attributes as its first round will publish them: an adopted lifecycle that needs nothing
        // never writes them again.
        typedSearchAttributes: adoptedLifecycleSearchAttributes(
          candidate.ref,
          candidate.iscIdentityId,
          candidate.accessDigest,
        ),
        staticSummary: lifecycleSummary(candidate.ref),
        staticDetails: lifecycleDetails(candidate.ref),
      });
      outcome.adopted += 1;
    } catch (error) {
      if (error instanceof WorkflowExecutionAlreadyStartedError) outcome.alreadyManaged += 1;
      else outcome.failed.push({ candidate, error: error instanceof Error ? error.message : String(error) });
    }
    onStarted?.();
  });
  return outcome;
}
