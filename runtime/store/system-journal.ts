// Where the data dir's system data lives on disk (secrets, users, webhook keys, share hints), so
// that a change costs what it changes rather than what every user's data weighs: a snapshot
// (<dir>/system.json, with its generation g) and a journal of the changes since
// (<dir>/system.<g>.journal, journal.ts), one line per write holding the entries it changed,
// whole, and marks for those it removed. Written whole at every change, the file made each
// registration, key change or share of any user encode all of them on the main thread (129 ms a
// change among 100,000 share hints). Once what the files hold that later lines replaced or
// removed outweighs what is live, a snapshot of generation g+1 is written and journal g removed;
// a crash at any point leaves either the old snapshot with its whole journal or the new one.
//
// It is the SystemDb of a SystemFile (which applies changes in memory at once and undoes the ones
// whose write failed); a change tells it what it touched (touchUser, touchKey, ...).
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Low } from 'lowdb';
import { DurableFile, readJsonFile, writeDurably } from './durable-file.ts';
import { EntrySizes, JournalLine } from './entry-sizes.ts';
import { checkFormat, FORMAT_VERSION } from './format.ts';
import { IdIndex } from './id-index.ts';
import { OpenJournal, readJournal } from './journal.ts';
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

const encode = (s: Snapshot): string =>
  JSON.stringify({ format: s.format, secrets: s.secrets, users: s.users, keys: s.keys, ...(s.shares ? { shares: s.shares } : {}), generation: s.generation });

const journalFile = (dir: string, generation: number) => join(dir, `system.${generation}.journal`);

export class SystemJournal implements SystemDb<SystemData> {
  private touchedUsers = new Set<string>();
  private touchedKeys = new Set<string>();
  private touchedSecrets = new Set<string>();
  private touchedShares = new Set<string>();
  private readonly userIndex = new IdIndex<UserRecord>();
  private readonly keyIndex = new IdIndex<KeyRecord>();
  private journal: OpenJournal;
  /** The data in memory, held as lowdb holds a file's data (the snapshot and the changes since). */
  private readonly low: Low<Snapshot>;

  private constructor(
    private readonly dir: string,
    snapshot: Snapshot,
    /** What the files hold (`u:`, `k:`, `s:`, `h:` and an id). */
    private readonly sizes: EntrySizes,
    /** Bytes of the journal's whole lines (where the next append goes). */
    private journalBytes: number,
    private readonly foldMinBytes: number,
  ) {
    this.low = new Low<Snapshot>(new DurableFile<Snapshot>(join(dir, 'system.json'), encode, decode), snapshot);
    this.journal = new OpenJournal(journalFile(dir, snapshot.generation));
  }

  /**
   * Reads the snapshot and replays its journal. A dir without one, or written in an older format,
   * gets a snapshot in this format at once: an older jac-serve then refuses the dir rather than
   * read the snapshot without its journal.
   */
  static async open(dir: string, foldMinBytes = FOLD_MIN_BYTES): Promise<SystemJournal> {
    const file = join(dir, 'system.json');
    const read = await readJsonFile(file);
    const onDisk: Snapshot = read === null ? { format: FORMAT_VERSION, secrets: {}, users: [], keys: [], generation: 0 } : decode(read.json, file);
    if (onDisk.generation > 0) await rm(journalFile(dir, onDisk.generation - 1), { force: true }); // folded in, left by a crash
    const lines = await readJournal(journalFile(dir, onDisk.generation));
    // Replayed in order: each line holds the whole of what it changed, so the last one wins; an
    // entry changed keeps its place (the order users and keys were added in).
    const users = new Map(onDisk.users.map((u) => [u.id, u]));
    const keys = new Map(onDisk.keys.map((k) => [k.id, k]));
    const perRecord = (read?.bytes ?? 0) / Math.max(1, users.size + keys.size + Object.keys(onDisk.secrets).length + Object.keys(onDisk.shares ?? {}).length);
    const entries = lines.changes.reduce((n, l) => n + l.upserts.length, 0);
    const perEntry = lines.bytes / Math.max(1, entries);
    // What each entry takes in the files is reckoned from the average (exact from here on).
    const sizes = new EntrySizes((read?.bytes ?? 0) + lines.bytes);
    for (const id of users.keys()) sizes.set(`u:${id}`, perRecord);
    for (const id of keys.keys()) sizes.set(`k:${id}`, perRecord);
    for (const name of Object.keys(onDisk.secrets)) sizes.set(`s:${name}`, perRecord);
    for (const id of Object.keys(onDisk.shares ?? {})) sizes.set(`h:${id}`, perRecord);
    for (const line of lines.changes) {
      for (const e of line.upserts as unknown as Entry[]) {
        if ('user' in e) {
          users.set(e.user.id, e.user);
          sizes.set(`u:${e.user.id}`, perEntry);
        } else if ('key' in e) {
          keys.set(e.key.id, e.key);
          sizes.set(`k:${e.key.id}`, perEntry);
        } else if ('keyGone' in e) {
          keys.delete(e.keyGone);
          sizes.set(`k:${e.keyGone}`, null);
          sizes.garbage += perEntry;
        } else if ('secret' in e) {
          onDisk.secrets[e.secret] = e.value;
          sizes.set(`s:${e.secret}`, perEntry);
        } else if ('share' in e) {
          (onDisk.shares ??= {})[e.share] = e.hint;
          sizes.set(`h:${e.share}`, perEntry);
        } else if ('shareGone' in e) {
          if (onDisk.shares) delete onDisk.shares[e.shareGone];
          sizes.set(`h:${e.shareGone}`, null);
          sizes.garbage += perEntry;
        } else throw new StoreError(`${journalFile(dir, onDisk.generation)}: a journal line holds an entry this jac-serve does not know`, 'JAC_STORE_CORRUPT');
      }
    }
    onDisk.users = [...users.values()];
    onDisk.keys = [...keys.values()];
    const journal = new SystemJournal(dir, onDisk, sizes, lines.bytes, foldMinBytes);
    if (read === null || onDisk.format < FORMAT_VERSION) {
      await journal.fold({ ...onDisk, format: FORMAT_VERSION, generation: onDisk.generation + 1 });
    }
    return journal;
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

  write(): Promise<void> {
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
      line.set(`u:${id}`, { user: u });
    }
    for (const id of keys) {
      const k = this.keyIndex.get(data.keys, id);
      if (k) line.set(`k:${id}`, { key: k });
      else line.remove(`k:${id}`, { mark: { keyGone: id } });
    }
    for (const name of secrets) line.set(`s:${name}`, { secret: name, value: data.secrets[name] });
    for (const id of shares) {
      const hint = data.shares?.[id];
      if (hint) line.set(`h:${id}`, { share: id, hint });
      else line.remove(`h:${id}`, { mark: { shareGone: id } });
    }
    const text = line.end();
    if (this.sizes.outweighLive(this.foldMinBytes)) {
      // Memory holds exactly what this write makes durable (later changes wait for the next):
      // that is the next generation's snapshot.
      return this.fold({ ...data, generation: this.low.data.generation + 1 });
    }
    return this.append(text);
  }

  /** Closes the journal file (the data stays readable; a later write opens it again). */
  close(): Promise<void> {
    return this.journal.close();
  }

  private async append(line: string): Promise<void> {
    this.journalBytes = await this.journal.append(this.journalBytes, line);
  }

  /** Writes the next generation's snapshot, then drops the journal it replaces. */
  private async fold(next: Snapshot): Promise<void> {
    const text = encode(next);
    await writeDurably(join(this.dir, 'system.json'), text);
    const folded = journalFile(this.dir, this.low.data.generation);
    await this.journal.close();
    this.low.data.generation = next.generation;
    this.low.data.format = next.format;
    this.journal = new OpenJournal(journalFile(this.dir, next.generation));
    this.sizes.folded(Buffer.byteLength(text));
    this.journalBytes = 0;
    await rm(folded, { force: true });
  }
}
