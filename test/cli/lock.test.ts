// The data-dir lock through the real CLI: a server killed with SIGKILL is restarted on its data
// dir, also when it runs as PID 1 of a container (a fresh PID namespace, with `unshare`, which
// needs root: without it these tests fail), and a live server is never joined by another.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { HEARTBEAT_MS } from '../../runtime/store/lock.ts';

const bin = fileURLToPath(new URL('../../bin/jac-serve.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'jac-serve-lock-'));
const appDir = join(dir, 'app');
// --kill-child: PID 1 dies with unshare, so a failed test leaves no server behind.
const container = ['unshare', '--pid', '--fork', '--kill-child', '--mount-proc'];
const account = { email: 'ops@example.com', password: 'secret' };

interface Server {
  process: ChildProcess;
  url: string;
}

const running = new Set<ChildProcess>();

function serve(data: string, prefix: string[] = []): string[] {
  return [...prefix, process.execPath, bin, appDir, '--port', '0', '--data', data, '--log-level', 'warn'];
}

/** Starts the CLI (in a fresh PID namespace when `prefix` is `container`) and waits until it listens. */
async function start(data: string, prefix: string[] = []): Promise<Server> {
  const [command, ...args] = serve(data, prefix);
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL in: ${out}`)), 20_000);
    const look = () => {
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout!.on('data', look);
    child.on('error', (e) => reject(e));
    child.on('exit', () => reject(new Error(`exited: ${out}`)));
  });
  assert.is((await fetch(`${url}/healthz`)).status, 200);
  return { process: child, url };
}

/** Runs the CLI to its end, expecting it to be refused. */
function refused(data: string, prefix: string[] = []): string {
  const [command, ...args] = serve(data, prefix);
  const r = spawnSync(command, args, { encoding: 'utf8', timeout: 20_000 });
  assert.is(r.status, 1, r.stdout + r.stderr);
  return r.stderr;
}

const exited = (p: ChildProcess) => new Promise<void>((resolve) => (p.exitCode !== null || p.signalCode !== null ? resolve() : p.once('exit', () => resolve())));

/** The host pid of the server that `unshare --fork` started: PID 1 of its namespace. */
function pidOne(unshare: ChildProcess): number {
  const children = readFileSync(`/proc/${unshare.pid}/task/${unshare.pid}/children`, 'utf8').trim();
  assert.match(children, /^\d+$/, 'unshare runs one child');
  return Number(children);
}

const lockOf = (data: string) => JSON.parse(readFileSync(join(data, 'LOCK'), 'utf8')) as { pid: number; start: number; pidns: string };

async function register(url: string): Promise<void> {
  const r = await fetch(`${url}/user/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(account) });
  assert.is(r.status, 201, await r.text());
}

async function loginStatus(url: string): Promise<number> {
  return (await fetch(`${url}/user/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(account) })).status;
}

test.before(() => {
  mkdirSync(appDir);
  writeFileSync(join(appDir, 'hello.jac'), 'walker hello {\n    obj __specs__ { static has auth: bool = False; }\n    can go with `root entry { report "hi"; }\n}\n');
});

test.after.each(async () => {
  await Promise.all([...running].map((p) => (p.kill('SIGKILL'), exited(p))));
  running.clear();
});

test('a server killed with SIGKILL restarts on its data dir at once', async () => {
  const data = join(dir, 'data-host');
  const first = await start(data);
  await register(first.url);
  assert.match(refused(data), /data dir .* is in use by process \d+ \(another jac-serve\?\); stop it or use another --data dir/);
  first.process.kill('SIGKILL');
  await exited(first.process);
  const again = await start(data);
  assert.is(await loginStatus(again.url), 200, 'the same data');
});

test('PID 1 of a container: refused to others while it runs; killed with SIGKILL, the next PID 1 takes the dir once its heartbeat has stopped', async () => {
  const data = join(dir, 'data-pid1');
  let first: Server;
  try {
    first = await start(data, container);
  } catch (e) {
    throw new Error(`unshare --pid --fork --mount-proc must work here (it needs root): ${(e as Error).message}`);
  }
  const held = lockOf(data);
  assert.is(held.pid, 1);
  assert.is.not(held.pidns, readlinkSync('/proc/self/ns/pid'), 'written in its own PID namespace');
  await register(first.url);

  const inUse = /data dir .* is in use by process 1 \(another jac-serve\?\); stop it or use another --data dir\. That process runs in another PID namespace/;
  assert.match(refused(data), inUse, 'from the host');
  assert.match(refused(data, container), inUse, 'from another container, itself PID 1');

  process.kill(pidOne(first.process), 'SIGKILL');
  await exited(first.process);
  assert.ok(existsSync(join(data, 'LOCK')), 'a killed server leaves its LOCK');
  // Its heartbeat is recent: from another namespace, it could still be running.
  assert.match(refused(data), /is in use by process 1 .* taken over once not refreshed for 30 s/);
  // As the clock will read once the heartbeat has been missed for 3 beats.
  const file = join(data, 'LOCK');
  const lapsed = new Date(statSync(file).mtimeMs - 3 * HEARTBEAT_MS - 1000);
  utimesSync(file, lapsed, lapsed);
  const next = await start(data, container);
  assert.is(lockOf(data).pid, 1);
  assert.is.not(lockOf(data).start, held.start, 'written by the new PID 1');
  assert.is(await loginStatus(next.url), 200, 'the same data');

  process.kill(pidOne(next.process), 'SIGTERM');
  await exited(next.process);
  assert.is(next.process.exitCode, 0);
  assert.not.ok(existsSync(file), 'a stopped server releases the dir');
});

test.run();
