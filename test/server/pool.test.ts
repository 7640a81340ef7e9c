// The worker pool's promises (scale.md §1), through the HTTP app where a client can see them and
// on a WorkerPool directly where only the pool can: a run past its budget is stopped from
// outside, even inside one operation, and its worker replaced; a run past the heap limit ends
// its worker only; other roots are answered meanwhile; the changes of a stopped run and of a
// failed commit are gone, in memory and on disk; runs on one root never interleave; a worker
// with a stale copy of a root reads it again; reload swaps programs; close answers what it holds.
//
// A worker takes about 1.5 s to load from the TypeScript sources, so the suites share their app
// or pool and each test uses roots of its own.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Answer } from '../../server/workers/messages.ts';
import { PoolLoadError, WorkerPool } from '../../server/workers/pool.ts';
import { storedRoot } from '../helpers/stored.ts';
import { mountSmallDisk } from '../helpers/small-disk.ts';
import { type Harness, harness } from './harness.ts';

const PROGRAM = `
node Counter { has n: int = 0; }
node Mark { has label: str = ""; }

walker read_state {
    can go with \`root entry {
        cs = [-->](\`?Counter);
        report [cs[0].n if cs else 0, len([-->](\`?Mark))];
    }
}

walker bump {
    can go with \`root entry {
        cs = [-->](\`?Counter);
        if not cs { c = Counter(); root ++> c; } else { c = cs[0]; }
        seen = c.n;
        i = 0;
        while i < 3000 { i += 1; }
        c.n = seen + 1;
        report c.n;
    }
}

walker bump_noted {
    can go with \`root entry {
        c = [-->](\`?Counter)[0];
        c.n += 1;
        root ++> Mark(label="x" * 16384);
        report c.n;
    }
}

walker bump_then_spin {
    can go with \`root entry {
        cs = [-->](\`?Counter);
        if not cs { c = Counter(); root ++> c; } else { c = cs[0]; }
        c.n += 1;
        root ++> Mark(label="uncommitted");
        x = 10 ** 300000000;
        report "unreachable";
    }
}

walker spin_in_one_op {
    can go with \`root entry { x = 10 ** 300000000; report "unreachable"; }
}

walker spin_loop {
    can go with \`root entry { while True { x = [0] * 100000; } }
}

walker hog {
    can go with \`root entry { x = list(range(160000000)); report len(x); }
}

walker hog_growing {
    can go with \`root entry { x = [i for i in range(160000000)]; report len(x); }
}

walker hog_many {
    can go with \`root entry { x = []; while True { x.append([0] * 10000); } }
}

walker hello {
    can go with \`root entry { report "hello v1"; }
}
`;

// ---- helpers ----

/**
 * `body` under a ref'd timer that fails it after `ms`. The timer also keeps the event loop
 * alive: inject() holds no handle, and the pool unrefs its idle workers.
 */
function guarded(body: () => Promise<void>, ms = 60_000): () => Promise<void> {
  return async () => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`not done within ${ms} ms`)), ms);
    });
    try {
      await Promise.race([body(), timeout]);
    } finally {
      clearTimeout(timer);
    }
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The pool's workers as the pool sees them (no public API tells a loading worker from a ready one). */
const slotsOf = (pool: WorkerPool) => (pool as unknown as { slots: { ready: boolean }[] }).slots;

/**
 * Waits until every worker has loaded: a replacement still loading gets no job while another
 * worker is ready, so tests that need two workers wait for it.
 */
async function allReady(pool: WorkerPool): Promise<void> {
  for (let waited = 0; slotsOf(pool).some((s) => !s.ready) && waited < 20_000; waited += 25) await sleep(25);
  assert.ok(slotsOf(pool).every((s) => s.ready), 'every worker loaded');
}

type Caller = { authorization: string; root: string };
const walk = (h: Harness, who: Caller, walker: string) => h.app.inject({ method: 'POST', url: `/walker/${walker}`, headers: { authorization: who.authorization } });
async function readState(h: Harness, who: Caller): Promise<[number, number]> {
  const r = await walk(h, who, 'read_state');
  assert.is(r.statusCode, 200, r.body);
  return r.json().reports[0];
}
/** The log line that carries a 500's error id. */
const logLineOf = (h: Harness, body: { error_id?: string }): string => (body.error_id ? (h.log.find((l) => l.includes(body.error_id!)) ?? '') : '');
/** A root's file in a data dir. */

// ---- budgets, through HTTP: one app with two workers ----

const budgets = suite('time budgets');
let h: Harness | null = null;

budgets.before(guarded(async () => {
  h = await harness(PROGRAM, { workers: 2, maxMillis: 800, logLevel: 'info' });
}));
budgets.after(guarded(async () => {
  await h?.close();
}));

budgets('a run spinning inside one operation is stopped from outside (500, time budget); another root is answered first; the worker is replaced', guarded(async () => {
  const app = h!;
  const alice = await app.login('alice@example.com');
  const bob = await app.login('bob@example.com');
  assert.equal((await walk(app, alice, 'bump')).json().reports, [1]);
  await allReady(app.runs);
  const startedBefore = app.runs.started;
  assert.is(app.runs.workers, 2);

  const order: string[] = [];
  const spinning = walk(app, alice, 'spin_in_one_op').then((r) => (order.push('spinner'), r));
  await sleep(100); // it is inside its one long operation now
  const other = await walk(app, bob, 'bump').then((r) => (order.push('other'), r));
  assert.is(other.statusCode, 200, other.body);
  assert.equal(other.json().reports, [1]);
  assert.is((await app.app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);

  const stopped = await spinning;
  assert.equal(order, ['other', 'spinner'], "the other root's run is answered while the spinner still runs");
  assert.is(stopped.statusCode, 500);
  const body = stopped.json();
  assert.equal(Object.keys(body), ['detail', 'error_id']);
  assert.not.match(stopped.body, /budget|Walker/, 'the client sees no detail');
  const line = logLineOf(app, body);
  assert.match(line, /time budget exhausted/, 'the 500 is logged with its error id and why');
  assert.match(line, /WalkerBudgetExhausted/);
  assert.ok(app.log.some((l) => l.includes('run worker stopped (a run passed its time budget of 800 ms)')), 'the pool logs the worker it stopped');

  assert.is(app.runs.workers, 2, 'the stopped worker is replaced, not added to');
  assert.is(app.runs.started, startedBefore + 1, 'one new worker was started');
  assert.equal(await readState(app, alice), [1, 0], 'the stopped root is served again');
  assert.equal((await walk(app, alice, 'bump')).json().reports, [2]);
  assert.equal((await walk(app, bob, 'bump')).json().reports, [2]);
}));

budgets('a run spinning in a loop of big allocations is stopped too; another root is answered meanwhile', guarded(async () => {
  const app = h!;
  const carol = await app.login('carol@example.com');
  const dave = await app.login('dave@example.com');
  await allReady(app.runs);
  const startedBefore = app.runs.started;
  let answered = false;
  const spinning = walk(app, carol, 'spin_loop').then((r) => ((answered = true), r));
  const other = await walk(app, dave, 'bump');
  assert.is(other.statusCode, 200);
  assert.not.ok(answered, "dave's run did not wait for carol's");
  const stopped = await spinning;
  assert.is(stopped.statusCode, 500);
  assert.match(logLineOf(app, stopped.json()), /WalkerBudgetExhausted/);
  assert.match(logLineOf(app, stopped.json()), /budget exhausted/);
  assert.is(app.runs.workers, 2);
  assert.ok(app.runs.started <= startedBefore + 1, 'at most its own worker was replaced');
  assert.equal(await readState(app, carol), [0, 0]);
}));

budgets('runs on one root never interleave: 50 parallel read-modify-write increments on each of two roots are exact', guarded(async () => {
  const app = h!;
  const erin = await app.login('erin@example.com');
  const frank = await app.login('frank@example.com');
  await allReady(app.runs);
  const results = await Promise.all(Array.from({ length: 100 }, (_, i) => walk(app, i % 2 === 0 ? erin : frank, 'bump')));
  assert.ok(
    results.every((r) => r.statusCode === 200),
    results.map((r) => r.statusCode).join(','),
  );
  const seen = (parity: number) =>
    results
      .filter((_, i) => i % 2 === parity)
      .map((r) => r.json().reports[0] as number)
      .sort((a, b) => a - b);
  const oneTo50 = Array.from({ length: 50 }, (_, i) => i + 1);
  assert.equal(seen(0), oneTo50, 'every increment saw the one before it');
  assert.equal(seen(1), oneTo50);
  assert.equal(await readState(app, erin), [50, 0]);
  assert.equal(await readState(app, frank), [50, 0]);
  assert.match(await storedRoot(app.dataDir, erin.root), /"n":50[,}]/);
}));

budgets("a stopped run's changes are discarded, in memory and on disk; a run batched with it is acknowledged only if saved", guarded(async () => {
  const app = h!;
  const gina = await app.login('gina@example.com');
  assert.equal((await walk(app, gina, 'bump')).json().reports, [1]);
  const stopped = await walk(app, gina, 'bump_then_spin');
  assert.is(stopped.statusCode, 500);
  assert.match(logLineOf(app, stopped.json()), /WalkerBudgetExhausted/);
  assert.equal(await readState(app, gina), [1, 0], 'its increment and its Mark are gone');

  // A bump sent together with a run that will be stopped, on the same root (they may share a
  // batch): whatever the bump is answered, the graph agrees with the answer.
  const [bumped, spun] = await Promise.all([walk(app, gina, 'bump'), walk(app, gina, 'bump_then_spin')]);
  assert.is(spun.statusCode, 500);
  const expected = bumped.statusCode === 200 ? bumped.json().reports[0] : 1;
  assert.ok(bumped.statusCode === 200 || bumped.statusCode === 500, String(bumped.statusCode));
  assert.equal(await readState(app, gina), [expected, 0], `the bump answered ${bumped.statusCode}`);

  const file = await storedRoot(app.dataDir, gina.root);
  assert.match(file, new RegExp(`"n":${expected}[,}]`));
  assert.not.match(file, /uncommitted/, 'no Mark of a stopped run reached the disk');
  // A fresh app on the same data dir reads the same.
  const { dataDir } = app;
  h = null;
  await app.close();
  const reopened = await harness(PROGRAM, { logLevel: false }, dataDir);
  try {
    const again = await reopened.login('gina@example.com');
    assert.is(again.root, gina.root);
    assert.equal(await readState(reopened, again), [expected, 0]);
  } finally {
    await reopened.close();
  }
}));

budgets.run();

// ---- memory ----
// A worker's heap limit is V8's, and V8 aborts the whole process when one allocation jumps far
// past it (nodejs/node#47224): these tests run the app in a child process, so that such an abort
// is a failed test and not the end of the test runner.

const memory = suite('memory budget');

interface MemoryOutcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  seen?: {
    hog: { status: number; line: string };
    concurrent: { status: number; reports: unknown };
    healthz: number;
    workers: number;
    replaced: boolean;
    following: unknown;
    hogRootAfter: unknown;
  };
}

interface ChildOutcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs an ES module `script` in a child node (with tsx, so it can import the sources). */
function runChild(script: string, timeoutMs = 60_000): Promise<ChildOutcome> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr: stderr.slice(-1500) });
    });
  });
}

/** The JSON a child printed on a line starting with `label `. */
function printed<T>(outcome: ChildOutcome, label: string): T | undefined {
  const line = outcome.stdout.split('\n').find((l) => l.startsWith(`${label} `));
  return line ? JSON.parse(line.slice(label.length + 1)) : undefined;
}

const HARNESS_URL = new URL('./harness.ts', import.meta.url).href;
const POOL_URL = new URL('../../server/workers/pool.ts', import.meta.url).href;

/** Runs `walker` on alice's root in a child with the HTTP app, with bob's root used meanwhile. */
async function memoryScenario(walker: string, options: { maxMemoryMb?: number }): Promise<MemoryOutcome> {
  const outcome = await runChild(`
    const { harness } = await import(${JSON.stringify(HARNESS_URL)});
    const keepAlive = setInterval(() => {}, 1000); // as guarded() in pool.test.ts
    const h = await harness(${JSON.stringify(PROGRAM)}, { workers: 2, maxMillis: 30000, logLevel: 'info', ...${JSON.stringify(options)} });
    const post = (who, walker) => h.app.inject({ method: 'POST', url: '/walker/' + walker, headers: { authorization: who.authorization } });
    const alice = await h.login('alice@example.com');
    const bob = await h.login('bob@example.com');
    await post(alice, 'bump');
    const startedBefore = h.runs.started;
    const hogging = post(alice, ${JSON.stringify(walker)});
    const concurrent = await post(bob, 'bump');
    const hog = await hogging;
    const errorId = hog.json().error_id;
    const seen = {
      hog: { status: hog.statusCode, line: (errorId && h.log.find((l) => l.includes(errorId))) || '' },
      concurrent: { status: concurrent.statusCode, reports: concurrent.json().reports },
      healthz: (await h.app.inject({ method: 'GET', url: '/healthz' })).statusCode,
      workers: h.runs.workers,
      replaced: h.runs.started > startedBefore,
      following: (await post(bob, 'bump')).json().reports,
      hogRootAfter: (await post(alice, 'read_state')).json().reports,
    };
    await h.close();
    clearInterval(keepAlive);
    console.log('SEEN ' + JSON.stringify(seen));
  `);
  return { code: outcome.code, signal: outcome.signal, stderr: outcome.stderr, seen: printed(outcome, 'SEEN') };
}

/**
 * The hog is answered 500 and everyone else is served. `by`: who stopped it, the worker's heap
 * limit (the worker is replaced) or the interpreter's own MemoryError before the allocation.
 */
function assertConfined(outcome: MemoryOutcome, by: 'heap limit' | 'MemoryError'): void {
  assert.ok(outcome.seen && outcome.code === 0, `the process survives: it ended with ${outcome.code ?? outcome.signal}\n${outcome.stderr}`);
  const seen = outcome.seen!;
  assert.is(seen.hog.status, 500);
  if (by === 'heap limit') {
    assert.match(seen.hog.line, /WalkerMemoryExhausted/, 'logged with its error id and name');
    assert.match(seen.hog.line, /memory budget exhausted/);
    assert.ok(seen.replaced, 'a new worker was started');
  } else {
    assert.match(seen.hog.line, /MemoryError/, 'logged with its error id and name');
    assert.not.ok(seen.replaced, 'its worker lives on');
  }
  assert.equal(seen.concurrent, { status: 200, reports: [1] }, "another user's request sent meanwhile is answered");
  assert.is(seen.healthz, 200);
  assert.is(seen.workers, 2, 'the worker is replaced, not added to');
  assert.equal(seen.following, [2], 'a following request is answered');
  assert.equal(seen.hogRootAfter, [[1, 0]], "the hog's root is served again, at its committed state");
}

memory('a run past the heap limit (many allocations) ends its worker only: 500, other roots answered, worker replaced', guarded(async () => {
  assertConfined(await memoryScenario('hog_many', { maxMemoryMb: 64 }), 'heap limit');
}));

// One list growing far past the heap: V8 would abort the whole process on one growth step (at
// the default 1024 MB and at 64 MB alike), so the interpreter raises MemoryError before it.
memory('a run growing one list past the heap gets MemoryError; its worker and everyone else carry on', guarded(async () => {
  assertConfined(await memoryScenario('hog', {}), 'MemoryError');
}));

memory('a list grown item by item stops with MemoryError while the heap still has room for its last growth', guarded(async () => {
  assertConfined(await memoryScenario('hog_growing', { maxMemoryMb: 128 }), 'MemoryError');
}));

memory.run();

// ---- a WorkerPool without HTTP ----

const direct = suite('pool');
const root = (n: number) => `n::${n.toString(16).padStart(24, '0')}`;
const job = (rootId: string, walker: string) => ({ root: rootId, walker, node: null, fields: {}, allowedNodes: null });

/** The reports of a 200 answer. */
function reports(answer: Answer): unknown[] {
  assert.ok(answer.status === 200 && 'body' in answer, JSON.stringify(answer));
  return JSON.parse((answer as { body: string }).body).reports;
}
const failureName = (answer: Answer) => [answer.status, 'name' in answer ? answer.name : null];

function programDir(): { dir: string; file: string; dataDir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'jac-pool-'));
  const file = join(dir, 'app.jac');
  writeFileSync(file, PROGRAM);
  const dataDir = join(dir, 'data');
  mkdirSync(join(dataDir, 'roots'), { recursive: true });
  return { dir, file, dataDir };
}

const files = programDir();
let pool: WorkerPool;
const warnings: string[] = [];

direct.before(guarded(async () => {
  pool = await WorkerPool.start({ files: [files.file], dataDir: files.dataDir, workers: 2, maxMillis: 500 });
  pool.log = { warn: (_o, msg) => warnings.push(msg), error: (_o, msg) => warnings.push(msg) };
}));
direct.after(guarded(async () => {
  await pool?.close();
}));

// The next two tests place jobs by the pool's rule: a root without a lease goes to an idle worker,
// the one that held it last if that one is idle, else the first idle one (X before Y); while no
// worker is idle it waits. Jobs sent in one Promise.all are placed before any is answered.
direct('a worker with a stale copy of a root reads it again after another worker committed it', guarded(async () => {
  const [A, E, H] = [root(0xa1), root(0xe1), root(0xd1)];
  await allReady(pool);
  const startedBefore = pool.started;
  // A → X (its copy says n = 1), H → Y.
  const first = await Promise.all([A, H].map((r) => pool.walk(job(r, 'bump'))));
  assert.equal(first.map(reports), [[1], [1]]);
  // E → X (idle, first); A's last holder X is busy, so A → Y, which commits n = 2.
  const [e, a] = await Promise.all([pool.walk(job(E, 'bump')), pool.walk(job(A, 'bump'))]);
  assert.equal([reports(e), reports(a)], [[1], [2]]);
  // H → Y (its last holder); A → X, whose copy says n = 1.
  const [h, read] = await Promise.all([pool.walk(job(H, 'bump')), pool.walk(job(A, 'read_state'))]);
  assert.equal(reports(h), [2]);
  assert.equal(reports(read), [[2, 0]], 'the committed state, not the stale copy');
  assert.equal(reports(await pool.walk(job(A, 'bump'))), [3]);
  assert.is(pool.started, startedBefore, 'no worker was stopped');
}));

direct('a root without a lease waits for an idle worker, never behind another root\'s long run', guarded(async () => {
  const [A, B, C] = [root(0xa7), root(0xb7), root(0xc7)];
  await allReady(pool);
  const order: string[] = [];
  const track = (label: string, answer: Promise<Answer>) => answer.then((a) => (order.push(label), a));
  // Both workers are busy: X with a run that will be stopped, Y with a short one.
  const spinning = track('spinner', pool.walk(job(A, 'spin_in_one_op')));
  const short = track('B', pool.walk(job(B, 'bump')));
  const waiting = track('C', pool.walk(job(C, 'bump'))); // no idle worker: it waits, and Y takes it
  assert.equal(reports(await short), [1]);
  assert.equal(reports(await waiting), [1]);
  assert.equal(failureName(await spinning), [500, 'WalkerBudgetExhausted']);
  assert.equal(order, ['B', 'C', 'spinner'], 'C ran on the worker that became idle first');
  await allReady(pool);
}));

direct('runs that waited on one root go to a worker together, in order, ahead of a later run on that root', guarded(async () => {
  const [P, Q, D] = [root(0xa9), root(0xb9), root(0xd9)];
  await allReady(pool);
  // Both workers are given a run; the three on D, sent in the same turn, wait for an idle one.
  const busy = [pool.walk(job(P, 'bump')), pool.walk(job(Q, 'bump'))];
  const waited = [1, 2, 3].map(() => pool.walk(job(D, 'bump')));
  assert.equal(reports(await waited[0]), [1]);
  // Sent while the other two are under way: it runs after them, not between.
  const later = pool.walk(job(D, 'bump'));
  assert.equal((await Promise.all([...waited.slice(1), later])).map(reports), [[2], [3], [4]]);
  assert.equal((await Promise.all(busy)).map(reports), [[1], [1]]);
}));

direct('the pool keeps the state of at most `rootsKept` roots no run holds; a forgotten root is read again, never stale', guarded(async () => {
  const small = await WorkerPool.start({ files: [files.file], dataDir: files.dataDir, workers: 1, rootsKept: 2 });
  try {
    const [R1, R2, R3, R4] = [root(0xe2), root(0xe3), root(0xe4), root(0xe5)];
    for (const r of [R1, R2, R3]) assert.equal(reports(await small.walk(job(r, 'bump'))), [1]);
    assert.is(small.rootsKnown, 2, 'the first seen was forgotten');
    // R1's graph is still in the worker; the state the pool forgot is what says which copy is current.
    // Another pool commits R1 meanwhile, as another worker would: the forgotten root is read again.
    assert.equal(reports(await pool.walk(job(R1, 'bump'))), [2]);
    assert.equal(reports(await small.walk(job(R1, 'read_state'))), [[2, 0]], 'read again, not the copy held');
    // Runs under way or waiting keep their roots, however many: four at once on one worker.
    const answers = await Promise.all([R2, R3, R4, R1].map((r) => small.walk(job(r, 'bump'))));
    assert.equal(answers.map(reports), [[2], [2], [1], [3]]);
    assert.ok(small.rootsKnown <= 4);
    await small.walk(job(root(0xe6), 'read_state'));
    assert.is(small.rootsKnown, 2, 'back to the bound once they were idle');
  } finally {
    await small.close();
  }
}));

direct('after the worker holding a root is stopped by the budget, the root is read again from disk', guarded(async () => {
  const [A, B] = [root(0xa2), root(0xb2)];
  await allReady(pool);
  const startedBefore = pool.started;
  assert.equal(reports(await pool.walk(job(A, 'bump'))), [1]); // X holds A at n = 1
  const [b, a] = await Promise.all([pool.walk(job(B, 'bump')), pool.walk(job(A, 'bump'))]); // Y commits A at n = 2
  assert.equal([reports(b), reports(a)], [[1], [2]]);
  // Y, A's last holder, changes A (n = 3 and a Mark) and is stopped inside one operation.
  const stopped = await pool.walk(job(A, 'bump_then_spin'));
  assert.equal(failureName(stopped), [500, 'WalkerBudgetExhausted']);
  assert.ok(warnings.some((w) => w.includes('time budget of 500 ms')), warnings.join('\n'));
  assert.is(pool.started, startedBefore + 1, 'the stopped worker is replaced');
  // A's next run goes to X (ready and idle, with its copy at n = 1) or to the replacement: either
  // way it sees the last committed state.
  assert.equal(reports(await pool.walk(job(A, 'read_state'))), [[2, 0]]);
  assert.equal(reports(await pool.walk(job(A, 'bump'))), [3]);
  assert.equal(reports(await pool.walk(job(B, 'read_state'))), [[1, 0]]);
  assert.is(pool.workers, 2);
}));

direct('reload: the new program serves, in-flight runs finish, the old workers end; a program that does not load keeps the old one', guarded(async () => {
  const [A, B, C] = [root(0xa3), root(0xb3), root(0xc3)];
  await allReady(pool);
  assert.equal(reports(await pool.walk(job(A, 'bump'))), [1]);
  const v2 = join(files.dir, 'app-v2.jac');
  writeFileSync(v2, `${PROGRAM.replace('"hello v1"', '"hello v2"')}\nwalker added { can go with \`root entry { report "new"; } }\n`);
  const startedBefore = pool.started;
  const inFlight = pool.walk(job(B, 'bump'));
  const manifest = await pool.reload([v2]);
  assert.ok(
    manifest.walkers.some((w) => w.name === 'added'),
    'the manifest is the new program',
  );
  assert.equal(reports(await inFlight), [1], 'a run sent before the reload is answered');
  assert.equal(reports(await pool.walk(job(C, 'added'))), ['new']);
  assert.equal(reports(await pool.walk(job(C, 'hello'))), ['hello v2']);
  assert.equal(reports(await pool.walk(job(A, 'bump'))), [2], 'graphs carry over');
  assert.is(pool.started, startedBefore + 2, 'a new generation of two');
  assert.is(pool.workers, 2);
  for (let waited = 0; slotsOf(pool).length !== 2 && waited < 10_000; waited += 25) await sleep(25);
  assert.is(slotsOf(pool).length, 2, 'the old generation has ended');

  const broken = join(files.dir, 'app-broken.jac');
  writeFileSync(broken, 'walker broken { can go with `root entry { report ; } \n');
  let thrown: unknown;
  try {
    await pool.reload([broken]);
  } catch (e) {
    thrown = e;
  }
  assert.instance(thrown, PoolLoadError);
  assert.match((thrown as Error).message, /app-broken\.jac/, 'the diagnostics name the file');
  assert.is(pool.workers, 2);
  assert.equal(reports(await pool.walk(job(C, 'added'))), ['new'], 'the program before keeps serving');
  assert.equal(reports(await pool.walk(job(A, 'bump'))), [3]);
}));

direct('close answers every job it holds before the workers end; a job after close is WorkerUnavailable', guarded(async () => {
  const [A, B] = [root(0xa4), root(0xb4)];
  const pending = Array.from({ length: 10 }, (_, i) => pool.walk(job(i % 2 === 0 ? A : B, 'bump')));
  const closing = pool.close();
  assert.equal(failureName(await pool.walk(job(A, 'bump'))), [500, 'WorkerUnavailable']);
  let hasNodeError: unknown;
  await pool.hasNode(A, 'n:Counter:000000000000000000000001').catch((e) => (hasNodeError = e));
  assert.is((hasNodeError as Error | undefined)?.name, 'WorkerUnavailable');
  const answers = (await Promise.all(pending)).map(reports);
  await closing;
  assert.equal(answers.filter((_, i) => i % 2 === 0), [[1], [2], [3], [4], [5]]);
  assert.equal(answers.filter((_, i) => i % 2 === 1), [[1], [2], [3], [4], [5]]);
  assert.is(slotsOf(pool).length, 0, 'every worker ended');
  assert.match(await storedRoot(files.dataDir, A), /"n":5[,}]/, 'what they committed is on disk');
  assert.match(await storedRoot(files.dataDir, B), /"n":5[,}]/);
}));

// close() asks a worker still loading to end: it must keep the process alive until that worker
// exits, even when the worker reports ready afterwards.
direct('close while a replacement worker is still loading resolves', guarded(async () => {
  const outcome = await runChild(`
    const { WorkerPool } = await import(${JSON.stringify(POOL_URL)});
    const pool = await WorkerPool.start({ files: [${JSON.stringify(files.file)}], dataDir: ${JSON.stringify(files.dataDir)}, workers: 1, maxMillis: 300 });
    const job = (walker) => ({ root: ${JSON.stringify(root(0xa5))}, walker, node: null, fields: {}, allowedNodes: null });
    console.log('STOPPED ' + JSON.stringify(await pool.walk(job('spin_in_one_op'))));
    await pool.close(); // its replacement is loading now
    console.log('CLOSED {}');
  `);
  assert.equal(failureName(printed<Answer>(outcome, 'STOPPED')!), [500, 'WalkerBudgetExhausted']);
  assert.ok(printed(outcome, 'CLOSED'), `close() resolves (the process ended with ${outcome.code ?? outcome.signal})\n${outcome.stderr}`);
}));

// A worker stopped during close() had a job it had not begun; every worker left is closing, so
// that job is answered (WorkerUnavailable) rather than sent anywhere.
direct('close while runs are stopped by their budget answers every job and ends cleanly', guarded(async () => {
  const outcome = await runChild(`
    const { WorkerPool } = await import(${JSON.stringify(POOL_URL)});
    const keepAlive = setInterval(() => {}, 1000);
    const pool = await WorkerPool.start({ files: [${JSON.stringify(files.file)}], dataDir: ${JSON.stringify(files.dataDir)}, workers: 2, maxMillis: 300 });
    const job = (root, walker) => ({ root, walker, node: null, fields: {}, allowedNodes: null });
    const [A, B] = [${JSON.stringify(root(0xa6))}, ${JSON.stringify(root(0xb6))}];
    const answers = [pool.walk(job(A, 'spin_in_one_op')), pool.walk(job(A, 'hello'))]; // 'hello' waits behind the spinner
    await new Promise((r) => setTimeout(r, 200));
    answers.push(pool.walk(job(B, 'spin_in_one_op'))); // the other worker is busy until after the first is stopped
    const closing = pool.close();
    console.log('ANSWERS ' + JSON.stringify(await Promise.all(answers)));
    await closing;
    clearInterval(keepAlive);
    console.log('CLOSED {}');
  `);
  const answers = printed<Answer[]>(outcome, 'ANSWERS');
  assert.ok(answers && printed(outcome, 'CLOSED') && outcome.code === 0, `the process ends cleanly (exit ${outcome.code})\n${outcome.stderr}`);
  assert.equal(failureName(answers![0]), [500, 'WalkerBudgetExhausted']);
  assert.is(answers![1].status, 500, 'the job no worker could take is answered');
  assert.equal(failureName(answers![2]), [500, 'WalkerBudgetExhausted']);
}));

direct.run();

// ---- a commit that fails ----

const commits = suite('commit failure');

commits('a commit that fails (disk full) answers 500 and leaves memory at the last acknowledged state', guarded(async () => {
  const disk = mountSmallDisk(512);
  try {
    const dataDir = join(disk.path, 'data');
    const app = await harness(PROGRAM, { workers: 1, maxMillis: 5_000, logLevel: 'info' }, dataDir);
    try {
      const alice = await app.login('alice@example.com');
      assert.equal((await walk(app, alice, 'bump')).json().reports, [1]);

      disk.fill();
      // Larger than the free end of the journal's last block.
      const failed = await walk(app, alice, 'bump_noted');
      assert.is(failed.statusCode, 500, failed.body);
      assert.match(logLineOf(app, failed.json()), /CommitFailed/);
      assert.equal(await readState(app, alice), [1, 0], 'a read sees the acknowledged state, not the failed change');

      disk.release('all');
      assert.equal(await readState(app, alice), [1, 0]);
      assert.equal((await walk(app, alice, 'bump')).json().reports, [2], 'the next change starts from the acknowledged state');
      assert.match(await storedRoot(dataDir, alice.root), /"n":2[,}]/, 'and is on disk');
    } finally {
      await app.close();
    }
  } finally {
    disk.unmount();
  }
}));

commits.run();
