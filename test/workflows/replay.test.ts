/**
 * Replays saved histories of accessRequestWorkflow (test/histories/*.json) against the current workflow
 * code: a change that would break running workflows (non-determinism) fails here, before it ships.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { workflowBundle } from '../support/temporal';

const HISTORIES = join(__dirname, '..', 'histories');

describe('replay of saved histories', () => {
  const files = readdirSync(HISTORIES).filter((f) => f.endsWith('.json'));

  it('has histories to replay', () => {
    expect(files.length).toBeGreaterThanOrEqual(4);
  });

  it('replays every saved history without non-determinism', async () => {
    const histories = files.map((file) => ({
      workflowId: file.replace(/\.json$/, ''),
      history: historyFromJSON(JSON.parse(readFileSync(join(HISTORIES, file), 'utf8'))),
    }));
    const results = [];
    for await (const result of Worker.runReplayHistories({ workflowBundle: await workflowBundle() }, histories)) {
      results.push({ workflowId: result.workflowId, error: result.error?.message });
    }
    expect(results).toEqual(files.map((f) => ({ workflowId: f.replace(/\.json$/, ''), error: undefined })));
  });
});
