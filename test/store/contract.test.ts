// The Store contract, run against both backends: LowStore on a temp data dir and PgStore on a
// fresh PostgreSQL database. What one stores the other must give back the same way.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { LowStore } from '../../runtime/store/lowdb-store.ts';
import { PgStore } from '../../runtime/store/postgres/pg-store.ts';
import { type ClaimedJob, type DeliveryRecord, type GraphRecord, type JobResult, type KeyRecord, type NewJob, type Store, StoreError } from '../../runtime/store/store.ts';
import { freshDatabase } from '../helpers/postgres.ts';

interface Backend {
  name: string;
  /** A new, empty store, and how to open it again (after closing it). */
  fresh(): Promise<{ store: Store; reopen(): Promise<Store> }>;
}

const backends: Backend[] = [
  {
    name: 'LowStore',
    async fresh() {
      const dir = mkdtempSync(join(tmpdir(), 'jac-contract-'));
      return { store: await LowStore.open(dir), reopen: () => LowStore.open(dir) };
    },
  },
  {
    name: 'PgStore',
    async fresh() {
      const url = await freshDatabase();
      return { store: await PgStore.open(url), reopen: () => PgStore.open(url) };
    },
  },
];

const root = 'n::00000000000000000000000a';
const other = 'n::00000000000000000000000b';
const node = (i: number, fields: Record<string, unknown> = { i }): GraphRecord => ({ id: `n:Item:${i.toString(16).padStart(24, '0')}`, fields: fields as GraphRecord['fields'] });
const edge = (i: number, source: string, target: string): GraphRecord => ({ id: `e::${i.toString(16).padStart(24, '0')}`, fields: {}, source, target });
const key = (id: string, owner: string): KeyRecord => ({ id, owner, name: `key ${id}`, secretHash: 'ff', walkers: ['W'], nodes: ['root'], createdAt: '2026-01-01T00:00:00.000Z', expiresAt: '2027-01-01T00:00:00.000Z', lastUsedAt: null });

const job = (i: number, maxAttempts = 3): NewJob => ({
  id: `w:Later:${i.toString(16).padStart(24, '0')}`,
  walker: 'Later',
  root,
  owner: 'u1',
  node: i % 2 === 0 ? null : node(i).id,
  fields: { n: i, tags: { z: 1, a: 2 } },
  allowedNodes: i === 3 ? ['Item', 'root'] : null,
  maxAttempts,
});
const done: JobResult = { httpStatus: 200, reports: [{ b: 1, a: [2] }], returns: null, errorId: null, error: null };
const failed: JobResult = { httpStatus: 503, reports: null, returns: null, errorId: 'err-1', error: 'StoreUnavailable' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

for (const backend of backends) {
  const test = suite(`store contract: ${backend.name}`);

  test('a graph round-trips exactly, in creation order, across reopening', async () => {
    const { store, reopen } = await backend.fresh();
    assert.is(await store.loadGraph(root), null, 'a root never committed');
    // Values as the codec writes them, key order and all: a tag is an object's first key.
    const tricky: GraphRecord = { id: 'n:Item:0000000000000000000000ff', fields: { e: { $enum: 'Color', name: 'RED' }, o: { $obj: 'Point', fields: { y: 1, x: 2 } }, big: { $int: '123456789012345678901234567890' }, f: { $float: 1 }, z: 0.1, s: 'ü\\"\n', d: { $dict: [[1, 'a']] } } };
    await store.commitGraph(root, { upserts: [{ id: root, fields: {}, edges: [edge(1, root, node(1).id).id] }, node(1), edge(1, root, node(1).id), tricky], deletes: [] });
    await store.close();
    const again = await reopen();
    const loaded = await again.loadGraph(root);
    assert.equal(loaded, [{ id: root, fields: {}, edges: [edge(1, root, node(1).id).id] }, node(1), edge(1, root, node(1).id), tricky]);
    assert.is(JSON.stringify(loaded![3]), JSON.stringify(tricky), 'the same JSON text: key order kept');
    assert.is(await again.loadGraph(other), null);
    await again.close();
  });

  test('an upsert of an existing record keeps its place; new ones go last; deletes go', async () => {
    const { store } = await backend.fresh();
    await store.commitGraph(root, { upserts: [{ id: root, fields: {} }, node(1), node(2), node(3)], deletes: [] });
    await store.commitGraph(root, { upserts: [node(4), node(2, { i: 20 })], deletes: [node(3).id] });
    await store.commitGraph(root, { upserts: [node(1, { i: 10 }), node(5)], deletes: [] });
    const ids = (await store.loadGraph(root))!.map((r) => [r.id, r.fields.i ?? null]);
    assert.equal(ids, [[root, null], [node(1).id, 10], [node(2).id, 20], [node(4).id, 4], [node(5).id, 5]]);
    // Deleting everything but the root and adding back a deleted id: it is new, so it goes last.
    await store.commitGraph(root, { upserts: [node(3, { i: 30 })], deletes: [node(1).id] });
    assert.equal((await store.loadGraph(root))!.map((r) => r.id).slice(-1), [node(3).id]);
    await store.close();
  });

  test('concurrent commits on one root all land; roots are independent', async () => {
    const { store, reopen } = await backend.fresh();
    await store.commitGraph(root, { upserts: [{ id: root, fields: {} }], deletes: [] });
    await Promise.all([
      ...Array.from({ length: 50 }, (_, i) => store.commitGraph(root, { upserts: [node(i)], deletes: [] })),
      store.commitGraph(other, { upserts: [{ id: other, fields: {} }, node(99)], deletes: [] }),
    ]);
    await store.close();
    const again = await reopen();
    assert.is((await again.loadGraph(root))!.length, 51);
    assert.equal((await again.loadGraph(other))!.map((r) => r.id), [other, node(99).id]);
    await again.close();
  });

  test('users, keys and secrets', async () => {
    const { store, reopen } = await backend.fresh();
    await store.setSecret('TOKEN_SECRET', 'abc');
    await store.setSecret('TOKEN_SECRET', 'def');
    const user = { id: 'u1', email: 'a@b.c', passwordHash: 'scrypt$x$y', root, createdAt: '2026-01-01T00:00:00Z' };
    await store.addUser(user);
    try {
      await store.addUser({ ...user, id: 'u2' });
      assert.unreachable('a second user with one email');
    } catch (e) {
      assert.ok(e instanceof StoreError && e.code === 'JAC_STORE_VALUE', String(e));
    }
    await store.putKey(key('k1', 'u1'));
    await store.putKey(key('k2', 'u1'));
    await store.putKey(key('k3', 'u1'));
    // Looked up while live, before and after each change (a store may index them).
    assert.equal(await store.findUser({ email: 'a@b.c' }), user);
    assert.is(await store.findUser({ email: 'nobody@b.c' }), null);
    assert.equal(await store.findKey('k1'), key('k1', 'u1'));
    await store.putKey({ ...key('k1', 'u1'), name: 'renamed' });
    assert.equal(await store.findKey('k1'), { ...key('k1', 'u1'), name: 'renamed' });
    await store.putKey(key('k4', 'u9'));
    await store.deleteKeys(['k2', 'nothing']);
    assert.is(await store.findKey('k2'), null);
    assert.equal(await store.findKey('k3'), key('k3', 'u1'));
    assert.equal(await store.findKey('k4'), key('k4', 'u9'));
    await store.close();
    const again = await reopen();
    assert.is(await again.getSecret('TOKEN_SECRET'), 'def');
    assert.is(await again.getSecret('OTHER'), null);
    assert.equal(await again.findUser({ email: 'a@b.c' }), user);
    assert.equal(await again.findUser({ id: 'u1' }), user);
    assert.is(await again.findUser({ id: 'u2' }), null);
    // An app's own user fields come back as stored, objects with their keys in order.
    const custom = { ...user, id: 'u3', email: 'c@b.c', fields: { name: 'Cy', age: 7, prefs: { z: 1, a: [true, null], m: 'x' } } };
    await again.addUser(custom);
    const found = await again.findUser({ email: 'c@b.c' });
    assert.equal(found, custom);
    assert.equal(Object.keys((found!.fields!.prefs as Record<string, unknown>)), ['z', 'a', 'm']);
    assert.equal(await again.listKeys('u1'), [{ ...key('k1', 'u1'), name: 'renamed' }, key('k3', 'u1')]);
    assert.equal(await again.findKey('k4'), key('k4', 'u9'));
    assert.is(await again.findKey('k2'), null);
    await again.close();
  });

  test('share hints: a hint is found by id; the roots shared whole with a grantee are listed, up to a limit, as hints change and after reopening', async () => {
    const { store, reopen } = await backend.fresh();
    const r = (i: number) => `n::0000000000000000000000${i.toString(16).padStart(2, '0')}`;
    const hints = [
      { id: 'n:Post:000000000000000000000001', owner: r(1), grantees: 'all' as const }, // a node, not a root
      { id: r(1), owner: r(1), grantees: ['n::caller'] },
      { id: r(2), owner: r(2), grantees: 'all' as const },
      { id: r(3), owner: r(3), grantees: ['n::other'] },
      { id: r(4), owner: r(4), grantees: ['n::other', 'n::caller'] },
    ];
    // Which roots come first is the store's choice (a run holds at most the limit of them).
    const shared = async (s: Store, grantee: string, limit = 8) => (await s.sharedRoots(grantee, limit)).sort();
    assert.equal(await shared(store, 'n::caller'), [], 'no hints yet');
    await store.putShares(hints.slice(0, 3));
    assert.equal(await shared(store, 'n::caller'), [r(1), r(2)]);
    await store.putShares(hints.slice(3));
    assert.equal(await shared(store, 'n::caller'), [r(1), r(2), r(4)]);
    const two = await shared(store, 'n::caller', 2);
    assert.is(two.length, 2, 'up to the limit');
    assert.ok(two.every((x) => [r(1), r(2), r(4)].includes(x)), String(two));
    assert.equal(await shared(store, 'n::other'), [r(2), r(3), r(4)]);
    assert.equal(await store.findShare(hints[0].id), hints[0]);
    // Changed: r(1) no longer shared with the caller, r(3) now is, r(2) no longer at all.
    await store.putShares([{ id: r(1), owner: r(1), grantees: ['n::other'] }, { id: r(3), owner: r(3), grantees: 'all' }, { id: r(2), owner: r(2), grantees: [] }]);
    assert.equal(await shared(store, 'n::caller'), [r(3), r(4)]);
    assert.is(await store.findShare(r(2)), null, 'a hint with no grantees is removed');
    await store.putShares([{ id: r(2), owner: r(2), grantees: 'all' }]);
    assert.equal(await shared(store, 'n::caller'), [r(2), r(3), r(4)], 'shared again');
    await store.close();
    const again = await reopen();
    assert.equal(await shared(again, 'n::caller'), [r(2), r(3), r(4)]);
    assert.equal(await again.findShare(hints[0].id), hints[0]);
    await again.close();
  });

  test('an enqueued job is durable, PENDING, and listed oldest first', async () => {
    const { store, reopen } = await backend.fresh();
    await store.enqueueJob(job(1));
    await store.enqueueJob(job(2));
    try {
      await store.enqueueJob(job(1));
      assert.unreachable('a second job with one id');
    } catch (e) {
      assert.ok(e instanceof StoreError && e.code === 'JAC_STORE_VALUE', String(e));
    }
    await store.close();
    const again = await reopen();
    const jobs = await again.listJobs();
    assert.equal(jobs.map((j) => j.id), [job(1).id, job(2).id]);
    const first = (await again.findJob(job(1).id))!;
    assert.equal({ ...first, enqueuedAt: '', runAfter: '' }, { ...job(1), status: 'PENDING', attempts: 0, enqueuedAt: '', runAfter: '', startedAt: null, finishedAt: null, leaseUntil: null, result: null, schedule: null, internal: false, keep: true });
    assert.is(JSON.stringify(first.fields), JSON.stringify(job(1).fields), 'key order kept');
    assert.match(first.enqueuedAt, ISO);
    assert.is(await again.findJob('w:Later:ffffffffffffffffffffffff'), null);
    await again.close();
  });

  test('each due job goes to exactly one of many concurrent claims, oldest first', async () => {
    const { store } = await backend.fresh();
    for (let i = 1; i <= 5; i++) await store.enqueueJob(job(i));
    const claims = await Promise.all(Array.from({ length: 20 }, () => store.claimJob(60_000)));
    const taken = claims.filter((c) => c !== null);
    assert.is(taken.length, 5);
    assert.equal(taken.map((c) => c!.job.id).sort(), [1, 2, 3, 4, 5].map((i) => job(i).id));
    for (const c of taken) {
      assert.is(c!.attempt, 1);
      assert.is(c!.job.status, 'STARTED');
      assert.match(c!.job.startedAt!, ISO);
      assert.ok(Date.parse(c!.job.leaseUntil!) > Date.now() + 30_000, 'the lease runs from the claim');
    }
    assert.is(await store.claimJob(60_000), null);
    await store.close();
  });

  test("a root's open jobs (queued or started) are counted, up to a limit; ended ones and other roots' are not", async () => {
    const { store, reopen } = await backend.fresh();
    const [other, publicRoot] = ['n::00000000000000000000000b', 'n::000000000000000000000000'];
    for (let i = 1; i <= 5; i++) await store.enqueueJob(job(i));
    await store.enqueueJob({ ...job(6), root: other, owner: 'u2' });
    await store.enqueueJob({ ...job(7), root: publicRoot, owner: null });
    await store.enqueueJob({ ...job(8), root: publicRoot, owner: null });
    const counts = async (s: typeof store) => [await s.countOpenJobs(root, 100), await s.countOpenJobs(other, 100), await s.countOpenJobs(publicRoot, 100), await s.countOpenJobs('n::00000000000000000000000f', 100)];
    assert.equal(await counts(store), [5, 1, 2, 0]);
    assert.is(await store.countOpenJobs(root, 3), 3, 'counted no further than asked');
    // Roots take turns: the root's first job, the other two roots' first, then its second.
    const claimed: ClaimedJob[] = [];
    for (let i = 0; i < 4; i++) claimed.push((await store.claimJob(60_000))!);
    assert.equal(claimed.map((c) => c.job.id), [job(1).id, job(6).id, job(7).id, job(2).id]);
    const [a, , , b] = claimed;
    assert.is(await store.countOpenJobs(root, 100), 5, 'a started job is open');
    await store.finishJob(a.job.id, a.attempt, 'COMPLETED', done);
    await store.finishJob(b.job.id, b.attempt, 'ERROR', failed);
    await store.cancelJob(job(3).id);
    assert.is(await store.countOpenJobs(root, 100), 2, 'ended jobs are not');
    const next = [(await store.claimJob(60_000))!.job.id, (await store.claimJob(60_000))!.job.id];
    assert.equal(next, [job(8).id, job(4).id], 'turns go on, past the ended jobs');
    assert.is(await store.countOpenJobs(root, 100), 2);
    await store.requeueJob(job(3).id);
    assert.is(await store.countOpenJobs(root, 100), 3, 'a job that ended and is queued again is');
    await store.close();
    const again = await reopen();
    assert.equal(await counts(again), [3, 1, 2, 0]);
    await again.close();
  });

  test('roots take turns: each root with due runs gets one before any gets a second', async () => {
    const { store } = await backend.fresh();
    const [b, c] = ['n::0000000000000000000000b1', 'n::0000000000000000000000c1'];
    for (let i = 1; i <= 4; i++) await store.enqueueJob(job(i));
    for (let i = 5; i <= 6; i++) await store.enqueueJob({ ...job(i), root: b, owner: 'u2' });
    await store.enqueueJob({ ...job(7), root: c, owner: 'u3' });
    const order: string[] = [];
    for (let claimed = await store.claimJob(60_000); claimed; claimed = await store.claimJob(60_000)) order.push(claimed.job.id);
    assert.equal(order, [1, 5, 7, 2, 6, 3, 4].map((i) => job(i).id));
    await store.close();
  });

  test("a root that queues while another's backlog runs waits about one run, not the backlog", async () => {
    const { store } = await backend.fresh();
    const b = 'n::0000000000000000000000b1';
    for (let i = 1; i <= 8; i++) await store.enqueueJob(job(i));
    for (let i = 0; i < 2; i++) {
      const run = (await store.claimJob(60_000))!;
      await store.finishJob(run.job.id, run.attempt, 'COMPLETED', done);
    }
    const taken = (await store.claimJob(60_000))!; // under way while the other root queues
    assert.is(taken.job.id, job(3).id);
    await store.enqueueJob({ ...job(11), root: b, owner: 'u2' });
    await store.enqueueJob({ ...job(12), root: b, owner: 'u2' });
    const next: string[] = [];
    for (let i = 0; i < 4; i++) next.push((await store.claimJob(60_000))!.job.id);
    // Which of the two goes first within a round is the store's choice; each round has one of each.
    assert.equal(next.slice(0, 2).sort(), [job(4).id, job(11).id].sort());
    assert.equal(next.slice(2, 4).sort(), [job(5).id, job(12).id].sort());
    await store.close();
  });

  test('a run dated ahead is not taken before its time, then takes a turn as any run of its root would; a cancelled one never', async () => {
    const { store, reopen } = await backend.fresh();
    const b = 'n::0000000000000000000000b1';
    const at = new Date(Date.now() + 500).toISOString();
    await store.enqueueJob({ ...job(1), runAfter: at });
    await store.enqueueJob({ ...job(2), runAfter: at });
    for (let i = 3; i <= 7; i++) await store.enqueueJob({ ...job(i), root: b, owner: 'u2' });
    const first = (await store.claimJob(60_000))!;
    assert.is(first.job.id, job(3).id, 'the dated runs are not due, the other root is');
    assert.is(await store.cancelJob(job(2).id), true);
    await sleep(Date.parse(at) - Date.now() + 50);
    const next: string[] = [];
    for (let c = await store.claimJob(60_000); c; c = await store.claimJob(60_000)) {
      next.push(c.job.id);
      await store.finishJob(c.job.id, c.attempt, 'COMPLETED', done);
    }
    await store.finishJob(first.job.id, first.attempt, 'COMPLETED', done);
    // Due now, it waits about one run of the other root's backlog, not all of it.
    assert.equal(next.slice(0, 2).sort(), [job(1).id, job(4).id].sort());
    assert.equal(next.slice(2), [5, 6, 7].map((i) => job(i).id));
    assert.is((await store.findJob(job(2).id))!.status, 'CANCELLED');
    await store.close();
    // Queued again after a restart: still not before its time.
    const again = await reopen();
    await again.enqueueJob({ ...job(8), runAfter: new Date(Date.now() + 60_000).toISOString() });
    assert.is(await again.claimJob(60_000), null);
    await again.close();
    const third = await reopen();
    assert.is(await third.claimJob(60_000), null, 'a dated run read back from the store is not due either');
    await third.close();
  });

  test('finishing records the outcome once, and only for the attempt that holds the job', async () => {
    const { store, reopen } = await backend.fresh();
    await store.enqueueJob(job(1));
    await store.enqueueJob(job(2));
    const a = (await store.claimJob(60_000))!;
    const b = (await store.claimJob(60_000))!;
    assert.is(a.job.id, job(1).id, 'the oldest first');
    assert.is(await store.finishJob(a.job.id, a.attempt + 1, 'COMPLETED', done), false, 'not its attempt');
    assert.is(await store.finishJob(a.job.id, a.attempt, 'COMPLETED', done), true);
    assert.is(await store.finishJob(a.job.id, a.attempt, 'ERROR', failed), false, 'already over');
    assert.is(await store.finishJob(b.job.id, b.attempt, 'ERROR', failed), true);
    assert.is(await store.finishJob('w:Later:ffffffffffffffffffffffff', 1, 'COMPLETED', done), false);
    await store.close();
    const again = await reopen();
    const one = (await again.findJob(a.job.id))!;
    assert.is(one.status, 'COMPLETED');
    assert.equal(one.result, done);
    assert.is(JSON.stringify(one.result!.reports), JSON.stringify(done.reports), 'key order kept');
    assert.match(one.finishedAt!, ISO);
    assert.ok(one.finishedAt! >= one.startedAt! && one.startedAt! >= one.enqueuedAt);
    assert.is(one.leaseUntil, null);
    const two = (await again.findJob(b.job.id))!;
    assert.is(two.status, 'ERROR');
    assert.equal(two.result, failed);
    assert.is(await again.claimJob(60_000), null, 'a finished job is not taken again');
    await again.close();
  });

  test('a retried job waits out its backoff, and fails for good after its last attempt', async () => {
    const { store } = await backend.fresh();
    await store.enqueueJob(job(1, 2));
    const first = (await store.claimJob(60_000))!;
    assert.is(await store.retryJob(first.job.id, first.attempt, 300, failed), true);
    const waiting = (await store.findJob(first.job.id))!;
    assert.is(waiting.status, 'PENDING');
    assert.is(waiting.leaseUntil, null);
    assert.is(await store.claimJob(60_000), null, 'not before its backoff ends');
    await sleep(400);
    const second = (await store.claimJob(60_000))!;
    assert.is(second.job.id, first.job.id);
    assert.is(second.attempt, 2);
    assert.is(await store.retryJob(second.job.id, second.attempt, 0, failed), true);
    const over = (await store.findJob(first.job.id))!;
    assert.is(over.status, 'ERROR');
    assert.equal(over.result, failed);
    assert.match(over.finishedAt!, ISO);
    assert.is(await store.claimJob(60_000), null);
    await store.close();
  });

  test("a delivery's job is queued together with its log entry; a repeat writes neither, and an entry already logged is kept", async () => {
    const { store, reopen } = await backend.fresh();
    const entry = (id: string, over: Partial<DeliveryRecord> = {}): DeliveryRecord => ({
      id, keyId: 'k1', owner: 'u1', walker: 'Later', receivedAt: new Date().toISOString(), verified: true, deliveryId: `s-${id}`, event: 'push',
      status: 'pending', code: 202, ms: 0, errorId: null, reason: null, duplicates: 0, replay: { fields: { n: 1 }, node: null, allowedNodes: null }, replayUntil: '2999-01-01T00:00:00.000Z', ...over,
    });
    await store.enqueueJob(job(1), entry(job(1).id));
    try {
      await store.enqueueJob(job(1), entry(job(1).id, { event: 'again' }));
      assert.unreachable('queued twice');
    } catch (e) {
      assert.ok(e instanceof StoreError && e.code === 'JAC_STORE_VALUE');
    }
    await store.logDelivery(entry(job(2).id, { event: 'earlier' }));
    await store.enqueueJob(job(2), entry(job(2).id));
    await store.enqueueJob(job(3));
    await store.close();
    const again = await reopen();
    assert.equal((await again.listJobs()).map((j) => j.id), [job(1).id, job(2).id, job(3).id]);
    assert.equal(await again.findDelivery(job(1).id), entry(job(1).id, { receivedAt: (await again.findDelivery(job(1).id))!.receivedAt }));
    assert.is((await again.findDelivery(job(1).id))!.event, 'push', 'the repeat changed nothing');
    assert.is((await again.findDelivery(job(2).id))!.event, 'earlier', 'an entry already logged is kept');
    assert.is(await again.findDelivery(job(3).id), null);
    assert.equal((await again.listDeliveries('u1', { limit: 10 })).map((d) => d.id).sort(), [job(1).id, job(2).id].sort());
    await again.close();
  });

  test("a delivery's job ends together with its log entry's outcome, and only for the attempt that holds the job", async () => {
    const { store, reopen } = await backend.fresh();
    const entry = (id: string): DeliveryRecord => ({
      id, keyId: 'k1', owner: 'u1', walker: 'Later', receivedAt: new Date().toISOString(), verified: true, deliveryId: id, event: 'push',
      status: 'pending', code: 202, ms: 0, errorId: null, reason: null, duplicates: 0, replay: { fields: {}, node: null, allowedNodes: null }, replayUntil: '2999-01-01T00:00:00.000Z',
    });
    const kept = job(1);
    const removed = { ...job(2), keep: false };
    const retried = job(3, 2);
    const unlogged = job(4);
    for (const j of [kept, removed, retried]) {
      await store.enqueueJob(j);
      await store.logDelivery(entry(j.id));
    }
    await store.enqueueJob(unlogged);
    const ok = { status: 'ok', code: 200, ms: 7, errorId: null } as const;
    const gaveUp = { status: 'failed', code: 503, ms: 9, errorId: 'err-1' } as const;
    const [a, b, c, d] = [await store.claimJob(60_000), await store.claimJob(60_000), await store.claimJob(60_000), await store.claimJob(60_000)];
    assert.equal([a, b, c, d].map((x) => x!.job.id), [kept.id, removed.id, retried.id, unlogged.id]);
    assert.is(await store.finishJob(a!.job.id, a!.attempt + 1, 'COMPLETED', done, ok), false);
    assert.is((await store.findDelivery(kept.id))!.status, 'pending', 'an attempt that does not hold the job tells the log nothing');
    assert.is(await store.finishJob(a!.job.id, a!.attempt, 'COMPLETED', done, ok), true);
    assert.is(await store.finishJob(b!.job.id, b!.attempt, 'COMPLETED', done, ok), true);
    assert.is(await store.findJob(removed.id), null, 'a job not kept is removed');
    assert.is(await store.retryJob(c!.job.id, c!.attempt, 0, failed, gaveUp), true);
    assert.is((await store.findDelivery(retried.id))!.status, 'pending', 'an attempt is left: the entry waits for it');
    const last = (await store.claimJob(60_000))!;
    assert.is(last.job.id, retried.id);
    assert.is(await store.retryJob(last.job.id, last.attempt, 0, failed, gaveUp), true);
    assert.is(await store.finishJob(d!.job.id, d!.attempt, 'COMPLETED', done, ok), true, 'a job without an entry ends as any other');
    assert.is(await store.findDelivery(unlogged.id), null, 'and no entry is made for it');
    await store.close();
    const again = await reopen();
    const outcome = async (id: string) => {
      const x = (await again.findDelivery(id))!;
      return [x.status, x.code, x.ms, x.errorId, x.event];
    };
    assert.equal(await outcome(kept.id), ['ok', 200, 7, null, 'push']);
    assert.equal(await outcome(removed.id), ['ok', 200, 7, null, 'push']);
    assert.equal(await outcome(retried.id), ['failed', 503, 9, 'err-1', 'push']);
    assert.equal((await again.listDeliveries('u1', { status: 'failed', limit: 10 })).map((x) => x.id), [retried.id], 'listed by its new status');
    assert.is((await again.findJob(retried.id))!.status, 'ERROR');
    await again.close();
  });

  test("an operator cancels a pending job and retries a cancelled or failed one, and nothing else", async () => {
    const { store, reopen } = await backend.fresh();
    await store.enqueueJob(job(1, 1));
    await store.enqueueJob(job(2));
    assert.is(await store.cancelJob(job(2).id), true);
    assert.is((await store.findJob(job(2).id))!.status, 'CANCELLED');
    assert.is(await store.cancelJob(job(2).id), false, 'only a PENDING job');
    const taken = (await store.claimJob(60_000))!;
    assert.is(taken.job.id, job(1).id, 'a cancelled job is never claimed');
    assert.is(await store.claimJob(60_000), null);
    assert.is(await store.cancelJob(job(1).id), false, 'a started job runs to its end');
    assert.is(await store.requeueJob(job(1).id), false, 'nor is it retried while it runs');
    assert.is(await store.retryJob(taken.job.id, taken.attempt, 0, failed), true);
    assert.is((await store.findJob(job(1).id))!.status, 'ERROR', 'its one attempt is spent');
    assert.is(await store.requeueJob(job(1).id), true);
    assert.is(await store.requeueJob(job(2).id), true);
    assert.is(await store.requeueJob('w:Later:ffffffffffffffffffffffff'), false, 'no such job');
    await store.close();
    const again = await reopen();
    const requeued = (await again.findJob(job(1).id))!;
    assert.equal([requeued.status, requeued.attempts, requeued.result, requeued.finishedAt], ['PENDING', 0, null, null]);
    const claims = [(await again.claimJob(60_000))!, (await again.claimJob(60_000))!];
    assert.equal(claims.map((c) => [c.job.id, c.attempt]), [[job(1).id, 1], [job(2).id, 1]]);
    await again.close();
  });

  test("a job whose taker's lease ran out is taken again; the old taker can no longer finish it", async () => {
    const { store } = await backend.fresh();
    await store.enqueueJob(job(1, 2));
    await store.enqueueJob(job(2, 1));
    const a = (await store.claimJob(100))!;
    const b = (await store.claimJob(100))!;
    assert.is(await store.claimJob(100), null, 'both held');
    await sleep(250);
    const again = (await store.claimJob(60_000))!;
    assert.is(again.job.id, a.job.id);
    assert.is(again.attempt, 2);
    assert.is(await store.finishJob(a.job.id, a.attempt, 'COMPLETED', done), false, 'the lost taker');
    assert.is(await store.finishJob(again.job.id, again.attempt, 'COMPLETED', done), true);
    // Job 2 had one attempt, and its taker was lost: it is over, as an error.
    assert.is(await store.claimJob(60_000), null);
    const lost = (await store.findJob(b.job.id))!;
    assert.is(lost.status, 'ERROR');
    assert.is(lost.result!.httpStatus, 500);
    assert.match(lost.result!.error!, /cut off/);
    await store.close();
  });

  test('a renewed lease keeps a long run its own; a lease not renewed runs out', async () => {
    const { store } = await backend.fresh();
    await store.enqueueJob(job(1));
    await store.enqueueJob(job(2));
    const a = (await store.claimJob(200))!;
    const b = (await store.claimJob(200))!;
    await sleep(120);
    await store.renewJobs([{ id: a.job.id, attempt: a.attempt }, { id: b.job.id, attempt: 99 }], 60_000);
    await sleep(150);
    const again = (await store.claimJob(60_000))!;
    assert.is(again.job.id, b.job.id, 'only the renewal for the attempt that holds the job counts');
    assert.is(await store.claimJob(60_000), null, 'the renewed one is still held');
    assert.is(await store.finishJob(a.job.id, a.attempt, 'COMPLETED', done), true);
    await store.close();
  });

  test('a job queued for later is not taken before its time; the program\'s jobs are marked as such', async () => {
    const { store, reopen } = await backend.fresh();
    const later = new Date(Date.now() + 300).toISOString();
    await store.enqueueJob({ ...job(1), runAfter: later, internal: true });
    const stored = (await store.findJob(job(1).id))!;
    assert.equal([stored.runAfter, stored.internal, stored.schedule], [later, true, null]);
    assert.is(await store.claimJob(60_000), null);
    await sleep(350);
    assert.is((await store.claimJob(60_000))!.job.id, job(1).id);
    await store.close();
    const again = await reopen();
    assert.is((await again.findJob(job(1).id))!.internal, true);
    await again.close();
  });

  test('a completed job that is not to be kept leaves no record; a failed one stays for the operator', async () => {
    const { store } = await backend.fresh();
    await store.enqueueJob({ ...job(1), keep: false });
    await store.enqueueJob({ ...job(2, 1), keep: false });
    const a = (await store.claimJob(60_000))!;
    const b = (await store.claimJob(60_000))!;
    assert.is(await store.finishJob(a.job.id, a.attempt + 1, 'COMPLETED', done), false, 'not the attempt that holds it');
    assert.is(await store.finishJob(a.job.id, a.attempt, 'COMPLETED', done), true);
    assert.is(await store.findJob(a.job.id), null);
    assert.is(await store.retryJob(b.job.id, b.attempt, 0, failed), true);
    assert.is((await store.findJob(b.job.id))!.status, 'ERROR');
    await store.close();
  });

  test('a run not kept that completed is gone for good: claims go on to the next, also once its lease would have run out, and its id is free again', async () => {
    const { store } = await backend.fresh();
    for (let i = 1; i <= 3; i++) await store.enqueueJob({ ...job(i), keep: false });
    const a = (await store.claimJob(5))!;
    assert.is(await store.finishJob(a.job.id, a.attempt, 'COMPLETED', done), true);
    assert.is(await store.finishJob(a.job.id, a.attempt, 'COMPLETED', done), false, 'it is not there to finish again');
    await sleep(20);
    const b = (await store.claimJob(60_000))!;
    assert.is(b.job.id, job(2).id, 'the next run, not the one that completed');
    assert.is(await store.finishJob(b.job.id, b.attempt, 'COMPLETED', done), true);
    assert.is((await store.claimJob(60_000))!.job.id, job(3).id);
    assert.is(await store.claimJob(60_000), null);
    assert.is(await store.findJob(a.job.id), null);
    assert.equal((await store.listJobs()).map((j) => j.id), [job(3).id]);
    assert.is(await store.requeueJob(a.job.id), false);
    await store.enqueueJob({ ...job(1), keep: false });
    assert.equal((await store.listJobs()).map((j) => [j.id, j.status]), [[job(3).id, 'STARTED'], [job(1).id, 'PENDING']], 'queued again under its id');
    const again = (await store.claimJob(60_000))!;
    assert.is(again.job.id, job(1).id);
    assert.is(await store.finishJob(again.job.id, again.attempt, 'COMPLETED', done), true);
    assert.equal((await store.listJobs()).map((j) => j.id), [job(3).id], 'the run queued again completed, and is gone too');
    assert.is(await store.claimJob(60_000), null);
    await store.close();
  });

  test('pruning removes the jobs that ended before a time, and nothing queued or running', async () => {
    const { store } = await backend.fresh();
    for (let i = 1; i <= 4; i++) await store.enqueueJob(job(i, 1));
    const a = (await store.claimJob(60_000))!;
    await store.finishJob(a.job.id, a.attempt, 'COMPLETED', done);
    await store.cancelJob(job(4).id);
    const b = (await store.claimJob(60_000))!; // job 2 stays STARTED
    await sleep(20);
    const cut = new Date().toISOString();
    assert.is(await store.pruneJobs(new Date(Date.now() - 60_000).toISOString()), 0, 'none ended that long ago');
    assert.is(await store.pruneJobs(cut), 2);
    assert.equal((await store.listJobs()).map((j) => [j.id, j.status]), [[b.job.id, 'STARTED'], [job(3).id, 'PENDING']]);
    await store.close();
  });

  test('the delivery log: newest first per owner, filtered by key and status; outcomes, repeats, the replay window and pruning', async () => {
    const { store, reopen } = await backend.fresh();
    const at = (s: number) => new Date(Date.UTC(2030, 0, 1, 0, 0, s)).toISOString();
    const delivery = (i: number, over: Partial<DeliveryRecord> = {}): DeliveryRecord => ({
      id: `d-${i}`, keyId: i % 2 ? 'k1' : 'k2', owner: 'u1', walker: 'hook', receivedAt: at(i), verified: true, deliveryId: `sender-${i}`, event: 'push',
      status: 'pending', code: null, ms: null, errorId: null, reason: null, duplicates: 0,
      replay: { fields: { ref: `r${i}`, nested: { b: 1, a: 2 } }, node: null, allowedNodes: null }, replayUntil: '2999-01-01T00:00:00.000Z', ...over,
    });
    for (let i = 1; i <= 4; i++) await store.logDelivery(delivery(i));
    await store.logDelivery(delivery(5, { owner: 'u2' }));
    await store.logDelivery(delivery(6, { status: 'rejected', verified: false, reason: 'Unauthorized', replay: null }));
    await store.logDelivery(delivery(7, { replayUntil: '2000-01-01T00:00:00.000Z' }));
    try {
      await store.logDelivery(delivery(1));
      assert.unreachable('logged twice');
    } catch (e) {
      assert.ok(e instanceof StoreError && e.code === 'JAC_STORE_VALUE');
    }
    await store.tellDeliveries([{ record: delivery(2, { status: 'ok', code: 200, ms: 12 }), repeat: false }]);
    await store.tellDeliveries([{ record: delivery(2), repeat: true }]);
    await store.tellDeliveries([{ record: delivery(2), repeat: true }]);
    assert.equal((await store.listDeliveries('u1', { limit: 10 })).map((d) => d.id), ['d-7', 'd-6', 'd-4', 'd-3', 'd-2', 'd-1']);
    assert.equal((await store.listDeliveries('u1', { limit: 2 })).map((d) => d.id), ['d-7', 'd-6']);
    assert.equal((await store.listDeliveries('u1', { keyId: 'k1', limit: 10 })).map((d) => d.id), ['d-7', 'd-3', 'd-1']);
    assert.equal((await store.listDeliveries('u1', { status: 'ok', limit: 10 })).map((d) => d.id), ['d-2']);
    assert.equal((await store.listDeliveries('u2', { limit: 10 })).map((d) => d.id), ['d-5']);
    await store.close();
    const again = await reopen();
    const two = (await again.findDelivery('d-2'))!;
    assert.equal([two.status, two.code, two.ms, two.duplicates, two.replay], ['ok', 200, 12, 2, delivery(2).replay]);
    assert.is(await again.pruneDeliveries(at(3)), 2, 'received before the cut');
    assert.is(await again.findDelivery('d-1'), null);
    assert.is((await again.findDelivery('d-7'))!.replay, null, 'past its replay window: the line stays, what a replay runs goes');
    assert.ok((await again.findDelivery('d-4'))!.replay);
    await again.close();
  });

  test('deliveries told in one write: an entry made for each new one, repeats counted, outcomes given, a pending one changing nothing; one delivery told several times', async () => {
    const { store, reopen } = await backend.fresh();
    const at = (s: number) => new Date(Date.UTC(2030, 0, 1, 0, 0, s)).toISOString();
    const delivery = (i: number, over: Partial<DeliveryRecord> = {}): DeliveryRecord => ({
      id: `d-${i}`, keyId: 'k1', owner: 'u1', walker: 'hook', receivedAt: at(i), verified: true, deliveryId: `sender-${i}`, event: 'push',
      status: 'ok', code: 200, ms: 5, errorId: null, reason: null, duplicates: 0,
      replay: { fields: { ref: `r${i}` }, node: null, allowedNodes: null }, replayUntil: '2999-01-01T00:00:00.000Z', ...over,
    });
    await store.logDelivery(delivery(1, { status: 'pending', code: 202, ms: 0 })); // queued: its job gives the outcome
    await store.logDelivery(delivery(2));
    const failed = { status: 'failed', code: 500, ms: 9, errorId: 'e-1' } as const;
    await store.tellDeliveries([
      { record: delivery(1, { status: 'pending', code: 202, ms: 0, duplicates: 1 }), repeat: true }, // a repeat of the queued one
      { record: delivery(1, { status: 'pending', code: 202, ms: 0 }), repeat: false }, // pending: nothing to say
      { record: delivery(2, failed), repeat: false }, // a later run's outcome
      { record: delivery(3), repeat: false }, // new
      { record: delivery(4, { status: 'pending', code: null, ms: null, duplicates: 1 }), repeat: true }, // a repeat logged before its first
      { record: delivery(4, { ms: 7 }), repeat: false }, // then the first's outcome, in the same write
      { record: delivery(4), repeat: true },
    ]);
    const seen = async (s: Store) => Object.fromEntries(await Promise.all([1, 2, 3, 4].map(async (i) => {
      const d = (await s.findDelivery(`d-${i}`))!;
      return [d.id, [d.status, d.code, d.ms, d.errorId, d.duplicates]];
    })));
    const expected = { 'd-1': ['pending', 202, 0, null, 1], 'd-2': ['failed', 500, 9, 'e-1', 0], 'd-3': ['ok', 200, 5, null, 0], 'd-4': ['ok', 200, 7, null, 2] };
    assert.equal(await seen(store), expected);
    assert.equal((await store.listDeliveries('u1', { limit: 10 })).map((d) => d.id), ['d-4', 'd-3', 'd-2', 'd-1'], 'new entries in the order told');
    // Told again in a later write, an entry that exists takes the repeat and the outcome.
    await store.tellDeliveries([{ record: delivery(3, failed), repeat: false }, { record: delivery(3), repeat: true }]);
    await store.close();
    const again = await reopen();
    assert.equal(await seen(again), { ...expected, 'd-3': ['failed', 500, 9, 'e-1', 1] });
    assert.equal((await again.findDelivery('d-3'))!.replay, delivery(3).replay, 'what a replay runs is kept');
    await again.close();
  });

  test("what a replay runs is kept as the sender sent it: any character (a NUL too), an object's keys in their order", async () => {
    const { store, reopen } = await backend.fresh();
    const fields = { zeta: 'a\u0000b', alpha: { y: 1, x: [2, { q: null, p: 'é\u0000' }] }, 'ключ': '\u2028' };
    const replay = { fields, node: null, allowedNodes: null };
    const entry = (id: string): DeliveryRecord => ({
      id, keyId: 'k1', owner: 'u1', walker: 'hook', receivedAt: '2030-01-01T00:00:00.000Z', verified: true, deliveryId: id, event: 'push',
      status: 'ok', code: 200, ms: 1, errorId: null, reason: null, duplicates: 0, replay, replayUntil: '2999-01-01T00:00:00.000Z',
    });
    await store.logDelivery(entry('d-1'));
    await store.tellDeliveries([{ record: entry('d-2'), repeat: false }, { record: entry('d-2'), repeat: true }]);
    await store.enqueueJob(job(1), { ...entry(job(1).id), status: 'pending', code: 202 });
    await store.close();
    const again = await reopen();
    for (const id of ['d-1', 'd-2', job(1).id]) {
      const d = (await again.findDelivery(id))!;
      assert.is(JSON.stringify(d.replay), JSON.stringify(replay), `${id}: the same text, keys in the same order`);
    }
    assert.is(JSON.stringify((await again.listDeliveries('u1', { limit: 1 }))[0].replay), JSON.stringify(replay));
    assert.is((await again.findDelivery('d-2'))!.duplicates, 1);
    await again.close();
  });

  test('a schedule is registered once; each tick fires once however many fire it at once, never an earlier one after a later', async () => {
    const { store, reopen } = await backend.fresh();
    const first = await store.registerSchedule('Tick');
    assert.match(first.registeredAt, ISO);
    assert.is(first.lastTick, null);
    assert.equal(await store.registerSchedule('Tick'), first, 'registered once');
    const tick = (s: number) => new Date(Date.UTC(2030, 0, 1, 0, 0, s)).toISOString();
    const firing = await Promise.all([1, 2, 3, 4].map((i) => store.fireSchedule('Tick', tick(1), job(10 + i), 5)));
    assert.equal(firing.filter((r) => r === 'fired').length, 1, 'one of the four fires the tick');
    assert.equal(firing.filter((r) => r === 'taken').length, 3);
    assert.is(await store.fireSchedule('Tick', tick(0), job(20), 5), 'taken', 'an earlier tick is over');
    const queued = (await store.listJobs()).filter((j) => j.schedule === 'Tick');
    assert.is(queued.length, 1);
    assert.is(queued[0].status, 'PENDING');
    await store.close();
    const again = await reopen();
    assert.equal(await again.registerSchedule('Tick'), { registeredAt: first.registeredAt, lastTick: tick(1) }, 'the last tick is durable');
    assert.is(await again.fireSchedule('Tick', tick(1), job(21), 5), 'taken');
    await again.close();
  });

  test('a tick that finds as many runs unfinished as the schedule allows is spent without queueing another', async () => {
    const { store } = await backend.fresh();
    const tick = (s: number) => new Date(Date.UTC(2030, 0, 1, 0, 0, s)).toISOString();
    assert.is(await store.fireSchedule('Tick', tick(1), job(1), 1), 'fired');
    assert.is(await store.fireSchedule('Tick', tick(2), job(2), 1), 'busy', 'the first is still pending');
    assert.is((await store.registerSchedule('Tick')).lastTick, tick(2), 'the busy tick is spent');
    assert.is(await store.fireSchedule('Other', tick(2), job(3), 1), 'fired', 'schedules are independent');
    const taken = (await store.claimJob(60_000))!;
    assert.is(await store.fireSchedule('Tick', tick(3), job(4), 1), 'busy', 'a started run counts');
    assert.is(await store.finishJob(taken.job.id, taken.attempt, 'COMPLETED', done), true);
    assert.is(await store.fireSchedule('Tick', tick(4), job(5), 1), 'fired');
    assert.equal((await store.listJobs()).filter((j) => j.schedule === 'Tick').map((j) => j.id), [job(1).id, job(5).id]);
    await store.close();
  });

  test.run();
}
