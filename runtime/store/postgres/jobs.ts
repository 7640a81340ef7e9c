// Background jobs in jac_jobs, shared by every process on the database. A claim takes the due job
// of the earliest turn (roots take turns: nextTurn) with `FOR UPDATE SKIP LOCKED`, so takers in any
// number of processes never take one job twice, and marks it STARTED with a lease; a job whose lease ran out
// (its taker's process died) is due again. A job not due yet (dated ahead, or a retry on its
// backoff) has no turn: it waits by time (jac_jobs_dated) and is given one when due, so a claim
// never reads the jobs that wait. Times are the database's clock, so processes on machines whose
// clocks differ agree on leases and backoffs.
import type pg from 'pg';
import { RUNNER_LOST } from '../job-file.ts';
import { type ClaimedJob, type DeliveryOutcome, type DeliveryRecord, type FireResult, type JobQueue, type JobRecord, type JobResult, type NewJob, type ScheduleState, StoreError } from '../store.ts';
import { storeFailure } from './connection.ts';
import { rowOf } from './deliveries.ts';

const NOW = 'clock_timestamp()';
/** The statement's start, for conditions an index answers: clock_timestamp() changes as rows are read, so no index can bound a range by it. */
const STATEMENT_START = 'statement_timestamp()';

/**
 * The tail of a statement whose CTE `changed` is the job's change and whose CTE `ended` names the
 * job if that change ended it: the delivery log entry of the same id takes the outcome in $3
 * (JSON, or null: none) and its status $4, in the same statement. It counts the jobs changed.
 */
const logOutcome = (changed: string) => `, logged AS (
  UPDATE jac_deliveries SET record = record || $3::jsonb, status = $4 WHERE $3::jsonb IS NOT NULL AND id IN (SELECT id FROM ended) RETURNING id)
SELECT count(*)::int AS n FROM ${changed}`;

const outcomeValues = (logged: DeliveryOutcome | undefined) => (logged ? [JSON.stringify(logged), logged.status] : [null, null]);
const iso = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
const COLUMNS = `id, walker, root, owner, node, fields, allowed_nodes, max_attempts, schedule, internal, keep, status, attempts, ${iso('enqueued_at')} AS enqueued_at, ${iso('run_after')} AS run_after,
  ${iso('started_at')} AS started_at, ${iso('finished_at')} AS finished_at, ${iso('lease_until')} AS lease_until, result`;

interface JobRow {
  id: string;
  walker: string;
  root: string;
  owner: string | null;
  node: string | null;
  fields: JobRecord['fields'];
  allowed_nodes: string[] | null;
  max_attempts: number;
  schedule: string | null;
  internal: boolean;
  keep: boolean;
  status: JobRecord['status'];
  attempts: number;
  enqueued_at: string;
  run_after: string;
  started_at: string | null;
  finished_at: string | null;
  lease_until: string | null;
  result: JobResult | null;
}

function recordOf(r: JobRow): JobRecord {
  return {
    id: r.id,
    walker: r.walker,
    root: r.root,
    owner: r.owner,
    node: r.node,
    fields: r.fields,
    allowedNodes: r.allowed_nodes,
    maxAttempts: r.max_attempts,
    schedule: r.schedule,
    internal: r.internal,
    keep: r.keep,
    status: r.status,
    attempts: r.attempts,
    enqueuedAt: r.enqueued_at,
    runAfter: r.run_after,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    leaseUntil: r.lease_until,
    result: r.result,
  };
}

/**
 * The turn a job of `root` (an SQL expression) waits for: one after the turn claims have reached,
 * or after its root's last open job's, whichever is later. A root's jobs so take one turn each,
 * and a root that comes while another's backlog runs waits about one run, not the backlog;
 * claims go in turn order, oldest first within a turn. (Two jobs of a root queued at once may
 * share a turn: each then waits behind the other one's fellow roots, no more.)
 */
const nextTurn = (root: string) =>
  `(SELECT GREATEST((SELECT turn FROM jac_job_turn),
     COALESCE((SELECT o.turn FROM jac_jobs o WHERE o.root = ${root} AND o.status IN ('PENDING', 'STARTED') AND o.turn IS NOT NULL ORDER BY o.root DESC, o.turn DESC LIMIT 1), 0)) + 1)`;

/** Jobs that came due (at most 100 a claim) get their turn: the tail of a statement, after its CTEs. */
const GIVE_TURNS = `due AS (
  SELECT id FROM jac_jobs WHERE status = 'PENDING' AND turn IS NULL AND run_after <= ${STATEMENT_START} ORDER BY run_after LIMIT 100 FOR UPDATE SKIP LOCKED)
UPDATE jac_jobs j SET turn = ${nextTurn('j.root')} FROM due WHERE j.id = due.id`;

const INSERT_JOB = `INSERT INTO jac_jobs (id, walker, root, owner, node, fields, allowed_nodes, max_attempts, schedule, internal, keep, status, attempts, enqueued_at, run_after, turn)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'PENDING', 0, ${NOW}, COALESCE($12::timestamptz, ${NOW}),
    CASE WHEN $12::timestamptz > ${NOW} THEN NULL ELSE ${nextTurn('$3')} END) ON CONFLICT (id) DO NOTHING`;

function jobValues(job: NewJob): unknown[] {
  const allowed = job.allowedNodes === null ? null : JSON.stringify(job.allowedNodes);
  return [job.id, job.walker, job.root, job.owner, job.node, JSON.stringify(job.fields), allowed, job.maxAttempts, job.schedule ?? null, job.internal ?? false, job.keep ?? true, job.runAfter ?? null];
}

export class PgJobs implements JobQueue {
  constructor(
    private readonly pool: pg.Pool,
    private readonly location: string,
  ) {}

  async enqueueJob(job: NewJob, logged?: DeliveryRecord): Promise<void> {
    let queued: number;
    if (!logged) queued = (await this.query('enqueue a job', INSERT_JOB, jobValues(job), 'jac-enqueue')).rowCount ?? 0;
    else {
      // The job and its delivery's log entry in one statement: the entry only with a new job.
      const entry = rowOf(logged);
      const { rows } = await this.query<{ n: number }>(
        'enqueue a job',
        `WITH job AS (${INSERT_JOB} RETURNING id),
         logged AS (
           INSERT INTO jac_deliveries (id, owner, key_id, status, received_at, record, replay)
           SELECT id, $13::text, $14::text, $15::text, $16::timestamptz, $17::jsonb, $18::json FROM job
           ON CONFLICT (id) DO NOTHING RETURNING id)
         SELECT count(*)::int AS n FROM job`,
        [...jobValues(job), logged.owner, logged.keyId, logged.status, logged.receivedAt, entry.record, entry.replay],
        'jac-enqueue-logged',
      );
      queued = rows[0].n;
    }
    if (queued === 0) throw new StoreError(`a job ${job.id} exists`, 'JAC_STORE_VALUE');
  }

  async countOpenJobs(root: string, atMost: number): Promise<number> {
    const { rows } = await this.query<{ n: number }>(
      'count open jobs',
      `SELECT count(*)::integer AS n FROM (SELECT 1 FROM jac_jobs WHERE root = $1 AND status IN ('PENDING', 'STARTED') LIMIT $2) open`,
      [root, atMost],
    );
    return rows[0].n;
  }

  async claimJob(leaseMs: number): Promise<ClaimedJob | null> {
    // Jobs whose runner died on their last attempt are over; jobs that came due take a turn.
    await this.query(
      'end lost jobs and give due ones a turn',
      `WITH lost AS (
         UPDATE jac_jobs SET status = 'ERROR', finished_at = ${NOW}, lease_until = NULL, result = $1
         WHERE status = 'STARTED' AND lease_until <= ${STATEMENT_START} AND attempts >= max_attempts RETURNING 1),
       ${GIVE_TURNS}`,
      [JSON.stringify(RUNNER_LOST)],
      'jac-end-lost',
    );
    const { rows } = await this.query<JobRow>(
      'claim a job',
      `WITH picked AS (
         SELECT id AS picked_id, turn AS picked_turn FROM jac_jobs
         WHERE status IN ('PENDING', 'STARTED') AND turn IS NOT NULL
           AND ((status = 'PENDING' AND run_after <= ${NOW}) OR (status = 'STARTED' AND lease_until <= ${NOW} AND attempts < max_attempts))
         ORDER BY turn, seq LIMIT 1 FOR UPDATE SKIP LOCKED),
       reached AS (UPDATE jac_job_turn SET turn = picked_turn FROM picked WHERE jac_job_turn.turn < picked_turn)
       UPDATE jac_jobs j SET status = 'STARTED', attempts = j.attempts + 1, started_at = ${NOW}, lease_until = ${NOW} + make_interval(secs => $1 / 1000.0)
       FROM picked WHERE j.id = picked.picked_id
       RETURNING ${COLUMNS}`,
      [leaseMs],
      'jac-claim',
    );
    if (rows.length === 0) return null;
    const job = recordOf(rows[0]);
    return { job, attempt: job.attempts };
  }

  async finishJob(id: string, attempt: number, status: 'COMPLETED' | 'ERROR', result: JobResult, logged?: DeliveryOutcome): Promise<boolean> {
    if (status === 'COMPLETED') {
      const gone = await this.query<{ n: number }>(
        'finish a job',
        `WITH ended AS (DELETE FROM jac_jobs WHERE id = $1 AND attempts = $2 AND status = 'STARTED' AND NOT keep RETURNING id)
         ${logOutcome('ended')}`,
        [id, attempt, ...outcomeValues(logged)],
        'jac-finish-gone',
      );
      if (gone.rows[0].n === 1) return true;
    }
    const { rows } = await this.query<{ n: number }>(
      'finish a job',
      `WITH ended AS (UPDATE jac_jobs SET status = $5, finished_at = ${NOW}, lease_until = NULL, result = $6 WHERE id = $1 AND attempts = $2 AND status = 'STARTED' RETURNING id)
       ${logOutcome('ended')}`,
      [id, attempt, ...outcomeValues(logged), status, JSON.stringify(result)],
      'jac-finish',
    );
    return rows[0].n === 1;
  }

  async retryJob(id: string, attempt: number, delayMs: number, result: JobResult, logged?: DeliveryOutcome): Promise<boolean> {
    const { rows } = await this.query<{ n: number }>(
      'retry a job',
      `WITH retried AS (
         UPDATE jac_jobs SET lease_until = NULL, result = $6,
           status = CASE WHEN attempts >= max_attempts THEN 'ERROR' ELSE 'PENDING' END,
           turn = CASE WHEN attempts >= max_attempts THEN turn ELSE NULL END,
           finished_at = CASE WHEN attempts >= max_attempts THEN ${NOW} ELSE NULL END,
           run_after = CASE WHEN attempts >= max_attempts THEN run_after ELSE ${NOW} + make_interval(secs => $5 / 1000.0) END
         WHERE id = $1 AND attempts = $2 AND status = 'STARTED'
         RETURNING id, status),
       ended AS (SELECT id FROM retried WHERE status = 'ERROR')
       ${logOutcome('retried')}`,
      [id, attempt, ...outcomeValues(logged), delayMs, JSON.stringify(result)],
    );
    return rows[0].n === 1;
  }

  async findJob(id: string): Promise<JobRecord | null> {
    const { rows } = await this.query<JobRow>('read a job', `SELECT ${COLUMNS} FROM jac_jobs WHERE id = $1`, [id]);
    return rows.length > 0 ? recordOf(rows[0]) : null;
  }

  async listJobs(): Promise<JobRecord[]> {
    const { rows } = await this.query<JobRow>('list jobs', `SELECT ${COLUMNS} FROM jac_jobs ORDER BY seq`, []);
    return rows.map(recordOf);
  }

  async requeueJob(id: string): Promise<boolean> {
    const { rowCount } = await this.query(
      'retry a job',
      `UPDATE jac_jobs SET status = 'PENDING', attempts = 0, run_after = ${NOW}, started_at = NULL, finished_at = NULL, lease_until = NULL, result = NULL, turn = ${nextTurn('jac_jobs.root')}
       WHERE id = $1 AND status IN ('ERROR', 'CANCELLED')`,
      [id],
    );
    return rowCount === 1;
  }

  async cancelJob(id: string): Promise<boolean> {
    const { rowCount } = await this.query('cancel a job', `UPDATE jac_jobs SET status = 'CANCELLED', finished_at = ${NOW} WHERE id = $1 AND status = 'PENDING'`, [id]);
    return rowCount === 1;
  }

  async pruneJobs(before: string): Promise<number> {
    const { rowCount } = await this.query('prune finished jobs', `DELETE FROM jac_jobs WHERE status IN ('COMPLETED', 'ERROR', 'CANCELLED') AND finished_at < $1`, [before]);
    return rowCount ?? 0;
  }

  async renewJobs(held: { id: string; attempt: number }[], leaseMs: number): Promise<void> {
    if (held.length === 0) return;
    await this.query(
      'renew job leases',
      `UPDATE jac_jobs j SET lease_until = ${NOW} + make_interval(secs => $3 / 1000.0)
       FROM unnest($1::text[], $2::integer[]) AS h(id, attempt)
       WHERE j.id = h.id AND j.attempts = h.attempt AND j.status = 'STARTED'`,
      [held.map((h) => h.id), held.map((h) => h.attempt), leaseMs],
    );
  }

  async registerSchedule(key: string): Promise<ScheduleState> {
    const { rows } = await this.query<{ registered_at: string; last_tick: string | null }>(
      'register a schedule',
      `WITH added AS (INSERT INTO jac_schedules (key, registered_at) VALUES ($1, ${NOW}) ON CONFLICT (key) DO NOTHING RETURNING registered_at, last_tick)
       SELECT ${iso('registered_at')} AS registered_at, ${iso('last_tick')} AS last_tick FROM added
       UNION ALL SELECT ${iso('registered_at')}, ${iso('last_tick')} FROM jac_schedules WHERE key = $1`,
      [key],
    );
    return { registeredAt: rows[0].registered_at, lastTick: rows[0].last_tick };
  }

  async fireSchedule(key: string, tick: string, job: NewJob, maxInstances: number): Promise<FireResult> {
    let client: pg.PoolClient | null = null;
    try {
      client = await this.pool.connect();
      await client.query('BEGIN');
      // The schedule's row is the lock every process fires through: one of them moves last_tick
      // to this tick, and the others then find it there.
      await client.query(`INSERT INTO jac_schedules (key, registered_at) VALUES ($1, ${NOW}) ON CONFLICT (key) DO NOTHING`, [key]);
      const { rowCount } = await client.query('UPDATE jac_schedules SET last_tick = $2 WHERE key = $1 AND (last_tick IS NULL OR last_tick < $2)', [key, tick]);
      if (rowCount === 0) {
        await client.query('ROLLBACK');
        return 'taken';
      }
      const { rows } = await client.query<{ n: number }>(`SELECT count(*)::integer AS n FROM jac_jobs WHERE schedule = $1 AND status IN ('PENDING', 'STARTED')`, [key]);
      const busy = rows[0].n >= maxInstances;
      if (!busy) await client.query(INSERT_JOB, jobValues({ ...job, schedule: key }));
      await client.query('COMMIT');
      return busy ? 'busy' : 'fired';
    } catch (e) {
      await client?.query('ROLLBACK').catch(() => undefined);
      throw storeFailure(e, this.location, 'cannot fire a schedule');
    } finally {
      client?.release();
    }
  }

  /**
   * Runs `text`; with a `name`, as a statement each connection prepares once, for the statements
   * every queued job runs (planning them took longer than running them).
   */
  private async query<R extends pg.QueryResultRow = pg.QueryResultRow>(doing: string, text: string, values: unknown[], name?: string): Promise<pg.QueryResult<R>> {
    try {
      return await this.pool.query<R>(name ? { name, text, values } : { text, values });
    } catch (e) {
      throw storeFailure(e, this.location, `cannot ${doing}`);
    }
  }
}
