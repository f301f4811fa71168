/**
 * Throughput of GET /v3/access-request-status with >= 10,000 request items on record.
 * Run: `npx tsx bench/simulator-status.ts` (or `npm run bench:simulator`).
 * The simulator runs in-process with a rate limit too high to matter; autocannon alternates
 * `requested-for=<identity>` listings and `filters=accessRequestId eq "<id>"` lookups.
 */
import autocannon from 'autocannon';
import { SIMULATOR_DEFAULT_CREDENTIALS, startSimulator } from '../src/simulator';

const ITEMS = Number(process.env.BENCH_ITEMS ?? 10_000);
const ITEMS_PER_REQUEST = 10;
const DURATION_SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);

interface Catalog {
  identities: { id: string }[];
  items: { type: string; id: string }[];
}

async function main(): Promise<void> {
  const sim = await startSimulator({
    seed: 2026,
    catalog: { identities: Number(process.env.BENCH_IDENTITIES ?? 1000) },
    config: { rateLimit: { requests: 1_000_000_000, windowSeconds: 1 } },
  });
  try {
    const { clientId, clientSecret } = SIMULATOR_DEFAULT_CREDENTIALS;
    const tokenResponse = await fetch(
      `${sim.baseUrl}/oauth/token?grant_type=client_credentials&client_id=${clientId}&client_secret=${clientSecret}`,
      {
        method: 'POST',
      },
    );
    const { access_token: token } = (await tokenResponse.json()) as { access_token: string };
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const catalog = (await (await fetch(`${sim.baseUrl}/__sim/catalog`)).json()) as Catalog;

    const accessRequestIds: string[] = [];
    const identities = catalog.identities.map((i) => i.id);
    let created = 0;
    for (let n = 0; created < ITEMS; n++) {
      const identity = identities[n % identities.length] ?? '';
      const offset = (n * 7) % Math.max(1, catalog.items.length - ITEMS_PER_REQUEST);
      const requestedItems = catalog.items
        .slice(offset, offset + ITEMS_PER_REQUEST)
        .map(({ type, id }) => ({ type, id }));
      const response = await fetch(`${sim.baseUrl}/v3/access-requests`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ requestedFor: [identity], requestedItems }),
      });
      const body = (await response.json()) as {
        newRequests: { accessRequestIds: string[]; requestedItemsDetails: unknown[] }[];
      };
      for (const tracking of body.newRequests) {
        accessRequestIds.push(...tracking.accessRequestIds);
        created += tracking.requestedItemsDetails.length;
      }
    }
    const onRecord = ((await (await fetch(`${sim.baseUrl}/__sim/requests`)).json()) as unknown[]).length;
    console.log(`request items on record: ${onRecord}`);

    let turn = 0;
    const nextPath = (): string => {
      turn++;
      if (turn % 2 === 0)
        return `/v3/access-request-status?requested-for=${identities[turn % identities.length] ?? ''}`;
      const id = accessRequestIds[turn % accessRequestIds.length] ?? '';
      return `/v3/access-request-status?filters=${encodeURIComponent(`accessRequestId eq "${id}"`)}`;
    };

    const result = await autocannon({
      url: sim.baseUrl,
      connections: CONNECTIONS,
      duration: DURATION_SECONDS,
      headers: { authorization: `Bearer ${token}` },
      requests: [{ method: 'GET', setupRequest: (request) => ({ ...request, path: nextPath() }) }],
    });
    const non2xx = result.non2xx + result.errors;
    console.log(`GET /v3/access-request-status, ${CONNECTIONS} connections, ${DURATION_SECONDS}s`);
    console.log(
      `requests/s: ${result.requests.average.toFixed(0)} (total ${result.requests.total}, non-2xx or errors ${non2xx})`,
    );
    console.log(`latency ms: p50 ${result.latency.p50}, p99 ${result.latency.p99}, max ${result.latency.max}`);
  } finally {
    await sim.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
