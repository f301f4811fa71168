/**
 * `npm run temporal:production [-- --per-role]`: the Temporal platform of docker-compose.yml, natively
 * (PostgreSQL, the server built from source at the pinned release, compose's setup jobs), for trying
 * the production topology on a machine without Docker. Prints what to export for workers and the CLI;
 * Ctrl-C ends the server and PostgreSQL and removes the database (src/local/production/processes.ts).
 */
import { parseArgs } from 'node:util';
import { SIMULATOR_DEFAULT_CREDENTIALS } from '../../simulator';
import { startNativePlatform } from './platform';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { 'per-role': { type: 'boolean', default: false } }, strict: true });
  const platform = await startNativePlatform({
    shape: values['per-role'] ? 'per-role' : 'single',
    log: (line) => console.log(line),
  });
  console.log(`
Temporal ${platform.versions.TEMPORAL_VERSION} on PostgreSQL ${platform.postgres.major} is serving. In other terminals:

  export TEMPORAL_ADDRESS=${platform.address} TEMPORAL_NAMESPACE=${platform.namespace}
  npm run simulator -- --port 7070          # or SAIL_* for a real tenant
  SAIL_BASE_URL=http://127.0.0.1:7070 SAIL_CLIENT_ID=${SIMULATOR_DEFAULT_CREDENTIALS.clientId} \\
    SAIL_CLIENT_SECRET=${SIMULATOR_DEFAULT_CREDENTIALS.clientSecret} npm run worker   # twice, for two workers

Logs: ${platform.runDir}. Ctrl-C stops the server and PostgreSQL.`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
