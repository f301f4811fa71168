import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startSimulator, StateFileError } from '../../../src/simulator';
import { freePort } from '../../../src/local/ports';
import { startProcess } from '../../support/process';
import { harness, type Harness, type SubmitResponse } from '../../support/simulator-harness';

/**
 * `--state FILE`: the tenant survives a restart (requests, approvals, holdings, timed transitions,
 * identities, clock, config, random streams), and a file that does not fit stops start-up.
 */
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'iscflow-sim-state-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const SLOW = { approval: { delayMs: 5_000 }, provisioning: { delayMs: 5_000 } };

interface Snapshot {
  requests: unknown;
  catalog: unknown;
  config: unknown;
  holdings: unknown;
  pending: { id: string }[];
  clock: number;
}

async function look(h: Harness, identityIds: string[]): Promise<Snapshot> {
  return {
    requests: (await h.call('GET', '/__sim/requests')).body,
    catalog: (await h.call('GET', '/__sim/catalog')).body,
    config: (await h.call('GET', '/__sim/config')).body,
    holdings: await Promise.all(identityIds.map((id) => h.access(id))),
    pending: (await h.isc<{ id: string }[]>('GET', '/v3/access-request-approvals/pending')).body,
    clock: Date.parse((await h.call<{ now: string }>('GET', '/__sim/clock')).body.now),
  };
}

/** The first ids of a grant: a new request's id says whether the `ids` stream went on where it was. */
const firstRequestId = (body: SubmitResponse): string | undefined => body.newRequests[0]?.accessRequestIds[0];

describe('state file', () => {
  it('restarts with requests, approvals mid-way, holdings, identities, clock and config as they were', async () => {
    const file = path.join(dir, 'tenant.json');
    const port = await freePort();
    const before = await harness({ seed: 41, stateFile: file, port, config: SLOW });
    const done = before.identity(12);
    const midApproval = before.identity(13);
    const role = before.plain('ROLE')[0];
    const profile = before.plain('ACCESS_PROFILE')[0];

    await before.submit({ requestedFor: [done], requestedItems: [{ type: 'ROLE', id: role?.id }] });
    await before.advance(11_000);
    const pendingAuto = await before.submit({
      requestedFor: [midApproval],
      requestedItems: [{ type: 'ACCESS_PROFILE', id: profile?.id }],
    });
    const joiner = await before.call<{ id: string }>('POST', '/__sim/identities', {
      name: 'Joan Joiner',
      attributes: { employeeNumber: 'E9001', department: 'Sales', cloudLifecycleState: 'active' },
    });
    await before.call('PATCH', `/__sim/identities/${before.identity(14)}`, {
      attributes: { department: 'Payroll', location: null },
    });
    await before.configure({ approval: { mode: 'manual' } });
    const pendingManual = await before.submit({
      requestedFor: [joiner.body.id],
      requestedItems: [{ type: 'ROLE', id: role?.id }],
    });
    await before.advance(1_000);
    const saved = await look(before, [done, midApproval, joiner.body.id]);
    const oldToken = await before.token();
    await before.close();

    // No temp file is left behind: writes go to a temp file that is renamed over the state file.
    expect(readdirSync(dir)).toEqual(['tenant.json']);

    const after = await harness({ seed: 41, stateFile: file, port });
    try {
      const restored = await look(after, [done, midApproval, joiner.body.id]);
      expect(restored.requests).toEqual(saved.requests);
      expect(restored.catalog).toEqual(saved.catalog);
      expect(restored.config).toEqual(saved.config);
      expect(restored.holdings).toEqual(saved.holdings);
      expect(restored.pending).toEqual(saved.pending);
      expect(restored.clock).toBeGreaterThanOrEqual(saved.clock);
      // Tokens come from a secret derived from the seed and expire on the restored clock: still good.
      const withOldToken = await fetch(`${after.baseUrl}/v3/access-request-status?limit=1`, {
        headers: { authorization: `Bearer ${oldToken}` },
      });
      expect(withOldToken.status).toBe(200);

      // The automatic decision scheduled before the restart still happens; so does provisioning.
      await after.configure({ approval: { mode: 'auto' } });
      await after.advance(10_500);
      const autoRows = await after.status(
        `filters=${encodeURIComponent(`accessRequestId eq "${firstRequestId(pendingAuto.body)}"`)}`,
      );
      expect(autoRows.map((r) => r.state)).toEqual(['REQUEST_COMPLETED']);
      expect((await after.access(midApproval)).some((a) => a.id === profile?.id)).toBe(true);

      // The approval that waited for a person is still theirs to give.
      const [approval] = (
        await after.isc<{ id: string; accessRequestId: string }[]>('GET', '/v3/access-request-approvals/pending')
      ).body;
      expect(approval?.accessRequestId).toBe(firstRequestId(pendingManual.body));
      expect((await after.isc('POST', `/v3/access-request-approvals/${approval?.id}/approve`, {})).status).toBe(202);
      await after.advance(5_500);
      expect((await after.access(joiner.body.id)).some((a) => a.id === role?.id)).toBe(true);

      // The created identity is still found by what HR knows of it.
      const found = await after.isc<{ id: string }[]>('POST', '/v3/search', {
        indices: ['identities'],
        query: { query: 'employeeNumber:E9001' },
      });
      expect(found.body.map((d) => d.id)).toEqual([joiner.body.id]);
    } finally {
      await after.close();
    }
  });

  it('draws the same ids after a restart as a run without one (random streams restored)', async () => {
    const file = path.join(dir, 'tenant.json');
    const script = async (h: Harness): Promise<void> => {
      await h.submit({
        requestedFor: [h.identity(20)],
        requestedItems: [{ type: 'ROLE', id: h.plain('ROLE')[1]?.id }],
      });
      await h.call('POST', '/__sim/identities', { name: 'Rae Restart', attributes: { employeeNumber: 'E9100' } });
    };
    const next = async (h: Harness): Promise<[string | undefined, string]> => {
      const submitted = await h.submit({
        requestedFor: [h.identity(21)],
        requestedItems: [{ type: 'ROLE', id: h.plain('ROLE')[2]?.id }],
      });
      const created = await h.call<{ id: string }>('POST', '/__sim/identities', { name: 'Noor Next' });
      return [firstRequestId(submitted.body), created.body.id];
    };

    const uninterrupted = await harness({ seed: 42 });
    await script(uninterrupted);
    const expected = await next(uninterrupted);
    await uninterrupted.close();

    const first = await harness({ seed: 42, stateFile: file });
    await script(first);
    await first.close();
    const second = await harness({ seed: 42, stateFile: file });
    const actual = await next(second);
    const ids = (await second.call<{ accessRequestId: string }[]>('GET', '/__sim/requests')).body.map(
      (r) => r.accessRequestId,
    );
    await second.close();
    expect(actual).toEqual(expected);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('saves soon after each change, so a killed process loses at most the last few ms', async () => {
    const file = path.join(dir, 'tenant.json');
    const simulator = startProcess('src/simulator/main.ts', ['--port', '0', '--seed', '43', '--state', file]);
    let createdId = '';
    try {
      const [, baseUrl] = await simulator.waitForOutput(/listening on (http:\/\/\S+)/);
      expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ format: 'iscflow-simulator-state', seed: 43 });
      const created = await fetch(`${baseUrl}/__sim/identities`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'Kim Killed', attributes: { employeeNumber: 'E9200' } }),
      });
      createdId = ((await created.json()) as { id: string }).id;
      // The write follows within 25 ms (the throttle); 300 ms leave room for a busy machine. SIGKILL
      // gives the process no chance to flush: what is on disk is what the throttled write put there.
      await new Promise((resolve) => setTimeout(resolve, 300));
      await simulator.stop('SIGKILL');
    } finally {
      simulator.kill();
    }
    const restarted = await harness({ seed: 43, stateFile: file });
    try {
      expect(restarted.catalog.identities.find((i) => i.attributes.employeeNumber === 'E9200')).toMatchObject({
        id: createdId,
        name: 'Kim Killed',
      });
    } finally {
      await restarted.close();
    }
  });

  it('resets the file with POST /__sim/reset', async () => {
    const file = path.join(dir, 'tenant.json');
    const first = await harness({ seed: 44, stateFile: file });
    await first.submit({
      requestedFor: [first.identity(3)],
      requestedItems: [{ type: 'ROLE', id: first.plain('ROLE')[0]?.id }],
    });
    await first.call('POST', '/__sim/identities', { name: 'Gone Soon' });
    expect((await first.call('POST', '/__sim/reset')).status).toBe(200);
    // Read before close: the reset answer waits for the file.
    const onDisk = JSON.parse(readFileSync(file, 'utf8')) as { tenant: { engine: { rows: unknown[] } } };
    expect(onDisk.tenant.engine.rows).toEqual([]);
    await first.close();
    const second = await harness({ seed: 44, stateFile: file });
    expect((await second.call('GET', '/__sim/requests')).body).toEqual([]);
    expect(second.catalog.identities.some((i) => i.name === 'Gone Soon')).toBe(false);
    await second.close();
  });

  it('refuses a file written with another seed or catalog, naming both', async () => {
    const file = path.join(dir, 'tenant.json');
    const first = await startSimulator({ seed: 45, stateFile: file });
    await first.close();
    const refusal = startSimulator({ seed: 46, stateFile: file });
    await expect(refusal).rejects.toBeInstanceOf(StateFileError);
    await expect(refusal).rejects.toMatchObject({
      code: 'STATE_FILE_MISMATCH',
      message: expect.stringContaining(`${file} was written by a simulator with seed 45`) as unknown,
    });
    await expect(startSimulator({ seed: 45, catalog: { identities: 10 }, stateFile: file })).rejects.toThrow(
      /"identities":50.*this one has seed 45 and catalog \{"identities":10/,
    );
  });

  it('stops start-up on a file it cannot use, naming the file and the problem', async () => {
    const cases: [string, (file: string) => void, StateFileError['code'], RegExp][] = [
      [
        'garbage',
        (f) => writeFileSync(f, '{"format": "iscflow-simulator-state", "vers'),
        'STATE_FILE_CORRUPT',
        /is not valid JSON/,
      ],
      [
        'another kind of JSON',
        (f) => writeFileSync(f, '{"hello": "world"}'),
        'STATE_FILE_CORRUPT',
        /is not a simulator state/,
      ],
      [
        'a damaged state',
        (f) => {
          writeFileSync(f, JSON.stringify({ format: 'iscflow-simulator-state', version: 1, seed: 47, tenant: {} }));
        },
        'STATE_FILE_CORRUPT',
        /is damaged \(catalog: .*tenant\.clockOffsetMs/,
      ],
      ['a directory', (f) => mkdirSync(f), 'STATE_FILE_UNREADABLE', /Cannot read the simulator state file .*EISDIR/],
    ];
    for (const [what, make, code, message] of cases) {
      const file = path.join(dir, `${what.replace(/\W+/g, '-')}.json`);
      make(file);
      const start = startSimulator({ seed: 47, stateFile: file });
      await expect(start).rejects.toMatchObject({ code, message: expect.stringContaining(file) as unknown });
      await expect(start).rejects.toThrow(message);
    }
  });

  it('refuses a state whose parts contradict each other', async () => {
    const file = path.join(dir, 'tenant.json');
    const first = await harness({ seed: 48, stateFile: file, config: { approval: { mode: 'manual' } } });
    await first.submit({
      requestedFor: [first.identity(3)],
      requestedItems: [{ type: 'ROLE', id: first.plain('ROLE')[0]?.id }],
    });
    await first.close();
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { tenant: { engine: { rows: unknown[] } } };
    saved.tenant.engine.rows = [];
    writeFileSync(file, JSON.stringify(saved));
    await expect(startSimulator({ seed: 48, stateFile: file })).rejects.toThrow(
      /tenant\.json does not fit together: request row 0 is referenced but not saved/,
    );
  });

  it('cannot start when the state file cannot be written', async () => {
    const file = path.join(dir, 'missing-folder', 'tenant.json');
    await expect(startSimulator({ seed: 49, stateFile: file })).rejects.toMatchObject({
      code: 'STATE_FILE_UNREADABLE',
      message: expect.stringMatching(/Cannot write the simulator state file .*missing-folder.*ENOENT/) as unknown,
    });
  });
});
