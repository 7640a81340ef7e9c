// The database schema, as numbered steps. `jac_schema` lists the steps applied; a process that
// starts runs the missing ones under an advisory lock, so N processes starting together migrate
// once (the others wait, then find nothing to do). A database migrated by a newer jac-serve is
// refused: this code would not know what its tables mean.
import type pg from 'pg';
import { StoreError } from '../store.ts';

/** The advisory lock key pair (namespace, id) that elects the migrating process. */
export const MIGRATION_LOCK = [0x6a6163, 1] as const;

export const MIGRATIONS: string[] = [
  // 1: secrets, users, webhook keys, graphs as one row per record, shared counters.
  `CREATE TABLE jac_secrets (name text PRIMARY KEY, value text NOT NULL);
   CREATE TABLE jac_users (id text PRIMARY KEY, email text NOT NULL UNIQUE, record jsonb NOT NULL);
   CREATE TABLE jac_keys (id text PRIMARY KEY, owner text NOT NULL, seq bigserial NOT NULL, record jsonb NOT NULL);
   CREATE INDEX jac_keys_owner ON jac_keys (owner, seq);
   -- version: commits so far (a cached graph of another version is stale); next_seq: the
   -- creation position the root's next new record gets.
   CREATE TABLE jac_roots (root text PRIMARY KEY, version bigint NOT NULL, next_seq bigint NOT NULL);
   -- json, not jsonb: jsonb reorders object keys, and a stored value's tag is its first key.
   CREATE TABLE jac_records (root text NOT NULL, id text NOT NULL, seq bigint NOT NULL, record json NOT NULL, PRIMARY KEY (root, id));
   CREATE INDEX jac_records_order ON jac_records (root, seq);
   CREATE TABLE jac_counters (key text PRIMARY KEY, hits integer NOT NULL, expires_at bigint NOT NULL);`,
  // 2: background jobs (async walkers). fields and result are json for the reason above.
  `CREATE TABLE jac_jobs (
     id text PRIMARY KEY, seq bigserial NOT NULL, walker text NOT NULL, root text NOT NULL, owner text, node text,
     fields json NOT NULL, allowed_nodes json, max_attempts integer NOT NULL, status text NOT NULL, attempts integer NOT NULL,
     enqueued_at timestamptz NOT NULL, run_after timestamptz NOT NULL, started_at timestamptz, finished_at timestamptz,
     lease_until timestamptz, result json);
   CREATE INDEX jac_jobs_open ON jac_jobs (seq) WHERE status IN ('PENDING', 'STARTED');`,
  // 3: scheduled walkers (the last tick fired, so that each fires once across processes) and the
  // jobs they and create_task queue.
  `CREATE TABLE jac_schedules (key text PRIMARY KEY, registered_at timestamptz NOT NULL, last_tick timestamptz);
   ALTER TABLE jac_jobs ADD COLUMN schedule text, ADD COLUMN internal boolean NOT NULL DEFAULT false,
     ADD COLUMN keep boolean NOT NULL DEFAULT true;
   CREATE INDEX jac_jobs_schedule_open ON jac_jobs (schedule) WHERE schedule IS NOT NULL AND status IN ('PENDING', 'STARTED');`,
  // 4: the delivery log of signed webhooks.
  `CREATE TABLE jac_deliveries (id text PRIMARY KEY, seq bigserial NOT NULL, owner text NOT NULL, key_id text NOT NULL, status text NOT NULL,
     received_at timestamptz NOT NULL, record jsonb NOT NULL);
   CREATE INDEX jac_deliveries_owner ON jac_deliveries (owner, received_at DESC);`,
  // 5: share hints (sharing between users): where a shared anchor lives, and who it is shared with.
  `CREATE TABLE jac_shares (id text PRIMARY KEY, owner text NOT NULL, to_all boolean NOT NULL, grantees text[] NOT NULL);
   CREATE INDEX jac_shares_roots ON jac_shares (owner) WHERE id = owner;`,
  // 6: an app's own user fields, apart from the record; json, not jsonb, so that the objects in
  // them keep their key order (jsonb sorts keys).
  `ALTER TABLE jac_users ADD COLUMN fields json;`,
  // 7: a logged delivery's replay (the fields its walker ran with) in a json column of its own:
  // jsonb refuses a NUL character (\u0000) in a string, which a sender's body may hold, and sorts
  // the keys of the objects in it.
  `ALTER TABLE jac_deliveries ADD COLUMN replay json;
   UPDATE jac_deliveries SET replay = CASE WHEN record->'replay' = 'null'::jsonb THEN NULL ELSE (record->'replay')::json END, record = record - 'replay';`,
  // 8: each root's open jobs, counted before a route queues another (the queue limit per user).
  `CREATE INDEX jac_jobs_open_root ON jac_jobs (root) WHERE status IN ('PENDING', 'STARTED');`,
  // 9: roots take turns (jobs.ts): a job's turn, claims in turn order, the turn claims have
  // reached. Jobs queued before wait in turn 0: taken first, oldest first, as they would have been.
  `ALTER TABLE jac_jobs ADD COLUMN turn bigint NOT NULL DEFAULT 0;
   CREATE TABLE jac_job_turn (one boolean PRIMARY KEY DEFAULT true CHECK (one), turn bigint NOT NULL);
   INSERT INTO jac_job_turn (turn) VALUES (0);
   CREATE INDEX jac_jobs_open_turn ON jac_jobs (turn, seq) WHERE status IN ('PENDING', 'STARTED');
   CREATE INDEX jac_jobs_open_root_turn ON jac_jobs (root, turn) WHERE status IN ('PENDING', 'STARTED');
   DROP INDEX jac_jobs_open_root;`,
  // 10: a claim reads only what may be due. Runs dated ahead (and retries on their backoff) wait
  // outside the turns, by time, and take a turn when due; taken runs are found by lease. Scanning
  // every open job in turn order, one user's thousands of dated runs slowed every claim. The index
  // of open jobs by age served the claims before turns; the planner still chose it, over them all.
  `ALTER TABLE jac_jobs ALTER COLUMN turn DROP NOT NULL, ALTER COLUMN turn DROP DEFAULT;
   UPDATE jac_jobs SET turn = NULL WHERE status = 'PENDING' AND run_after > clock_timestamp();
   DROP INDEX jac_jobs_open, jac_jobs_open_turn;
   CREATE INDEX jac_jobs_open_turn ON jac_jobs (turn, seq) WHERE status IN ('PENDING', 'STARTED') AND turn IS NOT NULL;
   CREATE INDEX jac_jobs_dated ON jac_jobs (run_after) WHERE status = 'PENDING' AND turn IS NULL;
   CREATE INDEX jac_jobs_leased ON jac_jobs (lease_until) WHERE status = 'STARTED';`,
];

/** The schema version this code writes and reads. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/** Brings the database to SCHEMA_VERSION (or refuses a newer one); `where` names it for messages. */
export async function migrate(client: pg.ClientBase, where: string, steps = MIGRATIONS): Promise<void> {
  await client.query('SELECT pg_advisory_lock($1, $2)', [...MIGRATION_LOCK]);
  try {
    await client.query('CREATE TABLE IF NOT EXISTS jac_schema (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())');
    const { rows } = await client.query<{ v: number | null }>('SELECT max(version) AS v FROM jac_schema');
    const current = rows[0].v ?? 0;
    if (current > steps.length) {
      throw new StoreError(
        `the database at ${where} has schema version ${current}, newer than this jac-serve knows (${steps.length}): upgrade jac-serve, or use another database`,
        'JAC_STORE_VERSION',
      );
    }
    for (let v = current + 1; v <= steps.length; v++) {
      await client.query('BEGIN');
      try {
        await client.query(steps[v - 1]);
        await client.query('INSERT INTO jac_schema (version) VALUES ($1)', [v]);
        await client.query('COMMIT');
      } catch (e) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw e;
      }
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock($1, $2)', [...MIGRATION_LOCK]).catch(() => undefined);
  }
}
