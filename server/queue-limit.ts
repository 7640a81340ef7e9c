// How many background runs each root may have waiting (queued or running) before the routes that
// queue them for a request (async walkers, signed deliveries answered 202) answer 429, and a
// walker's `create_task` raises. A user has one root, and callers of public walkers share the
// public root's. Roots take turns at the queue (root-turns.ts, postgres/jobs.ts), so a flood of
// runs mostly delays its own; unbounded, it would still grow the queue, and on the data dir, which
// holds the queue in memory, the server's memory.
//
// Counting a root's open runs walks the queue (a query on PostgreSQL), so it is not done for each
// request: a root's figure is the last count plus what this process admitted since (runs that
// ended since are not subtracted, so it only errs high), counted again once it reaches the limit,
// and then at most once per `recountMs` while it stays there. One count runs at a time per root:
// requests that come meanwhile wait for it, so concurrent requests cannot each admit on the same
// count. The limit is soft by the runs admitted and not yet written when a count is taken, and
// across processes on one database: each admits up to the limit on top of what it last counted.
import type { JobQueue } from '../runtime/store/store.ts';

/** Open background runs allowed per root unless the operator says otherwise (--max-queued-runs). */
export const MAX_QUEUED_RUNS = 10_000;

/** A root's open runs as last counted, plus those admitted since. */
interface Figure {
  count: number;
  countedAt: number;
  /** The count under way, if any. */
  counting: Promise<void> | null;
}

export interface QueueLimitOptions {
  /** The least time between two counts of a root that is at the limit (default 1 s). */
  recountMs?: number;
  /** Roots whose figures are kept (default 100,000); past it the one seen first is forgotten, and counted again when next asked of. */
  maxRoots?: number;
  /** The clock (tests move their own). */
  now?: () => number;
}

export class QueueLimit {
  private readonly figures = new Map<string, Figure>();
  private readonly recountMs: number;
  private readonly maxRoots: number;
  private readonly now: () => number;

  /** `max`: open runs allowed per root (0: no limit). */
  constructor(
    private readonly queue: Pick<JobQueue, 'countOpenJobs'>,
    readonly max: number,
    options: QueueLimitOptions = {},
  ) {
    this.recountMs = options.recountMs ?? 1_000;
    this.maxRoots = options.maxRoots ?? 100_000;
    this.now = options.now ?? Date.now;
  }

  /** Whether `root` may queue one more run now; if so it is counted (see `release`). */
  async admit(root: string): Promise<boolean> {
    if (this.max === 0) return true;
    const figure = await this.current(root);
    // Nothing was awaited since the figure was read: each request sees what the one before left.
    if (figure.count >= this.max) return false;
    figure.count++;
    return true;
  }

  /**
   * How many runs a walker running on `root` may queue with `create_task` (undefined: no limit).
   * What it queues is then told with `taken`: a run that has committed is never refused.
   */
  async room(root: string): Promise<number | undefined> {
    if (this.max === 0) return undefined;
    return Math.max(0, this.max - (await this.current(root)).count);
  }

  /** `n` runs were queued on `root` without asking (a committed run's `create_task`s). */
  taken(root: string, n: number): void {
    const figure = this.figures.get(root);
    if (figure) figure.count += n;
  }

  /** A run `admit` let through was not queued after all (a repeat whose job exists, or a failed write). */
  release(root: string): void {
    const figure = this.figures.get(root);
    if (figure && figure.count > 0) figure.count--;
  }

  /** Seconds a refused caller is told to wait (Retry-After): a full queue takes a while to drain. */
  readonly retryAfterSeconds = 5;

  /** `root`'s figure, counted first when it is new, or at the limit and last counted long enough ago. */
  private async current(root: string): Promise<Figure> {
    let figure = this.figures.get(root);
    if (figure === undefined) {
      // Every root a walker runs on gets a figure: a server that has seen many forgets the oldest.
      if (this.figures.size >= this.maxRoots) this.figures.delete(this.figures.keys().next().value!);
      figure = { count: this.max, countedAt: -Infinity, counting: null }; // counted before anything is admitted
      this.figures.set(root, figure);
    }
    if (figure.count >= this.max && this.now() - figure.countedAt >= this.recountMs && figure.counting === null) this.count(root, figure);
    if (figure.counting !== null) await figure.counting;
    return figure;
  }

  /**
   * Counts `root`'s open runs (the figure is at the limit meanwhile, so nobody is admitted on the
   * old one). A count that fails is the error of every request waiting for it, and the next
   * request counts again.
   */
  private count(root: string, figure: Figure): void {
    figure.countedAt = this.now();
    figure.counting = this.queue
      .countOpenJobs(root, this.max)
      .then(
        (open) => {
          figure.count = open;
        },
        (e: unknown) => {
          figure.countedAt = -Infinity;
          throw e;
        },
      )
      .finally(() => {
        figure.counting = null;
      });
  }
}
