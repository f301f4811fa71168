/**
 * Facts that several layers need are written once, in src/common. A copy elsewhere drifts: the list of
 * final ISC codes once differed between the submit and the tracking retry policies. These checks read the
 * source so that a second copy fails here, before it drifts.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import {
  ACCESS_REQUEST_DEFAULTS,
  FINAL_ISC_ERROR_CODES,
  ISC_ERROR_CODES,
  ISC_FINAL_STATES,
  ISC_IN_PROGRESS_STATES,
  ISC_REQUEST_STATES,
  PHASES,
  RETRYABLE_ISC_ERROR_CODES,
  SEARCH_ATTRIBUTE_KEYS,
  WORKFLOW_TYPES,
} from '../../../src/common';
import * as workflows from '../../../src/workflows';

const ROOT = join(__dirname, '..', '..', '..');
const COMMON = join(ROOT, 'src', 'common');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return path === COMMON ? [] : sources(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

const files = ['src', 'scripts', 'bench'].flatMap((d) => sources(join(ROOT, d)));
const relativeToRoot = (file: string): string => relative(ROOT, file);
const offenders = (pattern: RegExp): string[] =>
  files.filter((file) => pattern.test(readFileSync(file, 'utf8'))).map(relativeToRoot);
/** The quoted UPPER_SNAKE names of each list in `source`: an array literal, or a visibility query's `IN (...)`. */
const quotedLists = (source: string): string[][] =>
  [...source.matchAll(/\[([^\]]*)\]|\bIN \(([^)]*)\)/g)].map((list) =>
    [...(list[1] ?? list[2] ?? '').matchAll(/'([A-Z_]+)'/g)].map((name) => name[1]!),
  );

describe('one source for each fact', () => {
  it('knows every ISC error code as either retryable or final', () => {
    expect([...FINAL_ISC_ERROR_CODES, ...RETRYABLE_ISC_ERROR_CODES].sort()).toEqual([...ISC_ERROR_CODES].sort());
    expect(FINAL_ISC_ERROR_CODES).toContain('ISC_INVALID_RESPONSE');
  });

  it('lists ISC error codes nowhere but src/common', () => {
    expect(offenders(/\[[^\]]*'ISC_[A-Z_]+'[^\]]*'ISC_[A-Z_]+'/)).toEqual([]);
  });

  it('spells STATUS_UNCHANGED nowhere but src/common', () => {
    expect(offenders(/'STATUS_UNCHANGED'/)).toEqual([]);
  });

  it('spells workflow type names nowhere but src/common, and registers every one', () => {
    for (const name of Object.values(WORKFLOW_TYPES)) {
      expect(offenders(new RegExp(`['"]${name}['"]`))).toEqual([]);
      expect(typeof (workflows as Record<string, unknown>)[name]).toBe('function');
    }
  });

  it('spells search attribute names nowhere but src/common', () => {
    for (const key of SEARCH_ATTRIBUTE_KEYS) expect(offenders(new RegExp(`['"]${key.name}['"]`))).toEqual([]);
  });

  it('lists access change phases nowhere but src/common (a copied list, or a visibility query spelling them)', () => {
    const phase = `'(?:${PHASES.join('|')})'`;
    expect(offenders(new RegExp(`(?:\\[|\\bIN \\()[^\\])]*${phase}[^\\])]*${phase}`))).toEqual([]);
  });

  it("lists ISC's request states nowhere but src/common, and each as either in progress or final", () => {
    expect([...ISC_IN_PROGRESS_STATES, ...ISC_FINAL_STATES].sort()).toEqual([...ISC_REQUEST_STATES].sort());
    // A copy holds both in-progress states (only ISC's own list has them together) or most final ones; a
    // rule's few (the failures worth resubmitting) or a name ISC shares with an outcome is not one.
    const isCopy = (names: string[]): boolean =>
      ISC_IN_PROGRESS_STATES.every((state) => names.includes(state)) ||
      ISC_FINAL_STATES.filter((state) => names.includes(state)).length > ISC_FINAL_STATES.length / 2;
    expect(files.filter((file) => quotedLists(readFileSync(file, 'utf8')).some(isCopy)).map(relativeToRoot)).toEqual(
      [],
    );
  });

  it('writes default option values nowhere but src/common', () => {
    for (const [option, value] of Object.entries(ACCESS_REQUEST_DEFAULTS)) {
      if (typeof value !== 'number') continue;
      expect(offenders(new RegExp(`\\b${option}: ${value}\\b`))).toEqual([]);
    }
  });
});
