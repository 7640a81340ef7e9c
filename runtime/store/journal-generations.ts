// The files of a SystemDb whose snapshot is folded in the background (job-journal.ts,
// system-journal.ts): a snapshot `<name>.json` holding generation g, and journals
// `<name>.<g>.journal`, `<g+1>`, … of the lines written after it, in order (journal.ts). A fold
// switches appends to the next generation's journal at once, then writes the snapshot of what the
// journals before it hold, made part by part between turns of the event loop (so a large file
// never holds it for the whole of it), and removes the journals it replaced. The snapshot may
// catch some later changes too; replaying the next journal over it gives the same state, since
// each line holds whole records. A fold that fails leaves every file as it was and is tried again
// later. A crash at any point leaves the last snapshot with every journal after it; journals
// older than the snapshot (a crash after it was written, before they were removed) are removed
// when the files are read.
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeDurablyInParts } from './durable-file.ts';
import type { EntrySizes } from './entry-sizes.ts';
import { OpenJournal, readJournal } from './journal.ts';
import { type GraphChange, StoreError } from './store.ts';

/** Writes a snapshot's text, made part by part, to its file atomically and durably; resolves with its bytes. */
export type SnapshotWriter = (file: string, parts: Iterable<string>) => Promise<number>;

/** Tells of a fold that failed (no request hears of it): what, why, and that it is tried again. */
export type FoldFailed = (problem: string) => void;

/** About how many characters of a snapshot are made between two turns of the event loop (a few ms of work). */
const PART_CHARS = 1 << 20;

/**
 * A snapshot's text as a fold makes it, in parts of about PART_CHARS: `add` puts text in the
 * current part, `items` a list of encoded records separated by commas, handing out each part as
 * it fills, and `end` the last part. A snapshot made this way is a generator of its parts.
 */
export class SnapshotText {
  constructor(private part = '') {}

  add(text: string): void {
    this.part += text;
  }

  /** The records' texts (`encode`; null leaves a record out), comma-separated. */
  *items<T>(records: Iterable<T>, encode: (record: T) => string | null = JSON.stringify): Generator<string> {
    let comma = '';
    for (const record of records) {
      const text = encode(record);
      if (text === null) continue;
      this.part += comma + text;
      comma = ',';
      if (this.part.length >= PART_CHARS) {
        yield this.part;
        this.part = '';
      }
    }
  }

  /** The last part, ending with `text`. */
  end(text: string): string {
    return this.part + text;
  }
}

/** How long after a fold failed (a disk full, say) the next one may start: each would write the whole snapshot again. */
const FOLD_RETRY_MS = 10_000;

/** The lines written after a snapshot, as read when the files are opened. */
export interface JournalsRead {
  /** Every whole line of every journal from the snapshot's generation on, oldest first, with its file. */
  lines: { file: string; change: GraphChange }[];
  /** The bytes of those lines. */
  bytes: number;
  /** The generation appends go on in: the newest journal's, else the snapshot's. */
  generation: number;
  /** The whole lines of that generation's journal (where the next append goes). */
  journalBytes: number;
}

const journalFile = (dir: string, name: string, generation: number) => join(dir, `${name}.${generation}.journal`);

/** The generations of `name`'s journals in `dir`, oldest first. */
async function journalGenerations(dir: string, name: string): Promise<number[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new StoreError(`cannot read ${dir}: ${(e as Error).message}`, 'JAC_STORE_IO');
  }
  const pattern = new RegExp(`^${name}\\.(\\d+)\\.journal$`);
  return names
    .map((n) => pattern.exec(n))
    .filter((m) => m !== null)
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
}

/** Reads the journals that follow a snapshot of `snapshotGeneration`, and removes those it replaced. */
export async function readJournals(dir: string, name: string, snapshotGeneration: number): Promise<JournalsRead> {
  const generations = await journalGenerations(dir, name);
  for (const g of generations) if (g < snapshotGeneration) await rm(journalFile(dir, name, g), { force: true });
  const read: JournalsRead = { lines: [], bytes: 0, generation: snapshotGeneration, journalBytes: 0 };
  for (const g of generations.filter((x) => x >= snapshotGeneration)) {
    const file = journalFile(dir, name, g);
    const { changes, bytes } = await readJournal(file);
    for (const change of changes) read.lines.push({ file, change });
    Object.assign(read, { bytes: read.bytes + bytes, generation: g, journalBytes: bytes });
  }
  return read;
}

export class JournalGenerations {
  /** The journal of the current generation, open while it is appended to. */
  private journal: OpenJournal;
  /** The fold under way, or null. */
  private folding: Promise<void> | null = null;
  /** When the next fold may start (later than now after one failed). */
  private foldAfter = 0;
  /** The generation of the snapshot on disk: journals from it to the current one hold what came after. */
  private snapshotGeneration: number;
  /** The generation appends go to. */
  private current: number;
  /** Bytes of the current journal's whole lines (where the next append goes). */
  private journalBytes: number;

  constructor(
    private readonly dir: string,
    private readonly name: string,
    snapshotGeneration: number,
    read: JournalsRead,
    private readonly sizes: EntrySizes,
    private readonly writeSnapshot: SnapshotWriter = writeDurablyInParts,
    private readonly foldFailed: FoldFailed = () => {},
  ) {
    this.snapshotGeneration = snapshotGeneration;
    this.current = read.generation;
    this.journalBytes = read.journalBytes;
    this.journal = new OpenJournal(journalFile(dir, name, this.current));
  }

  /** The generation appends go to (the next snapshot's once a fold has started). */
  get generation(): number {
    return this.current;
  }

  /** Appends a line to the current journal, durably. */
  private async append(line: string): Promise<void> {
    this.journalBytes = await this.journal.append(this.journalBytes, line);
  }

  /**
   * Appends a write's line. When a fold is due (none is under way, none failed lately, and
   * replaced copies outweigh what is live and `minBytes`), it starts first, from `snapshot`: what
   * the journals so far hold, exactly (the caller writes one line at a time), so that this line
   * goes to the next generation's journal.
   */
  write(line: string, minBytes: number, snapshot: (generation: number) => Iterable<string>): Promise<void> {
    if (!this.folding && this.sizes.outweighLive(minBytes) && Date.now() >= this.foldAfter) void this.startFold(snapshot);
    return this.append(line);
  }

  /**
   * Appends go to the next generation's journal from now on, and its snapshot, `parts(generation)`,
   * is written in the background: the caller makes it from exactly what the journals so far hold.
   * The promise is the fold's (it rejects when the fold fails); a caller may leave it.
   */
  startFold(parts: (generation: number) => Iterable<string>): Promise<void> {
    const previous = this.journal;
    const generation = ++this.current;
    this.journal = new OpenJournal(journalFile(this.dir, this.name, generation));
    this.journalBytes = 0;
    const fold = this.fold(parts(generation), generation, previous);
    this.folding = fold.catch(() => undefined).finally(() => {
      this.folding = null;
    });
    return fold;
  }

  /** Resolves once no fold is under way. */
  async settled(): Promise<void> {
    while (this.folding) await this.folding;
  }

  /** Closes the journal file once no fold is under way (a later append opens it again). */
  async close(): Promise<void> {
    await this.settled();
    await this.journal.close();
  }

  /** Writes the snapshot of `generation`, then drops the journals it replaces; a failure leaves them all. */
  private async fold(parts: Iterable<string>, generation: number, previous: OpenJournal): Promise<void> {
    await previous.close();
    const file = join(this.dir, `${this.name}.json`);
    let bytes: number;
    try {
      bytes = await this.writeSnapshot(file, parts);
    } catch (e) {
      this.foldAfter = Date.now() + FOLD_RETRY_MS;
      this.foldFailed(`cannot fold the journals of ${file} into a new snapshot (${(e as Error).message}); they keep growing until a fold succeeds, tried again in ${FOLD_RETRY_MS / 1000} s`);
      throw e;
    }
    const replaced = this.snapshotGeneration;
    this.snapshotGeneration = generation;
    // The lines appended meanwhile count as live (those they replaced in the snapshot are not counted).
    this.sizes.folded(bytes, this.journalBytes);
    for (let g = replaced; g < generation; g++) await rm(journalFile(this.dir, this.name, g), { force: true });
  }
}
