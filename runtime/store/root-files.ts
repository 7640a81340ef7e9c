// The graphs of a lowdb data dir, two files per root under `<dir>/roots/`:
//   <hex>.json         a snapshot: the root's records in creation order, and its generation g
//   <hex>.<g>.journal  the commits since that snapshot, one line each (journal.ts)
// A commit appends one line (one per group commit) and fsyncs it, so it costs what the run
// changed, not what the graph weighs. Loading reads the snapshot and replays its journal on it.
// Once the journal outgrows the snapshot it is folded in: a snapshot of generation g+1 is written
// durably, later commits go to journal g+1, and journal g is removed. A crash at any point leaves
// either the old snapshot with its whole journal, or the new one (journal g, if still there, is
// of an older generation and is ignored).
//
// Nothing of a root stays in memory but its file sizes. The files need no lock of their own:
// the data dir's LOCK keeps other processes out, and within a process one root is written by
// one owner at a time (a run worker holding its lease, or the one run of `jac-serve run --data`).
import { rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { readJsonFile, writeDurably } from './durable-file.ts';
import { checkFormat, FORMAT_VERSION } from './format.ts';
import { GroupCommit } from './group-commit.ts';
import { parseId } from './ids.ts';
import { appendJournal, journalLine, readJournal } from './journal.ts';
import { type GraphChange, type GraphRecord, type GraphStore, StoreError } from './store.ts';

/** A journal is folded once it is larger than this and than its snapshot. */
const FOLD_MIN_BYTES = 1 << 20;

interface RootState {
  rootId: string;
  snapshot: string;
  /** The snapshot's generation: its journal is `<hex>.<generation>.journal`. */
  generation: number;
  journal: string;
  snapshotBytes: number;
  /** The end of the journal's whole lines. */
  journalBytes: number;
  /** Lines of commits waiting for the next write. */
  pending: string[];
  commits: GroupCommit;
  /** A write of this root failed: later commits fail until the root is read again. */
  failed: boolean;
}

export class RootFiles implements GraphStore {
  private readonly roots = new Map<string, Promise<RootState>>();
  /** Disk writes so far (the benchmark reports them). */
  writes = 0;
  /** Journals folded into their snapshots so far. */
  folds = 0;
  private readonly inFlight = new Set<Promise<void>>();

  /** `dir` is the data dir (its `roots` folder must exist). */
  constructor(
    readonly location: string,
    private readonly foldMinBytes = FOLD_MIN_BYTES,
  ) {}

  private baseOf(rootId: string): string {
    const parts = parseId(rootId);
    if (!parts || parts.kind !== 'n' || parts.type !== '') throw new StoreError(`not a root id: ${JSON.stringify(rootId)}`, 'JAC_STORE_VALUE');
    return join(this.location, 'roots', parts.hex);
  }

  /** Reads a root's snapshot and journal (cutting a torn journal tail), and notes its file sizes. */
  private async read(rootId: string): Promise<{ state: RootState; records: Map<string, GraphRecord> }> {
    const base = this.baseOf(rootId);
    const snapshot = `${base}.json`;
    const records = new Map<string, GraphRecord>();
    let snapshotBytes = 0;
    let generation = 0;
    const read = await readJsonFile(snapshot);
    if (read !== null) {
      snapshotBytes = read.bytes;
      const o = checkFormat(read.json, snapshot);
      if (o.root !== rootId || !Array.isArray(o.records)) throw new StoreError(`${snapshot}: holds root ${JSON.stringify(o.root)}, not ${rootId}, or no records`, 'JAC_STORE_CORRUPT');
      (o.records as GraphRecord[]).forEach((r, i) => {
        if (typeof r?.id !== 'string' || typeof r.fields !== 'object') throw new StoreError(`${snapshot}: record ${i} has no id or fields`, 'JAC_STORE_CORRUPT');
        records.set(r.id, r);
      });
      if (typeof o.generation === 'number') generation = o.generation;
    }
    const journal = `${base}.${generation}.journal`;
    if (generation > 0) await rm(`${base}.${generation - 1}.journal`, { force: true }); // folded in, left by a crash
    const lines = await readJournal(journal);
    for (const change of lines.changes) apply(records, change);
    const state: RootState = { rootId, snapshot, generation, journal, snapshotBytes, journalBytes: lines.bytes, pending: [], failed: false, commits: null! };
    state.commits = new GroupCommit(() => this.write(state));
    return { state, records };
  }

  private stateOf(rootId: string): Promise<RootState> {
    let opened = this.roots.get(rootId);
    if (!opened) {
      opened = this.read(rootId).then((r) => r.state);
      this.roots.set(rootId, opened);
      opened.catch(() => this.roots.delete(rootId)); // a failed read can be retried
    }
    return opened;
  }

  async loadGraph(rootId: string): Promise<GraphRecord[] | null> {
    const opened = this.read(rootId);
    const state = opened.then((r) => r.state);
    state.catch(() => undefined); // the caller hears of a failure below
    this.roots.set(rootId, state);
    let records: Map<string, GraphRecord>;
    try {
      ({ records } = await opened);
    } catch (e) {
      this.roots.delete(rootId);
      throw e;
    }
    return records.size === 0 ? null : [...records.values()];
  }

  async commitGraph(rootId: string, change: GraphChange): Promise<void> {
    const opened = this.stateOf(rootId);
    const state = await opened;
    let written: Promise<void>;
    try {
      state.pending.push(journalLine(change)); // may throw at once: a change too large to encode
      written = state.commits.commit();
    } catch (e) {
      written = Promise.reject(e);
    }
    this.inFlight.add(written);
    try {
      await written;
    } catch (e) {
      // Later commits of this root fail until it is read again: what they build on was not written.
      state.failed = true;
      if (this.roots.get(rootId) === opened) this.roots.delete(rootId);
      throw e instanceof StoreError ? e : new StoreError(`cannot write root ${rootId}: ${(e as Error).message}`, 'JAC_STORE_IO');
    } finally {
      this.inFlight.delete(written);
    }
  }

  /** One group write: the waiting lines appended at once; then a fold if the journal outgrew its snapshot. */
  private async write(state: RootState): Promise<void> {
    const lines = state.pending.splice(0);
    if (state.failed) throw new StoreError(`${state.journal}: an earlier write of this root failed`, 'JAC_STORE_IO');
    if (lines.length === 0) return;
    this.writes++;
    state.journalBytes = await appendJournal(state.journal, state.journalBytes, lines.join(''));
    if (state.journalBytes > this.foldMinBytes && state.journalBytes > state.snapshotBytes) await this.fold(state);
  }

  /** Writes the next generation's snapshot, with the journal's lines in it; then drops the journal. */
  private async fold(state: RootState): Promise<void> {
    const { records } = await this.read(state.rootId);
    const generation = state.generation + 1;
    const text = encodeSnapshot(state.rootId, records, generation);
    await writeDurably(state.snapshot, text);
    const folded = state.journal;
    Object.assign(state, { generation, journal: `${this.baseOf(state.rootId)}.${generation}.journal`, snapshotBytes: Buffer.byteLength(text), journalBytes: 0 });
    this.folds++;
    await rm(folded, { force: true });
  }

  /** Drops what memory holds of a root (another owner may have written it since). */
  forget(rootId: string): void {
    this.roots.delete(rootId);
  }

  /** Resolves when no write is under way. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** The sizes of a root's files, for tests and the benchmark. */
  async sizes(rootId: string): Promise<{ snapshot: number; journal: number }> {
    const state = await this.stateOf(rootId);
    const size = (f: string) => stat(f).then((s) => s.size, () => 0);
    return { snapshot: await size(state.snapshot), journal: await size(state.journal) };
  }
}

/** A change applied to records in creation order: an upsert keeps a record's place. */
function apply(records: Map<string, GraphRecord>, change: GraphChange): void {
  for (const r of change.upserts) records.set(r.id, r);
  for (const id of change.deletes) records.delete(id);
}

function encodeSnapshot(rootId: string, records: Map<string, GraphRecord>, generation: number): string {
  const parts: string[] = [];
  for (const r of records.values()) parts.push(JSON.stringify(r));
  return `{"format":${FORMAT_VERSION},"root":${JSON.stringify(rootId)},"generation":${generation},"records":[${parts.join(',')}]}`;
}
