// Creates a folder and its missing parents, one level at a time. Node 20's
// mkdirSync(path, { recursive: true }) never returns for a path under /proc (mkdir answers
// ENOENT there although the parent exists, and it retries the parent forever).
import { mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { StoreError } from './store.ts';

/** Makes `dir` and its missing parents; returns the first folder it created (null: all existed). */
export function makeDirs(dir: string): string | null {
  const missing: string[] = [];
  for (let d = dir; ; d = dirname(d)) {
    let exists = false;
    try {
      exists = statSync(d).isDirectory() || fail(d, 'it is a file');
    } catch (e) {
      if (e instanceof StoreError) throw e;
    }
    if (exists) break;
    missing.unshift(d);
    if (dirname(d) === d) break;
  }
  for (const d of missing) {
    try {
      mkdirSync(d);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') fail(d, (e as NodeJS.ErrnoException).code ?? (e as Error).message);
    }
  }
  return missing[0] ?? null;
}

function fail(dir: string, why: string): never {
  throw new StoreError(`cannot create the folder ${dir}: ${why}`, 'JAC_STORE_IO');
}
