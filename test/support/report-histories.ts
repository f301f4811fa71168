/** Recorded histories for the report's tests, read the way the report reads a server's. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadDataConverter } from '@temporalio/common/lib/internal-non-workflow';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { readChangeRun, type ChangeRun, type ReportRow } from '../../src/report';

/** Dev-server runs made through the CLI (`test/unit/report/histories/record.ts`). */
export const REPORT_HISTORIES = join(__dirname, '..', 'unit', 'report', 'histories');
/** The time-skipping runs the replay test keeps (`test/histories/record.ts`). */
export const REPLAY_HISTORIES = join(__dirname, '..', 'histories');

export function loadHistory(dir: string, name: string): ReturnType<typeof historyFromJSON> {
  return historyFromJSON(JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8')));
}

export function loadRun(dir: string, name: string, runId = `run-of-${name}`): Promise<ChangeRun> {
  return readChangeRun(runId, loadHistory(dir, name), loadDataConverter());
}

/** A complete row, for renderer tests that care about a few fields. */
export function row(overrides: Partial<ReportRow> = {}): ReportRow {
  return {
    workflowId: 'iscflow-grant-0123456789abcdef0123456789abcdef',
    runId: '01a22d9a-5ecf-799c-82cc-585714ac4157',
    identityId: 'a'.repeat(32),
    itemType: 'ENTITLEMENT',
    itemId: 'b'.repeat(32),
    change: 'grant',
    cause: 'hr-event',
    causeRef: 'workday/EVT-1',
    idempotencyKey: null,
    requestedAt: '2026-03-02T09:00:00.000Z',
    finalAt: '2026-03-02T09:00:05.000Z',
    status: 'final',
    outcome: 'GRANTED',
    iscState: 'REQUEST_COMPLETED',
    accessRequestId: 'c'.repeat(32),
    removeDate: null,
    removalStatus: null,
    decisions: [],
    ...overrides,
  };
}
