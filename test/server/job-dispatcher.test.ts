// The job dispatcher on a store and a pool of its own making: what stopping does to a claim that
// is under way.
import { stat } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ClaimedJob, JobRecord, JobResult, Store } from '../../runtime/store/store.ts';
import { JobDispatcher } from '../../server/job-dispatcher.ts';
import type { QueueLimit } from '../../server/queue-limit.ts';
import type { WorkerPool } from '../../server/workers/pool.ts';
import type { Answer, WalkJob } from '../../server/workers/messages.ts';

const job: JobRecord = {
  id: 'w:Later:00000000000000000000000a',
  walker: 'Later',
  root: 'n::00000000000000000000000a',
  owner: null,
  node: null,
  fields: {},
  allowedNodes: null,
  maxAttempts: 3,
  schedule: null,
  internal: false,
  keep: true,
  status: 'STARTED',
  attempts: 1,
  enqueuedAt: '2026-01-01T00:00:00.000Z',
  runAfter: '2026-01-01T00:00:00.000Z',
  startedAt: '2026-01-01T00:00:00.000Z',
  finishedAt: null,
  leaseUntil: '2026-01-01T00:10:00.000Z',
  result: null,
};

const quiet = { warn() {}, error() {}, info() {} };
const tick = () => new Promise((r) => setTimeout(r, 1));

test('stop() while a claim is under way waits for the job it takes to run and be recorded', async () => {
  const events: string[] = [];
  let claimed!: (c: ClaimedJob | null) => void;
  let claims = 0;
  const store = {
    claimJob: () => {
      claims++;
      return claims === 1 ? new Promise<ClaimedJob | null>((resolve) => (claimed = resolve)) : Promise.resolve(null);
    },
    finishJob: async (_id: string, _attempt: number, status: string, _result: JobResult) => {
      events.push(`finished ${status}`);
      return true;
    },
    retryJob: async () => {
      events.push('retried');
      return true;
    },
  } as unknown as Store;
  let closed = false;
  const runs = {
    workers: 1,
    walk: async (): Promise<Answer> => {
      events.push(closed ? 'walked after the pool closed' : 'walked');
      return { status: 200, body: '{"status":200,"reports":[1]}' };
    },
  } as unknown as WorkerPool;
  const dispatcher = new JobDispatcher(store, runs, quiet);
  dispatcher.start();
  while (claims === 0) await new Promise((r) => setTimeout(r, 1));
  // The claim has marked the job STARTED in the store, and has not answered yet.
  const stopped = dispatcher.stop().then(() => {
    closed = true; // what the server does next: the pool closes
    events.push('stopped');
  });
  claimed({ job, attempt: 1 });
  await stopped;
  assert.equal(events, ['walked', 'finished COMPLETED', 'stopped']);
  assert.is(claims, 1, 'no claim after stop()');
});

test('a job queued while a claim is under way is looked for as soon as that claim ends, not at the next poll', async () => {
  const answers: ((c: ClaimedJob | null) => void)[] = [];
  const store = { claimJob: () => new Promise<ClaimedJob | null>((resolve) => answers.push(resolve)) } as unknown as Store;
  const runs = { workers: 1 } as unknown as WorkerPool;
  const dispatcher = new JobDispatcher(store, runs, quiet, { pollMs: 60_000 });
  dispatcher.start();
  while (answers.length === 0) await tick();
  dispatcher.wake(); // a job was queued: the claim under way may have looked before it was
  await tick();
  answers[0](null);
  for (let i = 0; i < 100 && answers.length < 2; i++) await tick();
  assert.is(answers.length, 2, 'a second claim at once');
  const stopping = dispatcher.stop();
  answers[1](null);
  await stopping;
});

test('a run that ends looks for the next at the end of that turn of the event loop, before any timer (a timer waits at least 1 ms)', async () => {
  const events: string[] = [];
  const queued = [job, { ...job, id: `${job.id.slice(0, -1)}b` }];
  const store = {
    claimJob: async () => {
      events.push('claim');
      const next = queued.shift();
      return next ? { job: next, attempt: 1 } : null;
    },
    finishJob: async () => true,
  } as unknown as Store;
  const answer: Answer = { status: 200, body: '{"status":200,"reports":[1]}' };
  const runs = {
    workers: 1,
    // The first run ends in an I/O callback (as a worker's answer arrives), and a timer is set
    // there just before: the next claim must not wait for it.
    walk: (): Promise<Answer> =>
      new Promise((resolve) =>
        stat(import.meta.filename, () => {
          if (!events.includes('timer set')) {
            events.push('timer set');
            setTimeout(() => events.push('timer'), 0);
          }
          resolve(answer);
        }),
      ),
  } as unknown as WorkerPool;
  const dispatcher = new JobDispatcher(store, runs, quiet, { pollMs: 60_000 });
  dispatcher.start();
  for (let i = 0; i < 100 && !events.includes('timer'); i++) await tick();
  await dispatcher.stop();
  assert.equal(events.slice(0, 2), ['claim', 'timer set']);
  const next = events.indexOf('claim', 2);
  assert.ok(next !== -1 && next < events.indexOf('timer'), `the next claim came before the timer set as the first run ended: ${events.join(', ')}`);
});

test('at most `concurrency` runs at once (the pool\'s workers unless told), each slot taken again as a run ends', async () => {
  for (const [concurrency, expected] of [[undefined, 1], [3, 3]] as const) {
    const queued = Array.from({ length: 7 }, (_, i) => ({ ...job, id: `w:Later:${i.toString(16).padStart(24, '0')}` }));
    const store = {
      claimJob: async () => {
        const next = queued.shift();
        return next ? { job: next, attempt: 1 } : null;
      },
      finishJob: async () => true,
    } as unknown as Store;
    let inFlight = 0;
    let most = 0;
    let ran = 0;
    const release: (() => void)[] = [];
    const runs = {
      workers: 1,
      walk: async (): Promise<Answer> => {
        most = Math.max(most, ++inFlight);
        await new Promise<void>((r) => release.push(r));
        inFlight--;
        ran++;
        return { status: 200, body: '{"status":200,"reports":[1]}' };
      },
    } as unknown as WorkerPool;
    const dispatcher = new JobDispatcher(store, runs, quiet, { pollMs: 5, ...(concurrency ? { concurrency } : {}) });
    dispatcher.start();
    for (let i = 0; i < 500 && ran < 7; i++) {
      await tick();
      assert.ok(inFlight <= expected, `${inFlight} runs at once, allowed ${expected}`);
      release.shift()?.();
    }
    await dispatcher.stop();
    assert.is(ran, 7, 'every job ran');
    assert.is(most, expected, `slots filled (concurrency ${concurrency ?? 'default'})`);
  }
});

test("a background run is given its root's room for create_task; a root that cannot be counted gets none, and the run still runs and is recorded", async () => {
  const given: (number | undefined)[][] = [];
  const warned: string[] = [];
  let queued = 2;
  let finished = 0;
  const store = {
    claimJob: async () => (queued-- > 0 ? { job: { ...job, id: `${job.id.slice(0, -1)}${queued}` }, attempt: 1 } : null),
    finishJob: async () => (finished++, true),
    retryJob: async () => true,
  } as unknown as Store;
  const runs = {
    workers: 1,
    walk: async (j: WalkJob): Promise<Answer> => {
      given.push([j.taskRoom, j.taskChars]);
      return { status: 200, body: '{"status":200,"reports":[1]}' };
    },
  } as unknown as WorkerPool;
  // The queue limit as the dispatcher uses it: the first root counted, the second's count failing.
  const rooms = [async () => ({ taskRoom: 7, taskChars: 500 }), async () => Promise.reject(new Error('the store is gone'))];
  const limit = { room: () => rooms.shift()!(), taken: () => undefined } as unknown as QueueLimit;
  const dispatcher = new JobDispatcher(store, runs, { ...quiet, warn: (_o: object, m: string) => void warned.push(m) }, { limit, pollMs: 60_000, retentionMs: 0 });
  dispatcher.start();
  for (let i = 0; i < 200 && finished < 2; i++) await tick();
  await dispatcher.stop();
  assert.equal(given, [[7, 500], [0, undefined]]);
  assert.is(finished, 2, 'both runs recorded');
  assert.equal(warned, ['cannot count the runs waiting on this root: this run may not queue more']);
});

test.run();
