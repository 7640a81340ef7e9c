// One process per data dir: a LOCK file holding the owner's pid, created exclusively. A lock
// left by a process that no longer runs (killed with SIGKILL) is taken over.
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { StoreError } from './store.ts';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the data dir's lock; returns the function that releases it. */
export function lockDataDir(dir: string): () => void {
  const file = join(dir, 'LOCK');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(file, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new StoreError(`cannot lock ${dir}: ${(e as Error).message}`, 'JAC_STORE_IO');
      const owner = Number(readFileSync(file, 'utf8').trim());
      if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && alive(owner)) {
        throw new StoreError(`data dir ${dir} is in use by process ${owner} (another jac-serve?); stop it or use another --data dir`, 'JAC_STORE_LOCKED');
      }
      if (owner === process.pid) throw new StoreError(`data dir ${dir} is already open in this process`, 'JAC_STORE_LOCKED');
      rmSync(file, { force: true }); // stale: its process is gone
    }
  }
  throw new StoreError(`cannot lock ${dir}: another process keeps taking the lock`, 'JAC_STORE_LOCKED');
}
