/**
 * What a newcomer installs agrees with what the project says it needs and ships: every package the
 * lockfile installs runs on each Node.js line package.json admits, from that line's first admitted
 * release, so `npm install` prints no EBADENGINE on a supported Node, and README names the same lines;
 * the Temporal CLI that `npm run dev` and the tests run embeds the server and UI releases production
 * pins in deploy/versions.env.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { loadDeployVersions } from '../../../src/local/production/versions';
import { ensureTemporalBinaries } from '../../../src/local/temporal-binaries';

const root = join(__dirname, '..', '..', '..');
const readJson = (file: string): unknown => JSON.parse(readFileSync(join(root, file), 'utf8'));
const engines = z.object({ engines: z.object({ node: z.string() }).partial().optional() });
const manifest = engines.extend({ engines: z.object({ node: z.string() }) }).parse(readJson('package.json'));
const lock = z
  .object({ packages: z.record(z.string(), engines.extend({ version: z.string().optional() })) })
  .parse(readJson('package-lock.json'));

type Version = [number, number, number];

const compare = (a: Version, b: Version): number => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];

/**
 * One comparator of a node-semver range (`>=20.19.0`, `^22.13`, `~14.17`, `20`, `10.x`, `*`) as a
 * [lowest, first excluded) interval. Forms the lockfile does not use throw, so a new one is noticed.
 */
function interval(comparator: string): [Version, Version | undefined] {
  const match = /^(>=|\^|~|=)?v?(\d+|[xX*])(?:\.(\d+|[xX*]))?(?:\.(\d+|[xX*]))?$/.exec(comparator);
  if (comparator === '*' || comparator === '') return [[0, 0, 0], undefined];
  if (!match) throw new Error(`unsupported engines comparator '${comparator}'`);
  const [, op = '', ...raw] = match;
  const parts = raw.map((p) => (p === undefined || /[xX*]/.test(p) ? undefined : Number(p)));
  const [major = 0, minor, patch] = parts;
  const low: Version = [major, minor ?? 0, patch ?? 0];
  if (parts[0] === undefined) return [[0, 0, 0], undefined];
  if (op === '>=') return [low, undefined];
  if (op === '^') return [low, major > 0 ? [major + 1, 0, 0] : [0, (minor ?? 0) + 1, 0]];
  if (op === '~' || (minor !== undefined && patch === undefined)) {
    return [low, minor === undefined ? [major + 1, 0, 0] : [major, minor + 1, 0]];
  }
  return [low, minor === undefined ? [major + 1, 0, 0] : [major, minor, (patch ?? 0) + 1]];
}

/** Whether `version` satisfies a node-semver range of `||`-separated, space-joined comparators. */
function satisfies(version: Version, range: string): boolean {
  return range.split('||').some((set) =>
    set
      .trim()
      .replace(/(>=|\^|~|=)\s+/g, '$1')
      .split(/\s+/)
      .every((comparator) => {
        const [low, high] = interval(comparator);
        return compare(version, low) >= 0 && (high === undefined || compare(version, high) < 0);
      }),
  );
}

/** The first release of each line a range admits: `^20.19.0 || >=24` -> 20.19.0 and 24.0.0. */
const firstReleases = (range: string): Version[] => range.split('||').map((set) => interval(set.trim())[0]);

describe('the Node.js the project asks for', () => {
  const supported = firstReleases(manifest.engines.node);

  it('reads engines ranges as npm does', () => {
    expect(satisfies([20, 20, 2], '>=22')).toBe(false);
    expect(satisfies([20, 20, 2], '>=18')).toBe(true);
    expect(satisfies([20, 9, 0], '^18.18.0 || ^20.9.0 || >=21.1.0')).toBe(true);
    expect(satisfies([21, 0, 0], '^18.18.0 || ^20.9.0 || >=21.1.0')).toBe(false);
    expect(satisfies([14, 17, 0], '>=16 || 14 >=14.17')).toBe(true);
    expect(satisfies([12, 5, 0], '10.* || >= 12.*')).toBe(true);
    expect(firstReleases('^20.19.0 || ^22.13.0 || >=24')).toEqual([
      [20, 19, 0],
      [22, 13, 0],
      [24, 0, 0],
    ]);
  });

  it('is enough for every package the lockfile installs', () => {
    const misfits = Object.entries(lock.packages).flatMap(([path, entry]) => {
      const wanted = entry.engines?.node;
      if (path === '' || wanted === undefined) return [];
      const failing = supported.filter((version) => !satisfies(version, wanted)).map((v) => v.join('.'));
      return failing.length === 0
        ? []
        : [`${path}@${entry.version ?? '?'} wants node ${wanted}, not ${failing.join(', ')}`];
    });
    expect(misfits).toEqual([]);
  });

  it('is what README says', () => {
    const lines = supported.map(([major, minor]) => (minor === 0 ? `${major}+` : `${major}.${minor}+`));
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    expect(readme).toContain(`Node.js ${lines.slice(0, -1).join(', ')} or ${lines.at(-1) ?? ''}`);
  });
});

describe('the Temporal release', () => {
  it('is the one production pins, for the dev server and the tests too', () => {
    const versions = loadDeployVersions(root);
    const { cli } = ensureTemporalBinaries();
    // e.g. "temporal version 1.9.1 (Server 1.32.0, UI 2.54.1)"
    const reported = execFileSync(cli, ['--version'], { encoding: 'utf8' });
    const embedded = /\(Server (\S+), UI (\S+)\)/.exec(reported);
    expect(embedded?.slice(1)).toEqual([versions.TEMPORAL_VERSION, versions.TEMPORAL_UI_VERSION]);
  });
});
