// Async walkers through the real app: the request is answered with a walker id at once, the run
// comes afterwards in the worker pool, and its owner fetches the outcome by that id.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { freshDatabase } from '../helpers/postgres.ts';
import { storedRoot } from '../helpers/stored.ts';
import { harness, type Harness } from './harness.ts';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';

const PROGRAM = `
node Item { has n: int; }

async walker Later {
  has n: int;
  can go with \`root entry {
    here ++> Item(n=self.n);
    report self.n * 2;
  }
}

async walker Boom {
  can go with \`root entry { x = 1 / 0; }
}

async walker Slow {
  can go with \`root entry { i = 0; while True { i += 1; } }
}

async walker Public {
  has msg: str = "hi";
  obj __specs__ { static has auth: bool = False; }
  can go with \`root entry { report self.msg; }
}

async walker OnNode {
  can go with Item entry { report here.n; }
}

async walker Hooked {
  obj __specs__ { static has webhook: dict = {"type": "header"}; }
  can go with \`root entry { report "root"; }
  can go with Item entry { report here.n; }
}

async walker Tally {
  has seen: int = 0;
  has label: str = "x";
  can go with \`root entry { self.seen = len([root-->]) + 40; }
}

walker Make {
  can go with \`root entry { i = Item(n=7); root ++> i; report i; }
}

walker Count {
  can go with \`root entry { report len([root-->]); }
}
`;

const ID = /^w:[A-Za-z]+:[0-9a-f]{24}$/;

/** Fetches the walker document until its run is over (or 10 s passed). */
async function outcome(app: FastifyInstance, id: string, headers: Record<string, string>) {
  for (let i = 0; i < 200; i++) {
    const r = await app.inject({ method: 'GET', url: `/async-walker/${id}`, headers });
    assert.is(r.statusCode, 200, r.body);
    const doc = r.json();
    if (doc.schedule.status === 'COMPLETED' || doc.schedule.status === 'ERROR') return doc;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`the run of ${id} did not end`);
}

/** Async walkers that never end (each run outlasts its budget, then waits a minute to be retried): their runs stay queued. */
const SPINNING = `
async walker Spin { can go with \`root entry { i = 0; while True { i += 1; } } }
async walker Open {
  obj __specs__ { static has auth: bool = False; }
  can go with \`root entry { i = 0; while True { i += 1; } }
}
`;
const SPIN_OPTIONS = { logLevel: false as const, maxQueuedRuns: 2, maxMillis: 300, jobs: { retryBaseMs: 60_000 } };

/** Past two waiting runs a user is answered 429 with Retry-After, and nothing is queued; other users, and the public root, count apart. */
async function queueLimitHolds(h: Harness): Promise<void> {
  const alice = await h.login('spin-a@example.com');
  const bob = await h.login('spin-b@example.com');
  const call = (walker: string, headers: Record<string, string> = {}) => h.app.inject({ method: 'POST', url: `/walker/${walker}`, headers });
  const answers = [await call('Spin', alice), await call('Spin', alice), await call('Spin', alice)];
  assert.equal(answers.map((r) => r.statusCode), [200, 200, 429]);
  assert.is(answers[2].headers['retry-after'], '5');
  assert.equal(answers[2].json(), { detail: 'Too many background runs are waiting (at most 2 per user); retry later' });
  assert.is((await call('Spin', bob)).statusCode, 200, 'another user queues as before');
  assert.equal([(await call('Open')).statusCode, (await call('Open')).statusCode, (await call('Open')).statusCode], [200, 200, 429], 'callers of the public root share its limit');
  const owner = (await h.store.findUser({ email: 'spin-a@example.com' }))!.id;
  assert.is((await h.store.listJobs()).filter((j) => j.owner === owner).length, 2, 'the refused run was not queued');
  const doc = (await h.app.inject({ method: 'GET', url: '/openapi.json' })).json();
  // Runs are admitted by what they hold too where the store weighs them (the data dir).
  const weighed = h.store.queuedChars !== undefined;
  assert.is(doc.paths['/walker/Spin'].post.responses['429'].description, `too many background runs of this user are waiting${weighed ? ', or they hold too much data' : ''}; see Retry-After`, 'documented');
  assert.is(/or the server's background queue is full/.test(doc.paths['/walker/Spin'].post.responses['503'].description), weighed);
}

/** Async walkers that take a while (about a tenth of a second each here). */
const WORKING = `
async walker Work { can go with \`root entry { i = 0; while i < 150000 { i += 1; } report i; } }
`;

/**
 * One user queues twelve runs, then another user one: the second user's run waits about one of
 * the first user's runs, not all twelve (one worker, so one run at a time).
 */
async function runsTakeTurns(h: Harness): Promise<void> {
  const alice = await h.login('busy@example.com');
  const bob = await h.login('late@example.com');
  const queue = async (headers: Record<string, string>) => (await h.app.inject({ method: 'POST', url: '/walker/Work', headers })).json().walker_id as string;
  const backlog: string[] = [];
  for (let i = 0; i < 12; i++) backlog.push(await queue(alice));
  const late = await queue(bob);
  const doc = await outcome(h.app, late, bob);
  assert.is(doc.schedule.status, 'COMPLETED');
  const jobs = new Map((await h.store.listJobs()).map((j) => [j.id, j]));
  const { enqueuedAt, startedAt } = jobs.get(late)!;
  // Of the backlog, what had not started when the late run was queued (the machine may have run a few by then).
  const waiting = backlog.filter((id) => (jobs.get(id)!.startedAt ?? '~') > enqueuedAt);
  assert.ok(waiting.length >= 6, `a backlog to wait behind: ${waiting.length} of the 12 not started when the late run was queued`);
  const overtook = waiting.filter((id) => jobs.get(id)!.startedAt !== null && jobs.get(id)!.startedAt! < startedAt!);
  assert.ok(overtook.length <= 1, `the late run started after ${overtook.length} of the ${waiting.length} runs waiting when it was queued`);
}

const test = suite('async walkers (data dir)');
let h: Harness;
let alice: { authorization: string; root: string };

test.before(async () => {
  h = await harness(PROGRAM, { maxMillis: 500, workers: 2, jobs: { retryBaseMs: 20 } });
  alice = await h.login();
});
test.after(async () => h.close());

test('a request is answered with the walker id alone; the run comes after and its outcome is fetched by id', async () => {
  const r = await h.app.inject({ method: 'POST', url: '/walker/Later', payload: { n: 21 }, headers: { authorization: alice.authorization } });
  assert.is(r.statusCode, 200);
  assert.equal(Object.keys(r.json()), ['walker_id']);
  const id = r.json().walker_id as string;
  assert.match(id, /^w:Later:[0-9a-f]{24}$/);
  const doc = await outcome(h.app, id, { authorization: alice.authorization });
  assert.is(doc.id, id);
  assert.is(doc.name, 'Later');
  assert.is(doc.root_id, alice.root);
  assert.equal(doc.context, { n: 21 });
  assert.is(doc.schedule.status, 'COMPLETED');
  assert.is(doc.schedule.http_status, 200);
  assert.equal(doc.schedule.reports, [42]);
  assert.is(doc.schedule.error, null);
  assert.is(doc.schedule.attempts, 1);
  assert.ok(doc.schedule.executed_date >= doc.schedule.execute_date);
  // What it changed is committed like any run's.
  const count = await h.app.inject({ method: 'POST', url: '/walker/Count', headers: { authorization: alice.authorization } });
  assert.equal(count.json().reports, [1]);
  assert.match(await storedRoot(h.dataDir, alice.root), /n:Item:/);
});

test("the record keeps the walker's fields as its run left them, as Jac Cloud's walker document does", async () => {
  const headers = { authorization: alice.authorization };
  const id = (await h.app.inject({ method: 'POST', url: '/walker/Tally', payload: { label: 'y' }, headers })).json().walker_id as string;
  assert.is((await h.store.findJob(id))!.fields.seen, undefined, 'the request did not give it');
  const doc = await outcome(h.app, id, headers);
  assert.equal(doc.context, { seen: 40 + (await h.app.inject({ method: 'POST', url: '/walker/Count', headers })).json().reports[0], label: 'y' });
});

test('an int beyond 2^53 is queued and run exactly', async () => {
  const headers = { authorization: alice.authorization, 'content-type': 'application/json' };
  const id = (await h.app.inject({ method: 'POST', url: '/walker/Later', payload: '{"n": 1152921504606846977}', headers })).json().walker_id as string;
  const doc = await outcome(h.app, id, { authorization: alice.authorization });
  assert.is(doc.schedule.status, 'COMPLETED');
  const raw = (await h.app.inject({ method: 'GET', url: `/async-walker/${id}`, headers: { authorization: alice.authorization } })).body;
  assert.match(raw, /"reports":\[2305843009213693954\]/);
  assert.match(raw, /"context":\{"n":1152921504606846977\}/, 'the fields as the run left them, exactly');
});

test('bad input is refused before anything is queued', async () => {
  const before = (await h.store.listJobs()).length;
  const bad = await h.app.inject({ method: 'POST', url: '/walker/Later', payload: { n: 'x' }, headers: { authorization: alice.authorization } });
  assert.is(bad.statusCode, 422);
  const anonymous = await h.app.inject({ method: 'POST', url: '/walker/Later', payload: { n: 1 } });
  assert.is(anonymous.statusCode, 401);
  const node = await h.app.inject({ method: 'POST', url: '/walker/OnNode/n:Item:0000000000000000000000ff', headers: { authorization: alice.authorization } });
  assert.is(node.statusCode, 404);
  assert.equal(node.json(), { detail: 'Node not found' });
  assert.is((await h.store.listJobs()).length, before);
});

test('a walker that raises or runs past its budget is retried, then ends as an error with an id the log carries; the server stays up', async () => {
  const headers = { authorization: alice.authorization };
  const boom = (await h.app.inject({ method: 'POST', url: '/walker/Boom', headers })).json().walker_id as string;
  const slow = (await h.app.inject({ method: 'POST', url: '/walker/Slow', headers })).json().walker_id as string;
  for (const id of [boom, slow]) {
    const doc = await outcome(h.app, id, headers);
    assert.is(doc.schedule.status, 'ERROR');
    assert.is(doc.schedule.attempts, 3, 'run three times');
    assert.is(h.log.filter((l) => l.includes(id) && l.includes('retrying')).length, 2, 'two retries logged');
    assert.is(doc.schedule.http_status, 500);
    assert.is(doc.schedule.reports, null);
    assert.match(doc.schedule.error_id, /^[0-9a-f-]{36}$/);
    assert.not.match(JSON.stringify(doc), /at .*\.ts:\d+/, 'no stack trace');
    assert.ok(h.log.some((l) => l.includes(doc.schedule.error_id) && l.includes(id)), 'the log line names the error id and the walker id');
  }
  const ok = await h.app.inject({ method: 'GET', url: '/healthz' });
  assert.is(ok.statusCode, 200);
});

test("only the owner sees a run; another user, no token, or an unknown or malformed id is a 404", async () => {
  const id = (await h.app.inject({ method: 'POST', url: '/walker/Later', payload: { n: 1 }, headers: { authorization: alice.authorization } })).json().walker_id as string;
  await outcome(h.app, id, { authorization: alice.authorization });
  const bob = await h.login('bob@example.com');
  for (const [url, headers] of [
    [`/async-walker/${id}`, { authorization: bob.authorization }],
    [`/async-walker/${id}`, {}],
    ['/async-walker/w:Later:ffffffffffffffffffffffff', { authorization: alice.authorization }],
    ['/async-walker/not-an-id', { authorization: alice.authorization }],
  ] as const) {
    const r = await h.app.inject({ method: 'GET', url, headers });
    assert.is(r.statusCode, 404, `${url} ${JSON.stringify(headers)}`);
    assert.equal(r.json(), { detail: 'Walker not found' });
  }
  const forged = await h.app.inject({ method: 'GET', url: `/async-walker/${id}`, headers: { authorization: 'Bearer nope' } });
  assert.is(forged.statusCode, 401);
  // A public walker's run is seen by whoever has its id.
  const pub = (await h.app.inject({ method: 'POST', url: '/walker/Public', payload: {} })).json().walker_id as string;
  assert.equal((await outcome(h.app, pub, {})).schedule.reports, ['hi']);
});

test("an async webhook walker runs on the key owner's root, and the key's node restriction holds for the run", async () => {
  const headers = { authorization: alice.authorization };
  const item = (await h.app.inject({ method: 'POST', url: '/walker/Make', headers })).json().reports[0].id as string;
  const key = (await h.app.inject({ method: 'POST', url: '/webhook/generate-key', payload: { name: 'items only', nodes: ['Item'] }, headers })).json().key as string;
  const onItem = await h.app.inject({ method: 'POST', url: `/webhook/walker/Hooked/${item}`, headers: { 'x-api-key': key } });
  assert.is(onItem.statusCode, 200, onItem.body);
  const done = await outcome(h.app, onItem.json().walker_id, headers);
  assert.is(done.schedule.status, 'COMPLETED');
  assert.equal(done.schedule.reports, [7]);
  const onRoot = await h.app.inject({ method: 'POST', url: '/webhook/walker/Hooked', headers: { 'x-api-key': key } });
  const refused = await outcome(h.app, onRoot.json().walker_id, headers);
  assert.is(refused.schedule.status, 'ERROR');
  assert.is(refused.schedule.http_status, 403);
  assert.is(refused.schedule.reports, null);
  const noKey = await h.app.inject({ method: 'POST', url: '/webhook/walker/Hooked' });
  assert.is(noKey.statusCode, 401);
});

test('a run queued before a restart is taken by the next server on the data dir', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'jac-async-'));
  const first = await harness(PROGRAM, { jobs: { pollMs: 60_000 } }, dir);
  const user = await first.login();
  // Queued, but the dispatcher is held off until after the restart.
  await first.store.enqueueJob({ id: 'w:Later:0000000000000000000000aa', walker: 'Later', root: user.root, owner: (await first.store.findUser({ email: 'alice@example.com' }))!.id, node: null, fields: { n: 5 }, allowedNodes: null, maxAttempts: 3 });
  await first.close();
  const second = await harness(PROGRAM, {}, dir);
  const again = await second.login();
  const doc = await outcome(second.app, 'w:Later:0000000000000000000000aa', { authorization: again.authorization });
  assert.equal(doc.schedule.reports, [10]);
  await second.close();
});

test('runs that ended longer ago than the retention are removed when a server starts; queued ones stay', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'jac-async-'));
  const first = await harness(PROGRAM, {}, dir);
  const user = await first.login();
  const id = (await first.app.inject({ method: 'POST', url: '/walker/Later', payload: { n: 1 }, headers: { authorization: user.authorization } })).json().walker_id as string;
  await outcome(first.app, id, { authorization: user.authorization });
  await first.close();
  const kept = await harness(PROGRAM, { jobs: { retentionMs: 3_600_000 } }, dir);
  assert.ok(await kept.store.findJob(id), 'within the retention');
  await kept.close();
  await new Promise((r) => setTimeout(r, 20));
  const second = await harness(PROGRAM, { jobs: { retentionMs: 10, pollMs: 60_000 } }, dir);
  try {
    await second.store.enqueueJob({ id: 'w:Later:0000000000000000000000bb', walker: 'Later', root: user.root, owner: null, node: null, fields: { n: 2 }, allowedNodes: null, maxAttempts: 3 });
    for (let i = 0; i < 100 && (await second.store.findJob(id)); i++) await new Promise((r) => setTimeout(r, 20));
    assert.is(await second.store.findJob(id), null, 'past the retention');
    assert.ok(await second.store.findJob('w:Later:0000000000000000000000bb'), 'a queued run stays');
    assert.ok(second.log.some((l) => l.includes('past their retention removed') && l.includes('"removed":1')), 'logged');
  } finally {
    await second.close();
  }
});

test("users' runs take turns: one queued behind another user's backlog waits about one run", async () => {
  const h = await harness(WORKING, { logLevel: false, maxMillis: 10_000 });
  try {
    await runsTakeTurns(h);
  } finally {
    await h.close();
  }
});

test("on the data dir, runs whose fields would pass a user's room are answered 429, past all users' room 503; nothing is queued", async () => {
  const h = await harness(`async walker Carry { has text: str; can go with \`root entry { i = 0; while True { i += 1; } } }`, { ...SPIN_OPTIONS, maxQueuedRuns: 100, maxQueuedChars: { root: 3 * 1024, all: 5 * 1024 } });
  try {
    const [alice, bob, carol] = [await h.login('a@example.com'), await h.login('b@example.com'), await h.login('c@example.com')];
    // Each run's fields, {"text":"x…x"}, take 1,111 characters: two fit in a user's 3 KB, four in all users' 5 KB.
    const send = (who: { authorization: string }) => h.app.inject({ method: 'POST', url: '/walker/Carry', payload: { text: 'x'.repeat(1100) }, headers: { authorization: who.authorization } });
    const codes = async (who: { authorization: string }, n: number) => {
      const out: number[] = [];
      for (let i = 0; i < n; i++) out.push((await send(who)).statusCode);
      return out;
    };
    assert.equal(await codes(alice, 2), [200, 200]);
    const full = await send(alice);
    assert.is(full.statusCode, 429);
    assert.is(full.headers['retry-after'], '5');
    assert.equal(full.json(), { detail: 'The background runs waiting for this user hold too much data (at most 3 KB of fields); retry later' });
    assert.equal(await codes(bob, 2), [200, 200], 'another user has a room of their own');
    const server = await send(carol);
    assert.is(server.statusCode, 503, "all users' runs hold the server's room");
    assert.is(server.headers['retry-after'], '5');
    assert.equal(server.json(), { detail: "The server's background queue is full (at most 5 KB of fields); retry later" });
    assert.is((await h.store.listJobs()).length, 4, 'nothing refused was queued');
    const doc = (await h.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    assert.match(doc.paths['/walker/Carry'].post.responses['503'].description, /or the server's background queue is full/, 'documented');
  } finally {
    await h.close();
  }
});

test('a user with too many runs waiting is answered 429, and nothing is queued', async () => {
  const h = await harness(SPINNING, SPIN_OPTIONS);
  try {
    await queueLimitHolds(h);
  } finally {
    await h.close();
  }
});

test.run();

const pg = suite('async walkers (PostgreSQL)');

pg('an async walker runs and its outcome is fetched on a PostgreSQL store', async () => {
  const h = await harness(PROGRAM, { logLevel: false, storeUrl: await freshDatabase() });
  try {
    const { authorization } = await h.login('a@b.co');
    const headers = { authorization };
    const r = await h.app.inject({ method: 'POST', url: '/walker/Later', payload: { n: 4 }, headers });
    assert.match(r.json().walker_id, ID);
    const doc = await outcome(h.app, r.json().walker_id, headers);
    assert.is(doc.schedule.status, 'COMPLETED');
    assert.equal(doc.schedule.reports, [8]);
    assert.equal((await h.app.inject({ method: 'POST', url: '/walker/Count', headers })).json().reports, [1]);
  } finally {
    await h.close();
  }
});

pg("users' runs take turns on a PostgreSQL store as on a data dir", async () => {
  const h = await harness(WORKING, { logLevel: false, maxMillis: 10_000, storeUrl: await freshDatabase() });
  try {
    await runsTakeTurns(h);
  } finally {
    await h.close();
  }
});

pg('a user with too many runs waiting is answered 429 on a PostgreSQL store as on a data dir', async () => {
  const h = await harness(SPINNING, { ...SPIN_OPTIONS, storeUrl: await freshDatabase() });
  try {
    await queueLimitHolds(h);
  } finally {
    await h.close();
  }
});

pg.run();
