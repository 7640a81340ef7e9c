// The embedded store: a data dir of JSON files kept with lowdb.
//   <dir>/LOCK            the process using the dir (lock.ts)
//   <dir>/system.json     format version, secrets, users, webhook keys
//   <dir>/roots/<hex>.json one root's graph: its records in creation order (root-files.ts)
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Low } from 'lowdb';
import { DurableFile } from './durable-file.ts';
import { checkFormat, FORMAT_VERSION } from './format.ts';
import { GroupCommit } from './group-commit.ts';
import { lockDataDir } from './lock.ts';
import { RootFiles } from './root-files.ts';
import { type GraphChange, type GraphRecord, type KeyRecord, type Store, StoreError, type UserRecord } from './store.ts';

interface SystemData {
  format: number;
  secrets: Record<string, string>;
  users: UserRecord[];
  keys: KeyRecord[];
}

function decodeSystem(json: unknown, file: string): SystemData {
  const o = checkFormat(json, file);
  if (typeof o.secrets !== 'object' || !Array.isArray(o.users) || !Array.isArray(o.keys)) throw new StoreError(`${file}: missing secrets, users or keys`, 'JAC_STORE_CORRUPT');
  return o as unknown as SystemData;
}

export class LowStore implements Store {
  private closed = false;
  /** The graphs: one file per root. */
  readonly graphs: RootFiles;

  private constructor(
    readonly location: string,
    private readonly system: Low<SystemData>,
    private readonly systemCommits: GroupCommit,
    private readonly unlock: () => void,
  ) {
    this.graphs = new RootFiles(location);
  }

  /** Opens (creating if needed) the data dir, taking its lock. */
  static async open(dir: string): Promise<LowStore> {
    mkdirSync(join(dir, 'roots'), { recursive: true });
    const unlock = lockDataDir(dir);
    try {
      const adapter = new DurableFile<SystemData>(join(dir, 'system.json'), (d) => JSON.stringify(d), decodeSystem);
      const system = new Low<SystemData>(adapter, { format: FORMAT_VERSION, secrets: {}, users: [], keys: [] });
      await system.read();
      const commits = new GroupCommit(() => system.write());
      if (!existsSync(adapter.file)) await commits.commit(); // a new data dir says its format at once
      return new LowStore(dir, system, commits, unlock);
    } catch (e) {
      unlock();
      throw e;
    }
  }

  /** Disk writes so far, of root files and the system file (for the benchmark). */
  get writes(): number {
    return this.systemCommits.writes + this.graphs.writes;
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

  async setSecret(name: string, value: string): Promise<void> {
    this.assertOpen();
    this.system.data.secrets[name] = value;
    return this.systemCommits.commit();
  }

  async findUser(by: { email: string } | { id: string }): Promise<UserRecord | null> {
    const users = this.system.data.users;
    return ('email' in by ? users.find((u) => u.email === by.email) : users.find((u) => u.id === by.id)) ?? null;
  }

  async addUser(user: UserRecord): Promise<void> {
    this.assertOpen();
    if (this.system.data.users.some((u) => u.email === user.email)) throw new StoreError(`a user with email ${user.email} exists`, 'JAC_STORE_VALUE');
    this.system.data.users.push(user);
    return this.systemCommits.commit();
  }

  async listKeys(owner: string): Promise<KeyRecord[]> {
    return this.system.data.keys.filter((k) => k.owner === owner);
  }

  async findKey(id: string): Promise<KeyRecord | null> {
    return this.system.data.keys.find((k) => k.id === id) ?? null;
  }

  async putKey(key: KeyRecord): Promise<void> {
    this.assertOpen();
    const keys = this.system.data.keys;
    const i = keys.findIndex((k) => k.id === key.id);
    if (i === -1) keys.push(key);
    else keys[i] = key;
    return this.systemCommits.commit();
  }

  async deleteKeys(ids: string[]): Promise<void> {
    this.assertOpen();
    const gone = new Set(ids);
    this.system.data.keys = this.system.data.keys.filter((k) => !gone.has(k.id));
    return this.systemCommits.commit();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.systemCommits.idle();
    await this.graphs.idle();
    this.unlock();
  }

  private assertOpen(): void {
    if (this.closed) throw new StoreError(`the store at ${this.location} is closed`, 'JAC_STORE_IO');
  }
}
