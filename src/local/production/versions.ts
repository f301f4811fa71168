/**
 * The Temporal platform's versions, pinned once in `deploy/versions.env`. docker-compose.yml interpolates
 * its images from that file, and the native run builds the same server release from it, so the two
 * cannot drift apart.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { PROJECT_ROOT } from '../temporal-binaries';
import { ProductionSetupError } from './errors';

const VERSIONS_FILE = join('deploy', 'versions.env');

const release = z.string().regex(/^\d+\.\d+\.\d+$/, 'must be a release such as 1.29.1');

const versionsSchema = z
  .object({
    TEMPORAL_VERSION: release,
    TEMPORAL_ADMINTOOLS_VERSION: z.string().regex(/^\d+\.\d+\.\d+(-[\w.-]+)?$/, 'must be an admin-tools image tag'),
    TEMPORAL_UI_VERSION: release,
    POSTGRESQL_VERSION: z.string().regex(/^\d+(\.\d+)?$/, 'must be a postgres image major version such as 16'),
  })
  .refine((v) => v.TEMPORAL_ADMINTOOLS_VERSION.split('-')[0] === v.TEMPORAL_VERSION, {
    message: 'TEMPORAL_ADMINTOOLS_VERSION must be the admin tools of TEMPORAL_VERSION (same server release)',
  });

/** The pinned versions, by the variable names docker-compose.yml interpolates. */
export type DeployVersions = z.infer<typeof versionsSchema>;

/**
 * Reads the dotenv subset compose accepts in an env file: `NAME=value` lines, `#` comments, blank lines,
 * values optionally in single or double quotes. Later lines win, as in compose.
 */
export function parseEnvFile(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [index, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!match) throw new Error(`line ${index + 1}: expected NAME=value, got '${line}'`);
    const [, name, value] = match as unknown as [string, string, string];
    const quoted = /^(['"])(.*)\1$/.exec(value);
    env[name] = quoted ? (quoted[2] as string) : value.replace(/\s+#.*$/, '');
  }
  return env;
}

/** The versions from `deploy/versions.env`, validated; a malformed file names every problem. */
export function loadDeployVersions(root: string = PROJECT_ROOT): DeployVersions {
  const file = join(root, VERSIONS_FILE);
  let env: Record<string, string>;
  try {
    env = parseEnvFile(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ProductionSetupError('COMPOSE_INVALID', `${file}: ${(error as Error).message}`);
  }
  const parsed = versionsSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'versions'}: ${i.message}`);
    throw new ProductionSetupError('COMPOSE_INVALID', `${file}: ${problems.join('; ')}`);
  }
  return Object.freeze(parsed.data);
}
