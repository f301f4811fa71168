import { Client } from '@temporalio/client';
import { decodeOptionalFailureToOptionalError } from '@temporalio/common/lib/internal-non-workflow';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { dataConverterFor, type PayloadKeyRing } from '../../../src/codec';
import { scanHistories } from '../../support/history-scan';
import { createDevEnvironment, silentBundlerLogger, uniqueTaskQueue } from '../../support/temporal';
import { waitFor } from '../../support/wait';
import { echoEmployeeWorkflow, type EmployeeInput } from './echo-workflow';
import { keyEntry, ring } from '../../support/payload-keys';

const { EventType } = temporal.api.enums.v1;
const EMPLOYEE: EmployeeInput = { employeeNumber: 'E-104729', name: 'Ada Lovelace', department: 'Analytical Engines' };
const NEEDLES = Object.entries(EMPLOYEE).map(([label, value]) => ({ label, value }));
const namespace = 'default';

const text = (bytes: Uint8Array | null | undefined): string => Buffer.from(bytes ?? []).toString('utf8');

describe('payload encryption on a real Temporal server', () => {
  const k1 = keyEntry('k1');
  const k2 = keyEntry('k2');
  /** After a rotation: k2 encrypts, k1 still decrypts. */
  const rotated = ring(k2, k1);
  /** A worker that was not given the new key. */
  const stale = ring(k1);
  let env: TestWorkflowEnvironment;
  let bundle: WorkflowBundleWithSourceMap;

  beforeAll(async () => {
    env = await createDevEnvironment();
    bundle = await bundleWorkflowCode({
      workflowsPath: require.resolve('./echo-workflow'),
      logger: silentBundlerLogger,
    });
  });
  afterAll(() => env?.teardown());

  const client = (keys: PayloadKeyRing | undefined): Client =>
    new Client({ connection: env.connection, namespace, dataConverter: dataConverterFor(keys) });
  const worker = (keys: PayloadKeyRing | undefined, taskQueue: string): Promise<Worker> =>
    Worker.create({
      connection: env.nativeConnection,
      namespace,
      taskQueue,
      workflowBundle: bundle,
      dataConverter: dataConverterFor(keys),
    });

  async function history(workflowId: string): Promise<temporal.api.history.v1.IHistoryEvent[]> {
    return (await client(undefined).workflow.getHandle(workflowId).fetchHistory()).events ?? [];
  }

  it('stores the input and the result encrypted, while workflow and client see them in clear', async () => {
    const taskQueue = uniqueTaskQueue('codec');
    const workflowId = `codec-encrypted-${taskQueue}`;
    const result = await (
      await worker(rotated, taskQueue)
    ).runUntil(client(rotated).workflow.execute(echoEmployeeWorkflow, { taskQueue, workflowId, args: [EMPLOYEE] }));
    expect(result).toEqual(EMPLOYEE);

    const events = await history(workflowId);
    const input = events[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
    const completed = events.find((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED);
    const output = completed?.workflowExecutionCompletedEventAttributes?.result?.payloads?.[0];
    for (const stored of [input, output]) {
      expect(text(stored?.metadata?.encoding)).toBe('binary/encrypted');
      expect(text(stored?.metadata?.['encryption-key-id'])).toBe('k2');
      for (const value of Object.values(EMPLOYEE)) expect(text(stored?.data)).not.toContain(value);
    }

    // And as anyone reading Temporal without the codec sees it: nothing in clear.
    await waitFor(async () =>
      (await client(undefined).workflow.count(`WorkflowId = '${workflowId}'`)).count > 0 ? true : undefined,
    );
    const found = await scanHistories({
      address: env.address,
      namespace,
      needles: NEEDLES,
      query: `WorkflowId = '${workflowId}'`,
    });
    expect(found).toEqual([]);
  });

  it('a worker without the key fails the workflow task visibly; the workflow waits for a worker that has it', async () => {
    const taskQueue = uniqueTaskQueue('codec');
    const workflowId = `codec-stale-worker-${taskQueue}`;
    const handle = await client(rotated).workflow.start(echoEmployeeWorkflow, {
      taskQueue,
      workflowId,
      args: [EMPLOYEE],
    });

    const failed = await (
      await worker(stale, taskQueue)
    ).runUntil(
      waitFor(async () =>
        (await history(workflowId)).find((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED),
      ),
    );
    const failure = failed.workflowTaskFailedEventAttributes?.failure;
    // The message is encrypted like any failure message (under the key the failing worker holds): what
    // Temporal stores says only that it is encoded; anyone with that key (the UI through the codec server)
    // reads the code.
    expect(failure?.message).toBe('Encoded failure');
    const decoded = await decodeOptionalFailureToOptionalError(client(rotated).options.loadedDataConverter, failure);
    expect(decoded?.message).toMatch(/^PAYLOAD_KEY_UNKNOWN: payload encrypted with key "k2"/);
    expect((await handle.describe()).status.name).toBe('RUNNING');

    // Temporal retries the task; a worker holding the key completes the workflow from the same history.
    const result = await (await worker(rotated, taskQueue)).runUntil(handle.result());
    expect(result).toEqual(EMPLOYEE);
  });

  it('histories written in clear before encryption stay readable by an encrypting worker', async () => {
    const taskQueue = uniqueTaskQueue('codec');
    const workflowId = `codec-clear-start-${taskQueue}`;
    await client(undefined).workflow.start(echoEmployeeWorkflow, { taskQueue, workflowId, args: [EMPLOYEE] });
    const reader = client(rotated).workflow.getHandle<typeof echoEmployeeWorkflow>(workflowId);
    expect(await (await worker(rotated, taskQueue)).runUntil(reader.result())).toEqual(EMPLOYEE);

    const events = await history(workflowId);
    expect(text(events[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0]?.metadata?.encoding)).toBe(
      'json/plain',
    );
  });
});
