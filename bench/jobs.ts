// Background jobs (async walkers), on each store: the lowdb data dir and PostgreSQL (always a
// throwaway cluster, as the tests start one: taking every due job off a shared database's queue
// would run other people's jobs).
//   1. The queue alone: enqueue N jobs one at a time, and claim and finish them all as the
//      dispatcher does (claim, then finish COMPLETED) with one taker; then enqueue N 50 at once,
//      and claim and finish them with four takers at once (with PostgreSQL four stores, as four
//      servers would be): jobs/s of each. Then the same on a queue that already holds many
//      finished jobs (they are kept, for their owners and `jobs list`), and then also many runs
//      dated an hour ahead (create_task with a date, retries on their backoff) from many users:
//      a claim should not pay for the runs that are not due.
//   2. Through the server (built as the CLI builds it, on real HTTP): async walker requests at
//      20 at once until every run is COMPLETED (requests/s answered, runs/s completed), against
//      the same walker answered synchronously; and the wait from enqueue to start on an idle
//      server: one request at a time, `schedule.execute_date - schedule.enqueued_date` from the
//      walker document, median and p95 (target: median under 50 ms on lowdb); then one user
//      queues 500 runs and another user one: that run's wait to start, and how many of the 500
//      started before it (users take turns: about one, where oldest first would be all 500).
// Run: npm run bench:jobs
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { LowStore } from '../runtime/store/lowdb-store.ts';
import { PgStore } from '../runtime/store/postgres/pg-store.ts';
import type { JobResult, NewJob, Store } from '../runtime/store/store.ts';
import { freshDatabase } from '../test/helpers/postgres.ts';
import { login, post } from './lib/client.ts';
import { freshDir, removeFreshDirs } from './lib/temp.ts';
import { type BenchStore, withServer } from './lib/serve.ts';

/** Jobs per queue measure. */
const N = 500;
/** Finished jobs in the queue at the start of the second round. */
const BACKLOG = 3000;
/** Runs dated an hour ahead in the third round, and the users they belong to. */
const DATED = 10_000;
const DATED_USERS = 1_000;
/** Async requests of the end-to-end run, and how many are in flight at once. */
const REQUESTS = 400;
const IN_FLIGHT = 20;
/** Idle enqueue-to-start samples. */
const SAMPLES = 50;
const TARGET_MS = 50;
/** One user's runs queued before another user's one (users take turns). */
const BEHIND = 500;

const program = `
node Item { has v: int = 0; }

async walker Note {
    has n: int;
    can go with \`root entry { root ++> Item(v=self.n); report self.n; }
}

walker NoteNow {
    has n: int;
    can go with \`root entry { root ++> Item(v=self.n); report self.n; }
}
`;


const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];
const median = (xs: number[]) => percentile(xs, 0.5);
const rate = (count: number, ms: number) => `${((count * 1000) / ms).toFixed(0).padStart(6)} jobs/s`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let serial = 0;
const newJob = (root = 'n::00000000000000000000000a', runAfter?: string): NewJob => {
  const hex = (++serial).toString(16).padStart(24, '0');
  return { id: `w:Note:${hex}`, walker: 'Note', root, owner: null, node: null, fields: { n: serial }, allowedNodes: null, maxAttempts: 3, runAfter };
};
const DONE: JobResult = { httpStatus: 200, reports: [1], returns: null, errorId: null, error: null };

/** Enqueues `count` jobs, `atOnce` in flight; the ms it took. */
async function enqueue(store: Store, count: number, atOnce: number, make: (i: number) => NewJob = () => newJob()): Promise<number> {
  const t = performance.now();
  let left = count;
  await Promise.all(
    Array.from({ length: atOnce }, async () => {
      while (left > 0) {
        left--;
        await store.enqueueJob(make(left));
      }
    }),
  );
  return performance.now() - t;
}

/** Claims and finishes due jobs until none is left, with one loop per store; the jobs done and the ms it took. */
async function drain(takers: Store[]): Promise<{ done: number; ms: number }> {
  const t = performance.now();
  let done = 0;
  await Promise.all(
    takers.map(async (store) => {
      for (;;) {
        const claimed = await store.claimJob(600_000);
        if (!claimed) return;
        if (!(await store.finishJob(claimed.job.id, claimed.attempt, 'COMPLETED', DONE))) throw new Error(`lost the lease of ${claimed.job.id}`);
        done++;
      }
    }),
  );
  return { done, ms: performance.now() - t };
}

/** The queue alone: one line per measure. */
async function queue(name: string, open: () => Promise<Store>, takers: (first: Store) => Promise<Store[]>, size?: () => number): Promise<void> {
  const store = await open();
  const four = await takers(store);
  try {
    // Warm-up (connections, JIT): jobs that stay in the queue, finished.
    await enqueue(store, 100, 10);
    await drain(four);
    const rounds = [
      ['new queue', 0],
      [`${BACKLOG.toLocaleString('en')} finished jobs`, BACKLOG],
      [`+ ${DATED.toLocaleString('en')} dated runs`, DATED],
    ] as const;
    for (const [label, backlog] of rounds) {
      if (backlog === DATED) {
        // Runs not due for an hour, ten per user, queued before the measured ones.
        const later = new Date(Date.now() + 3_600_000).toISOString();
        await enqueue(store, DATED, 50, (i) => newJob(`n::dated${String(i % DATED_USERS).padStart(19, '0')}`, later));
      } else if (backlog > 0) {
        // Jobs that ran, as a queue in use for a while holds them (the warm-up and the first
        // round left 100 + 2N), finished by many takers at once to be quick about it.
        await enqueue(store, backlog - 100 - 2 * N, 50);
        await drain(Array.from({ length: 16 }, () => store));
      }
      const before = size?.();
      const one = await enqueue(store, N, 1);
      const drained1 = await drain([store]);
      const fifty = await enqueue(store, N, 50);
      const drained4 = await drain(four);
      if (drained1.done !== N || drained4.done !== N) throw new Error(`drained ${drained1.done} and ${drained4.done} of ${N}`);
      console.log(
        `${name.padEnd(10)} ${label.padEnd(20)} enqueue: ${rate(N, one)} one at a time, ${rate(N, fifty)} 50 at once; ` +
          `claim+finish: ${rate(N, drained1.ms)} one taker, ${rate(N, drained4.ms)} four takers (${(drained1.ms / drained4.ms).toFixed(2)}×)` +
          (before === undefined ? '' : `; job files ${(before / 1e6).toFixed(2)} MB at the start, ${(size!() / 1e6).toFixed(2)} MB at the end`),
      );
    }
  } finally {
    for (const s of new Set([store, ...four])) await s.close();
  }
}

/** The server: async throughput against the synchronous walker, and the idle wait from enqueue to start. */
async function server(name: string, open: () => Promise<BenchStore>): Promise<number> {
  return withServer(program, freshDir('jac-bench-jobs-app-'), open, async (base, store) => {
    // A few users: runs on one root take turns, runs on different roots use both workers.
    const users = await Promise.all([1, 2, 3, 4].map((i) => login(base, `${name.toLowerCase()}-${i}@example.com`)));

    // Warm-up: both walkers, a few times each.
    for (let i = 0; i < 20; i++) await post(`${base}/walker/NoteNow`, { n: i }, users[i % users.length]);
    const warm = await post(`${base}/walker/Note`, { n: 0 }, users[0]);
    await waitDone(base, users[0], warm.body.walker_id);

    // Synchronous: the same work, answered when done.
    const sync = await requests(REQUESTS, async (i) => {
      const r = await post(`${base}/walker/NoteNow`, { n: i }, users[i % users.length]);
      if (r.status !== 200) throw new Error(`NoteNow: ${r.status} ${JSON.stringify(r.body)}`);
    });

    // Async: answered at once; done when the last run is COMPLETED.
    const ids: string[] = [];
    const t = performance.now();
    const answered = await requests(REQUESTS, async (i) => {
      const r = await post(`${base}/walker/Note`, { n: i }, users[i % users.length]);
      if (r.status !== 200 || typeof r.body.walker_id !== 'string') throw new Error(`Note: ${r.status} ${JSON.stringify(r.body)}`);
      ids.push(r.body.walker_id);
    });
    const wanted = new Set(ids);
    let completed = 0;
    let failed = 0;
    for (;;) {
      const jobs = (await store.listJobs()).filter((j) => wanted.has(j.id));
      completed = jobs.filter((j) => j.status === 'COMPLETED').length;
      failed = jobs.filter((j) => j.status === 'ERROR' || j.attempts > 1).length;
      if (completed + jobs.filter((j) => j.status === 'ERROR').length === REQUESTS) break;
      if (performance.now() - t > 120_000) throw new Error(`${completed} of ${REQUESTS} runs completed after 120 s`);
      await sleep(10);
    }
    const allDone = performance.now() - t;
    console.log(
      `${name.padEnd(10)} ${REQUESTS} requests, ${IN_FLIGHT} at once: sync walker ${(REQUESTS / (sync / 1000)).toFixed(0).padStart(5)} req/s; ` +
        `async walker ${(REQUESTS / (answered / 1000)).toFixed(0).padStart(5)} req/s answered, ${(REQUESTS / (allDone / 1000)).toFixed(0).padStart(5)} runs/s completed ` +
        `(async completed / sync: ${((100 * sync) / allDone).toFixed(0)}%)${failed > 0 ? `; !!! ${failed} runs failed or were retried: not to be trusted` : ''}`,
    );

    // Idle: one request at a time, each after the last run ended and the server settled.
    const waits: number[] = [];
    const answers: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      await sleep(30);
      const t0 = performance.now();
      const r = await post(`${base}/walker/Note`, { n: i }, users[0]);
      answers.push(performance.now() - t0);
      const doc = await waitDone(base, users[0], r.body.walker_id);
      waits.push(Date.parse(doc.schedule.execute_date) - Date.parse(doc.schedule.enqueued_date));
    }
    const m = median(waits);
    console.log(
      `${name.padEnd(10)} idle, enqueue to start over ${SAMPLES} runs: median ${m} ms, p95 ${percentile(waits, 0.95)} ms, max ${Math.max(...waits)} ms` +
        ` (the request itself: median ${median(answers).toFixed(1)} ms)`,
    );

    // Behind another user's backlog: one user queues BEHIND runs, then another user one. Users
    // take turns, so that run should wait about one run, not the backlog.
    const [busy, late] = [users[1], users[2]];
    const backlog = new Set<string>();
    await requests(BEHIND, async (i) => {
      const r = await post(`${base}/walker/Note`, { n: i }, busy);
      backlog.add(r.body.walker_id);
    });
    const queuedLate = performance.now();
    const lateId = (await post(`${base}/walker/Note`, { n: -1 }, late)).body.walker_id as string;
    const lateDoc = await waitDone(base, late, lateId);
    let jobs = await store.listJobs();
    while (jobs.some((j) => backlog.has(j.id) && j.status !== 'COMPLETED')) {
      if (performance.now() - queuedLate > 120_000) throw new Error('the backlog did not drain within 120 s');
      await sleep(10);
      jobs = await store.listJobs();
    }
    const drained = performance.now() - queuedLate;
    const lateJob = jobs.find((j) => j.id === lateId)!;
    const mine = jobs.filter((j) => backlog.has(j.id));
    const begun = mine.filter((j) => j.startedAt! < lateJob.enqueuedAt).length;
    const overtook = mine.filter((j) => j.startedAt! >= lateJob.enqueuedAt && j.startedAt! < lateJob.startedAt!).length;
    const lateWait = Date.parse(lateDoc.schedule.execute_date) - Date.parse(lateDoc.schedule.enqueued_date);
    console.log(
      `${name.padEnd(10)} behind another user's ${BEHIND} queued runs (${begun} begun while they were queued): a run queued after them waited ${lateWait} ms to start,` +
        ` ${overtook} of theirs starting meanwhile; the rest took ${drained.toFixed(0)} ms more to run`,
    );
    return m;
  });
}

/** Runs `count` requests, IN_FLIGHT at once; the ms it took. */
async function requests(count: number, one: (i: number) => Promise<void>): Promise<number> {
  const t = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < count) await one(next++);
    }),
  );
  return performance.now() - t;
}

interface WalkerDocument {
  schedule: { status: string; enqueued_date: string; execute_date: string };
}

/** Polls the walker document until the run ended; COMPLETED or it throws. */
async function waitDone(base: string, authorization: string, id: string): Promise<WalkerDocument> {
  for (let i = 0; i < 2000; i++) {
    const doc = (await (await fetch(`${base}/async-walker/${id}`, { headers: { authorization } })).json()) as WalkerDocument;
    if (doc.schedule.status === 'COMPLETED') return doc;
    if (doc.schedule.status !== 'PENDING' && doc.schedule.status !== 'STARTED') throw new Error(`${id}: ${JSON.stringify(doc)}`);
    await sleep(2);
  }
  throw new Error(`${id} did not complete`);
}

try {
  console.log(`queue: ${N.toLocaleString('en')} jobs per measure; claim+finish as the dispatcher does (no walker runs)`);
  const queueDir = freshDir('jac-bench-jobs-data-');
  await queue(
    'lowdb',
    async () => LowStore.open(queueDir),
    async (first) => [first, first, first, first],
    // The snapshot and its journal (job-journal.ts), whatever their generation.
    () => readdirSync(queueDir).filter((f) => f.startsWith('jobs.')).reduce((sum, f) => sum + statSync(join(queueDir, f)).size, 0),
  );
  const queueUrl = await freshDatabase();
  await queue(
    'PostgreSQL',
    async () => PgStore.open(queueUrl),
    async (first) => [first, await PgStore.open(queueUrl), await PgStore.open(queueUrl), await PgStore.open(queueUrl)],
  );

  console.log('\nthrough the server (run workers: one per core):');
  const lowMedian = await server('lowdb', async () => {
    const dataDir = freshDir('jac-bench-jobs-data-');
    return { store: await LowStore.open(dataDir), dataDir, storeUrl: null };
  });
  const serverUrl = await freshDatabase();
  const pgMedian = await server('PostgreSQL', async () => ({ store: await PgStore.open(serverUrl), dataDir: freshDir('jac-bench-jobs-unused-'), storeUrl: serverUrl }));
  console.log(
    `idle enqueue-to-start median: lowdb ${lowMedian} ms, PostgreSQL ${pgMedian} ms (target: lowdb under ${TARGET_MS} ms: ${lowMedian < TARGET_MS ? 'met' : 'NOT met'})`,
  );
} finally {
  removeFreshDirs();
}
