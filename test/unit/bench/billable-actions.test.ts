import { temporal } from '@temporalio/proto';
import { addRun, countActions, emptyTally } from '../../../bench/support/billable-actions';

const E = temporal.api.enums.v1.EventType;
type Event = temporal.api.history.v1.IHistoryEvent;

let nextId = 1;
const event = (eventType: temporal.api.enums.v1.EventType, extra: Partial<Event> = {}): Event => ({
  // Histories carry ids as Long; counting only compares them as text.
  eventId: nextId++ as unknown as Event['eventId'],
  eventType,
  ...extra,
});
const payload = { data: new Uint8Array([1]) };
const upsert = (...names: string[]): Event =>
  event(E.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES, {
    upsertWorkflowSearchAttributesEventAttributes: {
      searchAttributes: { indexedFields: Object.fromEntries(names.map((n) => [n, payload])) },
    },
  });

describe('billable actions counted from a history', () => {
  beforeEach(() => {
    nextId = 1;
  });

  it('counts a start, timers, signals, updates, upserts and child starts once each', () => {
    const counts = countActions([
      event(E.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED),
      event(E.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED),
      event(E.EVENT_TYPE_WORKFLOW_TASK_COMPLETED),
      event(E.EVENT_TYPE_TIMER_STARTED),
      event(E.EVENT_TYPE_TIMER_FIRED),
      event(E.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED),
      event(E.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED),
      event(E.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED),
      event(E.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED),
      upsert('IscflowState', 'IscflowRequestType'),
      event(E.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED),
      event(E.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED),
    ]);
    expect(counts).toEqual({
      workflowStarts: 1,
      childStarts: 1,
      timers: 1,
      signals: 2,
      updates: 1,
      upserts: 1,
      activities: 0,
      localActivities: 0,
      total: 7,
    });
  });

  it('bills the local activities of one workflow task as one action, and a patch marker not at all', () => {
    const marker = (markerName: string, task: number): Event =>
      event(E.EVENT_TYPE_MARKER_RECORDED, {
        markerRecordedEventAttributes: {
          markerName,
          workflowTaskCompletedEventId: task as unknown as Event['eventId'],
        },
      });
    const counts = countActions([
      marker('core_local_activity', 4),
      marker('core_local_activity', 4),
      marker('core_patch', 4),
      marker('core_local_activity', 9),
    ]);
    expect(counts.localActivities).toBe(2);
    expect(counts.total).toBe(2);
  });

  it('does not bill the upsert that only records a patch', () => {
    expect(countActions([upsert('TemporalChangeVersion')]).upserts).toBe(0);
    expect(countActions([upsert('TemporalChangeVersion', 'IscflowState')]).upserts).toBe(1);
  });

  it('bills every attempt of an activity, and one for an activity not yet started', () => {
    const scheduled = event(E.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED);
    const counts = countActions([
      scheduled,
      event(E.EVENT_TYPE_ACTIVITY_TASK_STARTED, {
        activityTaskStartedEventAttributes: { scheduledEventId: scheduled.eventId, attempt: 3 },
      }),
      event(E.EVENT_TYPE_ACTIVITY_TASK_COMPLETED),
      event(E.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED),
    ]);
    expect(counts.activities).toBe(4);
    expect(counts.total).toBe(4);
  });

  it('tallies runs in all and by workflow type', () => {
    const tally = emptyTally();
    addRun(tally, 'a', [event(E.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED), event(E.EVENT_TYPE_TIMER_STARTED)]);
    addRun(tally, 'a', [event(E.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED)]);
    addRun(tally, 'b', [
      event(E.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED),
      event(E.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED),
    ]);
    expect(tally.runs).toBe(3);
    expect(tally.total.total).toBe(5);
    expect(tally.byWorkflowType.a?.total).toBe(3);
    expect(tally.byWorkflowType.b?.signals).toBe(1);
  });
});
