/**
 * An ISC outage in the middle of a wave (`npm run bench:wave -- --outage START:SECONDS[:STATUS]`): START
 * seconds after the first event, or once START% of the wave's items are in ISC (`30%`: a start that does
 * not depend on how fast the machine is), the simulator answers every ISC call with STATUS (503 unless
 * given; `reset` drops the connections) for SECONDS, then ISC is back. While the wave runs, how many workflows wait
 * for an operator is read from visibility every few seconds. The figures: the calls ISC received while
 * down, the most workflows seen waiting for an operator, and how long the backlog took to drain once ISC
 * was back. See docs/reliability.md.
 */
import type { Client } from '@temporalio/client';
import { STATE } from '../../src/common';

export interface OutagePlan {
  /** Seconds after the first event, or (`startShare`) once this share of the items reached ISC. */
  start: { seconds: number } | { share: number };
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

/** `START:SECONDS[:STATUS]`, START in seconds or as a share of the items (`30%`): `60:900`, `30%:900:reset`. */
export function parseOutage(text: string): OutagePlan {
  const [start = '', seconds, given = '503'] = text.split(':');
  const status: number | 'reset' = given === 'reset' ? 'reset' : Number(given);
  const share = start.endsWith('%') ? Number(start.slice(0, -1)) / 100 : undefined;
  const plan: OutagePlan = {
    start: share === undefined ? { seconds: Number(start) } : { share },
    seconds: Number(seconds),
    status,
  };
  const startOk = share === undefined ? Number(start) >= 0 : share > 0 && share < 1;
  const statusOk = status === 'reset' || (Number.isInteger(status) && status >= 400 && status <= 599);
  if (!(startOk && plan.seconds > 0 && statusOk)) {
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

/** Waits for the outage's start: its time, or the share of the wave's items granted in ISC. */
async function startOf(plan: OutagePlan, baseUrl: string, firstEventAt: number, items: number): Promise<void> {
  if ('seconds' in plan.start) return sleep(firstEventAt + plan.start.seconds * 1000 - Date.now());
  for (;;) {
    const rows = (await (await fetch(`${baseUrl}/__sim/requests`)).json()) as Array<{ state: string | null }>;
    if (rows.filter((r) => r.state === 'REQUEST_COMPLETED').length >= plan.start.share * items) return;
    await sleep(500);
  }
}

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
  /** The wave's items: what a share start counts against. */
  items: number;
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
    await startOf(plan, baseUrl, options.firstEventAt, options.items);
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
