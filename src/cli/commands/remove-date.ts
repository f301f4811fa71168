/** `iscflow remove-date WORKFLOW_ID ISO|none`: move or cancel a grant's scheduled removal. */
import { parseArgs } from 'node:util';
import { formatViolations, validateAccessChange } from '../../domain';
import type { AccessRequestHandle } from '../../operations/change-status';
import { setRemoveDateUpdate } from '../../workflows/access-request/contracts';
import { UsageError, withTemporal, type Env, type Output } from '../io';

export async function removeDateCommand(argv: string[], io: Output, env: Env): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { identity: { type: 'string' }, item: { type: 'string' } },
    allowPositionals: true,
  });
  const [workflowId, date] = positionals;
  if (!workflowId || !date)
    throw new UsageError('remove-date: WORKFLOW_ID and an ISO date-time (or none) are required');
  const removeDate = date === 'none' ? null : date;
  if (removeDate !== null) {
    // The same date rules as a request's removeDate, checked before anything is sent.
    const probe = validateAccessChange(
      {
        requestType: 'GRANT_ACCESS',
        identityIds: ['0'.repeat(32)],
        items: [{ type: 'ROLE', id: '0'.repeat(32) }],
        removeDate,
      },
      new Date().toISOString(),
    );
    if (!probe.ok) throw new UsageError(formatViolations(probe.violations));
  }
  return withTemporal(env, async ({ client }) => {
    const handle: AccessRequestHandle = client.workflow.getHandle(workflowId);
    const state = await handle.executeUpdate(setRemoveDateUpdate, {
      args: [
        {
          removeDate,
          ...(values.identity ? { identityId: values.identity } : {}),
          ...(values.item ? { itemId: values.item } : {}),
        },
      ],
    });
    io.out(`${workflowId}: removal ${removeDate === null ? 'cancelled' : `now due ${removeDate}`} (${state.phase})`);
    return 0;
  });
}
