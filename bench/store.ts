// The embedded store under load: commit latency for a one-node change on roots of 1,000,
// 10,000 and 100,000 nodes (a commit appends to the root's journal, so the 100k-node root
// should cost about what the 1k one does: target within 2×), the bytes one new edge writes on a
// node with 100,000 edges, the time to load each root into nodes, and how many disk writes 100
// concurrent commits on one root take (group commit should make it far fewer than 100), and what
// a delivery log entry costs, gathered as the signed routes tell them, once the log is full and
// the oldest make room (target: within 2× of an entry while it fills), against one call each.
// Then the PostgreSQL store (on DATABASE_URL, else a throwaway cluster as the tests start one):
// a one-node commit on roots of 1,000, 10,000 and 100,000 nodes (a commit writes only its
// change's rows: the same target) and the load of each; delivery log entries gathered into one
// statement per turn against one statement each. And what a webhook request and a login look up
// on the data dir (a key by id, a user by email, a user's keys), among 20,000 keys of 10,000 users, and what a
// run entering another root's node asks of it (the roots shared with the caller whole), among
// 100,000 share hints, and what a change of the system file (a share, a registration) costs there,
// and how long the event loop waits while that system file folds (in the background, in parts).
// And how long the event loop waits while the job files fold with 50,000 runs queued (the snapshot
// is made in parts beside the writes: before, one 250 ms stall), and what a run claimed and
// finished costs once the ended runs kept are at their limit, with 70,000 runs in the file, and
// what a run not kept costs as it completes and leaves the file. And what the job files take of an
// async delivery with a 20 KB body (queued with its log entry, claimed, finished with its
// outcome; its fields are written once, as it is queued) and of a repeat of a logged delivery.
// Run: npm run bench:store
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { PyClass, PyInstance } from '../runtime/interpreter/archetypes.ts';
import { connect, GenericEdge } from '../runtime/interpreter/graph.ts';
import { LowStore } from '../runtime/store/lowdb-store.ts';
import { PgStore } from '../runtime/store/postgres/pg-store.ts';
import { freshDatabase } from '../test/helpers/postgres.ts';
import { PersistentGraph } from '../runtime/store/persistent-graph.ts';
import type { DeliveryLog, DeliveryRecord, GraphRecord, JobResult, Json, NewJob, ShareHint } from '../runtime/store/store.ts';
import { DeliveryLogBatch } from '../server/webhooks/log-batch.ts';
import { JobFile, MAX_LOGGED_DELIVERIES } from '../runtime/store/job-file.ts';
import { freshDir, removeFreshDirs } from './lib/temp.ts';

const SMALL = 'n::00000000000000000000000a';

// A full collection before each reading of the heap (V8 offers it to a context made after the flag is set).
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;
const hex = (root: string, i: number) => root.slice(-2) + i.toString(16).padStart(22, '0');

/** A root with `n` nodes hanging off it, each with a few fields. */
function graph(root: string, n: number): GraphRecord[] {
  const records: GraphRecord[] = [];
  for (let i = 0; i < n; i++) {
    const node = `n:Item:${hex(root, i)}`;
    records.push({ id: node, fields: { name: `item ${i}`, value: i, tags: ['a', 'b'], score: i + 0.5 } });
    records.push({ id: `e::${hex(root, i)}`, fields: {}, source: root, target: node });
  }
  return [{ id: root, fields: {} }, ...records];
}

const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];

async function commitLatencies(store: LowStore | PgStore, count: number, nodes: number, root = SMALL): Promise<{ median: number; p99: number; perSecond: number }> {
  const times: number[] = [];
  const start = performance.now();
  for (let k = 0; k < count; k++) {
    const t = performance.now();
    const i = (k * 7919) % nodes;
    await store.commitGraph(root, { upserts: [{ id: `n:Item:${hex(root, i)}`, fields: { name: `item ${i}`, value: k, tags: ['a', 'b'], score: 1.5 } }], deletes: [] });
    times.push(performance.now() - t);
  }
  return { median: percentile(times, 0.5), p99: percentile(times, 0.99), perSecond: count / ((performance.now() - start) / 1000) };
}


try {
  const COMMITS = 300;
  const Item = new PyClass('Item', 'Item', 'node', [], []);
  const show = (f: { median: number; p99: number; perSecond: number }) => `median ${f.median.toFixed(2)} ms, p99 ${f.p99.toFixed(2)} ms, ${f.perSecond.toFixed(0)} commits/s`;
  const medians = new Map<number, number>();
  let largest = '';
  for (const n of [1_000, 10_000, 100_000]) {
    const dir = freshDir('jac-bench-store-');
    const store = await LowStore.open(dir);
    await store.commitGraph(SMALL, { upserts: graph(SMALL, n), deletes: [] });
    const figures = await commitLatencies(store, COMMITS, n);
    medians.set(n, figures.median);
    const folds = store.graphs.folds;
    await store.close();
    const reopened = await LowStore.open(dir);
    const t = performance.now();
    const g = await PersistentGraph.open(reopened, SMALL);
    g.bindTypes((name) => (name === 'Item' ? Item : undefined));
    g.loadNow();
    const loadMs = performance.now() - t;
    const sizes = await reopened.graphs.sizes(SMALL);
    console.log(
      `${n.toLocaleString('en').padStart(7)}-node root: one-node commit ${show(figures)}; load ${loadMs.toFixed(0)} ms (snapshot ${(sizes.snapshot / 1e6).toFixed(1)} MB, journal ${(sizes.journal / 1e6).toFixed(2)} MB, ${folds} fold${folds === 1 ? '' : 's'})`,
    );
    if (n === 100_000) largest = dir;
    await reopened.close();
  }
  console.log(`ratio of medians, 100,000-node root / 1,000-node root: ${(medians.get(100_000)! / medians.get(1_000)!).toFixed(2)}× (target: within 2×)`);

  // One edge added to the root, which has 100,000 edges: the bytes the commit appends.
  const store = await LowStore.open(largest);
  const root = await PersistentGraph.open(store, SMALL);
  root.bindTypes((name) => (name === 'Item' ? Item : undefined));
  root.loadNow();
  const before = (await store.graphs.sizes(SMALL)).journal;
  const child = new PyInstance(Item);
  connect(root.root, child, 'out', () => new PyInstance(GenericEdge));
  await root.commit();
  const written = (await store.graphs.sizes(SMALL)).journal - before;
  console.log(`one edge added to the root with 100,000 edges: ${written} bytes written (the root's edge list would be ${(100_000 * 29 / 1e6).toFixed(1)} MB)`);

  // 100 concurrent small commits on one root.
  const writesBefore = store.writes;
  const t = performance.now();
  await Promise.all(Array.from({ length: 100 }, (_, k) => store.commitGraph(SMALL, { upserts: [{ id: `n:Item:${hex(SMALL, k)}`, fields: { value: -k } }], deletes: [] })));
  console.log(`100 concurrent commits on the 100,000-node root: ${store.writes - writesBefore} disk writes, ${(performance.now() - t).toFixed(0)} ms in all`);

  // The delivery log: entries told as the signed routes tell them after their answers (gathered,
  // one write per turn of the event loop), first while the log fills, then once it is full and
  // the oldest make room; and, against that, entries written one call each.
  const entry = (i: number): DeliveryRecord => ({
    id: `d-${i}`, keyId: 'k1', owner: 'u1', walker: 'hook', receivedAt: new Date().toISOString(), verified: true, deliveryId: null, event: 'push',
    status: 'ok', code: 200, ms: 1, errorId: null, reason: null, duplicates: 0, replay: { fields: { ref: `refs/heads/${i}` }, node: null, allowedNodes: null }, replayUntil: '2999-01-01T00:00:00.000Z',
  });
  /** µs per entry for `count` entries from `from`, 100 told per turn of the event loop. */
  const perEntry = async (log: DeliveryLog, from: number, count: number, gathered: boolean): Promise<number> => {
    const batch = new DeliveryLogBatch(log, (e) => { throw e; });
    const started = performance.now();
    const told: Promise<void>[] = [];
    for (let i = from; i < from + count; i++) {
      if (gathered) batch.tell({ record: entry(i), repeat: false });
      else told.push(log.logDelivery(entry(i), { lazy: true }));
      if (i % 100 === 99) await new Promise((r) => setImmediate(r)); // requests arrive over time
    }
    await Promise.all([...told, batch.flush()]);
    return ((performance.now() - started) * 1000) / count;
  };
  const single = await perEntry(store, 0, MAX_LOGGED_DELIVERIES / 2, false);
  const filling = await perEntry(store, MAX_LOGGED_DELIVERIES / 2, MAX_LOGGED_DELIVERIES / 2, true);
  const full = await perEntry(store, MAX_LOGGED_DELIVERIES, MAX_LOGGED_DELIVERIES, true);
  console.log(
    `delivery log entries, gathered per turn: ${filling.toFixed(1)} µs each while it fills (${single.toFixed(1)} µs written one call each, ${(single / filling).toFixed(1)}×), ` +
      `${full.toFixed(1)} µs once full at ${MAX_LOGGED_DELIVERIES.toLocaleString('en')} (${(full / filling).toFixed(2)}×; target: within 2×)`,
  );
  await store.close();

  // A fold of the job files under a large queue (50,000 queued runs): the snapshot is made
  // in parts beside the writes, so the event loop never waits for the whole of it. Leases renewed
  // on 500 runs, again and again (each renewal rewrites them), pile up replaced copies until the
  // files fold; the longest wait of the event loop is measured from the first renewal to the end
  // of the fold.
  const FOLD_QUEUE = 50_000;
  const foldDir = freshDir('jac-bench-store-fold-');
  const queue = await JobFile.open(foldDir);
  const queuedRun = (i: number) => ({ id: `w:hook:${i.toString(16).padStart(24, '0')}`, walker: 'hook', root: `n::${hex('00', i % 100)}`, owner: `u${i % 100}`, node: null, fields: { ref: `refs/heads/${i}`, body: 'x'.repeat(500) }, allowedNodes: null, maxAttempts: 6 });
  /** Queues `count` runs made by `make`, 500 at a time. */
  const enqueueAll = async (file: JobFile, count: number, make: (i: number) => NewJob) => {
    for (let i = 0; i < count; i += 500) await Promise.all(Array.from({ length: 500 }, (_, k) => file.enqueueJob(make(i + k))));
  };
  await enqueueAll(queue, FOLD_QUEUE, queuedRun);
  const leased = (await Promise.all(Array.from({ length: 500 }, () => queue.claimJob(600_000)))).map((c) => ({ id: c!.job.id, attempt: c!.attempt }));
  const foldLoop = monitorEventLoopDelay({ resolution: 1 });
  foldLoop.enable();
  const foldStarted = performance.now();
  let renewals = 0;
  while (!existsSync(join(foldDir, 'jobs.1.journal')) && renewals < 1000) {
    await queue.renewJobs(leased, 600_000);
    renewals++;
  }
  await queue.renewJobs(leased, 600_000); // a write beside the fold
  await queue.settled();
  foldLoop.disable();
  const snapshotBytes = statSync(join(foldDir, 'jobs.json')).size;
  console.log(
    `a fold of the job files with ${FOLD_QUEUE.toLocaleString('en')} runs queued (snapshot ${(snapshotBytes / 1e6).toFixed(0)} MB, after ${renewals} renewals of 500 leases): ` +
      `the event loop waited at most ${(foldLoop.max / 1e6).toFixed(0)} ms (p99 ${(foldLoop.percentile(99) / 1e6).toFixed(0)} ms), ${((performance.now() - foldStarted) / 1000).toFixed(1)} s in all`,
  );
  await queue.close();

  // Runs ended beyond the limit kept (20,000) leave as the queue goes on: with 70,000 runs in the
  // file (40,000 dated ahead, as retries and create_task runs wait), the cost of each run claimed
  // and finished (50 at once) once 20,000 ended are kept, and the longest wait of the event loop
  // (30-35 ms, 124-151 µs a run, while each removal filtered the whole queue, in memory and on the
  // durable copy; 15-20 ms since they leave by id; 102-120 µs a run since the ended runs are
  // counted as they end, not by a walk of the queue).
  const endedDir = freshDir('jac-bench-store-ended-');
  const busy = await JobFile.open(endedDir);
  const run = (i: number, later: boolean) => ({ ...queuedRun(i), fields: { ref: `refs/heads/${i}` }, ...(later ? { runAfter: '2999-01-01T00:00:00.000Z' } : {}) });
  await enqueueAll(busy, 40_000, (i) => run(i, true));
  await enqueueAll(busy, 30_000, (i) => run(100_000 + i, false));
  const finished: JobResult = { httpStatus: 200, reports: [1], returns: null, errorId: null, error: null };
  const runAll = async (n: number) => {
    for (let i = 0; i < n; i += 50) {
      await Promise.all(Array.from({ length: 50 }, async () => {
        const c = await busy.claimJob(60_000);
        if (c) await busy.finishJob(c.job.id, c.attempt, 'COMPLETED', finished);
      }));
    }
  };
  await runAll(20_000);
  const endedLoop = monitorEventLoopDelay({ resolution: 1 });
  endedLoop.enable();
  const endedStarted = performance.now();
  await runAll(10_000);
  const perRun = ((performance.now() - endedStarted) * 1000) / 10_000;
  endedLoop.disable();
  console.log(`runs claimed and finished with 70,000 in the file and 20,000 ended kept: ${perRun.toFixed(0)} µs each (50 at once); the event loop waited at most ${(endedLoop.max / 1e6).toFixed(0)} ms`);
  // Runs not kept once completed (a scheduled walker's that does not save its runs), among the
  // runs above: gone as each completes, they leave the file together at the next count of ended
  // runs (before, each was taken out on its own: 35-40 ms a run here, the event loop waiting 1.5-1.9 s).
  await enqueueAll(busy, 1_000, (i) => ({ ...run(200_000 + i, false), keep: false }));
  const unkeptLoop = monitorEventLoopDelay({ resolution: 1 });
  unkeptLoop.enable();
  const unkeptStarted = performance.now();
  await runAll(1_000);
  const perUnkept = ((performance.now() - unkeptStarted) * 1000) / 1_000;
  unkeptLoop.disable();
  console.log(`runs not kept, claimed and completed among ${(await busy.listJobs()).length.toLocaleString('en')} runs: ${perUnkept.toFixed(0)} µs each (50 at once); the event loop waited at most ${(unkeptLoop.max / 1e6).toFixed(0)} ms`);
  await busy.close();

  // An async delivery of a GitHub push's size (about 20 KB of fields, parsed from its body for
  // each request), as the 202 path and the dispatcher treat it: queued with its log entry, which
  // keeps the same fields for replay (the heap each holds while they wait), then claimed and
  // finished with its outcome (50 at once); then a repeat of a logged delivery, one at a time. The
  // journal's growth per delivery (no fold runs) and the time each takes. Before a line left out
  // the fields an earlier one holds, and before the job and its log entry shared one copy of them
  // (the log entry's line held its own, and in memory the job's record and its durable copy each
  // had one): 40-41 KB of heap, 100 KB of journal (5.1× the body) and 1.4 ms a delivery; 19.9 KB
  // of journal a repeat.
  const keptDir = freshDir('jac-bench-store-kept-');
  const kept = await JobFile.open(keptDir, { foldMinBytes: Number.MAX_SAFE_INTEGER });
  const journalBytes = () => readdirSync(keptDir).filter((f) => f.startsWith('jobs.')).reduce((n, f) => n + statSync(join(keptDir, f)).size, 0);
  const pushText = JSON.stringify({ ref: 'refs/heads/main', commits: Array.from({ length: 40 }, (_, i) => ({ id: i.toString(16).padStart(40, '0'), message: 'x'.repeat(400), added: ['a.ts'], modified: ['b.ts'] })) });
  const DELIVERIES = 2_000;
  const keptId = (i: number) => `w:later:${i.toString(16).padStart(24, '0')}`;
  const queueDelivery = (i: number) => {
    const fields = JSON.parse(pushText) as Record<string, Json>;
    const logged: DeliveryRecord = {
      id: keptId(i), keyId: 'k1', owner: 'u1', walker: 'later', receivedAt: new Date().toISOString(), verified: true, deliveryId: `g-${i}`, event: 'push',
      status: 'pending', code: 202, ms: null, errorId: null, reason: null, duplicates: 0, replay: { fields, node: null, allowedNodes: null }, replayUntil: '2999-01-01T00:00:00.000Z',
    };
    return kept.enqueueJob({ id: keptId(i), walker: 'later', root: SMALL, owner: 'u1', node: null, fields, allowedNodes: null, maxAttempts: 6 }, logged);
  };
  collectGarbage();
  const heapBefore = process.memoryUsage().heapUsed;
  const journalBefore = journalBytes();
  const cpuBefore = process.cpuUsage();
  const deliveriesStarted = performance.now();
  for (let i = 0; i < DELIVERIES; i += 50) await Promise.all(Array.from({ length: 50 }, (_, k) => queueDelivery(i + k)));
  const queuedFor = performance.now() - deliveriesStarted;
  const queuedCpu = process.cpuUsage(cpuBefore);
  collectGarbage();
  const heapPerDelivery = (process.memoryUsage().heapUsed - heapBefore) / DELIVERIES;
  const runsStarted = performance.now();
  const runsCpu = process.cpuUsage();
  for (let i = 0; i < DELIVERIES; i += 50) {
    await Promise.all(Array.from({ length: 50 }, async () => {
      const c = (await kept.claimJob(60_000))!;
      await kept.finishJob(c.job.id, c.attempt, 'COMPLETED', finished, { status: 'ok', code: 200, ms: 3, errorId: null });
    }));
  }
  const perDelivery = ((queuedFor + performance.now() - runsStarted) * 1000) / DELIVERIES;
  const ranCpu = process.cpuUsage(runsCpu);
  const cpuPerDelivery = (queuedCpu.user + queuedCpu.system + ranCpu.user + ranCpu.system) / DELIVERIES;
  const perDeliveryBytes = (journalBytes() - journalBefore) / DELIVERIES;
  const REPEATS = 500;
  const repeated: DeliveryRecord = { ...(await kept.findDelivery(keptId(0)))!, status: 'ok' };
  const repeatsBefore = journalBytes();
  const repeatsStarted = performance.now();
  for (let i = 0; i < REPEATS; i++) await kept.tellDeliveries([{ record: repeated, repeat: true }]);
  const perRepeat = ((performance.now() - repeatsStarted) * 1000) / REPEATS;
  console.log(
    `async deliveries of ${(pushText.length / 1024).toFixed(0)} KB, queued with their log entry: ${(heapPerDelivery / 1024).toFixed(0)} KB of heap each while they wait; ` +
      `queued, claimed and finished: ${(perDeliveryBytes / 1024).toFixed(0)} KB of journal each (${(perDeliveryBytes / pushText.length).toFixed(1)}× the body), ` +
      `${perDelivery.toFixed(0)} µs each, ${cpuPerDelivery.toFixed(0)} µs of CPU (50 at once); a repeat of one: ${((journalBytes() - repeatsBefore) / REPEATS / 1024).toFixed(1)} KB of journal, ${perRepeat.toFixed(0)} µs`,
  );
  await kept.close();

  // What every webhook request and every login looks up on the data dir: a key by its id and a
  // user by email (and by id), among 20,000 keys of 10,000 users; and a user's keys, which the
  // key list and each new key (its name must be new among them) ask for.
  const people = await LowStore.open(freshDir('jac-bench-store-keys-'));
  const USERS = 10_000;
  const at = new Date().toISOString();
  await Promise.all(Array.from({ length: USERS }, (_, i) => people.addUser({ id: `u${i}`, email: `user${i}@example.com`, passwordHash: 'x', root: `n::${hex('00', i)}`, createdAt: at })));
  await Promise.all(Array.from({ length: USERS * 2 }, (_, i) => people.putKey({ id: `k${i}`, owner: `u${i % USERS}`, name: 'hook', secretHash: '0'.repeat(64), walkers: [], nodes: [], createdAt: at, expiresAt: '2999-01-01T00:00:00.000Z', lastUsedAt: null })));
  /** µs per call of `find` over `count` calls, spread over the ids. */
  const lookup = async (count: number, find: (i: number) => Promise<unknown>): Promise<number> => {
    const started = performance.now();
    for (let i = 0; i < count; i++) if (!(await find((i * 7919) % USERS))) throw new Error(`lookup ${i} found nothing`);
    return ((performance.now() - started) * 1000) / count;
  };
  for (const pass of [1, 2]) {
    const byKey = await lookup(20_000, (i) => people.findKey(`k${i * 2}`));
    const byEmail = await lookup(20_000, (i) => people.findUser({ email: `user${i}@example.com` }));
    const byId = await lookup(20_000, (i) => people.findUser({ id: `u${i}` }));
    const owned = await lookup(20_000, (i) => people.listKeys(`u${i}`).then((keys) => keys.length === 2));
    console.log(`lookups among ${(USERS * 2).toLocaleString('en')} keys of ${USERS.toLocaleString('en')} users (pass ${pass}): a key by id ${byKey.toFixed(2)} µs, a user by email ${byEmail.toFixed(2)} µs, by id ${byId.toFixed(2)} µs, a user's keys ${owned.toFixed(2)} µs`);
  }
  // What a run that enters a node of another root asks (once per node it meets there): the roots
  // shared whole with its caller, among 100,000 share hints (nodes shared by 1,000 users) and the
  // 20 roots shared whole, named last. Then with one hint changed between each ask.
  const HINTS = 100_000;
  const nodeHints = Array.from({ length: HINTS }, (_, i): ShareHint => ({ id: `n:Item:${hex('00', i)}`, owner: `n::${hex('00', i % 1000)}`, grantees: 'all' }));
  const rootHints = Array.from({ length: 20 }, (_, i): ShareHint => ({ id: `n::${hex('00', i)}`, owner: `n::${hex('00', i)}`, grantees: i % 2 === 0 ? ['n::caller'] : 'all' }));
  await people.putShares([...nodeHints, ...rootHints]);
  await people.sharedRoots('n::caller', 8); // warm-up
  for (const changing of [false, true]) {
    const asks = changing ? 200 : 2_000;
    let spent = 0;
    for (let i = 0; i < asks; i++) {
      if (changing) await people.putShares([{ ...nodeHints[i], grantees: ['n::caller'] }]);
      const t = performance.now();
      if ((await people.sharedRoots('n::caller', 8)).length !== 8) throw new Error('sharedRoots: not 8 roots');
      spent += performance.now() - t;
    }
    console.log(`roots shared with a caller among ${HINTS.toLocaleString('en')} share hints${changing ? ', a hint changed before each ask' : ''}: ${((spent * 1000) / asks).toFixed(2)} µs an ask`);
  }
  // What any change of the system file costs beside them (a share, a registration): the write,
  // and the longest the main thread stalled meanwhile.
  for (const [what, change] of [
    ['a share hint changed', (i: number) => people.putShares([{ ...nodeHints[i], grantees: ['n::someone'] }])],
    ['a user registered', (i: number) => people.addUser({ id: `new${i}`, email: `new${i}@example.com`, passwordHash: 'x', root: `n::${hex('01', i)}`, createdAt: at })],
  ] as const) {
    const stall = monitorEventLoopDelay({ resolution: 1 });
    stall.enable();
    const t = performance.now();
    for (let i = 0; i < 20; i++) await change(i);
    stall.disable();
    console.log(`system file among ${HINTS.toLocaleString('en')} share hints and ${USERS.toLocaleString('en')} users: ${what} ${((performance.now() - t) / 20).toFixed(1)} ms each, the main thread stalled at most ${(stall.max / 1e6).toFixed(1)} ms`);
  }
  // A fold of that system file: hints rewritten 500 at a time (a few ms each) until their replaced
  // copies outweigh what is live and the files are folded (the journal before is removed); the
  // longest wait of the event loop meanwhile (before, the snapshot was made at once in a write).
  const systemDir = people.location;
  const generation = () => (JSON.parse(readFileSync(join(systemDir, 'system.json'), 'utf8')) as { generation: number }).generation;
  const folded = generation();
  const systemLoop = monitorEventLoopDelay({ resolution: 1 });
  systemLoop.enable();
  const systemFoldStart = performance.now();
  let rewrites = 0;
  for (; existsSync(join(systemDir, `system.${folded}.journal`)) && rewrites < 2_000; rewrites++) {
    const from = (rewrites * 500) % HINTS;
    await people.putShares(nodeHints.slice(from, from + 500).map((h) => ({ ...h, grantees: [`n::r${rewrites}`] })));
  }
  systemLoop.disable();
  const systemMb = statSync(join(systemDir, 'system.json')).size / 1e6;
  console.log(
    `a fold of that system file (snapshot ${systemMb.toFixed(0)} MB, after ${rewrites} rewrites of 500 hints, ${((performance.now() - systemFoldStart) / 1000).toFixed(1)} s): the event loop waited at most ${(systemLoop.max / 1e6).toFixed(0)} ms (p99 ${(systemLoop.percentile(99) / 1e6).toFixed(0)} ms); generation ${folded} to ${generation()}`,
  );
  await people.close();

  // PostgreSQL: three roots in one database.
  const url = process.env.DATABASE_URL || (await freshDatabase());
  const pgStore = await PgStore.open(url);
  const pgMedians = new Map<number, number>();
  for (const [n, root] of [[1_000, 'n::00000000000000000000001a'], [10_000, 'n::00000000000000000000001b'], [100_000, 'n::00000000000000000000001c']] as const) {
    await pgStore.commitGraph(root, { upserts: graph(root, n), deletes: [] });
    await commitLatencies(pgStore, 20, n, root); // warm-up
    const f = await commitLatencies(pgStore, COMMITS, n, root);
    pgMedians.set(n, f.median);
    const t = performance.now();
    const g = await PersistentGraph.open(pgStore, root);
    g.bindTypes((name) => (name === 'Item' ? Item : undefined));
    g.loadNow();
    console.log(`PostgreSQL ${n.toLocaleString('en').padStart(7)}-node root: one-node commit ${show(f)}; load ${(performance.now() - t).toFixed(0)} ms`);
  }
  console.log(`PostgreSQL ratio of medians, 100,000 / 1,000: ${(pgMedians.get(100_000)! / pgMedians.get(1_000)!).toFixed(2)}× (target: within 2×)`);
  const pgSingle = await perEntry(pgStore, 0, 2_000, false);
  const pgGathered = await perEntry(pgStore, 2_000, 2_000, true);
  console.log(`PostgreSQL delivery log entries: ${pgGathered.toFixed(1)} µs each gathered per turn (one statement), ${pgSingle.toFixed(1)} µs written one statement each (${(pgSingle / pgGathered).toFixed(1)}×)`);
  await pgStore.close();
} finally {
  removeFreshDirs();
}
