/**
 * Records the histories the report's unit tests read: real access changes on a dev server against the
 * simulator, made through the CLI. `npx tsx test/unit/report/histories/record.ts` after a deliberate change
 * to what a history holds (the input, the result, the decision Updates).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { brokenEntitlement } from '../../../support/catalog';
import { startStack, type RequestJson, type Stack } from '../../../support/stack';
import { waitFor } from '../../../support/wait';

async function save(stack: Stack, name: string, workflowId: string): Promise<void> {
  const history = await stack.temporal.client().workflow.getHandle(workflowId).fetchHistory();
  const file = join(__dirname, `${name}.json`);
  writeFileSync(file, `${historyToJSON(history)}\n`);
  console.log(`${file}: ${history.events?.length ?? 0} events`);
}

async function phaseOf(stack: Stack, workflowId: string): Promise<string> {
  return (await stack.cli('status', workflowId, '--json')).json<{ phase: string }>().phase;
}

async function main(): Promise<void> {
  const stack = await startStack({ settings: { ISCFLOW_OUTCOME_RETRIES: '0' } });
  try {
    const identity = (n: number): string => stack.catalog.identities[n]!.id;
    const broken = brokenEntitlement(stack.catalog);
    const [plain, another] = stack.plainEntitlements();

    const failed = await stack.grant(identity(1), broken.id, '--idempotency-key', 'CHG-1001', '--wait', '--json');
    const grantId = failed.json<RequestJson>().workflows[0]!.workflowId;
    await save(stack, 'grant-awaiting-operator', grantId);
    await stack.cli('retry', grantId, '--reason', 'connector restarted');
    await waitFor(async () => ((await phaseOf(stack, grantId)) === 'AWAITING_OPERATOR' ? true : undefined));
    await stack.cli('skip', grantId, '--reason', 'connector under maintenance, see CHG-1001');
    await stack.temporal.client().workflow.getHandle(grantId).result();
    await save(stack, 'grant-retried-then-skipped', grantId);

    await stack.grant(identity(2), plain!.id, '--wait');
    const revoked = await stack.revoke(identity(2), plain!.id, '--comment', 'Leaver', '--wait', '--json');
    await save(stack, 'revoke-completed', revoked.json<RequestJson>().workflows[0]!.workflowId);

    await stack.sim.call('POST', '/__sim/config', { approval: { mode: 'manual' } });
    const pending = await stack.grant(identity(3), another!.id, '--json');
    const pendingId = pending.json<RequestJson>().workflows[0]!.workflowId;
    await waitFor(async () => ((await phaseOf(stack, pendingId)) === 'TRACKING' ? true : undefined));
    await stack.temporal.client().workflow.getHandle(pendingId).terminate('recorded: terminated by hand');
    await save(stack, 'grant-terminated', pendingId);
  } finally {
    await stack.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
