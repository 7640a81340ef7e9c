// The per-root limit of waiting background runs, on a real data dir's queue: admitted up to the
// limit, refused past it, each root on its own, admitted again once runs end and the count is
// taken again; concurrent requests wait for one count rather than each admitting on its own. On
// the data dir, which holds its queue in memory, runs are admitted by what their fields take too.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LowStore } from '../../runtime/store/lowdb-store.ts';
import type { JobQueue, NewJob } from '../../runtime/store/store.ts';
import { QueueLimit } from '../../server/queue-limit.ts';

let made = 0;
const job = (root: string): NewJob => ({ id: `w:Later:${(++made).toString(16).padStart(24, '0')}`, walker: 'Later', root, owner: null, node: null, fields: {}, allowedNodes: null, maxAttempts: 1 });
const done = { httpStatus: 200, reports: [], returns: null, errorId: null, error: null };
const [A, B] = ['n::0000000000000000000000a1', 'n::0000000000000000000000b2'];

/** Admits and queues a run on `root` when the limit lets it; whether it did. */
async function queue(limit: QueueLimit, store: LowStore, root: string): Promise<boolean> {
  if ((await limit.admit(root)) !== null) return false;
  await store.enqueueJob(job(root));
  return true;
}

/** A clock the test moves. */
function clock() {
  let t = 1_000_000;
  return { now: () => t, pass: (ms: number) => void (t += ms) };
}

test('each root queues up to the limit and is refused past it; roots are counted apart', async () => {
  const store = await LowStore.open(mkdtempSync(join(tmpdir(), 'jac-limit-')));
  const limit = new QueueLimit(store, 3, { now: clock().now });
  const tries = async (root: string, n: number) => {
    const out: boolean[] = [];
    for (let i = 0; i < n; i++) out.push(await queue(limit, store, root));
    return out;
  };
  assert.equal(await tries(A, 5), [true, true, true, false, false]);
  assert.equal(await tries(B, 2), [true, true]);
  assert.equal(await tries(B, 2), [true, false]);
  await store.close();
});

test('runs that end make room once the count is taken again: at most once per interval while the limit is reached', async () => {
  const store = await LowStore.open(mkdtempSync(join(tmpdir(), 'jac-limit-')));
  let counts = 0;
  const counting: Pick<JobQueue, 'countOpenJobs'> = { countOpenJobs: (root, atMost) => (counts++, store.countOpenJobs(root, atMost)) };
  const time = clock();
  const limit = new QueueLimit(counting, 2, { recountMs: 1000, now: time.now });
  assert.ok(await queue(limit, store, A));
  assert.ok(await queue(limit, store, A));
  assert.is(counts, 1, 'counted once, when the root was first seen');
  const claimed = (await store.claimJob(60_000))!;
  await store.finishJob(claimed.job.id, claimed.attempt, 'COMPLETED', done);
  time.pass(999);
  assert.not.ok(await queue(limit, store, A), 'refused: the end is seen at the next count only');
  assert.not.ok(await queue(limit, store, A));
  assert.is(counts, 1, 'not counted again within the interval');
  time.pass(1);
  assert.ok(await queue(limit, store, A), 'counted again after the interval: one run ended');
  assert.not.ok(await queue(limit, store, A));
  assert.not.ok(await queue(limit, store, A));
  assert.is(counts, 2, 'counted once more, not for each refusal');
  await store.close();
});

test('concurrent requests wait for one count, and no more of them are admitted than the limit leaves room for', async () => {
  let counts = 0;
  const slow: Pick<JobQueue, 'countOpenJobs'> = { countOpenJobs: () => (counts++, new Promise((r) => setTimeout(() => r(1), 20))) };
  const limit = new QueueLimit(slow, 4, { now: clock().now });
  const answers = await Promise.all(Array.from({ length: 10 }, () => limit.admit(A)));
  assert.is(answers.filter((a) => a === null).length, 3, 'one run was open: three more admitted');
  assert.is(counts, 1);
});

test('a run admitted but not queued is given back; a count that fails is the error of the requests waiting for it, and is taken again', async () => {
  let fail = true;
  const flaky: Pick<JobQueue, 'countOpenJobs'> = { countOpenJobs: async () => {
    if (fail) throw new Error('the store is gone');
    return 0;
  } };
  const limit = new QueueLimit(flaky, 1, { now: clock().now });
  const waiting = await Promise.allSettled([limit.admit(A), limit.admit(A)]);
  assert.equal(waiting.map((w) => (w.status === 'rejected' ? (w.reason as Error).message : w.value)), ['the store is gone', 'the store is gone']);
  fail = false;
  assert.is(await limit.admit(A), null, 'counted again at once');
  assert.is((await limit.admit(A))?.status, 429);
  limit.release(A);
  assert.is(await limit.admit(A), null, 'the run given back makes room');
});

test("a walker's room for create_task is what the limit leaves its root; what it queued is taken from it", async () => {
  const limit = new QueueLimit({ countOpenJobs: async () => 1 }, 4, { now: clock().now });
  assert.equal(await limit.room(A), { taskRoom: 3 });
  limit.taken(A, 2);
  assert.equal(await limit.room(A), { taskRoom: 1 });
  assert.is(await limit.admit(A), null);
  assert.equal(await limit.room(A), { taskRoom: 0 });
  assert.equal(await limit.admit(A), { status: 429, detail: 'Too many background runs are waiting (at most 4 per user); retry later', reason: 'too many background runs of this user are waiting' });
});

test('a server keeps the figures of at most maxRoots roots; a root forgotten is counted again when next asked of', async () => {
  const counted: string[] = [];
  const limit = new QueueLimit({ countOpenJobs: async (root) => (counted.push(root), 0) }, 5, { maxRoots: 2, now: clock().now });
  const C = 'n::0000000000000000000000c3';
  for (const root of [A, B, A, C, B, A]) await limit.admit(root);
  assert.equal(counted, [A, B, C, A], 'C took the place of A, seen first; A came back in B\'s place');
});

test('a limit of 0 admits everything and leaves walkers unlimited room, without counting', async () => {
  const limit = new QueueLimit({ countOpenJobs: () => Promise.reject(new Error('not to be counted')) }, 0);
  for (let i = 0; i < 5; i++) assert.is(await limit.admit(A), null);
  assert.equal(await limit.room(A), {});
  assert.not.ok(limit.refuses, 'a store that does not say what its runs hold: nothing is ever refused');
});

test("on the data dir a run is admitted only while its fields fit its root's room and all roots' room: past the first 429, past the second 503; runs that end give theirs back at once", async () => {
  const store = await LowStore.open(mkdtempSync(join(tmpdir(), 'jac-limit-')));
  const limit = new QueueLimit(store, 100, { now: clock().now, maxRootChars: 3 * 1024, maxAllChars: 5 * 1024 });
  const big = (root: string, text: string): NewJob => ({ ...job(root), fields: { text } });
  const queueBig = async (root: string, text: string) => {
    const refused = await limit.admit(root, JSON.stringify({ text }).length);
    if (refused === null) await store.enqueueJob(big(root, text));
    return refused;
  };
  const kb = 'x'.repeat(1024 - 11); // {"text":"…"} of 1 KB
  for (let i = 0; i < 3; i++) assert.is(await queueBig(A, kb), null, `A's run ${i + 1} fits`);
  assert.equal(await queueBig(A, kb), { status: 429, detail: 'The background runs waiting for this user hold too much data (at most 3 KB of fields); retry later', reason: 'the background runs of this user hold too much data' });
  assert.equal(await queueBig(B, kb), null, 'another user has a room of their own');
  assert.equal(await queueBig(B, kb), null);
  assert.equal(await queueBig(B, kb), { status: 503, detail: "The server's background queue is full (at most 5 KB of fields); retry later", reason: "the server's background queue is full" });
  assert.equal(await limit.room(B), { taskRoom: 98, taskChars: 0 }, 'a walker on B may queue no more fields either');
  assert.equal(await limit.room(A), { taskRoom: 97, taskChars: 0 });
  assert.is((await store.listJobs()).length, 5, 'nothing refused was queued');
  // A run that ends gives its room back at once (no count to wait for).
  const c = (await store.claimJob(60_000))!;
  await store.finishJob(c.job.id, c.attempt, 'COMPLETED', done);
  assert.equal(await limit.room(B), { taskRoom: 98, taskChars: 1024 });
  assert.is(await queueBig(B, kb), null);
  assert.ok(limit.refuses);
  await store.close();
});

test('a store that does not say what its runs hold (PostgreSQL) is limited by runs alone', async () => {
  const limit = new QueueLimit({ countOpenJobs: async () => 0 }, 2, { now: clock().now, maxRootChars: 10, maxAllChars: 10 });
  assert.is(await limit.admit(A, 1_000_000), null);
  assert.equal(await limit.room(A), { taskRoom: 1 });
});

test.run();
