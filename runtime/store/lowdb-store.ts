// The embedded store: a data dir of JSON files kept with lowdb.
//   <dir>/LOCK            the process using the dir (lock.ts)
//   <dir>/system.json     format version, secrets, users, webhook keys, share hints: a snapshot,
//                         and system.<g>.journal, the changes since (system-journal.ts)
//   <dir>/jobs.json       background jobs: a snapshot, and jobs.<g>.journal, the changes since (job-journal.ts)
//   <dir>/roots/<hex>.json     one root's snapshot: its records in creation order (root-files.ts)
//   <dir>/roots/<hex>.journal  the commits since the snapshot, a line each
import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import { makeDirs } from './make-dirs.ts';
import { GroupIndex, IdIndex } from './id-index.ts';
import { JobFile, type JobFileLimits } from './job-file.ts';
import { lockDataDir } from './lock.ts';
import { RootFiles } from './root-files.ts';
import { SystemFile } from './system-file.ts';
import { type StoredShare, type SystemData, SystemJournal } from './system-journal.ts';
import { type DeliveryLog, type GraphChange, type GraphRecord, type JobQueue, type KeyRecord, type ShareHint, type Store, StoreError, type UserRecord } from './store.ts';
import { offerDeliveryLog, offerJobQueue } from './offer.ts';

/** The job queue's and delivery log's methods, offered from the JobFile (offer.ts). */
export interface LowStore extends JobQueue, DeliveryLog {}

export class LowStore implements Store {
  private closed = false;
  /** Users by id: every authenticated request looks its user up (users are only ever added). */
  private readonly usersById = new IdIndex<UserRecord>();
  /**
   * Users by email, for each login and registration (a scan of 10,000 users took about 60 µs), and
   * keys by id, for every webhook request (a scan of 20,000 keys took about 85 µs) and each key
   * written (a key is rewritten in its place, which the index allows). Each has one index for the
   * data in memory and one for the durable copy that changes are replayed on.
   */
  private readonly emailIndexes = [0, 1].map(() => new IdIndex<UserRecord>((u) => u.email));
  private readonly keyIndexes = [0, 1].map(() => new IdIndex<KeyRecord>());
  /** Keys by owner, for a user's list of keys and each key a user makes (a scan of 20,000 keys took about 100 µs). */
  private readonly keysByOwner = new GroupIndex<KeyRecord>((k) => k.owner);

  private emailsOf(d: SystemData): IdIndex<UserRecord> {
    return this.emailIndexes[d === this.system.data ? 0 : 1];
  }

  private keysOf(d: SystemData): IdIndex<KeyRecord> {
    return this.keyIndexes[d === this.system.data ? 0 : 1];
  }

  /**
   * The roots shared whole (hints whose id is their owner) of a shares object, in its order:
   * a run that enters another root's node asks for them, and reading every hint for it took 80 ms
   * among 100,000. Kept for the object it was built from (memory's, rebuilt after a failed write
   * replaces it) and changed with it.
   */
  private readonly rootShares = new WeakMap<Record<string, StoredShare>, Map<string, StoredShare>>();

  private rootSharesOf(shares: Record<string, StoredShare>): Map<string, StoredShare> {
    let roots = this.rootShares.get(shares);
    if (!roots) {
      roots = new Map();
      for (const [id, h] of Object.entries(shares)) if (id === h.owner) roots.set(id, h);
      this.rootShares.set(shares, roots);
    }
    return roots;
  }
  /** The graphs: one file per root. */
  readonly graphs: RootFiles;

  private constructor(
    readonly location: string,
    private readonly system: SystemFile<SystemData>,
    private readonly systemDb: SystemJournal,
    private readonly jobs: JobFile,
    private readonly unlock: () => void,
    /** Who hears of the files' upkeep failing (folds run in the background: no request hears of one). */
    private readonly upkeep: { listener: ((problem: string) => void) | null },
  ) {
    this.graphs = new RootFiles(location);
    // Reads of the queue answer after close too (the last state in memory).
    offerJobQueue(this, jobs, () => this.assertOpen(), ['findJob', 'listJobs']);
    offerDeliveryLog(this, jobs, () => this.assertOpen());
  }

  /** Opens (creating if needed) the data dir, taking its lock; `jobs`: the job file's limits (tests make them small). */
  static async open(dir: string, { jobs }: { jobs?: JobFileLimits } = {}): Promise<LowStore> {
    const created = makeDirs(join(dir, 'roots'));
    // The system file holds the token secret and the sealing master key: a data dir made here is
    // its owner's alone (one that exists keeps the mode its operator gave it).
    if (created !== null && created !== join(dir, 'roots')) chmodSync(dir, 0o700);
    const unlock = lockDataDir(dir);
    try {
      // A new data dir says its format at once, and an older one is marked as this format before
      // any root is written in it (system-journal.ts), so an older jac-serve refuses it instead of
      // missing its journals.
      const upkeep: { listener: ((problem: string) => void) | null } = { listener: null };
      const foldFailed = (problem: string) => upkeep.listener?.(problem);
      const db = await SystemJournal.open(dir, undefined, undefined, foldFailed);
      return new LowStore(dir, new SystemFile(db), db, await JobFile.open(dir, { foldFailed, ...jobs }), unlock, upkeep);
    } catch (e) {
      unlock();
      throw e;
    }
  }

  onProblem(listener: (problem: string) => void): void {
    this.upkeep.listener = listener;
  }

  queuedChars(root: string): { root: number; all: number } {
    return this.jobs.queuedChars(root);
  }

  /** Disk writes so far, of root files and the system file (for the benchmark). */
  get writes(): number {
    return this.system.writes + this.graphs.writes;
  }

  loadGraph(rootId: string): Promise<GraphRecord[] | null> {
    return this.graphs.loadGraph(rootId);
  }

  commitGraph(rootId: string, change: GraphChange): Promise<void> {
    this.assertOpen();
    return this.graphs.commitGraph(rootId, change);
  }

  async getSecret(name: string): Promise<string | null> {
    return this.system.data.secrets[name] ?? null;
  }

  // Each change to the system file is undone in memory when its write fails (system-file.ts).

  async setSecret(name: string, value: string): Promise<void> {
    this.assertOpen();
    return this.system.change((d) => {
      d.secrets[name] = value;
      this.systemDb.touchSecret(d, name);
    });
  }

  async findUser(by: { email: string } | { id: string }): Promise<UserRecord | null> {
    const users = this.system.data.users;
    return ('email' in by ? this.emailsOf(this.system.data).get(users, by.email) : this.usersById.get(users, by.id)) ?? null;
  }

  async addUser(user: UserRecord): Promise<void> {
    this.assertOpen();
    const record = structuredClone(user);
    return this.system.change((d) => {
      if (this.emailsOf(d).get(d.users, record.email)) throw new StoreError(`a user with email ${record.email} exists`, 'JAC_STORE_VALUE');
      d.users.push(record);
      this.systemDb.touchUser(d, record.id);
    });
  }

  async listKeys(owner: string): Promise<KeyRecord[]> {
    return this.keysByOwner.get(this.system.data.keys, owner);
  }

  async findKey(id: string): Promise<KeyRecord | null> {
    return this.keysOf(this.system.data).get(this.system.data.keys, id) ?? null;
  }

  async putKey(key: KeyRecord): Promise<void> {
    this.assertOpen();
    const record = structuredClone(key);
    return this.system.change((d) => {
      const i = this.keysOf(d).placeOf(d.keys, record.id);
      if (i === -1) d.keys.push(record);
      else d.keys[i] = record;
      this.systemDb.touchKey(d, record.id);
    });
  }

  async deleteKeys(ids: string[]): Promise<void> {
    this.assertOpen();
    const gone = new Set(ids);
    return this.system.change((d) => {
      d.keys = d.keys.filter((k) => !gone.has(k.id));
      for (const id of gone) this.systemDb.touchKey(d, id);
    });
  }

  async putShares(hints: ShareHint[]): Promise<void> {
    this.assertOpen();
    if (hints.length === 0) return;
    const copies = structuredClone(hints);
    return this.system.change((d) => {
      const shares = (d.shares ??= {});
      const roots = this.rootShares.get(shares); // none for a copy nobody asks
      for (const h of copies) {
        const removed = h.grantees !== 'all' && h.grantees.length === 0;
        if (removed) delete shares[h.id];
        else shares[h.id] = { owner: h.owner, grantees: h.grantees };
        if (removed || h.id !== h.owner) roots?.delete(h.id);
        else roots?.set(h.id, shares[h.id]);
        this.systemDb.touchShare(d, h.id);
      }
    });
  }

  async findShare(id: string): Promise<ShareHint | null> {
    const h = this.system.data.shares?.[id];
    return h ? { id, owner: h.owner, grantees: h.grantees } : null;
  }

  async sharedRoots(grantee: string, limit: number): Promise<string[]> {
    const out: string[] = [];
    const shares = this.system.data.shares;
    if (!shares) return out;
    for (const [id, h] of this.rootSharesOf(shares)) {
      if (out.length >= limit) break;
      if (h.grantees === 'all' || h.grantees.includes(grantee)) out.push(id);
    }
    return out;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.system.idle();
    await this.systemDb.close();
    await this.jobs.close();
    await this.graphs.idle();
    this.unlock();
  }

  private assertOpen(): void {
    if (this.closed) throw new StoreError(`the store at ${this.location} is closed`, 'JAC_STORE_IO');
  }
}
