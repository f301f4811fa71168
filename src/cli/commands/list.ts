/** `iscflow list`: access-request workflows by identity and state, from Temporal's visibility store. */
import { parseArgs } from 'node:util';
import { IDENTITY_IDS, STATE, WORKFLOW_TYPES } from '../../common';
import { commandUsage, UsageError, withTemporal, type CliCommand } from '../io';

const SYNOPSIS = 'iscflow list [--identity ID] [--state STATE] [--json]';

/** A value for the visibility query, refused (naming its option) unless it is plainly an id or a state. */
function quote(option: string, value: string): string {
  if (!/^[A-Za-z0-9_.:-]+$/.test(value)) {
    throw new UsageError(`${option} ${value}: ids and states are letters, digits, _ . : -`);
  }
  return `'${value}'`;
}

export const listCommand: CliCommand = {
  name: 'list',
  synopsis: SYNOPSIS,
  usage: commandUsage(
    SYNOPSIS,
    "Access-request workflows, from Temporal's visibility store: id, status, state and start time.",
    [
      ['--identity ID', 'only changes for this ISC identity id'],
      ['--state STATE', 'only changes in this state, e.g. AWAITING_OPERATOR'],
      ['--json', 'print JSON'],
    ],
  ),
  async run(argv, io, settings) {
    const { values } = parseArgs({
      args: argv,
      options: { identity: { type: 'string' }, state: { type: 'string' }, json: { type: 'boolean', default: false } },
    });
    const clauses = [`WorkflowType = '${WORKFLOW_TYPES.accessRequest}'`];
    if (values.identity) clauses.push(`${IDENTITY_IDS.name} = ${quote('--identity', values.identity)}`);
    if (values.state) clauses.push(`${STATE.name} = ${quote('--state', values.state)}`);
    const { temporal } = settings.read('temporal');
    return withTemporal(temporal, async ({ client }) => {
      const rows: Array<{ workflowId: string; status: string; state: string | null; startTime: string }> = [];
      for await (const wf of client.workflow.list({ query: clauses.join(' AND ') })) {
        rows.push({
          workflowId: wf.workflowId,
          status: wf.status.name,
          state: wf.typedSearchAttributes.get(STATE) ?? null,
          startTime: wf.startTime.toISOString(),
        });
      }
      if (values.json) io.out(JSON.stringify({ workflows: rows }));
      else rows.forEach((r) => io.out(`${r.workflowId}  ${r.status}  ${r.state ?? '-'}  ${r.startTime}`));
      return 0;
    });
  },
};
