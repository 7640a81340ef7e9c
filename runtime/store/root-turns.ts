// Which due job a claim on the data dir takes: roots take turns. Each root's open jobs wait in the
// order they were queued, and a claim takes the first due job of the root served longest ago (a
// root never served first, in the order the roots came). Taken oldest first across all roots, a
// user who queued 10,000 runs would make every other user's run wait behind all of them; in
// turns, another user's run waits about one run per root that has runs waiting.
//
// A job not due yet (dated ahead, or a retry on its backoff) waits apart, soonest first, and joins
// the end of its root's queue when due: a claim reads the roots' queues, so one user's thousands
// of dated runs would otherwise be read by every claim of every user.
import { MinHeap } from './min-heap.ts';
import type { JobRecord } from './store.ts';

const ENDED = new Set<string>(['COMPLETED', 'ERROR', 'CANCELLED']);

/** The queue's jobs in the order they were queued (the data dir's map of them by id, or a list). */
export interface Jobs {
  values(): Iterable<JobRecord>;
}

/** How many roots' last turns are remembered (the oldest forgotten first: it then counts as never served). */
const SERVED_KEPT = 100_000;

interface RootQueue {
  jobs: JobRecord[];
  /** Jobs before this place have ended. */
  head: number;
}

export class RootTurns {
  /** Open jobs by root (those ended leave when they reach the head), the roots in the order they came. */
  private queues = new Map<string, RootQueue>();
  /**
   * The jobs the queues were built from: others (memory rebuilt after a failed write) rebuild
   * them. Ended jobs that leave it change nothing here: the queues hold open jobs.
   */
  private builtFrom: Jobs | null = null;
  /** The claim at which each root was last served, least lately first. */
  private readonly served = new Map<string, number>();
  private claims = 0;
  /** PENDING jobs that were not due when last seen, by the time they are due. */
  private dated = new MinHeap<JobRecord>();

  /** A job just queued at the end of `jobs` (the data in memory). */
  queued(jobs: Jobs, job: JobRecord): void {
    if (jobs === this.builtFrom) this.place(job, Date.now());
  }

  /** Every job's place may have changed (an ended job is open again): the queues are rebuilt at the next claim. */
  forget(): void {
    this.builtFrom = null;
  }

  /**
   * The job a claim takes from `jobs` at `now`, or null, and the jobs met on the way that `lost`
   * says are over (taken, their lease run out, no attempt left).
   */
  pick(jobs: Jobs, now: number, lost: (j: JobRecord) => boolean): { job: JobRecord | null; lost: JobRecord[] } {
    if (jobs !== this.builtFrom) this.build(jobs, now);
    this.wake(now);
    const over: JobRecord[] = [];
    let best: JobRecord | null = null;
    let bestTurn = Infinity;
    for (const [root, q] of this.queues) {
      while (q.head < q.jobs.length && ENDED.has(q.jobs[q.head].status)) q.head++;
      if (q.head === q.jobs.length) {
        this.queues.delete(root);
        continue;
      }
      if (q.head > 1024 && q.head * 2 > q.jobs.length) [q.jobs, q.head] = [q.jobs.slice(q.head), 0];
      const turn = this.served.get(root) ?? -1;
      if (turn >= bestTurn) continue;
      // Jobs passed over stay (taken ones) or leave the queue (ended ones; ones not due, to wait apart).
      const stay: JobRecord[] = [];
      let i = q.head;
      for (; i < q.jobs.length; i++) {
        const j = q.jobs[i];
        if (ENDED.has(j.status)) continue;
        if (j.status === 'PENDING') {
          const at = Date.parse(j.runAfter);
          if (at > now) {
            this.dated.push(j, at);
            continue;
          }
          best = j;
          bestTurn = turn;
          break;
        }
        stay.push(j);
        if (Date.parse(j.leaseUntil!) > now) continue; // under way
        if (lost(j)) over.push(j);
        else {
          stay.pop();
          best = j;
          bestTurn = turn;
          break;
        }
      }
      q.head = i - stay.length;
      for (let k = 0; k < stay.length; k++) q.jobs[q.head + k] = stay[k];
      if (bestTurn === -1) break; // never served, and came first: no root goes before it
    }
    return { job: best, lost: over };
  }

  /** `root` took its turn. */
  took(root: string): void {
    this.served.delete(root);
    this.served.set(root, ++this.claims);
    if (this.served.size > SERVED_KEPT) this.served.delete(this.served.keys().next().value!);
  }

  private build(jobs: Jobs, now: number): void {
    this.queues = new Map();
    this.dated = new MinHeap();
    this.builtFrom = jobs;
    for (const j of jobs.values()) if (!ENDED.has(j.status)) this.place(j, now);
  }

  /** An open job joins its root's queue, or, not due until later, waits apart. */
  private place(job: JobRecord, now: number): void {
    const at = job.status === 'PENDING' ? Date.parse(job.runAfter) : -Infinity;
    if (at > now) this.dated.push(job, at);
    else this.add(job);
  }

  /** Dated jobs now due join their roots' queues (cancelled ones are dropped). */
  private wake(now: number): void {
    while (this.dated.peekKey() <= now) {
      const j = this.dated.pop()!;
      if (j.status === 'PENDING') this.place(j, now);
    }
  }

  private add(job: JobRecord): void {
    let q = this.queues.get(job.root);
    if (!q) this.queues.set(job.root, (q = { jobs: [], head: 0 }));
    q.jobs.push(job);
  }
}
