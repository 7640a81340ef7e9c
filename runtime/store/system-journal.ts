// Where the data dir's system data lives on disk (secrets, users, webhook keys, share hints), so
// that a change costs what it changes rather than what every user's data weighs: a snapshot
// (<dir>/system.json, with its generation g) and journals of the changes since
// (<dir>/system.<g>.journal, then <g+1>, … in order; journal-generations.ts), one line per write
// holding the entries it changed, whole, and marks for those it removed. Written whole at every
// change, the file made each registration, key change or share of any user encode all of them on
// the main thread (129 ms a change among 100,000 share hints). Once what the files hold that later
// lines replaced or removed outweighs what is live, the files are folded into a snapshot of the
// next generation in the background, made in parts from the state the earlier journals hold (the
// SystemFile's durable copy), so a fold never holds the event loop for the whole of every user.
//
// It is the SystemDb of a SystemFile (which applies changes in memory at once and undoes the ones
// whose write failed); a change tells it what it touched (touchUser, touchKey, ...).
import { join } from 'node:path';
import { Low } from 'lowdb';
import { DurableFile, readJsonFile } from './durable-file.ts';
import { EntrySizes, JournalLine } from './entry-sizes.ts';
import { checkFormat, FORMAT_VERSION } from './format.ts';
import { IdIndex } from './id-index.ts';
import { type FoldFailed, JournalGenerations, readJournals, SnapshotText, type SnapshotWriter } from './journal-generations.ts';
import type { SystemDb } from './system-file.ts';
import { type KeyRecord, StoreError, type UserRecord } from './store.ts';

/** A share hint as the system data holds it, by id. */
export interface StoredShare {
  owner: string;
  grantees: string[] | 'all';
}

export interface SystemData {
  format: number;
  secrets: Record<string, string>;
  users: UserRecord[];
  keys: KeyRecord[];
  /** Share hints by anchor id (absent in data dirs written before sharing). */
  shares?: Record<string, StoredShare>;
}

interface Snapshot extends SystemData {
  generation: number;
}

/** A journal line's entries: each names what it changed. */
type Entry =
  | { user: UserRecord }
  | { key: KeyRecord }
  | { keyGone: string }
  | { secret: string; value: string }
  | { share: string; hint: StoredShare }
  | { shareGone: string };

/** The files are folded into a new snapshot once their garbage is larger than this and than what is live. */
const FOLD_MIN_BYTES = 256 * 1024;

function decode(json: unknown, file: string): Snapshot {
  const o = checkFormat(json, file);
  if (typeof o.secrets !== 'object' || !Array.isArray(o.users) || !Array.isArray(o.keys)) throw new StoreError(`${file}: missing secrets, users or keys`, 'JAC_STORE_CORRUPT');
  return { ...(o as unknown as SystemData), generation: typeof o.generation === 'number' ? o.generation : 0 };
}

const encode = (s: Snapshot): string => [...snapshotParts(s, s.generation)].join('');

/**
 * A snapshot's text in parts (SnapshotText), each made when it is asked for: what the data holds
 * then (a fold reads data that later writes may still change; hints removed meanwhile are left
 * out, and the next journal removes them anyway).
 */
function* snapshotParts(d: SystemData, generation: number): Generator<string> {
  const text = new SnapshotText(`{"format":${d.format},"secrets":${JSON.stringify(d.secrets)},"users":[`);
  yield* text.items(d.users);
  text.add('],"keys":[');
  yield* text.items(d.keys);
  text.add(']');
  const shares = d.shares;
  if (shares) {
    text.add(',"shares":{');
    yield* text.items(Object.keys(shares), (id) => (shares[id] === undefined ? null : `${JSON.stringify(id)}:${JSON.stringify(shares[id])}`));
    text.add('}');
  }
  yield text.end(`,"generation":${generation}}`);
}

export class SystemJournal implements SystemDb<SystemData> {
  private touchedUsers = new Set<string>();
  private touchedKeys = new Set<string>();
  private touchedSecrets = new Set<string>();
  private touchedShares = new Set<string>();
  private readonly userIndex = new IdIndex<UserRecord>();
  private readonly keyIndex = new IdIndex<KeyRecord>();
  /** The data in memory, held as lowdb holds a file's data (the snapshot and the changes since). */
  private readonly low: Low<Snapshot>;

  private constructor(
    dir: string,
    snapshot: Snapshot,
    /** What the files hold (`u:`, `k:`, `s:`, `h:` and an id). */
    private readonly sizes: EntrySizes,
    /** The snapshot and journals on disk. */
    private readonly files: JournalGenerations,
    private readonly foldMinBytes: number,
  ) {
    this.low = new Low<Snapshot>(new DurableFile<Snapshot>(join(dir, 'system.json'), encode, decode), snapshot);
  }

  /**
   * Reads the snapshot and replays the journals after it. A dir without one, or written in an
   * older format, gets a snapshot in this format at once: an older jac-serve then refuses the dir
   * rather than read the snapshot without its journal. `writeSnapshot`: how a fold writes its
   * snapshot (tests hold one, to look at the files mid-fold); `foldFailed` hears of one that failed.
   */
  static async open(dir: string, foldMinBytes = FOLD_MIN_BYTES, writeSnapshot?: SnapshotWriter, foldFailed?: FoldFailed): Promise<SystemJournal> {
    const file = join(dir, 'system.json');
    const read = await readJsonFile(file);
    const onDisk: Snapshot = read === null ? { format: FORMAT_VERSION, secrets: {}, users: [], keys: [], generation: 0 } : decode(read.json, file);
    const lines = await readJournals(dir, 'system', onDisk.generation);
    // Replayed in order: each line holds the whole of what it changed, so the last one wins; an
    // entry changed keeps its place (the order users and keys were added in).
    const users = new Map(onDisk.users.map((u) => [u.id, u]));
    const keys = new Map(onDisk.keys.map((k) => [k.id, k]));
    const perRecord = (read?.bytes ?? 0) / Math.max(1, users.size + keys.size + Object.keys(onDisk.secrets).length + Object.keys(onDisk.shares ?? {}).length);
    const entries = lines.lines.reduce((n, l) => n + l.change.upserts.length, 0);
    const perEntry = lines.bytes / Math.max(1, entries);
    // What each entry takes in the files is reckoned from the average (exact from here on).
    const sizes = new EntrySizes((read?.bytes ?? 0) + lines.bytes);
    for (const id of users.keys()) sizes.set('u', id, perRecord);
    for (const id of keys.keys()) sizes.set('k', id, perRecord);
    for (const name of Object.keys(onDisk.secrets)) sizes.set('s', name, perRecord);
    for (const id of Object.keys(onDisk.shares ?? {})) sizes.set('h', id, perRecord);
    for (const { file: journal, change: line } of lines.lines) {
      for (const e of line.upserts as unknown as Entry[]) {
        if ('user' in e) {
          users.set(e.user.id, e.user);
          sizes.set('u', e.user.id, perEntry);
        } else if ('key' in e) {
          keys.set(e.key.id, e.key);
          sizes.set('k', e.key.id, perEntry);
        } else if ('keyGone' in e) {
          keys.delete(e.keyGone);
          sizes.set('k', e.keyGone, null);
          sizes.garbage += perEntry;
        } else if ('secret' in e) {
          onDisk.secrets[e.secret] = e.value;
          sizes.set('s', e.secret, perEntry);
        } else if ('share' in e) {
          (onDisk.shares ??= {})[e.share] = e.hint;
          sizes.set('h', e.share, perEntry);
        } else if ('shareGone' in e) {
          if (onDisk.shares) delete onDisk.shares[e.shareGone];
          sizes.set('h', e.shareGone, null);
          sizes.garbage += perEntry;
        } else throw new StoreError(`${journal}: a journal line holds an entry this jac-serve does not know`, 'JAC_STORE_CORRUPT');
      }
    }
    onDisk.users = [...users.values()];
    onDisk.keys = [...keys.values()];
    const files = new JournalGenerations(dir, 'system', onDisk.generation, lines, sizes, writeSnapshot, foldFailed);
    if (read === null || onDisk.format < FORMAT_VERSION) {
      // Nothing else reads or writes the data yet: memory holds exactly what the files hold.
      onDisk.format = FORMAT_VERSION;
      await files.startFold((g) => snapshotParts(onDisk, g));
    }
    onDisk.generation = files.generation;
    return new SystemJournal(dir, onDisk, sizes, files, foldMinBytes);
  }

  get data(): SystemData {
    return this.low.data;
  }

  set data(d: SystemData) {
    this.low.data = { ...d, generation: this.low.data.generation };
  }

  // A change tells what it wrote (or removed); `d` is the data it changed (memory's is the one written).
  touchUser(d: SystemData, id: string): void {
    if (d === this.low.data) this.touchedUsers.add(id);
  }

  touchKey(d: SystemData, id: string): void {
    if (d === this.low.data) this.touchedKeys.add(id);
  }

  touchSecret(d: SystemData, name: string): void {
    if (d === this.low.data) this.touchedSecrets.add(name);
  }

  touchShare(d: SystemData, id: string): void {
    if (d === this.low.data) this.touchedShares.add(id);
  }

  write(durable: SystemData): Promise<void> {
    // Encoded now, before anything is awaited: changes made meanwhile belong to the next write.
    const [users, keys, secrets, shares] = [this.touchedUsers, this.touchedKeys, this.touchedSecrets, this.touchedShares];
    this.touchedUsers = new Set();
    this.touchedKeys = new Set();
    this.touchedSecrets = new Set();
    this.touchedShares = new Set();
    if (users.size + keys.size + secrets.size + shares.size === 0) return Promise.resolve();
    const data = this.low.data;
    const line = new JournalLine<Entry>(this.sizes);
    for (const id of users) {
      const u = this.userIndex.get(data.users, id);
      if (!u) throw new StoreError(`the user ${id} was changed but is not there`, 'JAC_STORE_IO'); // users are never removed
      line.set('u', id, { user: u });
    }
    for (const id of keys) {
      const k = this.keyIndex.get(data.keys, id);
      if (k) line.set('k', id, { key: k });
      else line.remove('k', id, { mark: { keyGone: id } });
    }
    for (const name of secrets) line.set('s', name, { secret: name, value: data.secrets[name] });
    for (const id of shares) {
      const hint = data.shares?.[id];
      if (hint) line.set('h', id, { share: id, hint });
      else line.remove('h', id, { mark: { shareGone: id } });
    }
    const text = line.end();
    // No write is under way (the SystemFile starts one at a time): the journals hold exactly
    // `durable`, the snapshot of a fold that starts now.
    const written = this.files.write(text, this.foldMinBytes, (g) => snapshotParts(durable, g));
    this.low.data.generation = this.files.generation;
    return written;
  }

  /** Resolves once no fold is under way. */
  settled(): Promise<void> {
    return this.files.settled();
  }

  /** Closes the journal file once no fold is under way (the data stays readable; a later write opens it again). */
  close(): Promise<void> {
    return this.files.close();
  }
}
