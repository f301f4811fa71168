/**
 * docker-compose.yml read the way Docker Compose reads it: the top-level file, the files it `include`s
 * (each interpolated with its own `env_file`s, the caller's environment winning), and compose's `${VAR}`
 * interpolation. The native run takes the Temporal server's environment, the setup jobs' scripts and
 * PostgreSQL's settings from here, so what runs natively is what compose would run; the static deploy
 * tests read the file through the same loader.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { PROJECT_ROOT } from '../temporal-binaries';
import { ProductionSetupError } from './errors';
import { parseEnvFile } from './versions';

const COMPOSE_FILE = 'docker-compose.yml';

type Env = Record<string, string | undefined>;

const stringList = z.union([z.string(), z.array(z.string())]);

const serviceSchema = z
  .object({
    image: z.string().optional(),
    build: z
      .union([z.string(), z.object({ context: z.string().optional(), dockerfile: z.string().optional() })])
      .optional(),
    command: stringList.optional(),
    entrypoint: stringList.optional(),
    environment: z
      .union([z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])), z.array(z.string())])
      .optional(),
    depends_on: z
      .union([z.array(z.string()), z.record(z.string(), z.object({ condition: z.string().optional() }).loose())])
      .optional(),
    ports: z.array(z.string()).optional(),
    volumes: z.array(z.string()).optional(),
    healthcheck: z.object({ test: stringList.optional() }).loose().optional(),
    restart: z.string().optional(),
    stop_grace_period: z.string().optional(),
    init: z.boolean().optional(),
  })
  .loose();

/** One service as written in its file (after interpolation, when read through {@link loadCompose}). */
export type ComposeService = z.infer<typeof serviceSchema>;

const includeSchema = z.union([
  z.string(),
  z.object({ path: z.string(), env_file: stringList.optional(), project_directory: z.string().optional() }),
]);

const fileSchema = z
  .object({
    name: z.string().optional(),
    include: z.array(includeSchema).optional(),
    services: z.record(z.string(), serviceSchema).default({}),
    volumes: z.record(z.string(), z.unknown().nullable()).optional(),
  })
  .loose();

/** A service of the merged project, with where it came from (relative paths resolve against `dir`). */
export interface LoadedService {
  name: string;
  /** The service after interpolation (a missing required variable throws here, as compose would). */
  readonly definition: ComposeService;
  /** The service as written, `${VAR}` forms intact. */
  raw: ComposeService;
  /** Absolute path of the compose file that defines it. */
  file: string;
  /** Absolute project directory its relative paths resolve against. */
  dir: string;
  /** Its interpolated `environment`, in the map form. */
  readonly environment: Record<string, string>;
  /** The variables its file was interpolated with (the file's env_files, then the caller's env). */
  interpolationEnv: Record<string, string>;
}

export interface ComposeProject {
  name: string | undefined;
  /** Absolute paths of the files read: the top-level file first, then each included one. */
  files: string[];
  services: Record<string, LoadedService>;
  /** Named volumes declared by any of the files. */
  volumes: string[];
}

export interface LoadComposeOptions {
  /** Directory holding docker-compose.yml; the project root by default. */
  root?: string;
  /** The shell environment compose would see (variables here win over env files). */
  env: Env;
}

/**
 * Compose's interpolation: `$$`, `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?error}`,
 * `${VAR?error}`. A `?` form whose variable is missing throws, as `docker compose up` stops before
 * anything starts.
 */
export function interpolate(text: string, env: Env): string {
  return text.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (match, name?: string, colon?: string, op?: string, arg?: string, bare?: string) => {
      if (match === '$$') return '$';
      const key = (name ?? bare) as string;
      const value = env[key];
      const missing = colon === ':' ? value === undefined || value === '' : value === undefined;
      if (!missing) return value as string;
      if (op === '-') return arg ?? '';
      if (op === '?') throw new Error(`required variable ${key} is missing: ${arg ?? ''}`);
      return '';
    },
  );
}

/** Names of every variable a compose file interpolates, sorted. */
export function interpolatedVariables(text: string): string[] {
  const names = new Set<string>();
  for (const m of text.replace(/\$\$/g, '').matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)|\$([A-Za-z_][A-Za-z0-9_]*)/g)) {
    names.add((m[1] ?? m[2]) as string);
  }
  return [...names].sort();
}

function interpolateDeep(value: unknown, env: Env): unknown {
  if (typeof value === 'string') return interpolate(value, env);
  if (Array.isArray(value)) return value.map((v) => interpolateDeep(v, env));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolateDeep(v, env)]));
  }
  return value;
}

/** A service's environment in the map form, whichever of compose's two forms the file uses. */
export function environmentMap(service: ComposeService): Record<string, string> {
  const env = service.environment ?? {};
  if (Array.isArray(env)) {
    return Object.fromEntries(
      env.map((entry) => {
        const at = entry.indexOf('=');
        return at < 0 ? [entry, ''] : [entry.slice(0, at), entry.slice(at + 1)];
      }),
    );
  }
  return Object.fromEntries(Object.entries(env).map(([key, value]) => [key, value === null ? '' : String(value)]));
}

function readComposeFile(file: string): z.infer<typeof fileSchema> {
  if (!existsSync(file)) throw new ProductionSetupError('COMPOSE_INVALID', `${file} does not exist`);
  const parsed = fileSchema.safeParse(parse(readFileSync(file, 'utf8')));
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ProductionSetupError('COMPOSE_INVALID', `${file}: ${problems}`);
  }
  return parsed.data;
}

function definedEnv(env: Env): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
}

function loadServices(
  file: string,
  dir: string,
  services: Record<string, ComposeService>,
  interpolationEnv: Record<string, string>,
): LoadedService[] {
  return Object.entries(services).map(([name, raw]) => {
    // Interpolated on first use, so a caller that needs one service is not stopped by a variable only
    // another service requires (the native run has no ISC tenant for the worker's SAIL_* settings).
    let definition: ComposeService | undefined;
    const interpolated = (): ComposeService => {
      try {
        definition ??= serviceSchema.parse(interpolateDeep(raw, interpolationEnv));
      } catch (error) {
        throw new ProductionSetupError('COMPOSE_INVALID', `${file}, service ${name}: ${(error as Error).message}`);
      }
      return definition;
    };
    return {
      name,
      raw,
      file,
      dir,
      interpolationEnv,
      get definition() {
        return interpolated();
      },
      get environment() {
        return environmentMap(interpolated());
      },
    };
  });
}

/**
 * Reads docker-compose.yml and the files it includes into one project. Each included file is
 * interpolated with its include's `env_file`s overlaid by `env`, which is what compose does with the
 * shell's environment. The project's `.env` is not read: callers pass what they mean (the native run
 * has no secrets file, the tests pass a made-up tenant). A variable still missing fails where compose
 * would fail, with compose's message.
 */
export function loadCompose(options: LoadComposeOptions): ComposeProject {
  const root = options.root ?? PROJECT_ROOT;
  const shell = definedEnv(options.env);
  const topFile = join(root, COMPOSE_FILE);
  const top = readComposeFile(topFile);
  const files = [topFile];
  const loaded = loadServices(topFile, root, top.services, shell);
  const volumes = Object.keys(top.volumes ?? {});

  for (const entry of top.include ?? []) {
    const include = typeof entry === 'string' ? { path: entry } : entry;
    const file = resolve(root, include.path);
    const envFiles = [include.env_file ?? []].flat().map((f) => resolve(root, f));
    const fromFiles: Record<string, string> = {};
    for (const envFile of envFiles) {
      // As in compose, a listed env file must exist.
      if (!existsSync(envFile)) throw new ProductionSetupError('COMPOSE_INVALID', `${envFile} does not exist`);
      Object.assign(fromFiles, parseEnvFile(readFileSync(envFile, 'utf8')));
    }
    const dir = include.project_directory ? resolve(root, include.project_directory) : dirname(file);
    const included = readComposeFile(file);
    files.push(file);
    loaded.push(...loadServices(file, dir, included.services, { ...fromFiles, ...shell }));
    volumes.push(...Object.keys(included.volumes ?? {}));
  }

  const services: Record<string, LoadedService> = {};
  for (const service of loaded) {
    if (services[service.name]) {
      throw new ProductionSetupError('COMPOSE_INVALID', `service ${service.name} is defined twice`);
    }
    services[service.name] = service;
  }
  return { name: top.name, files, services, volumes };
}

/** The service, or a COMPOSE_INVALID error naming what is missing. */
export function serviceOf(project: ComposeProject, name: string): LoadedService {
  const service = project.services[name];
  if (!service) throw new ProductionSetupError('COMPOSE_INVALID', `docker-compose.yml has no service '${name}'`);
  return service;
}

/** `source:target[:mode]` bind mounts of a service, sources resolved against its project directory. */
function bindMounts(service: LoadedService): Array<{ source: string; target: string; readOnly: boolean }> {
  return (service.definition.volumes ?? []).flatMap((volume) => {
    const [source, target, mode] = volume.split(':');
    if (!source || !target) return [];
    // A bare name is a named volume, not a path on the host.
    if (!source.startsWith('.') && !isAbsolute(source)) return [];
    return [{ source: resolve(service.dir, source), target, readOnly: mode === 'ro' }];
  });
}

/** The host file mounted at `containerPath` in the service, or an error when nothing is mounted there. */
export function hostPathOf(service: LoadedService, containerPath: string): string {
  const mount = bindMounts(service).find((m) => m.target === containerPath);
  if (!mount) {
    throw new ProductionSetupError('COMPOSE_INVALID', `service ${service.name} mounts nothing at ${containerPath}`);
  }
  return mount.source;
}

/** The host path of the script a one-shot job runs as `entrypoint: ['/bin/sh', '<mounted script>']`. */
export function jobScript(service: LoadedService): string {
  const entrypoint = [service.definition.entrypoint ?? []].flat();
  const [shell, script] = entrypoint;
  if (entrypoint.length !== 2 || shell !== '/bin/sh' || !script) {
    throw new ProductionSetupError(
      'COMPOSE_INVALID',
      `service ${service.name}: expected entrypoint ['/bin/sh', '<mounted script>'], got ${JSON.stringify(entrypoint)}`,
    );
  }
  return hostPathOf(service, script);
}

/** `-c name=value` settings from a service's command (how the postgresql service sets max_connections). */
export function commandSettings(service: LoadedService): Record<string, string> {
  const command = [service.definition.command ?? []].flat();
  const settings: Record<string, string> = {};
  command.forEach((arg, i) => {
    const next = command[i + 1];
    if (arg === '-c' && next?.includes('=')) {
      const at = next.indexOf('=');
      settings[next.slice(0, at)] = next.slice(at + 1);
    }
  });
  return settings;
}
