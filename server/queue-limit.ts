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
//
// A store that holds its queue in memory (the data dir) also says how much its open runs' fields
// take (queued-chars.ts): a run is admitted only while its root's and all roots' stay within
// their room, so a flood of large bodies is refused rather than grown until the heap runs out
// for everyone. That figure is the store's own, exact at once; it is soft only by the requests
// admitted and not yet queued (at most one body each).
import type { JobQueue, Store } from '../runtime/store/store.ts';

/** Open background runs allowed per root unless the operator says otherwise (--max-queued-runs). */
export const MAX_QUEUED_RUNS = 10_000;

/** The characters of fields a root's open runs may hold on a store that keeps its queue in memory. */
export const MAX_QUEUED_CHARS_PER_ROOT = 64 * 2 ** 20;

/** The characters of fields all open runs may hold there (four roots' worth: well within the heap). */
export const MAX_QUEUED_CHARS = 256 * 2 ** 20;

/** Why a run was not admitted: the answer its request gets, and the reason its delivery's log entry gives. */
export interface Refusal {
  status: 429 | 503;
  detail: string;
  reason: string;
}

/** What a walker running on a root may queue with `create_task` (a figure left out: no limit). */
export interface TaskRoom {
  /** Runs. */
  taskRoom?: number;
  /** Characters of their fields, in all. */
  taskChars?: number;
}

/** `chars` as a person reads a size. */
export function sizeText(chars: number): string {
  const [unit, name] = chars >= 2 ** 20 ? [2 ** 20, 'MB'] : chars >= 1024 ? [1024, 'KB'] : [1, 'bytes'];
  const n = chars / unit;
  return `${Number.isInteger(n) ? n : n.toFixed(1)} ${name}`;
}

/** Why a run was refused for its root's count of runs (a refused delivery's log entry says it; OpenAPI too). */
export const TOO_MANY_RUNS = 'too many background runs of this user are waiting';

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
  /** The characters of fields a root's open runs may hold (default MAX_QUEUED_CHARS_PER_ROOT), on a store that says. */
  maxRootChars?: number;
  /** The characters of fields all open runs may hold (default MAX_QUEUED_CHARS), on a store that says. */
  maxAllChars?: number;
}

export class QueueLimit {
  private readonly figures = new Map<string, Figure>();
  private readonly recountMs: number;
  private readonly maxRoots: number;
  private readonly now: () => number;
  private readonly maxRootChars: number;
  private readonly maxAllChars: number;
  private readonly tooMany: Refusal;

  /** `max`: open runs allowed per root (0: no limit). */
  constructor(
    private readonly queue: Pick<JobQueue, 'countOpenJobs'> & Pick<Store, 'queuedChars'>,
    readonly max: number,
    options: QueueLimitOptions = {},
  ) {
    this.recountMs = options.recountMs ?? 1_000;
    this.maxRoots = options.maxRoots ?? 100_000;
    this.now = options.now ?? Date.now;
    this.maxRootChars = options.maxRootChars ?? MAX_QUEUED_CHARS_PER_ROOT;
    this.maxAllChars = options.maxAllChars ?? MAX_QUEUED_CHARS;
    this.tooMany = { status: 429, detail: `Too many background runs are waiting (at most ${max} per user); retry later`, reason: TOO_MANY_RUNS };
  }

  /**
   * Whether `root` may queue one more run now, whose fields take `chars`: null if so (it is then
   * counted: see `release`), else why not.
   */
  async admit(root: string, chars = 0): Promise<Refusal | null> {
    const figure = this.max === 0 ? null : await this.current(root);
    // Nothing is awaited from here on: each request sees what the one before left.
    if (figure && figure.count >= this.max) return this.tooMany;
    const held = this.queue.queuedChars?.(root);
    if (held && held.root + chars > this.maxRootChars) {
      return { status: 429, detail: `The background runs waiting for this user hold too much data (at most ${sizeText(this.maxRootChars)} of fields); retry later`, reason: 'the background runs of this user hold too much data' };
    }
    if (held && held.all + chars > this.maxAllChars) {
      return { status: 503, detail: `The server's background queue is full (at most ${sizeText(this.maxAllChars)} of fields); retry later`, reason: "the server's background queue is full" };
    }
    if (figure) figure.count++;
    return null;
  }

  /**
   * What a walker running on `root` may queue with `create_task`: runs, and characters of their
   * fields. What it queues is then told with `taken`: a run that has committed is never refused.
   */
  async room(root: string): Promise<TaskRoom> {
    const room: TaskRoom = {};
    if (this.max !== 0) room.taskRoom = Math.max(0, this.max - (await this.current(root)).count);
    const held = this.queue.queuedChars?.(root);
    if (held) room.taskChars = Math.max(0, Math.min(this.maxRootChars - held.root, this.maxAllChars - held.all));
    return room;
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

  /** Whether a run may ever be refused: a limit of runs, or a store that says what its open runs hold. */
  get refuses(): boolean {
    return this.max !== 0 || this.weighs;
  }

  /** Whether runs are admitted by what their fields hold (a store that says: the data dir). */
  get weighs(): boolean {
    return this.queue.queuedChars !== undefined;
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
