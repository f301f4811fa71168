/**
 * HR data never sits in clear in Temporal: with ISCFLOW_PAYLOAD_KEYS set, a joiner (through the ingress),
 * a mover (through `iscflow event`) and a leaver (through the ingress again) run through the real stack
 * (dev server, simulator, worker, ingress); then every history of the namespace is read as anyone with
 * access to Temporal would read it (`temporal workflow show`, no codec), and the worker's and ingress's
 * log lines are searched, for the person's data and for every secret the stack holds. A client with the
 * keys reads the lifecycle's `status` query in clear; one without them cannot.
 *
 * A worker without the key failing its workflow task (the workflow stays running) is proven with a real
 * server in test/unit/codec/temporal.test.ts.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Client } from '@temporalio/client';
import { identityRef, lifecycleWorkflowId } from '../../src/operations/identity-refs';
import { lifecycleStatusQuery, type LifecycleView } from '../../src/workflows/identity-lifecycle/contracts';
import { scanHistories, type Needle } from '../support/history-scan';
import { writePolicyFile } from '../support/policy';
import { startStack, type Stack } from '../support/stack';
import { waitFor } from '../support/wait';

/** Values no catalog item, policy or code path could produce by chance. */
const PERSON = {
  displayName: 'Wilhelmina Quarrington',
  firstName: 'Wilhelmina',
  lastName: 'Quarrington',
  joinDepartment: 'Quantum Cartography',
  joinLocation: 'Reykjavik Nordurbakki',
  moveDepartment: 'Orbital Actuarial',
  moveLocation: 'Tromso Polaris Quay',
};

/** Collects every log line the stack's worker and ingress write. */
class LogCapture extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    done();
  }
}

describe('privacy: HR data and secrets never stored or logged in clear (dev server + simulator + ingress)', () => {
  const payloadKey = randomBytes(32).toString('base64');
  const codecToken = randomBytes(33).toString('base64url');
  const clientSecret = `sim-secret-${randomBytes(12).toString('hex')}`;
  const pseudonymKey = `pseudonyms-${randomBytes(12).toString('hex')}`;
  const logs = new LogCapture();
  let stack: Stack;
  let dir: string;
  let employeeNumber: string;
  let identityId: string;
  let everyone: string;
  /** What the identity holds by request before the test: the seeded tenant gives some identities access. */
  let initial: string[];
  let joined: string;
  let moved: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'iscflow-privacy-'));
    // A first stack only to read the catalog the policy will name (same seed, same catalog).
    const probe = await startStack();
    const [a, b, c] = probe.plainEntitlements().slice(24, 27);
    await probe.close();
    [everyone, joined, moved] = [a!.id, b!.id, c!.id];
    const policy = writePolicyFile(join(dir, 'policy.yaml'), {
      moverGrace: 'PT2S',
      rules: [
        { name: 'everyone', when: { workerType: 'employee' }, grant: [`ENTITLEMENT:${everyone}`] },
        { name: 'join-department', when: { department: PERSON.joinDepartment }, grant: [`ENTITLEMENT:${joined}`] },
        { name: 'move-department', when: { department: PERSON.moveDepartment }, grant: [`ENTITLEMENT:${moved}`] },
      ],
    });
    stack = await startStack({
      simulator: { clientSecret },
      settings: {
        ISCFLOW_PAYLOAD_KEYS: `privacy-test:${payloadKey}`,
        ISCFLOW_CODEC_TOKEN: codecToken,
        ISCFLOW_PSEUDONYM_KEY: pseudonymKey,
        SAIL_CLIENT_SECRET: clientSecret,
        ISCFLOW_POLICY: policy,
        ISCFLOW_IDENTITY_POLL_SECONDS: '1',
        // Everything the worker and the ingress would say, not only what production logs by default.
        LOG_LEVEL: 'debug',
      },
      ingress: true,
      logDestination: logs,
    });
    // A catalog identity, as HR knows it (see src/simulator/catalog.ts).
    employeeNumber = 'E1032';
    identityId = stack.catalog.identities[32]!.id;
    initial = await holds();
  });
  afterAll(async () => {
    await stack?.close();
  });

  const at = (ms: number): string => new Date(Date.now() + ms).toISOString();
  const holds = async (): Promise<string[]> =>
    (await stack.sim.call<Array<{ id: string; source: string }>>('GET', `/__sim/identities/${identityId}/access`)).body
      .filter((held) => held.source === 'REQUEST')
      .map((held) => held.id)
      .sort();
  const holdsExactly = (expected: string[]) =>
    waitFor(async () => {
      const held = await holds();
      return held.join() === [...initial, ...expected].sort().join() ? held : undefined;
    }, 60_000);
  const hrEvent = (id: string, type: string, attributes?: Record<string, string>) => ({
    id,
    source: 'workday',
    type,
    identity: { employeeNumber },
    effectiveAt: at(0),
    ...(attributes ? { attributes } : {}),
  });
  const needles = (): Needle[] => [
    { label: 'employee number', value: employeeNumber },
    { label: "ISC's name of the identity", value: stack.catalog.identities[32]!.name },
    ...Object.entries(PERSON).map(([label, value]) => ({ label, value })),
    { label: 'SAIL_CLIENT_SECRET', value: clientSecret },
    { label: 'webhook secret', value: stack.ingress!.secret },
    { label: 'webhook secret (base64)', value: stack.ingress!.secret.replace(/^whsec_/, '') },
    { label: 'payload key', value: payloadKey },
    { label: 'codec token', value: codecToken },
    { label: 'ISC trigger bearer token', value: stack.ingress!.iscToken },
    { label: 'pseudonym key', value: pseudonymKey },
  ];
  const workflowId = (): string =>
    lifecycleWorkflowId(identityRef({ kind: 'employeeNumber', value: employeeNumber }, pseudonymKey));

  it('runs a joiner, a mover and a leaver encrypted, and nothing of them is in clear in any history or log line', async () => {
    const ingress = stack.ingress!;
    const hire = await ingress.post(
      JSON.stringify(
        hrEvent('privacy-hire', 'hire', {
          workerType: 'employee',
          department: PERSON.joinDepartment,
          location: PERSON.joinLocation,
          displayName: PERSON.displayName,
          firstName: PERSON.firstName,
          lastName: PERSON.lastName,
        }),
      ),
    );
    expect(hire.status).toBe(202);
    await holdsExactly([everyone, joined]);

    const moverFile = join(dir, 'mover.json');
    writeFileSync(
      moverFile,
      JSON.stringify(
        hrEvent('privacy-move', 'update', { department: PERSON.moveDepartment, location: PERSON.moveLocation }),
      ),
    );
    const move = await stack.cli('event', moverFile, '--json');
    expect([move.code, move.err]).toEqual([0, '']);
    await holdsExactly([everyone, moved]);

    const leave = await ingress.post(JSON.stringify(hrEvent('privacy-leave', 'terminate')));
    expect(leave.status).toBe(202);
    await holdsExactly([]);

    // A client with the keys reads the lifecycle in clear.
    const handle = stack.temporal.client().workflow.getHandle(workflowId());
    const view: LifecycleView = await waitFor(async () => {
      const status = await handle.query(lifecycleStatusQuery);
      return status.state === 'TERMINATED' ? status : undefined;
    }, 30_000);
    expect(view.identity).toEqual({ kind: 'employeeNumber', value: employeeNumber });
    expect(view.attributes).toMatchObject({ department: PERSON.moveDepartment, location: PERSON.moveLocation });

    // Every workflow of the namespace, as someone reading Temporal without the codec sees it.
    const address = stack.settings.TEMPORAL_ADDRESS!;
    const namespace = stack.settings.TEMPORAL_NAMESPACE!;
    const listed = await stack.temporal.client().workflow.count();
    // The receipts, the lifecycle and its changes (and the trackers) at the very least.
    expect(listed.count).toBeGreaterThanOrEqual(5);
    const findings = await scanHistories({ address, namespace, needles: needles() });
    expect(findings).toEqual([]);

    // The worker's and the ingress's log lines, at debug, hold none of it either.
    expect(logs.lines.length).toBeGreaterThan(0);
    const leaks = needles().flatMap((needle) => {
      const { label, value } = typeof needle === 'string' ? { label: needle, value: needle } : needle;
      return logs.lines.filter((line) => line.includes(value)).map(() => label);
    });
    expect(leaks).toEqual([]);
  });

  it('a client without the keys gets encrypted payloads and a clear error, never the data', async () => {
    const bare = new Client({ connection: stack.temporal.client().connection, namespace: stack.temporal.namespace });
    const handle = bare.workflow.getHandle(workflowId());
    await expect(handle.query(lifecycleStatusQuery)).rejects.toThrow(/binary\/encrypted/);

    const history = await handle.fetchHistory();
    const input = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
    expect(Buffer.from(input?.metadata?.encoding ?? []).toString()).toBe('binary/encrypted');
    expect(Buffer.from(input?.metadata?.['encryption-key-id'] ?? []).toString()).toBe('privacy-test');
  });

  it('the codec routes on the ingress decode for a caller with the token, and refuse one without', async () => {
    const history = await stack.temporal.client().workflow.getHandle(workflowId()).fetchHistory();
    const input = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
    const payload = {
      metadata: Object.fromEntries(
        Object.entries(input?.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
      ),
      data: Buffer.from(input?.data ?? []).toString('base64'),
    };
    const decode = (headers: Record<string, string>) =>
      fetch(`${stack.ingress!.base}/codec/decode`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ payloads: [payload] }),
      });

    expect((await decode({})).status).toBe(401);
    const answer = await decode({ authorization: `Bearer ${codecToken}` });
    expect(answer.status).toBe(200);
    const [decoded] = ((await answer.json()) as { payloads: Array<{ data: string }> }).payloads;
    expect(Buffer.from(decoded!.data, 'base64').toString('utf8')).toContain(employeeNumber);
  });
});
