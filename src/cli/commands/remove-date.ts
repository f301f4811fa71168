/** `iscflow remove-date WORKFLOW_ID ISO|none`: move or cancel a grant's scheduled removal. */
import { parseArgs } from 'node:util';
import { validateAccessChange } from '../../domain';
import type { AccessRequestHandle } from '../../operations/change-status';
import { setRemoveDateUpdate } from '../../workflows/access-request/contracts';
import { commandUsage, UsageError, withTemporal, type CliCommand } from '../io';
import { describeViolations } from '../violations';

const SYNOPSIS = 'iscflow remove-date WORKFLOW_ID (ISO|none) [--identity ID] [--item ID]';

/** The same date rules as a request's `--remove-date`, checked before anything is sent. */
function checkRemoveDate(removeDate: string): void {
  const probe = validateAccessChange(
    {
      requestType: 'GRANT_ACCESS',
      identityIds: ['0'.repeat(32)],
      items: [{ type: 'ROLE', id: '0'.repeat(32) }],
      removeDate,
    },
    new Date().toISOString(),
  );
  if (!probe.ok) {
    throw new UsageError(describeViolations(probe.violations, () => `remove-date ${JSON.stringify(removeDate)}`));
  }
}

export const removeDateCommand: CliCommand = {
  name: 'remove-date',
  synopsis: SYNOPSIS,
  usage: commandUsage(
    SYNOPSIS,
    `Moves the scheduled removal of a grant's access to ISO (a UTC date-time in the future), or cancels it
with none: for every identity and item of the change, or the one --identity and --item name.`,
    [
      ['--identity ID', 'only the removal for this ISC identity id'],
      ['--item ID', 'only the removal of this item id'],
    ],
  ),
  async run(argv, io, settings) {
    const { values, positionals } = parseArgs({
      args: argv,
      options: { identity: { type: 'string' }, item: { type: 'string' } },
      allowPositionals: true,
    });
    const [workflowId, date] = positionals;
    if (!workflowId || !date)
      throw new UsageError('remove-date: WORKFLOW_ID and an ISO date-time (or none) are required');
    const removeDate = date === 'none' ? null : date;
    if (removeDate !== null) checkRemoveDate(removeDate);
    const { temporal } = settings.read('temporal');
    return withTemporal(temporal, async ({ client }) => {
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
  },
};
