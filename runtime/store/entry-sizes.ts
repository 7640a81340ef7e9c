// What a snapshot and its journal hold (job-journal.ts, system-journal.ts): how many bytes each
// entry's latest copy takes, and how many bytes of copies a later line replaced or removed. Once
// that garbage is larger than a minimum and than what is live, the files are folded into a new
// snapshot. Entries are named by kind and id (`j:<id>`), so that kinds cannot collide. A write
// builds its line with JournalLine, which tells the sizes what each entry takes.

export class EntrySizes {
  private readonly bytes = new Map<string, number>();
  /** Bytes of copies that a later one replaced or removed, and of lines' frames and removal marks. */
  garbage = 0;

  /** `fileBytes`: what the snapshot and the journal's whole lines take. */
  constructor(private fileBytes: number) {}

  /** The entry now takes `bytes` (null: removed); its previous copy, if any, becomes garbage. */
  set(key: string, bytes: number | null): void {
    this.garbage += this.bytes.get(key) ?? 0;
    if (bytes === null) this.bytes.delete(key);
    else this.bytes.set(key, bytes);
  }

  /**
   * Of what `key`'s copy just set takes, `bytes` stand apart as `partKey`: a large part that later
   * copies of `key` leave out, leaving it live where this copy put it (a run's fields). The part's
   * previous copy, if any, becomes garbage.
   */
  part(key: string, partKey: string, bytes: number): void {
    const whole = this.bytes.get(key) ?? 0;
    const part = Math.min(bytes, whole);
    this.bytes.set(key, whole - part);
    this.set(partKey, part);
  }

  /** A journal line of `lineBytes` was written, of which `liveBytes` are the entries it set. */
  wrote(lineBytes: number, liveBytes: number): void {
    this.fileBytes += lineBytes;
    this.garbage += lineBytes - liveBytes;
  }

  /** Whether the files hold more garbage than `minBytes` and than what is live. */
  outweighLive(minBytes: number): boolean {
    return this.garbage > minBytes && this.garbage > this.fileBytes - this.garbage;
  }

  /**
   * The files were folded into a snapshot of `snapshotBytes`, followed by `journalBytes` of lines
   * appended while it was made: none of it is counted as garbage. Each entry keeps the size of its
   * latest copy, which the snapshot holds encoded alike (or, for one changed while the snapshot
   * was made, an older copy that is not counted): setting every entry's size again would walk
   * them all at once, 26 ms among the 130,000 entries of a system file.
   */
  folded(snapshotBytes: number, journalBytes = 0): void {
    this.garbage = 0;
    this.fileBytes = snapshotBytes + journalBytes;
  }
}

/**
 * A journal line as a write builds it (`{"u":[entries],"d":[ids]}`): each entry is encoded on its
 * own, so that what it takes is known when a later line replaces it; removals take nothing live.
 */
export class JournalLine<E> {
  private readonly upserts: string[] = [];
  private readonly deletes: string[] = [];
  private liveBytes = 0;

  constructor(private readonly sizes: EntrySizes) {}

  /** `entry` is what `key` holds from this line on. */
  set(key: string, entry: E): void {
    const text = JSON.stringify(entry);
    this.upserts.push(text);
    this.sizes.set(key, text.length + 1);
    this.liveBytes += text.length + 1;
  }

  /** `key` is removed, as `mark` (an entry) says, or as the id `id` among the line's removals. */
  remove(key: string, how: { mark: E } | { id: string }): void {
    if ('mark' in how) this.upserts.push(JSON.stringify(how.mark));
    else this.deletes.push(JSON.stringify(how.id));
    this.sizes.set(key, null);
  }

  /** The line, counted in the files: its own frame, and its removals' marks, are garbage. */
  end(): string {
    const line = `{"u":[${this.upserts.join(',')}],"d":[${this.deletes.join(',')}]}\n`;
    this.sizes.wrote(Buffer.byteLength(line), this.liveBytes);
    return line;
  }
}
