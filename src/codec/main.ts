/**
 * The standalone codec server: `tsx src/codec/main.ts [--port 8888] [--host 127.0.0.1]`.
 * Needs `ISCFLOW_PAYLOAD_KEYS`; `ISCFLOW_CODEC_TOKEN` unless it listens on loopback only;
 * `ISCFLOW_CODEC_CORS_ORIGINS` for the Web UI's origin. Point the UI or the CLI at
 * `http://<host>:<port>/codec`. See docs/privacy.md.
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { ConfigError } from '../config';
import { createLogger } from '../logger';
import { loadPrivacyConfig } from './config';
import { createEncryptionCodec } from './encryption';
import { isLoopbackHost } from './policy';
import { buildCodecServer, CODEC_PATH } from './server';

const argsSchema = z.object({
  port: z.coerce.number().int().min(0).max(65535).default(8888),
  host: z.string().min(1).default('127.0.0.1'),
});
const logLevelSchema = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info');

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { port: { type: 'string' }, host: { type: 'string' } }, strict: true });
  const args = argsSchema.safeParse(values);
  if (!args.success) {
    throw new ConfigError(args.error.issues.map((issue) => `--${issue.path.join('.')}: ${issue.message}`));
  }
  const { port, host } = args.data;
  const privacy = loadPrivacyConfig(process.env);
  const problems: string[] = [];
  if (!privacy.payloadKeys) problems.push('ISCFLOW_PAYLOAD_KEYS: is required: without keys there is nothing to decode');
  // Without a token anyone who reaches the port can decrypt HR data: only this machine may, then.
  if (!privacy.codecToken && !isLoopbackHost(host)) {
    problems.push(`ISCFLOW_CODEC_TOKEN: is required when listening on ${host} (only loopback may go without)`);
  }
  const logLevel = logLevelSchema.safeParse(process.env.LOG_LEVEL);
  if (!logLevel.success) problems.push('LOG_LEVEL: must be fatal, error, warn, info, debug, trace or silent');
  if (problems.length > 0 || !privacy.payloadKeys || !logLevel.success) throw new ConfigError(problems);

  const logger = createLogger(logLevel.data).child({ component: 'codec-server' });
  const app = buildCodecServer({
    codec: createEncryptionCodec(privacy.payloadKeys),
    token: privacy.codecToken ?? null,
    corsOrigins: privacy.codecCorsOrigins,
    logger,
  });
  await app.listen({ port, host });
  const address = app.server.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  logger.info(
    {
      endpoint: `http://${host.includes(':') ? `[${host}]` : host}:${bound}${CODEC_PATH}`,
      encryptKeyId: privacy.payloadKeys.encryptKeyId,
      keyIds: privacy.payloadKeys.keyIds,
      corsOrigins: privacy.codecCorsOrigins,
      authentication: privacy.codecToken ? 'bearer token' : 'none (loopback only)',
    },
    'codec server listening',
  );
  const stop = (): void => {
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'codec server did not close cleanly');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(error instanceof ConfigError ? 2 : 1);
  });
}
