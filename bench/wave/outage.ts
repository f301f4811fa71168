/**
 * An ISC outage in the middle of a wave (`npm run bench:wave -- --outage START:SECONDS[:STATUS]`): START
 * seconds after the first event the simulator answers every ISC call with STATUS (503 unless given;
 * `reset` drops the connections) for SECONDS, then ISC is back. While the wave runs, how many workflows wait
 * for an operator is read from visibility every few seconds. The figures: the calls ISC received while
 * down, the most workflows seen waiting for an operator, and how long the backlog took to drain once ISC
 * was back. See docs/reliability.md.
 */
import type { Client } from '@temporalio/client';
import { STATE } from '../../src/common';

export interface OutagePlan {
  startSeconds: number;
  seconds: number;
  status: number | 'reset';
}

export interface OutageFigures {
  outageSeconds: number;
  /** Calls ISC received while it was down (token calls included): the probes, and what was in flight. */
  outageCalls: number;
  /** The most workflows seen waiting for an operator at once during the run. */
  awaitingOperatorMax: number;
  /** ISC back to the last access change closing. */
  drainSeconds: number;
}

/** `START:SECONDS[:STATUS]`, e.g. `60:900` or `60:900:reset`. */
export function parseOutage(text: string): OutagePlan {
  const [start, seconds, given = '503'] = text.split(':');
  const status: number | 'reset' = given === 'reset' ? 'reset' : Number(given);
  const plan: OutagePlan = { startSeconds: Number(start), seconds: Number(seconds), status };
  const statusOk = status === 'reset' || (Number.isInteger(status) && status >= 400 && status <= 599);
  if (!(plan.startSeconds >= 0 && plan.seconds > 0 && statusOk)) {
    throw new Error(`--outage ${text}: expected START:SECONDS[:STATUS], e.g. 60:900 or 60:900:reset`);
  }
  return plan;
}

interface Stats {
  calls: Record<string, Record<string, number>>;
}

async function iscCallsSoFar(baseUrl: string): Promise<number> {
  const { calls } = (await (await fetch(`${baseUrl}/__sim/stats`)).json()) as Stats;
  return Object.entries(calls)
    .filter(([route]) => !route.includes(' /__sim/'))
    .reduce((total, [, byStatus]) => total + Object.values(byStatus).reduce((a, b) => a + b, 0), 0);
}

async function setOutage(baseUrl: string, outage: { status: number | 'reset' } | null): Promise<void> {
  const response = await fetch(`${baseUrl}/__sim/config`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ outage }),
  });
  if (!response.ok) throw new Error(`the simulator refused the outage switch: ${response.status}`);
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

/**
 * Runs the outage on its schedule (from `firstEventAt`) and watches for operator waits meanwhile. `done`
 * gives the figures once the wave is over (`lastCloseMs`: when its last access change closed).
 */
export function runOutage(options: {
  plan: OutagePlan;
  baseUrl: string;
  client: Client;
  taskQueue: string;
  firstEventAt: number;
  log: (line: string) => void;
}) {
  const { plan, baseUrl, client, taskQueue, log } = options;
  let awaitingOperatorMax = 0;
  let watching = true;
  const watch = (async () => {
    while (watching) {
      const query = `TaskQueue = '${taskQueue}' AND ${STATE.name} = 'AWAITING_OPERATOR'`;
      awaitingOperatorMax = Math.max(awaitingOperatorMax, (await client.workflow.count(query)).count);
      await sleep(5_000);
    }
  })();
  const outage = (async () => {
    await sleep(options.firstEventAt + plan.startSeconds * 1000 - Date.now());
    const before = await iscCallsSoFar(baseUrl);
    await setOutage(baseUrl, { status: plan.status });
    log(`outage: ISC answers ${plan.status} to everything for ${plan.seconds} s`);
    await sleep(plan.seconds * 1000);
    const during = (await iscCallsSoFar(baseUrl)) - before;
    await setOutage(baseUrl, null);
    log(`outage: ISC is back; ${during} calls reached it while it was down`);
    return { outageCalls: during, backAt: Date.now() };
  })();
  return {
    async done(lastCloseMs: number): Promise<OutageFigures> {
      const { outageCalls, backAt } = await outage;
      watching = false;
      await watch;
      return {
        outageSeconds: plan.seconds,
        outageCalls,
        awaitingOperatorMax,
        drainSeconds: Math.round((lastCloseMs - backAt) / 100) / 10,
      };
    },
  };
}
