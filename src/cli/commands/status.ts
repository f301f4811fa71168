/** `iscflow status WORKFLOW_ID`: where one change stands, saying whether that is live or a finished run's record. */
import { parseArgs } from 'node:util';
import { readChange, type AccessRequestHandle } from '../../operations/change-status';
import { describeItem, describeRun, itemJson, runJson } from '../format';
import { UsageError, withTemporal, type Env, type Output } from '../io';

export async function statusCommand(argv: string[], io: Output, env: Env): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { json: { type: 'boolean', default: false } },
    allowPositionals: true,
  });
  const workflowId = positionals[0];
  if (!workflowId) throw new UsageError('status: WORKFLOW_ID is required');
  return withTemporal(env, async ({ client }) => {
    const handle: AccessRequestHandle = client.workflow.getHandle(workflowId);
    const view = await readChange(handle);
    if (values.json) {
      io.out(
        JSON.stringify({
          workflowId,
          status: view.status,
          phase: view.phase ?? null,
          ...(view.operator ? { operator: view.operator } : {}),
          run: runJson(view),
          items: view.items.map(itemJson),
        }),
      );
    } else {
      io.out(describeRun(view));
      view.items.forEach((i) => io.out(describeItem(i)));
    }
    return 0;
  });
}
