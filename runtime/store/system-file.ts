// The system file (secrets, users, webhook keys) changed all or nothing. A change is a function
// applied to the data: at once to the data in memory, so later changes and reads build on it,
// and to the file by the next write, which carries every change made since the previous one
// started (group commit). Besides the data in memory, the last durable state is kept: when a
// write succeeds its changes are applied to that state too; when it fails, its changes are
// rejected and memory becomes the durable state plus the changes made after that write started
// (they wait for the next write). So a change whose write failed is never seen again, and a
// change made meanwhile is neither lost nor applied on top of what failed.
// A change nobody waits for (a delivery log entry told after the answer) may be lazy: it waits up
// to `lazyMs` for another change's write to carry it, so a busy log costs one write per interval
// rather than one per entry.

/** Where the data lives: lowdb's `Low` (its `data` is what its `write()` writes). */
export interface SystemDb<T> {
  data: T;
  /**
   * Writes what `data` holds beyond the last write. `durable` is what the earlier writes put on
   * disk (none is under way when this one starts), for a db that folds its files from it in the
   * background: it may read it, never change it, and later writes that succeed change it in place.
   */
  write(durable: T): Promise<void>;
}

/** A change waiting for its write. */
interface Pending<T> {
  apply(data: T): void;
  lazy: boolean;
  resolve(): void;
  reject(e: unknown): void;
}

/** How long a lazy change waits, at most, for another write to carry it. */
export const LAZY_MS = 20;

export class SystemFile<T> {
  /** The data as last written (or read): what memory returns to when a write fails. */
  private durable: T;
  /** Changes applied in memory whose write has not started. */
  private queued: Pending<T>[] = [];
  /** The changes of the write under way, or null when none is. */
  private writing: Pending<T>[] | null = null;
  private readonly idlers: (() => void)[] = [];
  /** The write that lazy changes wait for, when only lazy ones are queued. */
  private lazyTimer: NodeJS.Timeout | null = null;
  /** Writes started so far (the benchmark reports it). */
  writes = 0;

  /**
   * `db.data` must hold what is on disk (or the initial data of a file not written yet).
   * `lazyMs`: the longest a lazy change waits before a write of its own starts.
   */
  constructor(
    private readonly db: SystemDb<T>,
    private readonly lazyMs = LAZY_MS,
    /** Copies the data (the durable copy, and memory rebuilt from it after a failed write). */
    private readonly copy: (data: T) => T = structuredClone,
  ) {
    this.durable = copy(db.data);
  }

  /** The data in memory: the durable state and the changes made since. */
  get data(): T {
    return this.db.data;
  }

  /**
   * Applies `change` in memory now and resolves once it is on disk. `change` must throw before
   * it modifies anything, or not at all; when it throws, nothing is changed and the promise
   * rejects with its error. When the write fails, the promise rejects and the change is undone.
   * A `lazy` change's write may start up to `lazyMs` later (with whatever comes meanwhile).
   */
  change(change: (data: T) => void, options: { lazy?: boolean } = {}): Promise<void> {
    try {
      change(this.db.data);
    } catch (e) {
      return Promise.reject(e);
    }
    const lazy = options.lazy === true;
    return new Promise<void>((resolve, reject) => {
      this.queued.push({ apply: change, lazy, resolve, reject });
      if (!this.writing) this.writeSoon(lazy);
    });
  }

  /** Resolves when no change is waiting or being written; lazy changes are written now. */
  idle(): Promise<void> {
    if (!this.writing && this.queued.length === 0) return Promise.resolve();
    if (!this.writing) this.startWrite();
    return new Promise((resolve) => this.idlers.push(resolve));
  }

  /** Starts the write of the queued changes now, or, when all are lazy, once `lazyMs` passed. */
  private writeSoon(lazy: boolean): void {
    if (!lazy) this.startWrite();
    else this.lazyTimer ??= setTimeout(() => this.startWrite(), this.lazyMs);
  }

  private startWrite(): void {
    if (this.lazyTimer) clearTimeout(this.lazyTimer);
    this.lazyTimer = null;
    const batch = this.queued;
    this.queued = [];
    this.writing = batch;
    this.writes++;
    let done: Promise<void>;
    try {
      done = this.db.write(this.durable); // encodes db.data (durable + batch) before its first await
    } catch (e) {
      done = Promise.reject(e);
    }
    done.then(
      () => this.written(batch),
      (e: unknown) => this.failed(batch, e),
    );
  }

  private written(batch: Pending<T>[]): void {
    // These changes applied cleanly to the same state in memory, so they apply here too.
    for (const p of batch) p.apply(this.durable);
    this.writing = null;
    for (const p of batch) p.resolve();
    this.next();
  }

  private failed(batch: Pending<T>[], error: unknown): void {
    this.writing = null;
    const data = this.copy(this.durable);
    const kept: Pending<T>[] = [];
    for (const p of this.queued) {
      try {
        p.apply(data);
        kept.push(p);
      } catch (e) {
        p.reject(e); // it cannot apply without the changes that failed
      }
    }
    this.queued = kept;
    this.db.data = data;
    for (const p of batch) p.reject(error);
    this.next();
  }

  private next(): void {
    if (this.queued.length > 0) this.writeSoon(this.idlers.length === 0 && this.queued.every((p) => p.lazy));
    else for (const resolve of this.idlers.splice(0)) resolve();
  }
}
