// Which job a claim on the data dir takes (RootTurns), apart from the store: roots take turns;
// jobs not due wait apart and are not read again by each claim; taken jobs stay until they end.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { MinHeap } from '../../runtime/store/min-heap.ts';
import { RootTurns } from '../../runtime/store/root-turns.ts';
import type { JobRecord } from '../../runtime/store/store.ts';

const test = suite('RootTurns');
const T0 = Date.parse('2030-01-01T00:00:00.000Z');
const at = (ms: number) => new Date(T0 + ms).toISOString();

let serial = 0;
function job(root: string, over: Partial<JobRecord> = {}): JobRecord {
  serial++;
  return {
    id: `w:Later:${serial}`, walker: 'Later', root, owner: null, node: null, fields: {}, allowedNodes: null, maxAttempts: 3, schedule: null, internal: false, keep: true,
    status: 'PENDING', attempts: 0, enqueuedAt: at(0), runAfter: at(0), startedAt: null, finishedAt: null, leaseUntil: null, result: null, ...over,
  };
}

/** Claims as the store does: the picked job is STARTED with a lease, and its root took its turn. */
function claim(turns: RootTurns, jobs: JobRecord[], now: number, leaseMs = 60_000): JobRecord | null {
  const { job: picked } = turns.pick(jobs, now, (j) => j.attempts >= j.maxAttempts);
  if (!picked) return null;
  Object.assign(picked, { status: 'STARTED', attempts: picked.attempts + 1, leaseUntil: at(now - T0 + leaseMs) });
  turns.took(picked.root);
  return picked;
}

const ids = (xs: (JobRecord | null)[]) => xs.map((j) => (j ? j.id : null));

test('jobs not due wait apart, and are not read by the claims before their time', () => {
  const turns = new RootTurns();
  const jobs: JobRecord[] = [];
  const dated = Array.from({ length: 50 }, (_, i) => job(`n::dated${i}`, { runAfter: at(10_000) }));
  const due = [job('n::a'), job('n::a'), job('n::b')];
  jobs.push(...dated, ...due);
  let reads = 0;
  for (const j of dated) {
    const runAfter = j.runAfter;
    Object.defineProperty(j, 'runAfter', { get: () => (reads++, runAfter), enumerable: true });
  }
  const first = claim(turns, jobs, T0 + 1);
  const readByFirst = reads;
  assert.ok(readByFirst >= 50, 'the first claim sees each dated job once');
  const rest = [claim(turns, jobs, T0 + 2), claim(turns, jobs, T0 + 3), claim(turns, jobs, T0 + 4)];
  assert.equal(ids([first, ...rest]), [...ids([due[0], due[2], due[1]]), null]);
  assert.is(reads, readByFirst, 'later claims read none of them again');
  // Due: each dated job takes its root's turn.
  const woken = Array.from({ length: 50 }, (_, i) => claim(turns, jobs, T0 + 10_000 + i));
  assert.equal(ids(woken), ids(dated));
  assert.is(claim(turns, jobs, T0 + 20_000), null);
});

test("a job that comes due joins the end of its root's queue; a cancelled one never comes", () => {
  const turns = new RootTurns();
  const later = job('n::a', { runAfter: at(1000) });
  const cancelled = job('n::a', { runAfter: at(1000) });
  const jobs = [later, cancelled];
  assert.is(claim(turns, jobs, T0), null);
  const queuedAfter = [job('n::a'), job('n::a')];
  for (const j of queuedAfter) {
    jobs.push(j);
    turns.queued(jobs, j);
  }
  cancelled.status = 'CANCELLED';
  const order = Array.from({ length: 4 }, (_, i) => claim(turns, jobs, T0 + 1000 + i));
  assert.equal(ids(order), [...ids(queuedAfter), later.id, null]);
});

test('a retry on its backoff leaves the queue and comes back when due; a taken job is not taken again until its lease runs out', () => {
  const turns = new RootTurns();
  const [a, b] = [job('n::a'), job('n::a')];
  const jobs = [a, b];
  assert.is(claim(turns, jobs, T0, 5000), a);
  assert.is(claim(turns, jobs, T0 + 1, 5000), b);
  assert.is(claim(turns, jobs, T0 + 2), null, 'both under way');
  Object.assign(a, { status: 'PENDING', leaseUntil: null, runAfter: at(3000) }); // retried with a backoff
  assert.is(claim(turns, jobs, T0 + 2999), null);
  assert.is(claim(turns, jobs, T0 + 3000), a, 'its backoff over');
  assert.is(claim(turns, jobs, T0 + 4999), null);
  const { job: again, lost } = turns.pick(jobs, T0 + 5001, (j) => j.attempts >= j.maxAttempts);
  assert.is(again, b, "b's lease ran out: due again");
  assert.equal(lost, []);
});

test('a taken job whose lease ran out on its last attempt is reported lost, not taken', () => {
  const turns = new RootTurns();
  const last = job('n::a', { maxAttempts: 1 });
  const jobs = [last, job('n::a')];
  assert.is(claim(turns, jobs, T0, 1000), last);
  const { job: next, lost } = turns.pick(jobs, T0 + 2000, (j) => j.attempts >= j.maxAttempts);
  assert.equal(ids(lost), [last.id]);
  assert.is(next, jobs[1]);
});

test('the jobs are read again when the array changes (a job open again)', () => {
  const turns = new RootTurns();
  const a = job('n::a', { runAfter: at(1000) });
  let jobs = [a];
  assert.is(claim(turns, jobs, T0), null);
  a.runAfter = at(0); // the record as the store would rewrite it
  jobs = [...jobs];
  assert.is(claim(turns, jobs, T0 + 1), a);
});

test('MinHeap gives its items back least key first, those of one key in the order they came', () => {
  const heap = new MinHeap<number>();
  let seed = 7;
  const keys = Array.from({ length: 500 }, () => (seed = (seed * 48271) % 2147483647) % 100);
  keys.forEach((k, i) => heap.push(i, k));
  assert.is(heap.size, 500);
  const out: number[] = [];
  while (heap.size > 0) out.push(heap.pop()!);
  // Array.prototype.sort is stable: items of one key keep their order.
  assert.equal(out, keys.map((k, i) => [k, i]).sort((x, y) => x[0] - y[0]).map(([, i]) => i));
  assert.is(heap.pop(), undefined);
  assert.is(heap.peekKey(), Infinity);
});

test.run();
