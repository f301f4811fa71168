/**
 * `iscflow policy check [FILE]`: the policy (default `ISCFLOW_POLICY`) is valid and every item it names
 * exists in ISC. `iscflow policy plan`: for each live identity, the grants and revokes the policy would
 * make now; nothing is sent. `iscflow policy apply --yes`: every live identity reconciles now with the
 * workers' policy (refused by a lifecycle whose workers run another policy than the one planned with).
 */
import { parseArgs } from 'node:util';
import { WORKFLOW_TYPES } from '../../common';
import type { LifecycleAction } from '../../domain';
import type { identityLifecycleWorkflow } from '../../workflows';
import { policyPlanQuery, reconcileUpdate } from '../../workflows/identity-lifecycle/contracts';
import { commandUsage, UsageError, withTemporal, type CliCommand, type Output } from '../io';
import { policyPath, resolvedPolicy } from '../policy-file';
import type { CliSettings } from '../settings';

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
    case 'unrevocable':
      return `leave ${action.item.type}:${action.item.id} (ISC will not let a request revoke it)`;
    case 'forget':
      return `forget ${action.item.type}:${action.item.id} (not the lifecycle's)`;
  }
}

const LIVE = `WorkflowType = '${WORKFLOW_TYPES.identityLifecycle}' AND ExecutionStatus = 'Running'`;

interface PolicyArgs {
  file: string | undefined;
  json: boolean;
  yes: boolean;
}

async function check(args: PolicyArgs, io: Output, settings: CliSettings): Promise<number> {
  const path = policyPath(args.file, settings);
  const policy = await resolvedPolicy(path, settings.read('isc').isc);
  const items = new Set(policy.rules.flatMap((r) => r.items.map((i) => `${i.type}:${i.id}`)));
  if (args.json) {
    io.out(JSON.stringify({ valid: true, path, hash: policy.hash, rules: policy.rules.length, items: items.size }));
  } else {
    io.out(`${path}: valid; ${policy.rules.length} rules, ${items.size} items, all in ISC (policy ${policy.hash})`);
  }
  return 0;
}

async function plan(args: PolicyArgs, io: Output, settings: CliSettings): Promise<number> {
  const path = policyPath(args.file, settings);
  const { isc, temporal } = settings.read('isc', 'temporal');
  const policy = await resolvedPolicy(path, isc);
  return withTemporal(temporal, async ({ client }) => {
    const plans: Array<{ workflowId: string; state: string; iscIdentityId?: string; actions: string[] }> = [];
    for await (const wf of client.workflow.list({ query: LIVE })) {
      const handle = client.workflow.getHandle<typeof identityLifecycleWorkflow>(wf.workflowId);
      const planned = await handle.query(policyPlanQuery, policy);
      plans.push({
        workflowId: wf.workflowId,
        state: planned.state,
        ...(planned.iscIdentityId ? { iscIdentityId: planned.iscIdentityId } : {}),
        actions: [
          ...planned.actions.filter((a) => a.kind !== 'forget').map(describeAction),
          ...(planned.check ?? []).map((i) => `revoke ${i.type}:${i.id} now, if ISC lets a request revoke it`),
        ],
      });
    }
    if (args.json) {
      io.out(JSON.stringify({ policy: policy.hash, identities: plans }));
      return 0;
    }
    const changing = plans.filter((p) => p.actions.length > 0);
    for (const p of changing) {
      io.out(`${p.workflowId} (${p.state}, ISC ${p.iscIdentityId ?? '?'})`);
      p.actions.forEach((a) => io.out(`  ${a}`));
    }
    io.out(
      `${changing.length} of ${plans.length} live identities would change (policy ${policy.hash}); nothing was sent`,
    );
    return 0;
  });
}

async function apply(args: PolicyArgs, io: Output, settings: CliSettings): Promise<number> {
  if (!args.yes) throw new UsageError('policy apply changes access for every live identity: add --yes');
  const path = policyPath(args.file, settings);
  const { isc, temporal } = settings.read('isc', 'temporal');
  const policy = await resolvedPolicy(path, isc);
  return withTemporal(temporal, async ({ client }) => {
    let refused = 0;
    let applied = 0;
    for await (const wf of client.workflow.list({ query: LIVE })) {
      const handle = client.workflow.getHandle<typeof identityLifecycleWorkflow>(wf.workflowId);
      try {
        await handle.executeUpdate(reconcileUpdate, { args: [{ policyHash: policy.hash, reason: 'policy apply' }] });
        applied += 1;
      } catch (error) {
        refused += 1;
        const cause = (error as { cause?: unknown }).cause;
        io.err(`${wf.workflowId}: ${cause instanceof Error ? cause.message : String(error)}`);
      }
    }
    io.out(`reconciled ${applied} live identities with policy ${policy.hash}${refused ? `; ${refused} refused` : ''}`);
    return refused === 0 ? 0 : 1;
  });
}

const SYNOPSIS = 'iscflow policy check [FILE] | policy plan [FILE] [--json] | policy apply [FILE] --yes';

export const policyCommand: CliCommand = {
  name: 'policy',
  synopsis: SYNOPSIS,
  usage: commandUsage(
    `iscflow policy check [FILE] [--json]
iscflow policy plan [FILE] [--json]
iscflow policy apply [FILE] --yes`,
    `check: the birthright policy (FILE, or ISCFLOW_POLICY) is valid and every item it names exists in ISC
(needs only the SAIL_* settings). plan: for each live identity, the grants and revokes the policy would
make now; nothing is sent. apply: every live identity reconciles now with the workers' policy (a lifecycle
whose workers run another policy refuses).`,
    [
      ['--json', 'check, plan: print JSON'],
      ['--yes', 'apply: change access for every live identity'],
    ],
  ),
  async run(argv, io, settings) {
    const [sub, ...rest] = argv;
    const { values, positionals } = parseArgs({
      args: rest,
      options: { json: { type: 'boolean', default: false }, yes: { type: 'boolean', default: false } },
      allowPositionals: true,
    });
    const args = { file: positionals[0], json: values.json, yes: values.yes };
    switch (sub) {
      case 'check':
        return check(args, io, settings);
      case 'plan':
        return plan(args, io, settings);
      case 'apply':
        return apply(args, io, settings);
      default:
        throw new UsageError('policy: check [FILE] | plan [FILE] | apply [FILE] --yes');
    }
  },
};
