/**
 * Replays the saved histories (test/histories/*.json, recorded by test/histories/record.ts) against the
 * current workflow code: a change that would break running access changes, identity lifecycles or HR-event
 * receipts (non-determinism) fails here, before it ships. The set of files is fixed by the manifest, so a
 * history lost by mistake fails too, as does a file of a type no one meant to replay.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { WORKFLOW_TYPES } from '../../src/common';
import { HISTORY_FILES, REPLAYED_TYPES } from '../histories/manifest';
import { workflowBundle } from '../support/temporal';

const HISTORIES = join(__dirname, '..', 'histories');
const { EventType } = temporal.api.enums.v1;
type EventType = temporal.api.enums.v1.EventType;

interface Saved {
  file: string;
  workflowType: string | undefined;
  history: ReturnType<typeof historyFromJSON>;
}

function readSaved(file: string): Saved {
  const history = historyFromJSON(JSON.parse(readFileSync(join(HISTORIES, file), 'utf8')));
  const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
  return { file: file.replace(/\.json$/, ''), workflowType: started?.workflowType?.name ?? undefined, history };
}

describe('replay of saved histories', () => {
  const files = readdirSync(HISTORIES)
    .filter((f) => f.endsWith('.json'))
    .sort();
  const saved = files.map(readSaved);

  it('has exactly the histories of the manifest', () => {
    expect(files).toEqual(
      Object.keys(HISTORY_FILES)
        .map((name) => `${name}.json`)
        .sort(),
    );
  });

  it('holds runs of known workflow types, each the type the manifest names', () => {
    const known: readonly string[] = Object.values(WORKFLOW_TYPES);
    for (const { file, workflowType } of saved) {
      expect({ file, known: known.includes(workflowType ?? '') }).toEqual({ file, known: true });
      expect({ file, workflowType }).toEqual({ file, workflowType: HISTORY_FILES[file]?.workflowType });
    }
  });

  it('covers every long-lived workflow type, the lifecycle in each of its recorded shapes', () => {
    const types = new Set(saved.map((s) => s.workflowType));
    for (const type of REPLAYED_TYPES) expect([type, types.has(type)]).toEqual([type, true]);
    const lifecycle = saved.filter((s) => s.workflowType === WORKFLOW_TYPES.identityLifecycle);
    const has = (type: EventType): boolean =>
      lifecycle.some((s) => (s.history.events ?? []).some((e) => e.eventType === type));
    // What a lifecycle's life is made of: timers, child access changes, and continue-as-new.
    expect(has(EventType.EVENT_TYPE_TIMER_FIRED)).toBe(true);
    expect(has(EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED)).toBe(true);
    expect(has(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW)).toBe(true);
  });

  it('replays every saved history without non-determinism', async () => {
    // Under the recorded workflow id: a lifecycle names its child access changes after its own.
    const histories = saved.map(({ file, history }) => ({
      workflowId: HISTORY_FILES[file]?.workflowId ?? file,
      history,
    }));
    const errors: Array<string | undefined> = [];
    for await (const result of Worker.runReplayHistories({ workflowBundle: await workflowBundle() }, histories)) {
      errors.push(result.error?.message);
    }
    // Results come in the order the histories went in (two runs of one lifecycle share its id).
    expect(saved.map((s, n) => ({ file: s.file, error: errors[n] }))).toEqual(
      saved.map((s) => ({ file: s.file, error: undefined })),
    );
  });
});
