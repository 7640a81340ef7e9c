// A snapshot writer that holds each fold until the test lets it write (or fail), so that a test
// can look at the files, change data and copy the dir while a fold is under way.
import { writeDurablyInParts } from '../../runtime/store/durable-file.ts';
import type { SnapshotWriter } from '../../runtime/store/journal-generations.ts';

export function heldWriter() {
  const calls: { file: string; go(ok: boolean): void }[] = [];
  let called: () => void = () => {};
  const write: SnapshotWriter = (file, parts) =>
    new Promise<number>((resolve, reject) => {
      calls.push({ file, go: (ok) => (ok ? writeDurablyInParts(file, parts).then(resolve, reject) : reject(new Error('ENOSPC: no space left on device'))) });
      called();
    });
  const nextCall = () => (calls.length > 0 ? Promise.resolve() : new Promise<void>((r) => (called = r)));
  return { write, calls, nextCall };
}
