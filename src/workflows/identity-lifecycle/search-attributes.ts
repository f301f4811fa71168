/**
 * How a lifecycle (and the receipt of each HR event for it) shows in the Temporal UI. Search attributes:
 * its pseudonymous key, the ISC identity id once known, where it stands (`IscflowLifecycleState`, and
 * `IscflowState` so "needs a person" is one query across workflow types), why it waits for a person, and
 * the digest of what it expects ISC to hold (`IscflowAccessDigest`, read by drift sweeps).
 * User metadata: a one-line summary given at the start, and current details that follow its state.
 * Never the employee number or any HR attribute: they are personal data.
 */
import type { SearchAttributePair, SearchAttributeUpdatePair } from '@temporalio/common';
import { setCurrentDetails, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { ACCESS_DIGEST, IDENTITY_IDS, IDENTITY_REF, LIFECYCLE_STATE, OPERATOR_REASON, STATE } from '../../common';
import type { HrEventType } from '../../domain';
import type { LifecycleState } from './contracts';

/** What a lifecycle starts with, so it can be found before its first task runs. */
export function initialLifecycleSearchAttributes(ref: string): SearchAttributePair[] {
  return [
    { key: IDENTITY_REF, value: ref },
    { key: LIFECYCLE_STATE, value: 'NOT_HIRED' },
    { key: STATE, value: 'NOT_HIRED' },
  ];
}

/**
 * The search attributes of a lifecycle started already knowing where it stands (`iscflow adopt`): exactly
 * what its first publication would write, so that publication finds nothing to change.
 */
export function adoptedLifecycleSearchAttributes(
  ref: string,
  iscIdentityId: string,
  accessDigest: string,
): SearchAttributePair[] {
  return [
    { key: IDENTITY_REF, value: ref },
    { key: LIFECYCLE_STATE, value: 'ACTIVE' },
    { key: STATE, value: 'ACTIVE' },
    { key: IDENTITY_IDS, value: [iscIdentityId] },
    { key: ACCESS_DIGEST, value: accessDigest },
  ];
}

/** What `publish` shows: where the lifecycle stands, the ISC identity once known, why it waits for a person. */
export interface LifecyclePublication {
  state: LifecycleState;
  iscIdentityId?: string;
  operatorCode?: string;
  /** What it expects ISC to hold (see src/domain/lifecycle/drift.ts); runs from before the digest have none. */
  accessDigest?: string;
}

export interface LifecyclePublisher {
  publish(view: LifecyclePublication): void;
}

/** Whether a search attribute already holds this value (a list compares by its items). */
function holds(update: SearchAttributeUpdatePair): boolean {
  const current: unknown = workflowInfo().typedSearchAttributes.get(update.key);
  const { value } = update;
  if (value === null) return current === undefined;
  if (Array.isArray(value)) return Array.isArray(current) && current.join('\n') === value.join('\n');
  return current === value;
}

/**
 * Publishes what changed since the search attributes were last written, the access digest included, in one
 * upsert: a lifecycle whose start carried its attributes (adopted) writes nothing until something changes.
 */
export function createDigestPublisher(): LifecyclePublisher {
  let details = '';
  return {
    publish({ state, iscIdentityId, operatorCode, accessDigest }) {
      const text = currentLifecycleDetails({
        state,
        ...(iscIdentityId ? { iscIdentityId } : {}),
        ...(operatorCode ? { operatorCode } : {}),
      });
      if (text !== details) setCurrentDetails(text);
      details = text;
      const updates: SearchAttributeUpdatePair[] = [
        { key: LIFECYCLE_STATE, value: state },
        { key: STATE, value: state },
        { key: IDENTITY_IDS, value: iscIdentityId ? [iscIdentityId] : null },
        { key: OPERATOR_REASON, value: operatorCode ?? null },
        { key: ACCESS_DIGEST, value: accessDigest ?? null },
      ];
      const changed = updates.filter((u) => !holds(u));
      if (changed.length > 0) upsertSearchAttributes(changed);
    },
  };
}

/** The publisher of runs from before the access digest: the same four attributes, written when they change. */
export function createLifecyclePublisher(): LifecyclePublisher {
  let last = '';
  return {
    publish({ state, iscIdentityId, operatorCode }) {
      const key = JSON.stringify([state, iscIdentityId, operatorCode]);
      if (key === last) return;
      last = key;
      setCurrentDetails(
        currentLifecycleDetails({
          state,
          ...(iscIdentityId ? { iscIdentityId } : {}),
          ...(operatorCode ? { operatorCode } : {}),
        }),
      );
      upsertSearchAttributes([
        { key: LIFECYCLE_STATE, value: state },
        { key: STATE, value: state },
        { key: IDENTITY_IDS, value: iscIdentityId ? [iscIdentityId] : null },
        { key: OPERATOR_REASON, value: operatorCode ?? null },
      ]);
    },
  };
}

/** The lifecycle in one line, for the start option `staticSummary`: whose it is, by its pseudonym. */
export function lifecycleSummary(ref: string): string {
  return `Identity lifecycle ${ref}`;
}

/** What an operator can do with a lifecycle, for the start option `staticDetails` (Temporal's markdown). */
export function lifecycleDetails(ref: string): string {
  return [
    `HR events of one person, in effective order, and the birthright access they lead to.`,
    `Ref \`${ref}\` (\`IscflowIdentityRef\`): \`iscflow identity ref EMPLOYEE_NUMBER\` gives it; the employee number itself stays in the workflow's input only.`,
    `Query \`status\` for the timeline, holdings and changes; when it waits for a person, send the Update \`retry\` or \`skip\` with the data \`{"reason": "..."}\`.`,
  ].join('\n');
}

const OPERATOR_HINTS: Record<string, string> = {
  IDENTITY_NOT_FOUND: 'ISC does not know this identity (yet)',
  IDENTITY_LOOKUP_FAILED: 'searching ISC for this identity failed',
  ISC_AUTH_FAILED: 'ISC refused the worker’s credentials; fix them (SAIL_CLIENT_SECRET_FILE is read again), then retry',
  ISC_OUTAGE: 'ISC did not answer for longer than ISCFLOW_OUTAGE_ESCALATE_AFTER; retry once it is back',
};

/** Where the lifecycle stands, for `setCurrentDetails` (Temporal's markdown). */
export function currentLifecycleDetails({ state, iscIdentityId, operatorCode }: LifecyclePublication): string {
  const identity = iscIdentityId ? `ISC identity \`${iscIdentityId}\`` : 'ISC identity not known yet';
  const lines = [`**${state}** · ${identity}`];
  if (operatorCode) {
    lines.push(
      `Waiting for an operator (${operatorCode}): ${OPERATOR_HINTS[operatorCode] ?? 'see the status query'}.`,
      'Decide with the Update `retry` (search again) or `skip` (stop until the next HR event) and the data `{"reason": "..."}`.',
    );
  }
  return lines.join('\n');
}

/** The receipt of an HR event in one line, for `staticSummary`: the event's type and source, and whose lifecycle. */
export function receiptSummary(event: { type: HrEventType; source: string }, ref: string): string {
  return `HR event ${event.type} from ${event.source} for identity lifecycle ${ref}`;
}

/** The receipt in full, for `staticDetails`: the event's reference and effective time, and where it goes. */
export function receiptDetails(
  event: { type: HrEventType; source: string; id: string; effectiveAt: string },
  lifecycleWorkflowId: string,
): string {
  return [
    `**${event.type}** \`${event.source}/${event.id}\`, effective ${event.effectiveAt}`,
    `Delivered to \`${lifecycleWorkflowId}\`, which decides what it changes.`,
  ].join('\n');
}
