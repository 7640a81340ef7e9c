// Isolation on one machine (scale.md §1), through the real CLI as an operator runs it: a run
// that spins or allocates without end is stopped from outside while other users are answered,
// its changes are discarded; a full disk answers 5xx and loses no acknowledged state; a flood of
// idle connections is refused at accept time; failed logins are limited per account and client.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mountSmallDisk } from '../helpers/small-disk.ts';

const bin = fileURLToPath(new URL('../../bin/jac-serve.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'jac-serve-isolation-'));
const appDir = join(dir, 'app');

const COUNTER = `
        cs = [-->](\`?Counter);
        if not cs { c = Counter(); root ++> c; } else { c = cs[0]; }
        c.n += 1;`;

const PROGRAM = `
node Counter { has n: int = 0; has note: str = ""; }
walker bump {
    can go with \`root entry {${COUNTER}
        report c.n;
    }
}
walker bump_noted {
    can go with \`root entry {${COUNTER}
        c.note = "x" * 16384;
        report c.n;
    }
}
walker count {
    obj __specs__ { static has methods: list = ["get"]; }
    can go with \`root entry { report [c.n for c in [-->](\`?Counter)]; }
}
walker bump_then_spin {
    can go with \`root entry {${COUNTER}
        while True { x = [0] * 100000; }
    }
}
walker bump_then_pow {
    can go with \`root entry {${COUNTER}
        x = 10 ** 300000000;
        report 1;
    }
}
walker bump_then_hog {
    can go with \`root entry {${COUNTER}
        x = list(range(160000000));
        report len(x);
    }
}
walker bump_then_hog_many {
    can go with \`root entry {${COUNTER}
        x = [];
        while True { x.append([0] * 10000); }
    }
}
`;

interface Server {
  process: ChildProcess;
  url: string;
  output: () => string;
}

/** Starts `jac-serve serve` on a free port and waits for its "listening on" line and /healthz. */
async function start(args: string[], dataDir = mkdtempSync(join(dir, 'data-'))): Promise<Server> {
  const child = spawn(process.execPath, [bin, 'serve', appDir, '--port', '0', '--data', dataDir, '--log-level', 'info', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
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
    child.on('exit', () => reject(new Error(`exited: ${out}`)));
  });
  assert.is((await call(url, 'GET', '/healthz')).status, 200);
  return { process: child, url, output: () => out };
}

/** Stops a server started here (SIGTERM, then SIGKILL if it does not end within 5 s). */
async function stop(server: Server | undefined): Promise<void> {
  if (!server || server.process.exitCode !== null || server.process.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => server.process.once('exit', () => resolve()));
  server.process.kill('SIGTERM');
  const timer = setTimeout(() => server.process.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

const alive = (server: Server) => server.process.exitCode === null && server.process.signalCode === null;

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
  /** Milliseconds from sending to the whole answer. */
  ms: number;
  /** Whether it went over a connection that an earlier request opened. */
  reused: boolean;
}

/**
 * One HTTP request with node:http (no fetch: its pool would keep connections open that the
 * connection cap counts). Without an agent, the connection is closed after the answer.
 */
function call(base: string, method: string, path: string, opts: { token?: string; body?: unknown; agent?: http.Agent } = {}): Promise<Reply> {
  const began = performance.now();
  const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${base}${path}`,
      {
        method,
        agent: opts.agent ?? false,
        headers: {
          ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
          ...(payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (text += d));
        res.on('end', () => {
          let body: unknown = text;
          try {
            body = JSON.parse(text);
          } catch {
            // not JSON: kept as text, and the assertions say so
          }
          resolve({ status: res.statusCode!, headers: res.headers, body, ms: performance.now() - began, reused: req.reusedSocket });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** Registers an account and logs it in; resolves with its token. */
async function account(base: string, email: string, agent?: http.Agent): Promise<string> {
  const credentials = { email, password: 'right-password' };
  const registered = await call(base, 'POST', '/user/register', { body: credentials, agent });
  assert.is(registered.status, 201, JSON.stringify(registered.body));
  const login = await call(base, 'POST', '/user/login', { body: credentials, agent });
  assert.is(login.status, 200, JSON.stringify(login.body));
  return login.body.token as string;
}

const counts = async (base: string, token: string, agent?: http.Agent): Promise<number[]> => {
  const r = await call(base, 'GET', '/walker/count', { token, agent });
  assert.is(r.status, 200, JSON.stringify(r.body));
  return r.body.reports[0];
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type LogLine = Record<string, any>;

/** The server's pino JSON lines. */
function logLines(server: Server): LogLine[] {
  return server
    .output()
    .split('\n')
    .flatMap((line) => {
      if (!line.startsWith('{')) return [];
      try {
        return [JSON.parse(line) as LogLine];
      } catch {
        return [];
      }
    });
}

/** Waits (up to `ms`) for a log line that `match` accepts: output may trail the HTTP answer. */
async function logLine(server: Server, match: (l: LogLine) => boolean, ms = 3_000): Promise<LogLine | undefined> {
  const until = Date.now() + ms;
  for (;;) {
    const found = logLines(server).find(match);
    if (found || Date.now() > until) return found;
    await sleep(50);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A 500 answer as http-api.md §2 has it: no details, an error id that the log line carries. */
async function assertStoppedRun(server: Server, r: Reply, logPattern: RegExp): Promise<void> {
  assert.is(r.status, 500, JSON.stringify(r.body));
  assert.is(r.body.detail, 'Internal Server Error');
  assert.type(r.body.error_id, 'string');
  const line = await logLine(server, (l) => l.error_id === r.body.error_id);
  assert.ok(line, `a log line carries error_id ${r.body.error_id}`);
  assert.match(JSON.stringify(line), logPattern);
}

test.before(() => {
  mkdirSync(appDir, { recursive: true });
  writeFileSync(join(appDir, 'isolation.jac'), PROGRAM);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));

interface Probe {
  healthz: Reply;
  read: Reply;
  /** Answered before the spinning run was. */
  during: boolean;
}

/**
 * Sends `walker` for `spinner` and, once it has had time to start, probes /healthz and a read of
 * `prober`'s root (the two at once, round after round) until the spinning run is answered.
 */
async function spinWhileProbing(base: string, walker: string, spinner: string, prober: string): Promise<{ r: Reply; probes: Probe[]; shown: string }> {
  let answered = false;
  const spinning = call(base, 'POST', `/walker/${walker}`, { token: spinner }).then((r) => {
    answered = true;
    return r;
  });
  await sleep(250);
  const probes: Probe[] = [];
  while (!answered) {
    const [healthz, read] = await Promise.all([call(base, 'GET', '/healthz'), call(base, 'GET', '/walker/count', { token: prober })]);
    probes.push({ healthz, read, during: !answered });
    await sleep(50);
  }
  const r = await spinning;
  const rounds = probes.map((p) => `healthz ${p.healthz.ms.toFixed(0)} ms + read ${p.read.ms.toFixed(0)} ms${p.during ? '' : ' (answered after the run)'}`);
  const shown = `${walker} answered ${r.status} after ${r.ms.toFixed(0)} ms; probes meanwhile: ${rounds.join('; ')}`;
  return { r, probes, shown };
}

/** Other users were answered throughout, promptly, and before the spinning run ended. */
function assertAnsweredThroughout(probes: Probe[], shown: string, readWithin: number, expectedRead: unknown): void {
  assert.ok(probes.filter((p) => p.during).length >= 2, `at least two probe rounds were answered while the run spun: ${shown}`);
  for (const p of probes) {
    assert.is(p.healthz.status, 200, shown);
    assert.equal(p.read.body, expectedRead, shown);
    assert.ok(p.healthz.ms < 1_000, `/healthz within 1 s: ${shown}`);
    assert.ok(p.read.ms < readWithin, `another root's read within ${readWithin} ms: ${shown}`);
  }
  const slowest = Math.max(...probes.flatMap((p) => [p.healthz.ms, p.read.ms]));
  console.log(`  ${shown.split(';')[0]}; ${probes.filter((p) => p.during).length} probe rounds meanwhile, slowest ${slowest.toFixed(0)} ms`);
}

test('a run past its time budget is stopped from outside, even inside one operation; other users are answered while it runs; its change is discarded', async () => {
  let server: Server | undefined;
  try {
    server = await start(['--max-seconds', '1', '--workers', '2']);
    const base = server.url;
    const alice = await account(base, 'alice@example.com');
    const bob = await account(base, 'bob@example.com');
    assert.equal((await call(base, 'POST', '/walker/bump', { token: alice })).body, { status: 200, reports: [1] });
    assert.equal((await call(base, 'POST', '/walker/bump', { token: bob })).body, { status: 200, reports: [1] });

    for (const walker of ['bump_then_spin', 'bump_then_pow']) {
      const { r, probes, shown } = await spinWhileProbing(base, walker, alice, bob);
      await assertStoppedRun(server, r, /time budget exhausted/);
      // Stopped near its 1 s budget (plus the pool's 0.5 s grace), not when the operation ended.
      assert.ok(r.ms >= 900 && r.ms < 10_000, shown);
      assertAnsweredThroughout(probes, shown, 1_000, { status: 200, reports: [[1]] });
      // The increment made before the spin is discarded.
      assert.equal(await counts(base, alice), [1], `${walker}: the stopped run's change is discarded`);
      // Let the stopped worker's replacement load (it takes well under a second here) before
      // the next stop: a second spin within that window is the next test.
      await sleep(3_000);
    }
    // The worker stopped inside `10 ** 300000000` was replaced and said why.
    assert.ok(await logLine(server, (l) => /run worker stopped \(a run passed its time budget of 1000 ms\)/.test(l.msg ?? '')), 'the pool logs the stopped worker');
    assert.equal((await call(base, 'POST', '/walker/bump', { token: alice })).body, { status: 200, reports: [2] });
    assert.ok(alive(server));
  } finally {
    await stop(server);
  }
});

test("a run that spins right after another was stopped (its worker's replacement still loading) does not hold up other users", async () => {
  let server: Server | undefined;
  try {
    server = await start(['--max-seconds', '2', '--workers', '2']);
    const base = server.url;
    const alice = await account(base, 'alice@example.com');
    const bob = await account(base, 'bob@example.com');
    assert.equal((await call(base, 'POST', '/walker/bump', { token: bob })).body, { status: 200, reports: [1] });
    const first = await call(base, 'POST', '/walker/bump_then_pow', { token: alice });
    await assertStoppedRun(server, first, /time budget exhausted/);
    // At once, the same again: one worker is busy with it, the other is still being replaced.
    const { r, probes, shown } = await spinWhileProbing(base, 'bump_then_pow', alice, bob);
    await assertStoppedRun(server, r, /time budget exhausted/);
    // A read may wait for the replacement to load (under a second here), not for the spin.
    assertAnsweredThroughout(probes, shown, 1_500, { status: 200, reports: [[1]] });
    assert.ok(alive(server));
  } finally {
    await stop(server);
  }
});

/**
 * Runs `walker` `times` times; after each, the server is up and other users are served.
 * `stoppedBy`: the worker's heap limit of `limitMb` (the worker is replaced and the run's changes
 * discarded), or the interpreter's MemoryError before an allocation V8 could not survive (a Jac
 * exception: what the run changed before it is committed, as for any exception).
 */
async function hogRepeatedly(server: Server, walker: string, times: number, stoppedBy: { limitMb: number } | 'MemoryError'): Promise<void> {
  const base = server.url;
  const alice = await account(base, 'alice@example.com');
  const bob = await account(base, 'bob@example.com');
  assert.equal((await call(base, 'POST', '/walker/bump', { token: alice })).body, { status: 200, reports: [1] });
  for (let i = 1; i <= times; i++) {
    const r = await call(base, 'POST', `/walker/${walker}`, { token: alice }).catch(async (e: Error) => {
      await sleep(500); // for the exit to be seen
      const fatal = server.output().split('\n').filter((l) => l.startsWith('FATAL'));
      throw new Error(`${walker} ${i}: ${e.message}; the server ${alive(server) ? 'is up' : `exited (${server.process.exitCode ?? server.process.signalCode})`} ${fatal.join(' | ')}`);
    });
    console.log(`  ${walker} ${i}: answered ${r.status} after ${r.ms.toFixed(0)} ms`);
    await assertStoppedRun(server, r, stoppedBy === 'MemoryError' ? /MemoryError/ : /memory budget exhausted/);
    await sleep(100);
    assert.ok(alive(server), 'the server process is still running');
    assert.is((await call(base, 'GET', '/healthz')).status, 200);
    assert.equal((await call(base, 'POST', '/walker/bump', { token: bob })).body, { status: 200, reports: [i] });
    if (stoppedBy === 'MemoryError') assert.equal(await counts(base, alice), [1 + i], 'a run ending in a Jac exception commits what it changed (scale.md §1)');
    else assert.equal(await counts(base, alice), [1], 'the stopped run changed nothing');
  }
  if (stoppedBy !== 'MemoryError') {
    assert.ok(await logLine(server, (l) => new RegExp(`run worker stopped \\(a run passed the worker's heap limit of ${stoppedBy.limitMb} MB\\)`).test(l.msg ?? '')), 'the pool logs the stopped worker');
  }
}

test("a run past the worker's heap limit (--max-memory-mb 64) ends that worker only: 500 with an error id, the server stays up", async () => {
  let server: Server | undefined;
  try {
    server = await start(['--max-memory-mb', '64', '--workers', '2']);
    await hogRepeatedly(server, 'bump_then_hog_many', 3, { limitMb: 64 });
  } finally {
    await stop(server);
  }
});

// One list growing far past the heap: V8 aborts the whole process on such a growth step rather
// than failing it (at the default limit and at 64 MB alike), so the interpreter refuses it first.
for (const args of [[], ['--max-memory-mb', '64']]) {
  test(`list(range(160000000)) ${args.length ? 'under a 64 MB heap limit' : 'under the default heap limit'} is a MemoryError (500) and the server stays up`, async () => {
    let server: Server | undefined;
    try {
      server = await start(['--workers', '2', ...args]);
      await hogRepeatedly(server, 'bump_then_hog', 2, 'MemoryError');
    } finally {
      await stop(server);
    }
  });
}

test('a commit on a full disk answers 5xx and leaves the last acknowledged state; the server keeps serving', async () => {
  const disk = mountSmallDisk(1024);
  let server: Server | undefined;
  try {
    server = await start(['--workers', '2'], join(disk.path, 'data'));
    const base = server.url;
    const alice = await account(base, 'alice@example.com');
    assert.equal((await call(base, 'POST', '/walker/bump', { token: alice })).body, { status: 200, reports: [1] });
    assert.equal((await call(base, 'POST', '/walker/bump', { token: alice })).body, { status: 200, reports: [2] });

    disk.fill();
    // A commit appends to the root's journal: one larger than the free end of its last block.
    const failed = await call(base, 'POST', '/walker/bump_noted', { token: alice });
    console.log(`  full disk: the commit answered ${failed.status} ${JSON.stringify(failed.body)}`);
    assert.ok(failed.status >= 500 && failed.status < 600, `${failed.status} ${JSON.stringify(failed.body)}`);
    assert.type(failed.body, 'object', 'the answer is JSON');
    assert.ok(failed.body.detail, JSON.stringify(failed.body));
    if (failed.status === 500) assert.type(failed.body.error_id, 'string');
    assert.ok(alive(server));
    assert.is((await call(base, 'GET', '/healthz')).status, 200);
    assert.equal(await counts(base, alice), [2], 'with the disk still full, a read shows the last acknowledged value');

    disk.release('all');
    assert.equal(await counts(base, alice), [2], 'the failed change is not visible');
    assert.equal((await call(base, 'POST', '/walker/bump', { token: alice })).body, { status: 200, reports: [3] });
    assert.ok(alive(server), 'the server never crashed');
    await stop(server);
    assert.is(server.process.exitCode, 0, server.output());

    // What is on disk is exactly what was acknowledged.
    server = await start(['--workers', '1'], join(disk.path, 'data'));
    const again = (await call(server.url, 'POST', '/user/login', { body: { email: 'alice@example.com', password: 'right-password' } })).body.token;
    assert.equal(await counts(server.url, again), [3]);
  } finally {
    await stop(server);
    disk.unmount();
  }
});

test('a flood of idle connections is refused at accept time; a keep-alive connection opened before it still commits', async () => {
  let server: Server | undefined;
  const flood: net.Socket[] = [];
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    server = await start(['--max-connections', '20', '--workers', '2']);
    assert.match(server.output(), /up to 20 connections, listening on/);
    const base = server.url;
    const { hostname, port } = new URL(base);
    const alice = await account(base, 'alice@example.com', agent);
    const first = await call(base, 'POST', '/walker/bump', { token: alice, agent });
    assert.equal(first.body, { status: 200, reports: [1] });

    let closed = 0;
    let connected = 0;
    const began = performance.now();
    for (let i = 0; i < 60; i++) {
      const s = net.connect(Number(port), hostname);
      s.on('connect', () => connected++);
      s.on('error', () => {});
      s.on('close', () => closed++);
      flood.push(s);
    }
    // At most 19 more are kept (the keep-alive connection is the 20th); the rest are closed.
    const until = performance.now() + 5_000;
    while (closed < 41 && performance.now() < until) await sleep(20);
    const refusedIn = performance.now() - began;
    await sleep(300);
    console.log(`  flood: ${connected} of 60 connected at TCP level, ${closed} closed by the server within ${refusedIn.toFixed(0)} ms`);
    assert.ok(closed >= 41, `${closed} of 60 idle connections closed`);
    assert.ok(60 - closed >= 10, `the server keeps connections up to its cap: ${60 - closed} still open`);
    assert.ok(refusedIn < 3_000, `refused promptly: ${refusedIn.toFixed(0)} ms`);

    // The connection opened before the flood commits.
    const during = await call(base, 'POST', '/walker/bump', { token: alice, agent });
    assert.ok(during.reused, 'it went over the connection opened before the flood');
    assert.equal(during.body, { status: 200, reports: [2] });
    // A new connection is over the cap: dropped promptly, not left hanging.
    const t = performance.now();
    const fresh = await call(base, 'GET', '/healthz').then(
      (r) => `answered ${r.status}`,
      (e: NodeJS.ErrnoException) => e.code ?? e.message,
    );
    assert.ok(performance.now() - t < 3_000);
    assert.ok(!fresh.startsWith('answered'), `a connection over the cap was served: ${fresh}`);
    assert.ok(alive(server));

    for (const s of flood) s.destroy();
    const deadline = Date.now() + 5_000;
    let after: Reply | undefined;
    while (!after && Date.now() < deadline) {
      after = await call(base, 'POST', '/walker/bump', { token: alice }).catch(() => undefined);
      if (!after) await sleep(50);
    }
    assert.ok(after, 'new connections are served once the idle ones are gone');
    assert.equal(after!.body, { status: 200, reports: [3] });
    assert.equal(await counts(base, alice), [3]);
    assert.not.ok(
      logLines(server).some((l) => l.level >= 50),
      `no error was logged: ${JSON.stringify(logLines(server).filter((l) => l.level >= 50))}`,
    );
  } finally {
    for (const s of flood) s.destroy();
    agent.destroy();
    await stop(server);
  }
});

test('failed logins are limited per account (5) and per client (10): 429 with Retry-After, checked before the password', async () => {
  let server: Server | undefined;
  try {
    server = await start(['--workers', '1']);
    const base = server.url;
    for (const email of ['a@example.com', 'b@example.com', 'c@example.com']) {
      assert.is((await call(base, 'POST', '/user/register', { body: { email, password: 'right-password' } })).status, 201);
    }
    const login = (email: string, password: string) => call(base, 'POST', '/user/login', { body: { email, password } });

    // Account a: five failures, then 429, the right password included (checked before hashing).
    for (let i = 0; i < 5; i++) {
      const r = await login('a@example.com', `wrong-${i}`);
      assert.is(r.status, 400, `failure ${i + 1}: ${JSON.stringify(r.body)}`);
      assert.equal(r.body, { message: 'Invalid Email/Password!' });
    }
    const limited = await login('a@example.com', 'wrong-5');
    assert.is(limited.status, 429, JSON.stringify(limited.body));
    assert.ok(limited.body.detail, JSON.stringify(limited.body));
    const retryAfter = Number(limited.headers['retry-after']);
    assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 15 * 60, `Retry-After: ${limited.headers['retry-after']}`);
    const right = await login('a@example.com', 'right-password');
    assert.is(right.status, 429, 'a limited account is refused before its password is checked');
    assert.ok(right.headers['retry-after']);

    // Another account from the same client (5 failures so far, of 10) still logs in.
    assert.is((await login('b@example.com', 'right-password')).status, 200);
    // Failures on other accounts count against the client: 4 on b, 1 on c make 10.
    for (let i = 0; i < 4; i++) assert.is((await login('b@example.com', `wrong-${i}`)).status, 400);
    assert.is((await login('b@example.com', 'right-password')).status, 200, 'b has 4 failures, under its own limit');
    assert.is((await login('c@example.com', 'wrong')).status, 400);
    // The client is over its limit: every account is refused, the ones with no failures included.
    const overClient = await login('c@example.com', 'right-password');
    assert.is(overClient.status, 429, JSON.stringify(overClient.body));
    const clientRetry = Number(overClient.headers['retry-after']);
    assert.ok(Number.isInteger(clientRetry) && clientRetry >= 1 && clientRetry <= 60, `Retry-After: ${overClient.headers['retry-after']}`);
    assert.is((await login('b@example.com', 'right-password')).status, 429);
    // Logins are limited, nothing else is.
    assert.is((await call(base, 'GET', '/healthz')).status, 200);
    assert.is((await call(base, 'POST', '/user/register', { body: { email: 'd@example.com', password: 'right-password' } })).status, 201);
    assert.ok(alive(server));
  } finally {
    await stop(server);
  }
});

test.run();
