// What the data dir's delivery log keeps of bodies for replay. The log is held in memory, and its
// count is bounded (job-file.ts), but each entry keeps its delivery's fields for the dedupe window:
// 20,000 entries of a sender whose deliveries are large (a GitHub push can be hundreds of KB) would
// hold gigabytes. So the fields kept are bounded too: past the room, the oldest entries give up
// their fields (they stay listed; a replay of one answers that its body is no longer kept).
import { jsonChars } from './queued-chars.ts';
import type { DeliveryRecord } from './store.ts';

/**
 * What a store past one of its limits keeps once it has made room: nine tenths of the limit, so
 * that a tenth makes room at once rather than every addition after it walking the store again.
 */
export const keptAfterRoom = (limit: number): number => limit - Math.floor(limit / 10);

/**
 * The most characters of JSON the data dir keeps of deliveries' fields for replay (about 64 MB),
 * counted as jsonChars counts them (strings as memory holds them, without their escapes): for a
 * 20 KB body a tenth of the time that writing its JSON out to measure it took.
 */
export const MAX_REPLAY_CHARS = 64 * 1024 * 1024;

type Log = Map<string, DeliveryRecord>;
type Replay = NonNullable<DeliveryRecord['replay']>;

export class ReplayRoom {
  /** Each kept replay's size, by the replay itself: a record changed later (a repeat counted) shares its replay. */
  private readonly sizes = new WeakMap<Replay, number>();
  /** Each log's total (memory's and the durable copy's), once counted; a log it does not know is counted when next asked. */
  private readonly totals = new WeakMap<Log, number>();

  constructor(private readonly maxChars = MAX_REPLAY_CHARS) {}

  private sizeOf(record: DeliveryRecord | undefined): number {
    const replay = record?.replay;
    if (!replay) return 0;
    let size = this.sizes.get(replay);
    if (size === undefined) {
      size = jsonChars(replay);
      this.sizes.set(replay, size);
    }
    return size;
  }

  private total(log: Log): number {
    let total = this.totals.get(log);
    if (total === undefined) {
      total = 0;
      for (const x of log.values()) total += this.sizeOf(x);
      this.totals.set(log, total);
    }
    return total;
  }

  /**
   * Counts `log` now (when it is opened, rather than at the first delivery after it), and gives
   * each copy of it made later the same total (`copied`): counting a copy would size every
   * body in it again, since a copy's replays are objects of its own.
   */
  count(log: Log): void {
    this.total(log);
  }

  /** `copy` holds what `log` holds. */
  copied(log: Log, copy: Log): void {
    const total = this.totals.get(log);
    if (total !== undefined) this.totals.set(copy, total);
  }

  /** `log`'s entry of some id changed from `before` to `after` (either undefined: added, removed). */
  changed(log: Log, before: DeliveryRecord | undefined, after: DeliveryRecord | undefined): void {
    const total = this.totals.get(log);
    if (total !== undefined) this.totals.set(log, total - this.sizeOf(before) + this.sizeOf(after));
  }

  /** `log` changed in ways not told one by one: it is counted again when next asked. */
  forget(log: Log): void {
    this.totals.delete(log);
  }

  /**
   * When `log` keeps more than its room, its oldest entries give up their fields until it keeps
   * nine tenths of it (so that not every delivery after it makes room); `gave` hears of each
   * entry changed. Only what is in `log` decides which, so memory and the durable copy agree.
   */
  makeRoom(log: Log, gave: (id: string) => void): void {
    let total = this.total(log);
    if (total <= this.maxChars) return;
    const target = keptAfterRoom(this.maxChars);
    for (const [id, x] of log) {
      if (total <= target) break;
      if (!x.replay) continue;
      total -= this.sizeOf(x);
      log.set(id, { ...x, replay: null });
      gave(id);
    }
    this.totals.set(log, total);
  }
}
