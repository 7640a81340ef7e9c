// What a snapshot and its journal hold (job-journal.ts, system-journal.ts): how many bytes each
// entry's latest copy takes, and how many bytes of copies a later line replaced or removed. Once
// that garbage is larger than a minimum and than what is live, the files are folded into a new
// snapshot. Entries are counted by kind ('j' a job, 'f' its fields, …) and then by id, so kinds
// cannot collide, and a lookup hashes the record's own id (its hash kept with the string) rather
// than a key made for it at each write (`j:<id>`), hashed afresh each time among the 100,000
// sizes of a busy queue (bench:store: a delivery log entry 13 µs against 15-19, one written alone
// 18 against 26-34). A write builds its line with JournalLine, which tells the sizes what each
// entry takes.

/** An entry's kind: a letter, one per kind of record in the files. */
export type EntryKind = string;

export class EntrySizes {
  private readonly bytes = new Map<EntryKind, Map<string, number>>();
  /** Bytes of copies that a later one replaced or removed, and of lines' frames and removal marks. */
  garbage = 0;

  /** `fileBytes`: what the snapshot and the journal's whole lines take. */
  constructor(private fileBytes: number) {}

  private of(kind: EntryKind): Map<string, number> {
    let sizes = this.bytes.get(kind);
    if (!sizes) this.bytes.set(kind, (sizes = new Map()));
    return sizes;
  }

  /** The entry now takes `bytes` (null: removed); its previous copy, if any, becomes garbage. */
  set(kind: EntryKind, id: string, bytes: number | null): void {
    const sizes = this.of(kind);
    this.garbage += sizes.get(id) ?? 0;
    if (bytes === null) sizes.delete(id);
    else sizes.set(id, bytes);
  }

  /**
   * Of what the copy of `id` just set as `kind` takes, `bytes` stand apart as `partKind`: a large
   * part that later copies leave out, leaving it live where this copy put it (a run's fields). The
   * part's previous copy, if any, becomes garbage.
   */
  part(kind: EntryKind, id: string, partKind: EntryKind, bytes: number): void {
    const sizes = this.of(kind);
    const whole = sizes.get(id) ?? 0;
    const part = Math.min(bytes, whole);
    sizes.set(id, whole - part);
    this.set(partKind, id, part);
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

  /** `entry` is what the record `id` of `kind` holds from this line on. */
  set(kind: EntryKind, id: string, entry: E): void {
    const text = JSON.stringify(entry);
    this.upserts.push(text);
    this.sizes.set(kind, id, text.length + 1);
    this.liveBytes += text.length + 1;
  }

  /** The record `id` of `kind` is removed, as `mark` (an entry) says, or by its id among the line's removals. */
  remove(kind: EntryKind, id: string, how: { mark: E } | 'listed'): void {
    if (how === 'listed') this.deletes.push(JSON.stringify(id));
    else this.upserts.push(JSON.stringify(how.mark));
    this.sizes.set(kind, id, null);
  }

  /** The line, counted in the files: its own frame, and its removals' marks, are garbage. */
  end(): string {
    const line = `{"u":[${this.upserts.join(',')}],"d":[${this.deletes.join(',')}]}\n`;
    this.sizes.wrote(Buffer.byteLength(line), this.liveBytes);
    return line;
  }
}
