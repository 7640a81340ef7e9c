// The PostgreSQL store: everything a Store keeps, in one database that any number of jac-serve
// processes share (graphs.ts for the graphs, counters.ts for the login limits, migrations.ts for
// the tables).
import type pg from 'pg';
import { type DeliveryLog, type GraphChange, type GraphRecord, type JobQueue, type KeyRecord, type RootLease, type ShareHint, type Store, StoreError, type UserRecord } from '../store.ts';
import { offerDeliveryLog, offerJobQueue } from '../offer.ts';
import { describeUrl, openPool, storeFailure } from './connection.ts';
import { PgCounters } from './counters.ts';
import { PgGraphs } from './graphs.ts';
import { PgJobs } from './jobs.ts';
import { PgDeliveries } from './deliveries.ts';
import { migrate } from './migrations.ts';

export interface PgStoreOptions {
  /** Connections of this process's pool (default 10). */
  connections?: number;
  /** How long to wait for the first connection, ms (default 10 s). */
  connectTimeoutMs?: number;
}

/** The job queue's and delivery log's methods, offered from PgJobs and PgDeliveries (offer.ts). */
export interface PgStore extends JobQueue, DeliveryLog {}

export class PgStore implements Store {
  readonly counters: PgCounters;
  private closed = false;

  private constructor(
    private readonly pool: pg.Pool,
    readonly graphs: PgGraphs,
  ) {
    this.counters = new PgCounters(pool);
    offerJobQueue(this, new PgJobs(pool, graphs.location), () => this.assertOpen());
    offerDeliveryLog(this, new PgDeliveries(pool, graphs.location), () => this.assertOpen());
  }

  get location(): string {
    return this.graphs.location;
  }

  /** Connects to the database at `url` and brings its schema up to date (or refuses a newer one). */
  static async open(url: string, options: PgStoreOptions = {}): Promise<PgStore> {
    const where = describeUrl(url);
    const pool = openPool(url, options.connections ?? 10, options.connectTimeoutMs ?? 10_000);
    try {
      const client = await pool.connect().catch((e: unknown) => {
        throw storeFailure(e, where, 'cannot connect');
      });
      try {
        await migrate(client, where);
      } catch (e) {
        throw storeFailure(e, where, 'cannot prepare the database');
      } finally {
        client.release();
      }
    } catch (e) {
      await pool.end().catch(() => undefined);
      throw e;
    }
    return new PgStore(pool, new PgGraphs(pool, where));
  }

  loadGraph(rootId: string): Promise<GraphRecord[] | null> {
    return this.graphs.loadGraph(rootId);
  }

  commitGraph(rootId: string, change: GraphChange): Promise<void> {
    this.assertOpen();
    return this.graphs.commitGraph(rootId, change);
  }

  lockRoot(rootId: string): Promise<RootLease> {
    this.assertOpen();
    return this.graphs.lockRoot(rootId);
  }

  async getSecret(name: string): Promise<string | null> {
    const { rows } = await this.query<{ value: string }>('read a secret', 'SELECT value FROM jac_secrets WHERE name = $1', [name]);
    return rows[0]?.value ?? null;
  }

  async setSecret(name: string, value: string): Promise<void> {
    await this.query('write a secret', 'INSERT INTO jac_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value', [name, value]);
  }

  async claimSecret(name: string, value: string): Promise<string> {
    await this.query('write a secret', 'INSERT INTO jac_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING', [name, value]);
    return (await this.getSecret(name)) ?? value;
  }

  async findUser(by: { email: string } | { id: string }): Promise<UserRecord | null> {
    const [column, value] = 'email' in by ? ['email', by.email] : ['id', by.id];
    const { rows } = await this.query<{ record: UserRecord; fields: UserRecord['fields'] | null }>('read a user', `SELECT record, fields FROM jac_users WHERE ${column} = $1`, [value]);
    if (!rows[0]) return null;
    const { record, fields } = rows[0];
    return fields === null ? record : { ...record, fields };
  }

  async addUser(user: UserRecord): Promise<void> {
    // The app's fields go in their own json column (migration 6), which keeps their key order.
    const { fields, ...record } = user;
    const { rowCount } = await this.query('add a user', 'INSERT INTO jac_users (id, email, record, fields) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING', [
      user.id,
      user.email,
      JSON.stringify(record),
      fields === undefined ? null : JSON.stringify(fields),
    ]);
    if (rowCount === 0) throw new StoreError(`a user with email ${user.email} exists`, 'JAC_STORE_VALUE');
  }

  async listKeys(owner: string): Promise<KeyRecord[]> {
    const { rows } = await this.query<{ record: KeyRecord }>('list keys', 'SELECT record FROM jac_keys WHERE owner = $1 ORDER BY seq', [owner]);
    return rows.map((r) => r.record);
  }

  async putShares(hints: ShareHint[]): Promise<void> {
    for (const h of hints) {
      if (h.grantees !== 'all' && h.grantees.length === 0) await this.query('write a share hint', 'DELETE FROM jac_shares WHERE id = $1', [h.id]);
      else {
        await this.query(
          'write a share hint',
          'INSERT INTO jac_shares (id, owner, to_all, grantees) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO UPDATE SET owner = EXCLUDED.owner, to_all = EXCLUDED.to_all, grantees = EXCLUDED.grantees',
          [h.id, h.owner, h.grantees === 'all', h.grantees === 'all' ? [] : h.grantees],
        );
      }
    }
  }

  async findShare(id: string): Promise<ShareHint | null> {
    const { rows } = await this.query<{ owner: string; to_all: boolean; grantees: string[] }>('read a share hint', 'SELECT owner, to_all, grantees FROM jac_shares WHERE id = $1', [id]);
    const h = rows[0];
    return h ? { id, owner: h.owner, grantees: h.to_all ? 'all' : h.grantees } : null;
  }

  async sharedRoots(grantee: string, limit: number): Promise<string[]> {
    const { rows } = await this.query<{ id: string }>('read share hints', 'SELECT id FROM jac_shares WHERE id = owner AND (to_all OR $1 = ANY(grantees)) ORDER BY id LIMIT $2', [grantee, limit]);
    return rows.map((r) => r.id);
  }

  async findKey(id: string): Promise<KeyRecord | null> {
    const { rows } = await this.query<{ record: KeyRecord }>('read a key', 'SELECT record FROM jac_keys WHERE id = $1', [id]);
    return rows[0]?.record ?? null;
  }

  async putKey(key: KeyRecord): Promise<void> {
    await this.query('write a key', 'INSERT INTO jac_keys (id, owner, record) VALUES ($1, $2, $3) ON CONFLICT (id) DO UPDATE SET owner = EXCLUDED.owner, record = EXCLUDED.record', [
      key.id,
      key.owner,
      JSON.stringify(key),
    ]);
  }

  async deleteKeys(ids: string[]): Promise<void> {
    await this.query('delete keys', 'DELETE FROM jac_keys WHERE id = ANY($1::text[])', [ids]);
  }

  async touchKeys(uses: [id: string, at: string][]): Promise<void> {
    if (uses.length === 0) return;
    await this.query(
      'note key uses',
      `UPDATE jac_keys k SET record = jsonb_set(k.record, '{lastUsedAt}', to_jsonb(u.at))
       FROM unnest($1::text[], $2::text[]) AS u(id, at)
       WHERE k.id = u.id AND (k.record->>'lastUsedAt' IS NULL OR k.record->>'lastUsedAt' < u.at)`,
      [uses.map((u) => u[0]), uses.map((u) => u[1])],
    );
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }

  private async query<R extends pg.QueryResultRow = pg.QueryResultRow>(doing: string, text: string, values: unknown[]): Promise<pg.QueryResult<R>> {
    this.assertOpen();
    try {
      return await this.pool.query<R>(text, values);
    } catch (e) {
      throw storeFailure(e, this.location, `cannot ${doing}`);
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new StoreError(`the store at ${this.location} is closed`, 'JAC_STORE_IO');
  }
}
