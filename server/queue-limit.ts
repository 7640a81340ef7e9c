// How many background runs each user may have waiting (queued or running) before the routes that
// queue them (async walkers, signed deliveries answered 202) answer 429. Runs are taken oldest
// first, so a flood of them faster than they run would push back every other user's, and on the
// data dir, which holds the queue in memory, grow the server's memory without bound.
//
// Counting a user's open runs walks the queue (a query on PostgreSQL), so it is not done for each
// request: a user's figure is the last count plus what this process admitted since (runs that
// ended since are not subtracted, so it only errs high), counted again once it reaches the limit,
// and then at most once per `recountMs` while it stays there. The limit is therefore soft across
// processes on one database: each admits up to the limit on top of what it last counted.
import type { JobQueue } from '../runtime/store/store.ts';

/** Open background runs allowed per user unless the operator says otherwise (--max-queued-runs). */
export const MAX_QUEUED_RUNS = 10_000;

/** A user's open runs as last counted, plus those admitted since. */
interface Figure {
  count: number;
  countedAt: number;
}

export class QueueLimit {
  /** By owner id ('' stands for the public root's runs, whose owner is null). */
  private readonly figures = new Map<string, Figure>();

  /** `max`: open runs allowed per user (0: no limit). */
  constructor(
    private readonly queue: Pick<JobQueue, 'countOpenJobs'>,
    readonly max: number,
    private readonly recountMs = 1_000,
  ) {}

  /** Whether `owner` (null: the public root) may queue one more run now; if so it is counted. */
  async admit(owner: string | null): Promise<boolean> {
    if (this.max === 0) return true;
    const key = owner ?? '';
    let figure = this.figures.get(key);
    if (figure === undefined || (figure.count >= this.max && Date.now() - figure.countedAt >= this.recountMs)) {
      const count = await this.queue.countOpenJobs(owner, this.max);
      figure = { count, countedAt: Date.now() };
      this.figures.set(key, figure);
    }
    if (figure.count >= this.max) return false;
    figure.count++;
    return true;
  }

  /** Seconds a refused caller is told to wait (Retry-After): a full queue takes a while to drain. */
  readonly retryAfterSeconds = 5;
}
