// The graphs of a lowdb data dir: one file per root under `<dir>/roots/<hex>.json`, holding the
// root's records in creation order. A commit rewrites only its root's file, so its cost follows
// that root's size. Each record is kept encoded, so a commit re-encodes only what the run changed.
//
// The files need no lock of their own: the data dir's LOCK keeps other processes out, and within
// a process one root is written by one owner at a time (the run scheduler of the server, or the
// one run of `jac-serve run --data`). A write that fails leaves nothing of its change in memory:
// the root is read again from disk on next use.
import { join } from 'node:path';
import { Low } from 'lowdb';
import { DurableFile } from './durable-file.ts';
import { GroupCommit } from './group-commit.ts';
import { parseId } from './ids.ts';
import { checkFormat, FORMAT_VERSION } from './format.ts';
import { type GraphChange, type GraphRecord, type GraphStore, StoreError } from './store.ts';

interface RootData {
  root: string;
  /**
   * id → the record, in creation order: as read (encoded on the first write, then kept as
   * text) or as its JSON text.
   */
  records: Map<string, string | GraphRecord>;
}

function decodeRoot(json: unknown, file: string): RootData {
  const o = checkFormat(json, file);
  if (typeof o.root !== 'string' || !Array.isArray(o.records)) throw new StoreError(`${file}: missing root or records`, 'JAC_STORE_CORRUPT');
  const records = new Map<string, string | GraphRecord>();
  (o.records as GraphRecord[]).forEach((r, i) => {
    if (typeof r?.id !== 'string' || typeof r.fields !== 'object') throw new StoreError(`${file}: record ${i} has no id or fields`, 'JAC_STORE_CORRUPT');
    records.set(r.id, r);
  });
  return { root: o.root, records };
}

function encodeRoot(d: RootData): string {
  const parts: string[] = [];
  for (const [id, r] of d.records) {
    if (typeof r === 'string') parts.push(r);
    else {
      const text = JSON.stringify(r);
      d.records.set(id, text); // encoded once; later writes reuse the text
      parts.push(text);
    }
  }
  return `{"format":${FORMAT_VERSION},"root":${JSON.stringify(d.root)},"records":[${parts.join(',')}]}`;
}

interface OpenRoot {
  db: Low<RootData>;
  commits: GroupCommit;
  /** A write of this root failed: what is in memory is not what is on disk. */
  failed: boolean;
}

export class RootFiles implements GraphStore {
  private readonly roots = new Map<string, Promise<OpenRoot>>();
  /** Disk writes so far (the benchmark reports them). */
  writes = 0;
  private readonly inFlight = new Set<Promise<void>>();

  /** `dir` is the data dir (its `roots` folder must exist). */
  constructor(readonly location: string) {}

  private fileOf(rootId: string): string {
    const parts = parseId(rootId);
    if (!parts || parts.kind !== 'n' || parts.type !== '') throw new StoreError(`not a root id: ${JSON.stringify(rootId)}`, 'JAC_STORE_VALUE');
    return join(this.location, 'roots', `${parts.hex}.json`);
  }

  private openRoot(rootId: string): Promise<OpenRoot> {
    let opened = this.roots.get(rootId);
    if (!opened) {
      const file = this.fileOf(rootId);
      opened = (async () => {
        const db = new Low<RootData>(new DurableFile(file, encodeRoot, decodeRoot), { root: rootId, records: new Map() });
        await db.read();
        if (db.data.root !== rootId) throw new StoreError(`${file}: holds root ${db.data.root}, not ${rootId}`, 'JAC_STORE_CORRUPT');
        const root: OpenRoot = {
          db,
          failed: false,
          // A write queued behind one that failed would carry the failed change: it fails too.
          commits: new GroupCommit(() => {
            if (root.failed) return Promise.reject(new StoreError(`${file}: an earlier write of this root failed`, 'JAC_STORE_IO'));
            this.writes++;
            return db.write();
          }),
        };
        return root;
      })();
      this.roots.set(rootId, opened);
      opened.catch(() => this.roots.delete(rootId)); // a failed open can be retried
    }
    return opened;
  }

  async loadGraph(rootId: string): Promise<GraphRecord[] | null> {
    const { db } = await this.openRoot(rootId);
    if (db.data.records.size === 0) return null;
    return [...db.data.records.values()].map((r) => (typeof r === 'string' ? (JSON.parse(r) as GraphRecord) : r));
  }

  async commitGraph(rootId: string, change: GraphChange): Promise<void> {
    const opened = this.openRoot(rootId);
    const root = await opened;
    const records = root.db.data.records;
    for (const r of change.upserts) records.set(r.id, JSON.stringify(r));
    for (const id of change.deletes) records.delete(id);
    let written: Promise<void>;
    try {
      written = root.commits.commit(); // may throw at once: a root too large to encode
    } catch (e) {
      written = Promise.reject(e);
    }
    this.inFlight.add(written);
    try {
      await written;
    } catch (e) {
      // Forget what memory holds of this root: the next use reads what the disk has.
      root.failed = true;
      if (this.roots.get(rootId) === opened) this.roots.delete(rootId);
      throw e instanceof StoreError ? e : new StoreError(`cannot write root ${rootId}: ${(e as Error).message}`, 'JAC_STORE_IO');
    } finally {
      this.inFlight.delete(written);
    }
  }

  /** Drops what memory holds of a root (another owner may have written it since). */
  forget(rootId: string): void {
    this.roots.delete(rootId);
  }

  /** Resolves when no write is under way. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }
}
