// Used by lock.test.ts: takes a data dir's lock and holds it until killed, printing `locked <pid>`,
// or prints `refused: <message>` and exits with 1. Arguments: the dir, the heartbeat in ms (0:
// the default), and optionally a file to wait for first (after printing `ready`), so that
// several children try at the same moment.
import { existsSync } from 'node:fs';
import { lockDataDir } from '../../runtime/store/lock.ts';

const [dir, beat, go] = process.argv.slice(2);
const pause = new Int32Array(new SharedArrayBuffer(4));
if (go) {
  process.stdout.write('ready\n');
  while (!existsSync(go)) Atomics.wait(pause, 0, 0, 2);
}
try {
  lockDataDir(dir, { heartbeatMs: Number(beat) || undefined });
  process.stdout.write(`locked ${process.pid}\n`);
  setInterval(() => {}, 1 << 30);
} catch (e) {
  process.stdout.write(`refused: ${(e as Error).message}\n`);
  process.exitCode = 1;
}
