/**
 * How a lifecycle (and the receipt of each HR event for it) shows in the Temporal UI. Search attributes:
 * its pseudonymous key, the ISC identity id once known, where it stands (`IscflowLifecycleState`, and
 * `IscflowState` so "needs a person" is one query across workflow types) and why it waits for a person.
 * User metadata: a one-line summary given at the start, and current details that follow its state.
 * Never the employee number or any HR attribute: they are personal data.
 */
import type { SearchAttributePair } from '@temporalio/common';
import { setCurrentDetails, upsertSearchAttributes } from '@temporalio/workflow';
import { IDENTITY_IDS, IDENTITY_REF, LIFECYCLE_STATE, OPERATOR_REASON, STATE } from '../../common';
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

/** What `publish` shows: where the lifecycle stands, the ISC identity once known, why it waits for a person. */
export interface LifecyclePublication {
  state: LifecycleState;
  iscIdentityId?: string;
  operatorCode?: string;
}

export interface LifecyclePublisher {
  publish(view: LifecyclePublication): void;
}

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
