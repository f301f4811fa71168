/**
 * `iscflow policy check [FILE]`: the policy (default `ISCFLOW_POLICY`) is valid and every item it names
 * exists in ISC. `iscflow policy plan`: for each live identity, the grants and revokes the policy would
 * make now; nothing is sent. `iscflow policy apply --yes`: every live identity reconciles now with the
 * workers' policy (refused by a lifecycle whose workers run another policy than the one planned with).
 */
import { parseArgs } from 'node:util';
import { WORKFLOW_TYPES } from '../../common';
import { loadWorkerConfig } from '../../config';
import type { LifecycleAction, ResolvedPolicy } from '../../domain';
import { createIscClient } from '../../isc';
import { PolicyError, loadPolicy } from '../../policy/load';
import type { identityLifecycleWorkflow } from '../../workflows';
import { policyPlanQuery, reconcileUpdate } from '../../workflows/identity-lifecycle/contracts';
import { UsageError, withTemporal, type Env, type Output } from '../io';

/** The policy as the workers would load it: from FILE or ISCFLOW_POLICY, names resolved through ISC. */
async function resolvedPolicy(file: string | undefined, env: Env): Promise<{ path: string; policy: ResolvedPolicy }> {
  const path = file ?? env.ISCFLOW_POLICY;
  if (!path) throw new UsageError('policy: give FILE or set ISCFLOW_POLICY');
  const config = loadWorkerConfig(env);
  const isc = createIscClient({
    baseUrl: config.isc.baseUrl,
    clientId: config.isc.clientId,
    clientSecret: config.isc.clientSecret,
    apiVersion: config.isc.apiVersion,
    requestTimeoutMs: config.isc.requestTimeoutMs,
  });
  try {
    return { path, policy: await loadPolicy(path, isc) };
  } catch (error) {
    if (error instanceof PolicyError) throw new UsageError(error.message);
    throw error;
  }
}

function describeAction(action: LifecycleAction): string {
  switch (action.kind) {
    case 'grant':
      return `grant ${action.items.map((i) => `${i.type}:${i.id}`).join(', ')}${action.startDate ? ` (start ${action.startDate})` : ''}`;
    case 'schedule-revoke':
      return `revoke ${action.item.type}:${action.item.id} at ${action.at} (mover grace)`;
    case 'revoke':
      return `revoke ${action.item.type}:${action.item.id} now`;
    case 'withdraw':
      return `withdraw the grant of ${action.item.type}:${action.item.id} in flight (${action.changeId})`;
    case 'keep':
      return `keep ${action.item.type}:${action.item.id} (cancel its scheduled revoke)`;
    case 'forget':
      return `forget ${action.item.type}:${action.item.id} (not the lifecycle's)`;
  }
}

const LIVE = `WorkflowType = '${WORKFLOW_TYPES.identityLifecycle}' AND ExecutionStatus = 'Running'`;

export async function policyCommand(argv: string[], io: Output, env: Env): Promise<number> {
  const [sub, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    options: { json: { type: 'boolean', default: false }, yes: { type: 'boolean', default: false } },
    allowPositionals: true,
  });
  switch (sub) {
    case 'check': {
      const { path, policy } = await resolvedPolicy(positionals[0], env);
      const items = new Set(policy.rules.flatMap((r) => r.items.map((i) => `${i.type}:${i.id}`)));
      if (values.json)
        io.out(JSON.stringify({ valid: true, path, hash: policy.hash, rules: policy.rules.length, items: items.size }));
      else
        io.out(`${path}: valid; ${policy.rules.length} rules, ${items.size} items, all in ISC (policy ${policy.hash})`);
      return 0;
    }
    case 'plan': {
      const { policy } = await resolvedPolicy(positionals[0], env);
      return withTemporal(env, async ({ client }) => {
        const plans: Array<{ workflowId: string; state: string; iscIdentityId?: string; actions: string[] }> = [];
        for await (const wf of client.workflow.list({ query: LIVE })) {
          const handle = client.workflow.getHandle<typeof identityLifecycleWorkflow>(wf.workflowId);
          const plan = await handle.query(policyPlanQuery, policy);
          const actions = plan.actions.filter((a) => a.kind !== 'forget').map(describeAction);
          plans.push({
            workflowId: wf.workflowId,
            state: plan.state,
            ...(plan.iscIdentityId ? { iscIdentityId: plan.iscIdentityId } : {}),
            actions,
          });
        }
        if (values.json) io.out(JSON.stringify({ policy: policy.hash, identities: plans }));
        else {
          for (const p of plans.filter((x) => x.actions.length > 0)) {
            io.out(`${p.workflowId} (${p.state}, ISC ${p.iscIdentityId ?? '?'})`);
            p.actions.forEach((a) => io.out(`  ${a}`));
          }
          io.out(
            `${plans.filter((p) => p.actions.length > 0).length} of ${plans.length} live identities would change (policy ${policy.hash}); nothing was sent`,
          );
        }
        return 0;
      });
    }
    case 'apply': {
      if (!values.yes) throw new UsageError('policy apply changes access for every live identity: add --yes');
      const { policy } = await resolvedPolicy(positionals[0], env);
      return withTemporal(env, async ({ client }) => {
        let refused = 0;
        let applied = 0;
        for await (const wf of client.workflow.list({ query: LIVE })) {
          const handle = client.workflow.getHandle<typeof identityLifecycleWorkflow>(wf.workflowId);
          try {
            await handle.executeUpdate(reconcileUpdate, {
              args: [{ policyHash: policy.hash, reason: 'policy apply' }],
            });
            applied += 1;
          } catch (error) {
            refused += 1;
            const cause = (error as { cause?: unknown }).cause;
            io.err(`${wf.workflowId}: ${cause instanceof Error ? cause.message : String(error)}`);
          }
        }
        io.out(
          `reconciled ${applied} live identities with policy ${policy.hash}${refused ? `; ${refused} refused` : ''}`,
        );
        return refused === 0 ? 0 : 1;
      });
    }
    default:
      throw new UsageError('policy: check [FILE] | plan [FILE] | apply [FILE] --yes');
  }
}
