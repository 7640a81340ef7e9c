// Root graphs in PostgreSQL: one row per node or edge record (jac_records), in creation order by
// `seq`, and one row per root (jac_roots) with its version and next creation position.
//
// Ownership across processes is a lock, not an optimistic check: a run (or batch of runs) on a
// root takes `pg_advisory_xact_lock` on it in a transaction, reads the root's version (and its
// records when the graph it holds is of another version), runs, and commits its change in that
// same transaction. Runs on one root thus never overlap in any process, no run is ever run twice
// (a re-run would repeat a walker's prints and reports), and when a process or its connection
// dies mid-run the server rolls the transaction back: nothing half-written stays.
import type pg from 'pg';
import { type GraphChange, type GraphRecord, type GraphStore, type RootLease, StoreError } from '../store.ts';
import { describeUrl, openPool, storeFailure } from './connection.ts';

/** The advisory lock namespace of roots (the key is the root id's hash). */
const ROOT_LOCK_NAMESPACE = 0x6a6164;
/** Rows per statement when a change is large (a first commit of a big graph). */
const CHUNK = 5_000;

/** One change with each id once: its last version, at the place of its first (as mergeChanges does). */
function normalize(change: GraphChange): { upserts: GraphRecord[]; deletes: string[] } {
  const deletes = new Set(change.deletes);
  const upserts = new Map<string, GraphRecord>();
  for (const r of change.upserts) if (!deletes.has(r.id)) upserts.set(r.id, r);
  return { upserts: [...upserts.values()], deletes: [...deletes] };
}

export interface PgGraphOptions {
  /** The longest a run waits for another process's run on its root, ms (then: unavailable). */
  lockTimeoutMs?: number;
}

export class PgGraphs implements GraphStore {
  readonly location: string;
  /** Records written (inserted or updated) and deleted so far, by this process (tests and the benchmark read it). */
  rowsWritten = 0;
  private readonly lockTimeoutMs: number;

  constructor(
    private readonly pool: pg.Pool,
    location: string,
    options: PgGraphOptions = {},
  ) {
    this.location = location;
    this.lockTimeoutMs = options.lockTimeoutMs ?? 60_000;
  }

  /** Graphs of the database at `url` with a pool of their own (a run worker's). */
  static connect(url: string, options: PgGraphOptions & { connections?: number } = {}): PgGraphs {
    return new PgGraphs(openPool(url, options.connections ?? 2), describeUrl(url), options);
  }

  async loadGraph(rootId: string): Promise<GraphRecord[] | null> {
    try {
      return await readRecords(this.pool, rootId);
    } catch (e) {
      throw storeFailure(e, this.location, `cannot read root ${rootId}`);
    }
  }

  async commitGraph(rootId: string, change: GraphChange): Promise<void> {
    const lease = await this.lockRoot(rootId);
    try {
      await lease.commit(change);
    } finally {
      await lease.release();
    }
  }

  /** Nothing to drop: every lease reads the version from the database. */
  forget(): void {}

  async lockRoot(rootId: string): Promise<RootLease> {
    const where = this.location;
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (e) {
      throw storeFailure(e, where, `cannot lock root ${rootId}`);
    }
    // A connection lost while the lease is held is reported by the lease's next query.
    const onError = () => undefined;
    client.on('error', onError);
    let open = true;
    const end = async (rollback: boolean, failure?: unknown) => {
      if (!open) return;
      open = false;
      let broken = failure;
      if (rollback) await client.query('ROLLBACK').catch((e: unknown) => (broken ??= e));
      client.removeListener('error', onError);
      client.release(broken instanceof Error ? broken : undefined); // a broken connection is not reused
    };
    let version: number;
    try {
      // One round trip. Each statement of a simple query takes its own snapshot, so the version
      // is read after the lock is held: no commit of the root can come between.
      const root = client.escapeLiteral(rootId);
      const results = (await client.query(
        `BEGIN; SET LOCAL lock_timeout = ${Math.max(1, Math.round(this.lockTimeoutMs))};
         SELECT pg_advisory_xact_lock(${ROOT_LOCK_NAMESPACE}, hashtext(${root}));
         SELECT version FROM jac_roots WHERE root = ${root}`,
      )) as unknown as pg.QueryResult<{ version: string }>[];
      const rows = results[results.length - 1].rows;
      version = rows.length > 0 ? Number(rows[0].version) : 0;
    } catch (e) {
      await end(true, e);
      const failure = storeFailure(e, where, `cannot lock root ${rootId}`);
      if ((e as { code?: string }).code === '55P03') failure.message = `root ${rootId} is held by another run for longer than ${this.lockTimeoutMs} ms`;
      throw failure;
    }
    return {
      version,
      load: async () => {
        if (!open) throw new StoreError(`the lease on root ${rootId} has ended`, 'JAC_STORE_IO');
        try {
          return await readRecords(client, rootId);
        } catch (e) {
          throw storeFailure(e, where, `cannot read root ${rootId}`);
        }
      },
      commit: async (change) => {
        if (!open) throw new StoreError(`the lease on root ${rootId} has ended`, 'JAC_STORE_IO');
        try {
          const next = await this.write(client, rootId, normalize(change));
          await client.query('COMMIT');
          await end(false);
          return next;
        } catch (e) {
          await end(true, e);
          throw storeFailure(e, where, `cannot write root ${rootId}`);
        }
      },
      release: () => end(true),
    };
  }

  /** Writes one change inside the caller's transaction; the root's new version. */
  private async write(client: pg.ClientBase, rootId: string, change: { upserts: GraphRecord[]; deletes: string[] }): Promise<number> {
    const n = change.upserts.length;
    const ids = (part: GraphRecord[]) => part.map((r) => r.id);
    const texts = (part: GraphRecord[]) => part.map((r) => JSON.stringify(r));
    // A new record takes the next creation position; an existing one keeps its own. One
    // statement bumps the root's version, writes the first rows and deletes (a change never
    // both upserts and deletes an id, see normalize); a large change's other rows follow.
    const first = change.upserts.slice(0, CHUNK);
    const { rows } = await client.query<{ version: string; base: string }>(
      `WITH bumped AS (
         INSERT INTO jac_roots AS r (root, version, next_seq) VALUES ($1, 1, $2)
         ON CONFLICT (root) DO UPDATE SET version = r.version + 1, next_seq = r.next_seq + $2
         RETURNING version, next_seq - $2 AS base
       ), upserted AS (
         INSERT INTO jac_records (root, id, seq, record)
         SELECT $1, u.id, bumped.base + u.ord, u.rec::json FROM bumped, unnest($3::text[], $4::text[]) WITH ORDINALITY AS u(id, rec, ord)
         ON CONFLICT (root, id) DO UPDATE SET record = EXCLUDED.record
         RETURNING 1
       ), deleted AS (
         DELETE FROM jac_records WHERE root = $1 AND id = ANY($5::text[]) RETURNING 1
       )
       SELECT version, base FROM bumped`,
      [rootId, n, ids(first), texts(first), change.deletes],
    );
    const base = Number(rows[0].base);
    for (let i = CHUNK; i < n; i += CHUNK) {
      const part = change.upserts.slice(i, i + CHUNK);
      await client.query(
        `INSERT INTO jac_records (root, id, seq, record)
         SELECT $1, u.id, $2::bigint + u.ord, u.rec::json FROM unnest($3::text[], $4::text[]) WITH ORDINALITY AS u(id, rec, ord)
         ON CONFLICT (root, id) DO UPDATE SET record = EXCLUDED.record`,
        [rootId, base + i, ids(part), texts(part)],
      );
    }
    this.rowsWritten += n + change.deletes.length;
    return Number(rows[0].version);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

async function readRecords(db: pg.Pool | pg.ClientBase, rootId: string): Promise<GraphRecord[] | null> {
  // As text, parsed here: the row is the codec's JSON as it was written.
  const { rows } = await db.query<{ r: string }>('SELECT record::text AS r FROM jac_records WHERE root = $1 ORDER BY seq', [rootId]);
  if (rows.length === 0) return null;
  return rows.map((row) => JSON.parse(row.r) as GraphRecord);
}
