// The data-dir lock dies with its process: a LOCK is judged by its owner's pid and start time in
// our PID namespace, by its heartbeat when written from another namespace or host, and twice in
// one process is refused. Owners here are real processes: children of this one, `sleep`, and
// PID 1 of a fresh PID namespace (`unshare`, which needs root: without it these tests fail).
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { HEARTBEAT_MS, lockDataDir } from '../../runtime/store/lock.ts';
import { currentProcess, parseStat } from '../../runtime/store/process-identity.ts';
import { StoreError } from '../../runtime/store/store.ts';

const childScript = fileURLToPath(new URL('./lock-child.ts', import.meta.url));
const fresh = () => mkdtempSync(join(tmpdir(), 'jac-lock-'));
const me = currentProcess();
const lockOf = (dir: string) => JSON.parse(readFileSync(join(dir, 'LOCK'), 'utf8')) as Record<string, unknown>;

function writeLock(dir: string, record: unknown, ageMs = 0): void {
  const file = join(dir, 'LOCK');
  rmSync(file, { force: true }); // a new file, as another process would make
  writeFileSync(file, typeof record === 'string' ? record : JSON.stringify(record));
  const then = new Date(Date.now() - ageMs);
  utimesSync(file, then, then);
}

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.instance(e, StoreError);
    assert.is((e as StoreError).code, 'JAC_STORE_LOCKED');
    return (e as Error).message;
  }
  assert.unreachable('the lock was taken');
  return '';
}

const startOf = (pid: number) => parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8'))!.start;

/** A process that runs until killed, and has nothing to do with locks. */
function bystander(): ChildProcess {
  const p = spawn('sleep', ['600'], { stdio: 'ignore' });
  started.add(p);
  return p;
}

/** The pid of a process that has exited (and been reaped). */
const deadPid = () => spawnSync(process.execPath, ['-e', '']).pid!;

interface Child {
  process: ChildProcess;
  /** Its n-th line of output (from 0): `locked <pid>`, `refused: …` or `ready`. */
  line: (n?: number) => Promise<string>;
}

const started = new Set<ChildProcess>();

function lockChild(dir: string, beat = 0, options: { go?: string; pidNamespace?: boolean } = {}): Child {
  const args = [process.execPath, '--import', 'tsx', childScript, dir, String(beat), ...(options.go ? [options.go] : [])];
  // --kill-child: PID 1 dies with unshare, so a failed test leaves no process behind.
  const command = options.pidNamespace ? ['unshare', '--pid', '--fork', '--kill-child', '--mount-proc', ...args] : args;
  const p = spawn(command[0], command.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
  started.add(p);
  let out = '';
  let stderr = '';
  let ended = false;
  const waiting = new Set<() => void>();
  const wake = () => waiting.forEach((f) => f());
  p.stdout!.on('data', (d) => ((out += d), wake()));
  p.stderr!.on('data', (d) => (stderr += d));
  p.on('error', (e) => (stderr += e.message)); // unshare missing: reported by line()
  p.on('close', () => ((ended = true), wake()));
  const line = (n = 0) =>
    new Promise<string>((resolve, reject) => {
      const look = () => {
        const lines = out.split('\n').slice(0, -1);
        if (lines.length > n) resolve(lines[n]);
        else if (ended) reject(new Error(`lock child ended before line ${n}: ${out}${stderr}`));
        else return;
        waiting.delete(look);
      };
      waiting.add(look);
      look();
    });
  return { process: p, line };
}

const exited = (p: ChildProcess) => new Promise<void>((resolve) => (p.exitCode !== null || p.signalCode !== null ? resolve() : p.once('exit', () => resolve())));

async function kill(p: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  p.kill(signal);
  await exited(p);
}

/** The host pid of the process `unshare --fork` started: PID 1 of its namespace. */
function pidOne(unshare: ChildProcess): number {
  const children = readFileSync(`/proc/${unshare.pid}/task/${unshare.pid}/children`, 'utf8').trim();
  assert.match(children, /^\d+$/, 'unshare runs one child');
  return Number(children);
}

// Whatever a test's outcome, the processes it started end with it.
test.after.each(async () => {
  await Promise.all([...started].map((p) => kill(p)));
  started.clear();
});

test('parseStat reads the start time after the last ")": a command name may hold spaces and parentheses', () => {
  const rest = 'S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 4242 19 20';
  assert.equal(parseStat(`77 (we ird) (name)) ${rest}`), { state: 'S', start: 4242 });
  assert.equal(parseStat(`77 (plain) ${rest}`), { state: 'S', start: 4242 });
  assert.is(parseStat('77 no parenthesis'), undefined);
  assert.is(startOf(process.pid), me.start, "this process's start time, as recorded");
});

test('a dir is locked once per process, also through another path to it; a released lock is taken again', () => {
  const dir = fresh();
  const release = lockDataDir(dir);
  assert.match(refusal(() => lockDataDir(dir)), new RegExp(`^data dir ${dir} is already open in this process$`));
  const link = join(fresh(), 'link');
  symlinkSync(dir, link);
  assert.match(refusal(() => lockDataDir(link)), /is already open in this process/);
  assert.equal(lockOf(dir), { ...me, beat: HEARTBEAT_MS });
  release();
  assert.not.ok(existsSync(join(dir, 'LOCK')), 'releasing deletes LOCK');
  release(); // twice is harmless
  const again = lockDataDir(link);
  assert.ok(existsSync(join(dir, 'LOCK')));
  again();
});

test('a LOCK naming this very process that it does not hold in memory (a bind mount of the dir) is refused too', () => {
  const dir = fresh();
  writeLock(dir, { ...me, beat: HEARTBEAT_MS });
  assert.match(refusal(() => lockDataDir(dir)), /is already open in this process/);
});

test('a LOCK whose pid no longer runs is taken over', () => {
  const dir = fresh();
  writeLock(dir, { ...me, pid: deadPid(), beat: HEARTBEAT_MS });
  const release = lockDataDir(dir);
  assert.is(lockOf(dir).pid, process.pid);
  release();
});

test('PID reuse: a LOCK naming a running pid with another start time is taken over; with its start time it is refused', async () => {
  const other = bystander();
  const dir = fresh();
  writeLock(dir, { ...me, pid: other.pid, start: startOf(other.pid!) - 1, beat: HEARTBEAT_MS });
  lockDataDir(dir)();
  writeLock(dir, { ...me, pid: other.pid, start: startOf(other.pid!), beat: HEARTBEAT_MS });
  assert.is(refusal(() => lockDataDir(dir)), `data dir ${dir} is in use by process ${other.pid} (another jac-serve?); stop it or use another --data dir`);
  // PID 1 of our own namespace runs, but is not the process that wrote this.
  writeLock(dir, { ...me, pid: 1, start: startOf(1) + 1, beat: HEARTBEAT_MS });
  lockDataDir(dir)();
});

test('a lock held by another running process is refused, naming it; once it is killed, the lock is taken over', async () => {
  const dir = fresh();
  const holder = lockChild(dir);
  assert.is(await holder.line(), `locked ${holder.process.pid}`);
  assert.equal(lockOf(dir).pid, holder.process.pid);
  assert.match(refusal(() => lockDataDir(dir)), new RegExp(`^data dir ${dir} is in use by process ${holder.process.pid} \\(another jac-serve\\?\\); stop it or use another --data dir$`));
  await kill(holder.process);
  const release = lockDataDir(dir);
  assert.is(lockOf(dir).pid, process.pid);
  release();
});

test('a LOCK holding only a pid (earlier versions): refused while that pid runs, taken over when it does not or when it is ours', async () => {
  const other = bystander();
  const dir = fresh();
  writeLock(dir, String(other.pid));
  assert.match(refusal(() => lockDataDir(dir)), new RegExp(`is in use by process ${other.pid} `));
  writeLock(dir, String(deadPid()));
  lockDataDir(dir)();
  writeLock(dir, String(process.pid)); // a PID 1 restarted in a container reads "1"
  lockDataDir(dir)();
});

test('another PID namespace or host: refused while the heartbeat is fresh, taken over once 3 beats are missed', () => {
  const dir = fresh();
  const container = { ...me, pid: 7, start: 1, pidns: 'pid:[1]', beat: HEARTBEAT_MS };
  writeLock(dir, container, HEARTBEAT_MS);
  const message = refusal(() => lockDataDir(dir));
  assert.match(message, new RegExp(`^data dir ${dir} is in use by process 7 \\(another jac-serve\\?\\); stop it or use another --data dir\\. That process runs in another PID namespace`));
  assert.match(message, /refreshed 10 s ago and is taken over once not refreshed for 30 s$/);
  writeLock(dir, container, 3 * HEARTBEAT_MS + 1000);
  lockDataDir(dir)();
  writeLock(dir, { ...container, beat: 100 }, 1000); // its owner beats every 100 ms
  lockDataDir(dir)();

  const otherHost = { ...container, pidns: me.pidns, boot: 'another-boot', host: 'elsewhere' };
  writeLock(dir, otherHost);
  assert.match(refusal(() => lockDataDir(dir)), /is in use by process 7 .* runs on host elsewhere/);
  writeLock(dir, otherHost, 3 * HEARTBEAT_MS + 1000);
  lockDataDir(dir)();
  writeLock(dir, { ...otherHost, host: me.host }); // this host, before a reboot
  lockDataDir(dir)();
});

test('an unreadable LOCK (being written, or damaged) is refused while recent and taken over when old', () => {
  const dir = fresh();
  writeLock(dir, '');
  assert.match(refusal(() => lockDataDir(dir)), /is in use by another process .*Its LOCK file cannot be read/);
  writeLock(dir, '{"pid": "x"', 3 * HEARTBEAT_MS + 1000);
  lockDataDir(dir)();
});

test('the owner refreshes its LOCK every beat; releasing deletes only a LOCK that is still its own', async () => {
  const dir = fresh();
  const release = lockDataDir(dir, { heartbeatMs: 20 });
  const file = join(dir, 'LOCK');
  const long = new Date('2001-01-01T00:00:00Z');
  utimesSync(file, long, long);
  for (let i = 0; i < 500 && statSync(file).mtimeMs === long.getTime(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(statSync(file).mtimeMs > long.getTime(), 'refreshed');
  writeLock(dir, { ...me, pid: deadPid() }); // taken over meanwhile by another process
  release();
  assert.ok(existsSync(file), 'a LOCK that is not its own is left');
});

test('two processes that both find a stale lock cannot both take it over: of eight at once, one wins', async () => {
  const dir = fresh();
  writeLock(dir, { ...me, pid: deadPid(), beat: HEARTBEAT_MS });
  const go = join(fresh(), 'go');
  const children = Array.from({ length: 8 }, () => lockChild(dir, 0, { go }));
  for (const c of children) assert.is(await c.line(), 'ready');
  writeFileSync(go, '');
  const results = await Promise.all(children.map((c) => c.line(1)));
  const winners = results.filter((r) => r.startsWith('locked'));
  assert.is(winners.length, 1, results.join('\n'));
  for (const r of results.filter((x) => !x.startsWith('locked'))) assert.match(r, /^refused: data dir .* is in use by /);
  assert.is(`locked ${lockOf(dir).pid}`, winners[0]);
  assert.equal(readdirSync(dir).sort(), ['LOCK'], 'no take-over files are left');
});

test('PID 1 of a container: while it runs, it is refused from here and from another PID 1; killed with SIGKILL, the next PID 1 takes the lock once its heartbeat stops', async () => {
  const dir = fresh();
  const first = lockChild(dir, 0, { pidNamespace: true });
  try {
    assert.is(await first.line(), 'locked 1');
  } catch (e) {
    throw new Error(`unshare --pid --fork --mount-proc must work here (it needs root): ${(e as Error).message}`);
  }
  const record = lockOf(dir);
  assert.is(record.pid, 1);
  assert.is.not(record.pidns, me.pidns);
  assert.match(refusal(() => lockDataDir(dir)), /is in use by process 1 .* runs in another PID namespace/);
  const second = lockChild(dir, 0, { pidNamespace: true });
  assert.match(await second.line(), /^refused: data dir .* is in use by process 1 .* runs in another PID namespace/);
  await exited(second.process);

  process.kill(pidOne(first.process), 'SIGKILL');
  await exited(first.process);
  assert.match(refusal(() => lockDataDir(dir)), /is in use by process 1 /, 'its last heartbeat is recent');
  const file = join(dir, 'LOCK');
  const lapsed = new Date(statSync(file).mtimeMs - 3 * HEARTBEAT_MS - 1000); // as 31 s later
  utimesSync(file, lapsed, lapsed);
  const next = lockChild(dir, 0, { pidNamespace: true });
  assert.is(await next.line(), 'locked 1');
  assert.is(lockOf(dir).pid, 1);
  assert.is.not(lockOf(dir).start, record.start, 'written by the new PID 1');
});

test('PID 1 killed with SIGKILL and started again in a fresh namespace gets the lock as soon as its short heartbeat lapses', async () => {
  const dir = fresh();
  const first = lockChild(dir, 100, { pidNamespace: true });
  assert.is(await first.line(), 'locked 1');
  const before = lockOf(dir);
  process.kill(pidOne(first.process), 'SIGKILL');
  await exited(first.process);
  let taken: Child | undefined;
  for (let attempt = 0; attempt < 20 && !taken; attempt++) {
    const c = lockChild(dir, 100, { pidNamespace: true });
    const line = await c.line();
    if (line === 'locked 1') taken = c;
    else {
      assert.match(line, /^refused: .* is in use by process 1 .* refreshed/);
      await exited(c.process);
    }
  }
  assert.ok(taken, 'the lock was taken over');
  // The new namespace may get the dead one's number back: then the start time tells the two
  // PID 1s apart, and the lock is taken over at once.
  assert.is.not(lockOf(dir).start, before.start, 'written by the new PID 1');
});

test.run();
