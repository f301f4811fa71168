/** `iscflow list`: access-request workflows by identity and state, from Temporal's visibility store. */
import { parseArgs } from 'node:util';
import { IDENTITY_IDS, STATE, WORKFLOW_TYPES } from '../../common';
import { UsageError, withTemporal, type Env, type Output } from '../io';

function quote(value: string): string {
  if (!/^[A-Za-z0-9_.:-]+$/.test(value)) throw new UsageError(`${value}: ids and states are letters, digits, _ . : -`);
  return `'${value}'`;
}

export async function listCommand(argv: string[], io: Output, env: Env): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { identity: { type: 'string' }, state: { type: 'string' }, json: { type: 'boolean', default: false } },
  });
  const clauses = [`WorkflowType = '${WORKFLOW_TYPES.accessRequest}'`];
  if (values.identity) clauses.push(`${IDENTITY_IDS.name} = ${quote(values.identity)}`);
  if (values.state) clauses.push(`${STATE.name} = ${quote(values.state)}`);
  return withTemporal(env, async ({ client }) => {
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
}
