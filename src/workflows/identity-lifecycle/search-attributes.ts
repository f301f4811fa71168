/**
 * The lifecycle's search attributes: its pseudonymous key, the ISC identity id once known, where it stands
 * (`IscflowLifecycleState`, and `IscflowState` so "needs a person" is one query across workflow types) and
 * why it waits for a person. Never the employee number or any HR attribute: they are personal data.
 */
import type { SearchAttributePair } from '@temporalio/common';
import { upsertSearchAttributes } from '@temporalio/workflow';
import { IDENTITY_IDS, IDENTITY_REF, LIFECYCLE_STATE, OPERATOR_REASON, STATE } from '../../common';
import type { LifecycleState } from './contracts';

/** What a lifecycle starts with, so it can be found before its first task runs. */
export function initialLifecycleSearchAttributes(ref: string): SearchAttributePair[] {
  return [
    { key: IDENTITY_REF, value: ref },
    { key: LIFECYCLE_STATE, value: 'NOT_HIRED' },
    { key: STATE, value: 'NOT_HIRED' },
  ];
}

export interface LifecyclePublisher {
  publish(view: { state: LifecycleState; iscIdentityId?: string; operatorCode?: string }): void;
}

export function createLifecyclePublisher(): LifecyclePublisher {
  let last = '';
  return {
    publish({ state, iscIdentityId, operatorCode }) {
      const key = JSON.stringify([state, iscIdentityId, operatorCode]);
      if (key === last) return;
      last = key;
      upsertSearchAttributes([
        { key: LIFECYCLE_STATE, value: state },
        { key: STATE, value: state },
        { key: IDENTITY_IDS, value: iscIdentityId ? [iscIdentityId] : null },
        { key: OPERATOR_REASON, value: operatorCode ?? null },
      ]);
    },
  };
}
