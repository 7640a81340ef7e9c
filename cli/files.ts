// Finding the .jac files a command works on: a file, or every .jac file directly in a folder.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export class UsageError extends Error {}

/** The .jac files named by `path` (a file, or a folder: not recursive), sorted. */
export function jacFilesIn(path: string): string[] {
  let stat;
  try {
    stat = statSync(path);
  } catch {
    throw new UsageError(`no such file or folder: ${path}`);
  }
  if (stat.isFile()) return [path];
  const files = readdirSync(path)
    .filter((name) => name.endsWith('.jac'))
    .sort()
    .map((name) => join(path, name))
    .filter((file) => statSync(file).isFile());
  if (files.length === 0) throw new UsageError(`no .jac files in ${path}`);
  return files;
}
