/**
 * The Temporal server in the shape of a cluster: frontend, history, matching and worker roles as
 * separate processes (`temporal-server start --service <role>`) on one PostgreSQL, configured by the
 * same compose environment; each stateful role restarted on its own while access changes are in flight.
 */
import {
  changeKey,
  itemsPerChange,
  planGrants,
  progress,
  startChanges,
  waitForCompletion,
} from '../support/production/run';
import { startProductionTopology, type ProductionTopology } from '../support/production/topology';

const log = progress('cluster');

describe('production topology with the server roles as separate processes', () => {
  let topology: ProductionTopology;

  beforeAll(async () => {
    topology = await startProductionTopology({ shape: 'per-role', workers: 2, log });
    await topology.simulator.post('/__sim/config', { approval: { delayMs: 6000 } });
  }, 30 * 60_000);

  afterAll(async () => {
    await topology?.close();
  }, 180_000);

  it('runs access changes exactly once while history, then matching, then the frontend restart', async () => {
    const processes = topology.platform.server.processes();
    expect([...processes.keys()].sort()).toEqual([
      'temporal-frontend',
      'temporal-history',
      'temporal-matching',
      'temporal-worker',
    ]);
    expect(new Set([...processes.values()].map((p) => p.pid)).size).toBe(4);

    const changes = await startChanges(topology, await planGrants(topology, 16));
    const running = async (): Promise<number> =>
      (await (await topology.client()).workflow.count("ExecutionStatus = 'Running'")).count;
    for (const role of ['history', 'matching', 'frontend'] as const) {
      const inFlight = await running();
      log(`${inFlight} workflows running at the ${role} restart`);
      expect(inFlight).toBeGreaterThan(0);
      await topology.restartServer([role]);
    }

    const results = await waitForCompletion(topology, changes, 300_000, log);
    expect(changes.map((c) => `${changeKey(c)} ${results.get(c.workflowId)?.items[0]?.outcome ?? 'none'}`)).toEqual(
      changes.map((c) => `${changeKey(c)} GRANTED`),
    );
    expect(await itemsPerChange(topology, changes)).toEqual(changes.map((c) => `${changeKey(c)} x1`));
    const counts = topology.taskCounts();
    log(`tasks per worker: ${JSON.stringify(counts)}`);
    expect(Object.values(counts).every((c) => c.activities > 0)).toBe(true);
  }, 600_000);
});
