// Delivery log entries told after the answer, gathered: a busy signed route tells the store once
// per turn of the event loop (one change on the data dir, one statement on PostgreSQL) instead of
// once per delivery, which took 1.6-3× the time per entry on the data dir and 6-8× on PostgreSQL
// (bench:store). Nobody waits for these writes (what a delivery changed is durable before its
// answer); a read of the log flushes first, so it sees every entry told before it.
import { type DeliveryLog, StoreError, type ToldDelivery } from '../../runtime/store/store.ts';

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
      const write = this.write(batch);
      this.writing.add(write);
      void write.finally(() => this.writing.delete(write));
    }
    return Promise.all(this.writing).then(() => undefined);
  }

  /**
   * Writes `batch`; when the store refuses it, each entry again on its own, so that one entry it
   * cannot take (a time the database cannot read, say) does not take the others with it. A
   * refused write changed nothing (a statement, or a data dir change undone), so none is told
   * twice. A store that cannot be reached is not asked again for each entry: every one would wait
   * out the same failure.
   */
  private async write(batch: ToldDelivery[]): Promise<void> {
    try {
      await this.send(batch);
      return;
    } catch (e) {
      if (batch.length === 1 || (e instanceof StoreError && e.code === 'JAC_STORE_UNAVAILABLE')) return this.failed(e, batch.length);
    }
    let refused = 0;
    let last: unknown;
    for (const t of batch) {
      try {
        await this.send([t]);
      } catch (e) {
        refused++;
        last = e;
      }
    }
    if (refused > 0) this.failed(last, refused);
  }

  /** The store's write; a closed store refuses at once (it throws), heard of like any refusal. */
  private async send(told: ToldDelivery[]): Promise<void> {
    await this.log.tellDeliveries(told, { lazy: true });
  }
}
