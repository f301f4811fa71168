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
const offenders = (pattern: RegExp): string[] =>
  files.filter((file) => pattern.test(readFileSync(file, 'utf8'))).map((file) => relative(ROOT, file));

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

  it('writes default option values nowhere but src/common', () => {
    for (const [option, value] of Object.entries(ACCESS_REQUEST_DEFAULTS)) {
      if (typeof value !== 'number') continue;
      expect(offenders(new RegExp(`\\b${option}: ${value}\\b`))).toEqual([]);
    }
  });
});
