// One process per data dir: <dir>/LOCK, created exclusively, names its owner, and the lock dies
// with that process.
// - LOCK holds a JSON record {pid, start, boot, pidns, host, beat} (process-identity.ts): a pid
//   alone proves nothing, as PID 1 is every container's first process and pids are reused.
// - Written in our PID namespace during this kernel run, the lock lives iff its pid runs with
//   the recorded start time. Written on this host (by hostname) before a reboot (another boot
//   id): stale.
// - Written in another PID namespace (a container sharing the volume) or on another host, its
//   owner cannot be looked up: every owner refreshes LOCK's mtime each `beat` ms, and such a
//   lock is stale once not refreshed for MISSED_BEATS beats. Hosts sharing a volume are taken to
//   keep their clocks in sync.
// - LOCK files holding only a pid (written by earlier versions) are judged by that pid.
// - Locks this process holds are known in memory by resolved path, so opening a dir twice in
//   one process is refused however the pids compare.
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, fstatSync, futimesSync, linkSync, openSync, readdirSync, readFileSync, realpathSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { currentProcess, isRunning, type ProcessIdentity } from './process-identity.ts';
import { StoreError } from './store.ts';

/** How often an owner refreshes its LOCK, by default. */
export const HEARTBEAT_MS = 10_000;
const MISSED_BEATS = 3;
/** A take-over takes milliseconds: a claim to one older than this was abandoned. */
const TAKEOVER_MS = 5_000;

export interface LockOptions {
  /** How often this owner refreshes its LOCK (others read it from the record). */
  heartbeatMs?: number;
}

/** A LOCK's record; earlier versions wrote only the pid. */
interface LockRecord extends Partial<ProcessIdentity> {
  pid: number;
  beat?: number;
}

interface FoundLock {
  text: string;
  ino: number;
  mtimeMs: number;
}

const held = new Set<string>();

function code(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException).code;
}

function resolved(dir: string): string {
  try {
    return realpathSync(dir);
  } catch {
    return resolve(dir);
  }
}

function readLock(file: string): FoundLock | undefined {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (e) {
    if (code(e) === 'ENOENT') return undefined;
    throw e;
  }
  try {
    const { ino, mtimeMs } = fstatSync(fd);
    return { text: readFileSync(fd, 'utf8'), ino, mtimeMs };
  } finally {
    closeSync(fd);
  }
}

function parseRecord(text: string): LockRecord | undefined {
  const t = text.trim();
  if (/^\d+$/.test(t)) return { pid: Number(t) };
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(t) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (typeof o !== 'object' || o === null || !Number.isSafeInteger(o.pid) || (o.pid as number) <= 0) return undefined;
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : undefined);
  return { pid: o.pid as number, start: num(o.start), boot: str(o.boot), pidns: str(o.pidns), host: str(o.host), beat: num(o.beat) };
}

const seconds = (ms: number) => `${Math.max(0, Math.round(ms / 1000))} s`;

/** Undefined when `found` is stale; else why the dir is in use. */
function judge(dir: string, found: FoundLock, me: ProcessIdentity): string | undefined {
  const rec = parseRecord(found.text);
  const inUse = (who: string) => `data dir ${dir} is in use by ${who} (another jac-serve?); stop it or use another --data dir`;
  const byHeartbeat = (why: string, beat = HEARTBEAT_MS) => {
    const age = Date.now() - found.mtimeMs;
    const limit = MISSED_BEATS * beat;
    return age > limit ? undefined : `${why}: it was refreshed ${seconds(age)} ago and is taken over once not refreshed for ${seconds(limit)}`;
  };
  if (!rec) return byHeartbeat(`${inUse('another process')}. Its LOCK file cannot be read (being written, or damaged)`);
  const sameHost = rec.host === undefined || rec.host === me.host;
  const foreign = `${inUse(`process ${rec.pid}`)}. That process runs ${sameHost ? 'in another PID namespace (another container)' : `on host ${rec.host}`}, so its lock lives by its heartbeat`;
  if (rec.boot && me.boot) {
    if (rec.boot !== me.boot) return sameHost ? undefined : byHeartbeat(foreign, rec.beat); // same host: it rebooted since
  } else if (!sameHost) return byHeartbeat(foreign, rec.beat);
  if (rec.pidns && me.pidns && rec.pidns !== me.pidns) return byHeartbeat(foreign, rec.beat);
  // A pid of our namespace. Ours: either this very process (held through another path to the
  // dir) or an earlier process with our pid, such as PID 1 before a container restart.
  if (rec.pid === me.pid) return rec.start !== undefined && rec.start === me.start ? `data dir ${dir} is already open in this process` : undefined;
  return isRunning(rec.pid, rec.start) ? inUse(`process ${rec.pid}`) : undefined;
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function identity(found: FoundLock): string {
  return createHash('sha256').update(`${found.ino}\n${found.text}`).digest('hex').slice(0, 16);
}

/**
 * Removes the stale lock `found` unless it changed meanwhile. Two processes that both judged it
 * stale must not both remove "it", or the later one would remove the lock the earlier one just
 * made: a remover first claims the take-over of this very lock with an exclusively created file
 * named after it, then checks LOCK is still that lock. A claim left by a process that died
 * mid-way is passed over once older than TAKEOVER_MS (the next claim number is tried).
 */
function takeOver(file: string, found: FoundLock): void {
  const id = identity(found);
  for (let n = 1; ; n++) {
    const claim = `${file}.takeover-${id}-${n}`;
    try {
      closeSync(openSync(claim, 'wx'));
    } catch (e) {
      if (code(e) !== 'EEXIST') throw e;
      let age: number;
      try {
        age = Date.now() - statSync(claim).mtimeMs;
      } catch {
        return; // its taker finished: look at LOCK again
      }
      if (age > TAKEOVER_MS) continue;
      sleep(10); // another process is taking this lock over
      return;
    }
    try {
      const now = readLock(file);
      if (now && identity(now) === id) removeIfStill(file, id);
    } finally {
      rmSync(claim, { force: true });
    }
    return;
  }
}

/**
 * Removes LOCK if it is still the lock `id`, by moving it aside and looking at what was moved: a
 * claimant that stalled past TAKEOVER_MS between its check and its removal puts back the new
 * lock it moved instead of deleting it.
 */
function removeIfStill(file: string, id: string): void {
  const aside = `${file}.stale-${randomBytes(6).toString('hex')}`;
  try {
    renameSync(file, aside);
  } catch (e) {
    if (code(e) === 'ENOENT') return;
    throw e;
  }
  const moved = readLock(aside);
  if (moved && identity(moved) !== id) {
    try {
      linkSync(aside, file); // fails if a new LOCK is there already
    } catch (e) {
      if (code(e) !== 'EEXIST') renameSync(aside, file); // a file system without hard links
    }
  }
  rmSync(aside, { force: true });
}

/** Creates LOCK holding `record`; undefined when it exists. */
function create(file: string, record: string): number | undefined {
  let fd: number;
  try {
    fd = openSync(file, 'wx');
  } catch (e) {
    if (code(e) === 'EEXIST') return undefined;
    throw e;
  }
  try {
    writeSync(fd, record);
    return fd;
  } catch (e) {
    closeSync(fd);
    rmSync(file, { force: true });
    throw e;
  }
}

/** Deletes claims and moved-aside locks left by processes killed during a take-over. */
function removeLeftovers(dir: string): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return; // left for the next owner
  }
  for (const name of names) {
    if (!name.startsWith('LOCK.takeover-') && !name.startsWith('LOCK.stale-')) continue;
    try {
      if (Date.now() - statSync(join(dir, name)).mtimeMs > TAKEOVER_MS) rmSync(join(dir, name), { force: true });
    } catch {
      // gone already
    }
  }
}

/** Refreshes the lock every `beat` ms until released; the release deletes LOCK if still ours. */
function hold(key: string, file: string, fd: number, beat: number): () => void {
  const timer = setInterval(() => {
    try {
      const now = new Date();
      futimesSync(fd, now, now);
    } catch {
      // a missed refresh only makes the lock look older
    }
  }, beat);
  timer.unref();
  let released = false;
  return () => {
    if (released) return;
    released = true;
    clearInterval(timer);
    held.delete(key);
    try {
      if (statSync(file).ino === fstatSync(fd).ino) rmSync(file, { force: true });
    } catch {
      // already gone
    } finally {
      closeSync(fd);
    }
  };
}

/** Takes the data dir's lock; returns the function that releases it. */
export function lockDataDir(dir: string, options: LockOptions = {}): () => void {
  const key = resolved(dir);
  if (held.has(key)) throw new StoreError(`data dir ${dir} is already open in this process`, 'JAC_STORE_LOCKED');
  const beat = options.heartbeatMs ?? HEARTBEAT_MS;
  const file = join(dir, 'LOCK');
  const me = currentProcess();
  const record = `${JSON.stringify({ ...me, beat })}\n`;
  try {
    for (const deadline = Date.now() + TAKEOVER_MS; Date.now() < deadline; ) {
      const fd = create(file, record);
      if (fd !== undefined) {
        held.add(key);
        const release = hold(key, file, fd, beat);
        removeLeftovers(dir);
        return release;
      }
      const found = readLock(file);
      if (!found) continue; // released meanwhile
      const inUse = judge(dir, found, me);
      if (inUse) throw new StoreError(inUse, 'JAC_STORE_LOCKED');
      takeOver(file, found);
    }
  } catch (e) {
    if (e instanceof StoreError) throw e;
    throw new StoreError(`cannot lock ${dir}: ${(e as Error).message}`, 'JAC_STORE_IO');
  }
  throw new StoreError(`cannot lock ${dir}: other processes keep taking the lock over`, 'JAC_STORE_LOCKED');
}
