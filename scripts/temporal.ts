/** `npm run temporal`: the Temporal dev server with iscflow's search attributes, state kept in .temporal/dev.db. */
import { startDevServer } from '../src/local/dev-server';

async function main(): Promise<void> {
  const port = Number(process.env.TEMPORAL_DEV_PORT ?? 7233);
  const uiPort = Number(process.env.TEMPORAL_DEV_UI_PORT ?? 8233);
  const server = await startDevServer({ port, uiPort });
  console.log(`Temporal dev server on ${server.address}; Web UI on ${server.uiUrl}`);
  const stop = (): void => void server.stop().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
