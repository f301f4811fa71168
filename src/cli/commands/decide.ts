/** `iscflow retry|skip|cancel WORKFLOW_ID`: an operator's decision, sent as the workflow's Update. */
import { parseArgs } from 'node:util';
import type { AccessRequestHandle } from '../../operations/change-status';
import { cancelUpdate, retryUpdate, skipUpdate } from '../../workflows/access-request/contracts';
import { commandUsage, UsageError, withTemporal, type CliCommand } from '../io';

type Decision = 'retry' | 'skip' | 'cancel';

const DECISIONS: Record<Decision, { line: string; about: string; update: typeof retryUpdate }> = {
  retry: {
    line: 'iscflow retry WORKFLOW_ID [--reason TEXT]',
    about: 'Resubmits the items a change waiting for an operator asks about.',
    update: retryUpdate,
  },
  skip: {
    line: 'iscflow skip WORKFLOW_ID --reason TEXT',
    about: 'Accepts the items a change waiting for an operator asks about as they are.',
    update: skipUpdate,
  },
  cancel: {
    line: 'iscflow cancel WORKFLOW_ID --reason TEXT',
    about: 'A request stuck in ISC: cancels it before approval, closes it after.',
    update: cancelUpdate,
  },
};

/** The command of one decision: `retry` takes an optional reason, `skip` and `cancel` need one. */
export function decisionCommand(kind: Decision): CliCommand {
  const { line, about, update } = DECISIONS[kind];
  const reason = kind === 'retry' ? 'why, recorded with the decision' : 'why, recorded with the decision (required)';
  return {
    name: kind,
    synopsis: kind === 'cancel' ? `${line}      (a request stuck in ISC: cancel before approval, close after)` : line,
    usage: commandUsage(line, about, [['--reason TEXT', reason]]),
    async run(argv, io, settings) {
      const { values, positionals } = parseArgs({
        args: argv,
        options: { reason: { type: 'string' } },
        allowPositionals: true,
      });
      const workflowId = positionals[0];
      if (!workflowId) throw new UsageError(`${kind}: WORKFLOW_ID is required`);
      if (kind !== 'retry' && !values.reason?.trim()) throw new UsageError(`${kind}: --reason is required`);
      const { temporal } = settings.read('temporal');
      return withTemporal(temporal, async ({ client }) => {
        const handle: AccessRequestHandle = client.workflow.getHandle(workflowId);
        const state = await handle.executeUpdate(update, { args: [values.reason ? { reason: values.reason } : {}] });
        io.out(`${workflowId}: ${kind} accepted, now ${state.phase}`);
        return 0;
      });
    },
  };
}
