// A small tmpfs that tests fill up, so a write fails with a real ENOSPC (mounting needs root,
// as tests and CI run). Always `unmount()` in a finally.
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, statfsSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SmallDisk {
  /** Where it is mounted. */
  path: string;
  /** Its block size, bytes. */
  blockSize: number;
  /** Free blocks. */
  free(): number;
  /**
   * Fills every free block, keeping `spareBlocks` of them in a file of their own that
   * `release('spare')` frees again; `release('all')` frees everything filled.
   */
  fill(spareBlocks?: number): void;
  release(what: 'spare' | 'all'): void;
  unmount(): void;
}

function run(command: string, args: string[]): void {
  const r = spawnSync(command, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')}: ${r.stderr || r.error?.message}`);
}

/** Writes `file` until the disk has no block left (partial writes and all). */
function fillFile(file: string, limitBytes = Infinity): void {
  const fd = openSync(file, 'w');
  try {
    let chunk = 64 * 1024;
    let total = 0;
    while (chunk >= 1 && total < limitBytes) {
      const size = Math.min(chunk, limitBytes - total);
      try {
        total += writeSync(fd, Buffer.alloc(size, 0x61));
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e;
        chunk = Math.floor(chunk / 2);
      }
    }
  } finally {
    closeSync(fd);
  }
}

export function mountSmallDisk(sizeKiB = 1024): SmallDisk {
  const path = mkdtempSync(join(tmpdir(), 'jac-small-disk-'));
  run('mount', ['-t', 'tmpfs', '-o', `size=${sizeKiB}k`, 'tmpfs', path]);
  const stat = () => statfsSync(path);
  const blockSize = stat().bsize;
  const filler = join(path, 'filler');
  const spare = join(path, 'spare');
  return {
    path,
    blockSize,
    free: () => stat().bavail,
    fill(spareBlocks = 0) {
      if (spareBlocks > 0) fillFile(spare, spareBlocks * blockSize);
      fillFile(filler);
      if (stat().bavail !== 0) throw new Error(`${path} still has ${stat().bavail} free blocks`);
    },
    release(what) {
      rmSync(spare, { force: true });
      if (what === 'all') rmSync(filler, { force: true });
    },
    unmount() {
      run('umount', [path]);
      rmSync(path, { recursive: true, force: true });
    },
  };
}
