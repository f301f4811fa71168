/** `iscflow retry|skip|cancel WORKFLOW_ID`: an operator's decision, sent as the workflow's Update. */
import { parseArgs } from 'node:util';
import type { AccessRequestHandle } from '../../operations/change-status';
import { cancelUpdate, retryUpdate, skipUpdate } from '../../workflows/access-request/contracts';
import { UsageError, withTemporal, type Env, type Output } from '../io';

export async function decisionCommand(
  kind: 'retry' | 'skip' | 'cancel',
  argv: string[],
  io: Output,
  env: Env,
): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { reason: { type: 'string' } },
    allowPositionals: true,
  });
  const workflowId = positionals[0];
  if (!workflowId) throw new UsageError(`${kind}: WORKFLOW_ID is required`);
  if (kind !== 'retry' && !values.reason?.trim()) throw new UsageError(`${kind}: --reason is required`);
  return withTemporal(env, async ({ client }) => {
    const handle: AccessRequestHandle = client.workflow.getHandle(workflowId);
    const reason = values.reason ? { reason: values.reason } : {};
    const update = { retry: retryUpdate, skip: skipUpdate, cancel: cancelUpdate }[kind];
    const state = await handle.executeUpdate(update, { args: [reason] });
    io.out(`${workflowId}: ${kind} accepted, now ${state.phase}`);
    return 0;
  });
}
