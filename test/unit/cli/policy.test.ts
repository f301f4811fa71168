/**
 * `iscflow policy check|plan|apply`. `check` needs only ISC (the simulator over HTTP, seed 1, the catalog
 * `policies/simulator.yaml` is written for): a bad policy is refused naming the rule or the path and what
 * is wrong. `plan` and `apply` read live lifecycles, so they run on the test stack (dev server, simulator,
 * worker with the example policy): `plan` prints, per identity, what a policy would change for the
 * attributes in force, and sends nothing; `apply` wants `--yes`, then reconciles each live identity.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SIMULATOR_DEFAULT_CREDENTIALS } from '../../../src/simulator';
import { runCaptured, type CliRun } from '../../support/cli';
import { startStack, type Stack } from '../../support/stack';
import { startTestSimulator, type TestSimulator } from '../../support/simulator';
import { waitFor } from '../../support/wait';

const EXAMPLE = join(__dirname, '..', '..', '..', 'policies', 'simulator.yaml');
const dir = mkdtempSync(join(tmpdir(), 'iscflow-policy-cli-'));

function policyFile(name: string, lines: string[]): string {
  const file = join(dir, name);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

describe('iscflow policy check', () => {
  let sim: TestSimulator;
  let env: Record<string, string>;
  beforeAll(async () => {
    sim = await startTestSimulator({ seed: 1 });
    env = {
      // Closed: check never needs Temporal.
      TEMPORAL_ADDRESS: '127.0.0.1:1',
      SAIL_BASE_URL: sim.baseUrl,
      SAIL_CLIENT_ID: SIMULATOR_DEFAULT_CREDENTIALS.clientId,
      SAIL_CLIENT_SECRET: SIMULATOR_DEFAULT_CREDENTIALS.clientSecret,
    };
  });
  afterAll(async () => {
    await sim?.close();
  });

  const check = (...args: string[]): Promise<CliRun> => runCaptured(env, ['policy', 'check', ...args]);

  it('finds every item of the example policy in ISC', async () => {
    const run = await check(EXAMPLE);
    expect(run).toMatchObject({ code: 0, err: '' });
    expect(run.out).toMatch(/simulator\.yaml: valid; 4 rules, 6 items, all in ISC \(policy [0-9a-f]{16}\)$/);
  });

  it('reads ISCFLOW_POLICY when no FILE is given, and says so when neither is', async () => {
    env.ISCFLOW_POLICY = EXAMPLE;
    try {
      expect((await check()).code).toBe(0);
    } finally {
      delete env.ISCFLOW_POLICY;
    }
    const run = await check();
    expect(run).toMatchObject({ code: 2, err: 'iscflow: policy: give FILE or set ISCFLOW_POLICY' });
  });

  const HEAD = ['version: 1', 'rules:'];
  it.each([
    [
      'a name ISC does not know names the rule',
      [...HEAD, '  - name: engineering', '    grant: [{ type: ACCESS_PROFILE, name: "No Such Profile" }]'],
      'rules[0].grant[0]: no ACCESS_PROFILE named "No Such Profile" in ISC (rule engineering)',
    ],
    [
      'an id ISC does not know',
      [...HEAD, '  - name: everyone', `    grant: [ "ROLE:${'0'.repeat(32)}" ]`],
      `no ROLE with id ${'0'.repeat(32)} in ISC`,
    ],
    [
      'two rules of one name',
      [
        ...HEAD,
        '  - name: everyone',
        `    grant: [ "ROLE:${'0'.repeat(32)}" ]`,
        '  - name: everyone',
        `    grant: [ "ROLE:${'1'.repeat(32)}" ]`,
      ],
      'rules[1].name: everyone is used by another rule; names are unique',
    ],
    [
      "a rule's grace that is not a duration",
      [...HEAD, '  - name: finance', `    grant: [ "ROLE:${'0'.repeat(32)}" ]`, '    moverGrace: 7 days'],
      'rules[0].moverGrace: must be an ISO-8601 duration in weeks, days, hours, minutes or seconds',
    ],
    ['a grace in months', ['version: 1', 'moverGrace: P1M', 'rules: []'], 'moverGrace: must be an ISO-8601 duration'],
    [
      'an item that is neither TYPE:ID nor an object',
      [...HEAD, '  - name: everyone', '    grant: [ "ROLE:Support Role 1" ]'],
      'rules[0].grant[0]:',
    ],
    ['a rule granting nothing', [...HEAD, '  - name: empty', '    grant: []'], 'rules[0].grant:'],
    ['an unknown key', ['version: 1', 'rules: []', 'graceDays: 7'], 'policy: Unrecognized key: "graceDays"'],
    ['another version', ['version: 2', 'rules: []'], 'version:'],
    ['text that is not YAML', ['rules: [', '  - {'], 'not valid YAML'],
  ])('%s', async (_name, lines, problem) => {
    const file = policyFile(`bad-${Math.random().toString(36).slice(2)}.yaml`, lines);
    const run = await check(file);
    expect(run.code).toBe(2);
    expect(run.out).toBe('');
    expect(run.err).toContain(`Policy ${file} cannot be used:`);
    expect(run.err).toContain(problem);
  });
});

interface PlanJson {
  policy: string;
  identities: Array<{ workflowId: string; state: string; iscIdentityId?: string; actions: string[] }>;
}

interface ShowJson {
  state: string;
  holdings: Array<{ item: { type: string; id: string }; state: string }>;
}

describe('iscflow policy plan and apply (dev server + simulator + worker)', () => {
  let stack: Stack;
  let engineer: string;
  let financeContractor: string;
  const byName = (type: string, name: string): string => {
    const item = stack.catalog.items.find((i) => i.type === type && i.name === name);
    if (!item) throw new Error(`${type} ${name} is not in the catalog`);
    return item.id;
  };

  beforeAll(async () => {
    stack = await startStack({ simulator: { seed: 1 }, settings: { ISCFLOW_POLICY: EXAMPLE } });
    engineer = stack.catalog.identities[40]!.id;
    financeContractor = stack.catalog.identities[41]!.id;
    const now = new Date().toISOString();
    const events = join(dir, 'hires.ndjson');
    writeFileSync(
      events,
      [
        { id: 'p-1', identity: { id: engineer }, attributes: { workerType: 'employee', department: 'Engineering' } },
        {
          id: 'p-2',
          identity: { id: financeContractor },
          attributes: { workerType: 'contractor', department: 'Finance' },
        },
      ]
        .map((e) => JSON.stringify({ source: 'unit', type: 'hire', effectiveAt: now, ...e }))
        .join('\n'),
    );
    const sent = await stack.cli('event', events);
    expect([sent.code, sent.err]).toEqual([0, '']);
    // Both lifecycles hold everything the example policy grants them (these two held none of it before).
    for (const id of [engineer, financeContractor]) {
      await waitFor(async () => {
        const run = await stack.cli('identity', 'show', id, '--json');
        if (run.code !== 0) return undefined;
        const view = run.json<ShowJson>();
        const settled = view.holdings.length > 0 && view.holdings.every((h) => h.state === 'HELD');
        return view.state === 'ACTIVE' && settled ? true : undefined;
      }, 60_000);
    }
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('with the policy the workers run, nothing would change', async () => {
    const run = await stack.cli('policy', 'plan', EXAMPLE);
    expect(run).toMatchObject({ code: 0, err: '' });
    expect(run.out).toMatch(/^0 of 2 live identities would change \(policy [0-9a-f]{16}\); nothing was sent$/);
  });

  it('prints what another policy would grant and revoke for the attributes in force, and sends nothing', async () => {
    const extra = stack.plainEntitlements()[0]!.id;
    const next = policyFile('next.yaml', [
      'version: 1',
      'moverGrace: P7D',
      'rules:',
      '  - name: everyone',
      '    when: { workerType: employee }',
      "    grant: [ { type: ROLE, name: 'Support Role 1' }, { type: ACCESS_PROFILE, name: 'Security Access Profile 1' } ]",
      '  - name: engineering',
      '    when: { department: [Engineering, Platform], workerType: employee }',
      `    grant: [ "ENTITLEMENT:${extra}" ]`,
      '  - name: contractors',
      '    when: { workerType: contractor }',
      "    grant: [ { type: ENTITLEMENT, name: 'Support Entitlement 6' } ]",
    ]);
    const before = (await stack.simRequests()).length;
    const run = await stack.cli('policy', 'plan', next, '--json');
    expect(run).toMatchObject({ code: 0, err: '' });
    const plan = run.json<PlanJson>();
    const of = (identityId: string) => plan.identities.find((p) => p.iscIdentityId === identityId);

    // The engineer (Engineering, employee): the new engineering grant; the two engineering items the
    // example policy granted are revoked after the policy's grace.
    expect(of(engineer)).toMatchObject({ state: 'ACTIVE' });
    const engineering = of(engineer)!.actions;
    expect(engineering).toContain(`grant ENTITLEMENT:${extra}`);
    for (const gone of [
      `ACCESS_PROFILE:${byName('ACCESS_PROFILE', 'Engineering Access Profile 15')}`,
      `ENTITLEMENT:${byName('ENTITLEMENT', 'Engineering Entitlement 9')}`,
    ]) {
      expect(engineering).toContainEqual(
        expect.stringMatching(new RegExp(`^revoke ${gone} at \\S+ \\(mover grace\\)$`)),
      );
    }
    expect(engineering).toHaveLength(3);

    // The Finance contractor: the finance rule is gone, and its own grace was none, so at once.
    const finance = byName('ENTITLEMENT', 'Finance Entitlement 11');
    expect(of(financeContractor)!.actions).toEqual([`revoke ENTITLEMENT:${finance} now`]);

    const text = await stack.cli('policy', 'plan', next);
    expect(text.out).toContain(`iscflow-identity-`);
    expect(text.out).toContain(`  grant ENTITLEMENT:${extra}`);
    expect(text.out).toMatch(/live identities would change \(policy [0-9a-f]{16}\); nothing was sent$/);
    expect((await stack.simRequests()).length).toBe(before);
  });

  it('apply needs --yes, then reconciles every live identity with the policy the workers run', async () => {
    const noYes = await stack.cli('policy', 'apply', EXAMPLE);
    expect(noYes).toMatchObject({
      code: 2,
      err: 'iscflow: policy apply changes access for every live identity: add --yes',
    });
    const before = (await stack.simRequests()).length;
    const applied = await stack.cli('policy', 'apply', EXAMPLE, '--yes');
    expect(applied).toMatchObject({ code: 0, err: '' });
    expect(applied.out).toMatch(/^reconciled 2 live identities with policy [0-9a-f]{16}$/);
    // Everything was already as the policy wants: reconciling again asks ISC for nothing.
    expect((await stack.simRequests()).length).toBe(before);
  });

  it('apply of a policy the workers do not run is refused at once by each lifecycle, naming both policies', async () => {
    const other = policyFile('other.yaml', ['version: 1', 'rules: []']);
    const began = Date.now();
    const run = await stack.cli('policy', 'apply', other, '--yes');
    expect(run.code).toBe(1);
    expect(run.out).toMatch(/^reconciled 0 live identities with policy [0-9a-f]{16}; 2 refused$/);
    const lines = run.err.split('\n').filter(Boolean);
    expect(lines).toHaveLength(2);
    for (const line of lines) {
      expect(line).toMatch(
        /^iscflow-identity-[0-9a-f]{32}: The workers run policy [0-9a-f]{16}, not [0-9a-f]{16}: restart/,
      );
    }
    // A rejected update, not a workflow task failing until the update times out.
    expect(Date.now() - began).toBeLessThan(15_000);
  });
});
