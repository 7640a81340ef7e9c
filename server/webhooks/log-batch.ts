// Delivery log entries told after the answer, gathered: a busy signed route tells the store once
// per turn of the event loop (one change on the data dir, one statement on PostgreSQL) instead of
// once per delivery, which took 1.6× the time per entry on the data dir and 8× on PostgreSQL
// (bench:store). Nobody waits for these writes (what a delivery changed is durable before its
// answer); a read of the log flushes first, so it sees every entry told before it.
import type { DeliveryLog, ToldDelivery } from '../../runtime/store/store.ts';

export class DeliveryLogBatch {
  private told: ToldDelivery[] = [];
  private scheduled = false;
  /** Writes started and not yet settled. */
  private readonly writing = new Set<Promise<void>>();

  /** `failed` hears of a write the store refused (the entries it carried are not in the log). */
  constructor(
    private readonly log: DeliveryLog,
    private readonly failed: (e: unknown, entries: number) => void,
  ) {}

  /** Tells the log of a delivery, in a write that starts once the current turn of the event loop ends. */
  tell(told: ToldDelivery): void {
    this.told.push(told);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => void this.flush());
  }

  /** Starts the write of what is told, and resolves once every write started so far has settled. */
  flush(): Promise<void> {
    this.scheduled = false;
    const batch = this.told;
    if (batch.length > 0) {
      this.told = [];
      let written: Promise<void>;
      try {
        written = this.log.tellDeliveries(batch, { lazy: true });
      } catch (e) {
        written = Promise.reject(e); // a closed store refuses at once: heard of like any failure
      }
      const write = written.catch((e: unknown) => this.failed(e, batch.length));
      this.writing.add(write);
      void write.finally(() => this.writing.delete(write));
    }
    return Promise.all(this.writing).then(() => undefined);
  }
}
