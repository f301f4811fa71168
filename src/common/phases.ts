/**
 * The phases of an access change (`accessRequestWorkflow`), mirrored in the `IscflowState` search attribute,
 * and which of them a tracker that starts empty asks to enlist again. The workflow enters them; the
 * tracker's activities query visibility for them; both import them from here, so a new phase is classified
 * once, where it is added. Workflow-safe.
 */

/** Where an access change stands. */
export const PHASES = [
  'SCHEDULED',
  'SUBMITTING',
  'TRACKING',
  'RETRY_BACKOFF',
  'AWAITING_OPERATOR',
  'REMOVAL_SCHEDULED',
  'REMOVING',
  'WITHDRAWING',
  'COMPLETED',
] as const;
export type Phase = (typeof PHASES)[number];

/**
 * Whether a change in each phase is still acting with ISC through its tracker, so that a tracker that
 * (re)started empty asks it to say again what it waits for (`askToReenlist`). A record over every phase,
 * so a new phase does not compile until it says.
 *
 * A phase also counts when only some of its waits are on the tracker: SCHEDULED is the change waiting
 * for a start date itself, but also ISC holding a submitted request until then; an operator is called
 * for items in flight (stuck, or tracking failed) as well as for final ones. Asking a change that waits
 * on nothing costs a signal, and its next message to the tracker goes twice.
 */
const ACTS_WITH_ISC: Readonly<Record<Phase, boolean>> = {
  SCHEDULED: true,
  SUBMITTING: true,
  TRACKING: true,
  // Settling backs off only once tracking has returned, with every submitted item final: the tracker holds
  // no ticket and no open watch of this change, so a tracker that started empty meanwhile lost nothing of
  // it. The change's next message is the resubmission's ticket, which starts or joins the tracker, and the
  // tracker watches what it submits.
  RETRY_BACKOFF: false,
  AWAITING_OPERATOR: true,
  REMOVAL_SCHEDULED: true,
  REMOVING: true,
  WITHDRAWING: true,
  COMPLETED: false,
};

/** The phases a tracker that starts empty asks to enlist again (see `ACTS_WITH_ISC`). */
export const PHASES_ACTING_WITH_ISC: readonly Phase[] = PHASES.filter((phase) => ACTS_WITH_ISC[phase]);
