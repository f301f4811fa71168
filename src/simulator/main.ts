/**
 * `npm run simulator -- --port 7070 [--host 127.0.0.1] [--seed N] [--identities N] [--profile current|legacy]
 * [--state FILE]`. `--identities` sizes the seeded tenant (50 by default; 50,000 start in seconds).
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { profileSchema } from './config';
import { StateFileError, startSimulator } from './index';

const argsSchema = z.object({
  port: z.coerce.number().int().min(0).max(65535).default(7070),
  host: z.string().default('127.0.0.1'),
  seed: z.coerce.number().int().default(1),
  identities: z.coerce.number().int().min(1).max(1_000_000).optional(),
  // No default: without the flag, a restored state keeps the profile it was saved with.
  profile: profileSchema.optional(),
  state: z.string().min(1).optional(),
});

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      seed: { type: 'string' },
      identities: { type: 'string' },
      profile: { type: 'string' },
      state: { type: 'string' },
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
    ...(args.identities === undefined ? {} : { catalog: { identities: args.identities } }),
    config: args.profile === undefined ? {} : { profile: args.profile },
    stateFile: args.state,
    logger: false,
  });
  const profile = args.profile ?? (args.state === undefined ? 'current' : 'as saved');
  console.log(
    `ISC simulator listening on ${sim.baseUrl} (seed ${args.seed}, ${args.identities ?? 50} identities, profile ${profile}` +
      `${args.state === undefined ? '' : `, state ${args.state}`})`,
  );
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
  // A state file problem is the operator's to fix: the message names the file and what is wrong.
  console.error(error instanceof StateFileError ? error.message : error);
  process.exit(1);
});
