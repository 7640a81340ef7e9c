// Group commit: callers await `commit()`; while one write is on its way to disk, the commits
// that arrive share the next write, so many concurrent requests cost few disk writes, and each
// commit resolves only once a write that started after it has finished.

export class GroupCommit {
  private inFlight: Promise<void> | null = null;
  private next: { promise: Promise<void>; resolve: () => void; reject: (e: unknown) => void } | null = null;
  /** Writes started so far (the benchmark reports it). */
  writes = 0;

  /** `write` captures the data synchronously when called, then makes it durable. */
  constructor(private readonly write: () => Promise<void>) {}

  commit(): Promise<void> {
    if (!this.inFlight) return this.start();
    if (!this.next) {
      let resolve!: () => void;
      let reject!: (e: unknown) => void;
      const promise = new Promise<void>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      this.next = { promise, resolve, reject };
    }
    return this.next.promise;
  }

  /** Resolves when nothing is being written (for shutdown). */
  async idle(): Promise<void> {
    while (this.inFlight) await this.inFlight.catch(() => undefined);
  }

  private start(): Promise<void> {
    this.writes++;
    const done = this.write();
    this.inFlight = done;
    const settle = () => {
      this.inFlight = null;
      const waiting = this.next;
      if (waiting) {
        this.next = null;
        this.start().then(waiting.resolve, waiting.reject);
      }
    };
    done.then(settle, settle);
    return done;
  }
}
