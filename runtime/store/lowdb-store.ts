// The embedded store: a data dir of JSON files kept with lowdb.
//   <dir>/LOCK            the pid of the process using the dir
//   <dir>/system.json     format version, secrets, users, webhook keys
//   <dir>/roots/<hex>.json one root's graph: its records in creation order
// A commit rewrites only its root's file, so its cost follows that root's size. Each record is
// kept encoded, so a commit re-encodes only what the run changed.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Low } from 'lowdb';
import { DurableFile } from './durable-file.ts';
import { GroupCommit } from './group-commit.ts';
import { parseId } from './ids.ts';
import { lockDataDir } from './lock.ts';
import { SystemFile } from './system-file.ts';
import { type GraphChange, type GraphRecord, type KeyRecord, type Store, StoreError, type UserRecord } from './store.ts';

export const FORMAT_VERSION = 1;

interface SystemData {
  format: number;
  secrets: Record<string, string>;
  users: UserRecord[];
  keys: KeyRecord[];
}

interface RootData {
  root: string;
  /**
   * id → the record, in creation order: as read (encoded on the first write, then kept as
   * text) or as its JSON text.
   */
  records: Map<string, string | GraphRecord>;
}

function checkFormat(json: unknown, file: string): Record<string, unknown> {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new StoreError(`${file}: not a jac-serve data file (expected a JSON object)`, 'JAC_STORE_CORRUPT');
  const format = (json as { format?: unknown }).format;
  if (typeof format !== 'number') throw new StoreError(`${file}: not a jac-serve data file (no "format" field)`, 'JAC_STORE_CORRUPT');
  if (format > FORMAT_VERSION) throw new StoreError(`${file}: written by a newer jac-serve (format ${format}; this one reads up to ${FORMAT_VERSION})`, 'JAC_STORE_VERSION');
  return json as Record<string, unknown>;
}

function decodeSystem(json: unknown, file: string): SystemData {
  const o = checkFormat(json, file);
  if (typeof o.secrets !== 'object' || !Array.isArray(o.users) || !Array.isArray(o.keys)) throw new StoreError(`${file}: missing secrets, users or keys`, 'JAC_STORE_CORRUPT');
  return o as unknown as SystemData;
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
}

export class LowStore implements Store {
  private readonly roots = new Map<string, Promise<OpenRoot>>();
  private closed = false;

  private constructor(
    readonly location: string,
    private readonly system: SystemFile<SystemData>,
    private readonly unlock: () => void,
  ) {}

  /** Opens (creating if needed) the data dir, taking its lock. */
  static async open(dir: string): Promise<LowStore> {
    mkdirSync(join(dir, 'roots'), { recursive: true });
    const unlock = lockDataDir(dir);
    try {
      const adapter = new DurableFile<SystemData>(join(dir, 'system.json'), (d) => JSON.stringify(d), decodeSystem);
      const db = new Low<SystemData>(adapter, { format: FORMAT_VERSION, secrets: {}, users: [], keys: [] });
      await db.read();
      const system = new SystemFile(db);
      if (!existsSync(adapter.file)) await system.change(() => undefined); // a new data dir says its format at once
      return new LowStore(dir, system, unlock);
    } catch (e) {
      unlock();
      throw e;
    }
  }

  /** Disk writes so far, of root files and the system file (for the benchmark). */
  get writes(): number {
    let n = this.system.writes;
    for (const r of this.openedRoots) n += r.commits.writes;
    return n;
  }

  private readonly openedRoots: OpenRoot[] = [];

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
        const root = { db, commits: new GroupCommit(() => db.write()) };
        this.openedRoots.push(root);
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
    this.assertOpen();
    const { db, commits } = await this.openRoot(rootId);
    const records = db.data.records;
    for (const r of change.upserts) records.set(r.id, JSON.stringify(r));
    for (const id of change.deletes) records.delete(id);
    return commits.commit();
  }

  async getSecret(name: string): Promise<string | null> {
    return this.system.data.secrets[name] ?? null;
  }

  // Each change to the system file is undone in memory when its write fails (system-file.ts).

  async setSecret(name: string, value: string): Promise<void> {
    this.assertOpen();
    return this.system.change((d) => {
      d.secrets[name] = value;
    });
  }

  async findUser(by: { email: string } | { id: string }): Promise<UserRecord | null> {
    const users = this.system.data.users;
    return ('email' in by ? users.find((u) => u.email === by.email) : users.find((u) => u.id === by.id)) ?? null;
  }

  async addUser(user: UserRecord): Promise<void> {
    this.assertOpen();
    const record = structuredClone(user);
    return this.system.change((d) => {
      if (d.users.some((u) => u.email === record.email)) throw new StoreError(`a user with email ${record.email} exists`, 'JAC_STORE_VALUE');
      d.users.push(record);
    });
  }

  async listKeys(owner: string): Promise<KeyRecord[]> {
    return this.system.data.keys.filter((k) => k.owner === owner);
  }

  async findKey(id: string): Promise<KeyRecord | null> {
    return this.system.data.keys.find((k) => k.id === id) ?? null;
  }

  async putKey(key: KeyRecord): Promise<void> {
    this.assertOpen();
    const record = structuredClone(key);
    return this.system.change((d) => {
      const i = d.keys.findIndex((k) => k.id === record.id);
      if (i === -1) d.keys.push(record);
      else d.keys[i] = record;
    });
  }

  async deleteKeys(ids: string[]): Promise<void> {
    this.assertOpen();
    const gone = new Set(ids);
    return this.system.change((d) => {
      d.keys = d.keys.filter((k) => !gone.has(k.id));
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.system.idle();
    for (const r of this.openedRoots) await r.commits.idle();
    this.unlock();
  }

  private assertOpen(): void {
    if (this.closed) throw new StoreError(`the store at ${this.location} is closed`, 'JAC_STORE_IO');
  }
}
