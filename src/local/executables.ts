/**
 * Finding programs on this machine: the one test of "may this process run that file", and the PATH
 * walk, shared by the launchers that look for the Temporal CLI, PostgreSQL and Go.
 */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Whether `path` is a file this process may execute. */
export function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The directories of PATH, in order, empty entries left out. */
export function pathDirectories(env: Record<string, string | undefined> = process.env): string[] {
  return (env.PATH ?? '').split(delimiter).filter(Boolean);
}

/** The first executable `name` in `dirs` (PATH's directories by default). */
export function findExecutable(name: string, dirs: string[] = pathDirectories()): string | undefined {
  return dirs.map((dir) => join(dir, name)).find(isExecutable);
}
