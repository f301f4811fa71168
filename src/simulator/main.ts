import { parseArgs } from 'node:util';
import { z } from 'zod';
import { profileSchema } from './config';
import { startSimulator } from './index';

/** `npm run simulator -- --port 7070 [--host 127.0.0.1] [--seed N] [--profile current|legacy]` */
const argsSchema = z.object({
  port: z.coerce.number().int().min(0).max(65535).default(7070),
  host: z.string().default('127.0.0.1'),
  seed: z.coerce.number().int().default(1),
  profile: profileSchema.default('current'),
});

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      seed: { type: 'string' },
      profile: { type: 'string' },
    },
    strict: true,
  });
  const parsed = argsSchema.safeParse(values);
  if (!parsed.success) {
    console.error(
      `Invalid arguments: ${parsed.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
    process.exit(2);
  }
  const args = parsed.data;
  const sim = await startSimulator({
    port: args.port,
    host: args.host,
    seed: args.seed,
    config: { profile: args.profile },
    logger: false,
  });
  console.log(`ISC simulator listening on ${sim.baseUrl} (seed ${args.seed}, profile ${args.profile})`);
  const stop = (): void => {
    sim.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
