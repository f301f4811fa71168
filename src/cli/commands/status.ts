/** `iscflow status WORKFLOW_ID`: where one change stands, saying whether that is live or a finished run's record. */
import { readChange, type AccessRequestHandle } from '../../operations/change-status';
import { describeItem, describeRun, itemJson, runJson } from '../format';
import { argumentAndJson, commandUsage, withTemporal, type CliCommand } from '../io';

const SYNOPSIS = 'iscflow status WORKFLOW_ID [--json]';

export const statusCommand: CliCommand = {
  name: 'status',
  synopsis: SYNOPSIS,
  usage: commandUsage(
    SYNOPSIS,
    `Where one change stands: its phase and each item's outcome, ISC state and access request id. A finished
run's items are that run's record, not a fresh look at ISC, and it says so.`,
    [['--json', 'print JSON']],
  ),
  async run(argv, io, settings) {
    const { argument: workflowId, json } = argumentAndJson(argv, 'status: WORKFLOW_ID is required');
    const { temporal } = settings.read('temporal');
    return withTemporal(temporal, async ({ client }) => {
      const handle: AccessRequestHandle = client.workflow.getHandle(workflowId);
      const view = await readChange(handle);
      if (json) {
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
  },
};
