// The ended runs (COMPLETED, ERROR, CANCELLED) the data dir's queue keeps, known as they end: each
// one's size as JSON, in the order they ended, and the sum; and the runs not kept that completed,
// gone for every reader and waiting to leave the file together. Kept as changes touch runs
// (job-file.ts), so the limits on ended runs are checked without a walk of the queue: that walk,
// at every hundredth of the limit ended, cost 3-5 ms among 70,000 runs.
import { keptAfterRoom } from './replay-room.ts';

export class EndedRuns {
  /** The kept ended runs' sizes by id, the earliest ended first. */
  private readonly sizes = new Map<string, number>();
  private total = 0;
  /** Runs not kept that completed, waiting to leave the file. */
  private readonly unkept = new Set<string>();

  /** The run `id` ended and is kept; `size` measures it when it was not counted yet. */
  ended(id: string, size: () => number): void {
    if (this.sizes.has(id)) return;
    this.unkept.delete(id);
    const n = size();
    this.sizes.set(id, n);
    this.total += n;
  }

  /** The run `id` completed and is not to be kept. */
  completedUnkept(id: string): void {
    this.forget(id);
    this.unkept.add(id);
  }

  /** The run `id` is open (again), or no longer in the queue. */
  forget(id: string): void {
    const n = this.sizes.get(id);
    if (n !== undefined) {
      this.sizes.delete(id);
      this.total -= n;
    }
    this.unkept.delete(id);
  }

  /** What `id` was counted at, if it is a kept ended run. */
  sizeOf(id: string): number | undefined {
    return this.sizes.get(id);
  }

  /**
   * The runs to leave the file: every run not kept that completed, and, past `maxRuns` kept, the
   * earliest ended until nine tenths of it stay; then, while the rest take more than `maxChars`,
   * the earliest of them until they take nine tenths of that.
   */
  leaving(maxRuns: number, maxChars: number): string[] {
    const out = [...this.unkept];
    const byCount = this.sizes.size > maxRuns ? this.sizes.size - keptAfterRoom(maxRuns) : 0;
    const room = keptAfterRoom(maxChars);
    let taken = 0;
    let rest = this.total;
    let byChars: boolean | null = null; // once the count's are taken: whether the rest outgrow their room
    for (const [id, n] of this.sizes) {
      if (taken >= byCount) {
        byChars ??= rest > maxChars;
        if (!byChars || rest <= room) break;
      }
      out.push(id);
      rest -= n;
      taken++;
    }
    return out;
  }
}
