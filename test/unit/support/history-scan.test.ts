import { randomBytes } from 'node:crypto';
import { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { dataConverterFor, parsePayloadKeys } from '../../../src/codec';
import { STATE } from '../../../src/common';
import { scanHistories, type HistoryFinding } from '../../support/history-scan';
import { createDevEnvironment, uniqueTaskQueue } from '../../support/temporal';
import { waitFor } from '../../support/wait';

const EMPLOYEE_NUMBER = { label: 'employee number', value: 'E-771234' };
const NAME = { label: 'name', value: 'Grace Hopper' };
const WEBHOOK_SECRET = { label: 'webhook secret', value: `whsec_${randomBytes(12).toString('hex')}` };
const NEEDLES = [EMPLOYEE_NUMBER, NAME, WEBHOOK_SECRET];

describe('scanHistories', () => {
  let env: TestWorkflowEnvironment;
  let findings: HistoryFinding[];
  const namespace = 'default';

  beforeAll(async () => {
    env = await createDevEnvironment();
    const plain = new Client({ connection: env.connection, namespace });
    const encrypted = new Client({
      connection: env.connection,
      namespace,
      dataConverter: dataConverterFor(parsePayloadKeys(`k1:${randomBytes(32).toString('base64')}`)),
    });
    const taskQueue = uniqueTaskQueue('history-scan');
    const input = { employeeNumber: EMPLOYEE_NUMBER.value, name: NAME.value };
    // No worker: the workflows stay running, their first event is all the scan needs.
    await plain.workflow.start('anyWorkflow', { taskQueue, workflowId: 'scan-clear-input', args: [input] });
    await plain.workflow.start('anyWorkflow', { taskQueue, workflowId: `scan-id-${EMPLOYEE_NUMBER.value}`, args: [] });
    await plain.workflow.start('anyWorkflow', {
      taskQueue,
      workflowId: 'scan-memo',
      args: [],
      memo: { note: `callback signed with ${WEBHOOK_SECRET.value}` },
    });
    await plain.workflow.start('anyWorkflow', {
      taskQueue,
      workflowId: 'scan-search-attribute',
      args: [],
      typedSearchAttributes: [{ key: STATE, value: NAME.value }],
    });
    // The employee number ends 25 characters before the name: a 30-character window would cut it in half.
    await plain.workflow.start('anyWorkflow', {
      taskQueue,
      workflowId: 'scan-edge',
      args: [`${EMPLOYEE_NUMBER.value}${'x'.repeat(25)}${NAME.value}`],
    });
    await encrypted.workflow.start('anyWorkflow', {
      taskQueue,
      workflowId: 'scan-encrypted',
      args: [input],
      memo: { note: WEBHOOK_SECRET.value },
    });
    await waitFor(async () => {
      const { count } = await plain.workflow.count();
      return count >= 6 ? true : undefined;
    });
    findings = await scanHistories({ address: env.address, namespace, needles: NEEDLES });
  });

  afterAll(() => env?.teardown());

  const where = (workflowId: string): Array<Pick<HistoryFinding, 'eventId' | 'eventType' | 'path' | 'label'>> =>
    findings
      .filter((f) => f.workflowId === workflowId)
      .map(({ eventId, eventType, path, label }) => ({ eventId, eventType, path, label }));

  it('finds clear values inside payloads (base64 in the CLI output), naming the event and the field', () => {
    expect(where('scan-clear-input')).toEqual([
      {
        eventId: 1,
        eventType: 'EVENT_TYPE_WORKFLOW_EXECUTION_STARTED',
        path: 'workflowExecutionStartedEventAttributes.input.payloads[0].data',
        label: 'employee number',
      },
      {
        eventId: 1,
        eventType: 'EVENT_TYPE_WORKFLOW_EXECUTION_STARTED',
        path: 'workflowExecutionStartedEventAttributes.input.payloads[0].data',
        label: 'name',
      },
    ]);
    const contexts = findings.filter((f) => f.workflowId === 'scan-clear-input').map((f) => f.context);
    // 30 characters either side, widened so the other needle is masked whole rather than cut in half.
    expect(contexts).toEqual([
      '{"employeeNumber":"[employee number]","name":"[name]"}',
      'yeeNumber":"[employee number]","name":"[name]"}',
    ]);
  });

  it('never leaves part of a needle at the edge of a context', () => {
    const name = findings.find((f) => f.workflowId === 'scan-edge' && f.label === 'name');
    expect(name?.context).toBe(`[employee number]${'x'.repeat(25)}[name]"`);
  });

  it('finds values in workflow ids, memos and search attributes', () => {
    expect(where('scan-id-[employee number]')).toContainEqual(
      expect.objectContaining({ eventId: 1, path: 'workflowExecutionStartedEventAttributes.workflowId' }),
    );
    expect(where('scan-memo')).toEqual([
      expect.objectContaining({
        path: 'workflowExecutionStartedEventAttributes.memo.fields.note.data',
        label: 'webhook secret',
      }),
    ]);
    expect(where('scan-search-attribute')).toEqual([
      expect.objectContaining({
        path: 'workflowExecutionStartedEventAttributes.searchAttributes.indexedFields.IscflowState.data',
        label: 'name',
      }),
    ]);
  });

  it('finds nothing in encrypted payloads', () => {
    expect(where('scan-encrypted')).toEqual([]);
  });

  it('never repeats a needle in what it returns', () => {
    const report = JSON.stringify(findings);
    for (const { value } of NEEDLES) expect(report).not.toContain(value);
    expect(findings.length).toBeGreaterThanOrEqual(5);
  });

  it('reads only the workflows a query selects', async () => {
    const only = await scanHistories({
      address: env.address,
      namespace,
      needles: NEEDLES,
      query: `WorkflowId = 'scan-memo'`,
    });
    expect(only.map((f) => f.workflowId)).toEqual(['scan-memo']);
    const none = await scanHistories({
      address: env.address,
      namespace,
      needles: NEEDLES,
      query: `WorkflowId = 'scan-encrypted'`,
    });
    expect(none).toEqual([]);
  });

  it('refuses needles short enough to match by chance', async () => {
    await expect(scanHistories({ address: env.address, namespace, needles: ['42'] })).rejects.toThrow(
      /needle #0 is shorter than 3 characters/,
    );
  });
});
