// Background jobs in jac_jobs, shared by every process on the database. A claim takes the oldest
// due job with `FOR UPDATE SKIP LOCKED`, so takers in any number of processes never wait on one
// another nor take one job twice, and marks it STARTED with a lease; a job whose lease ran out
// (its taker's process died) is due again. Times are the database's clock, so processes on
// machines whose clocks differ agree on leases and backoffs.
import type pg from 'pg';
import { RUNNER_LOST } from '../job-file.ts';
import { type ClaimedJob, type JobQueue, type JobRecord, type JobResult, type NewJob, StoreError } from '../store.ts';
import { storeFailure } from './connection.ts';

const NOW = 'clock_timestamp()';
const iso = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
const COLUMNS = `id, walker, root, owner, node, fields, allowed_nodes, max_attempts, status, attempts, ${iso('enqueued_at')} AS enqueued_at, ${iso('run_after')} AS run_after,
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

export class PgJobs implements JobQueue {
  constructor(
    private readonly pool: pg.Pool,
    private readonly location: string,
  ) {}

  async enqueueJob(job: NewJob): Promise<void> {
    const { rowCount } = await this.query(
      'enqueue a job',
      `INSERT INTO jac_jobs (id, walker, root, owner, node, fields, allowed_nodes, max_attempts, status, attempts, enqueued_at, run_after)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'PENDING', 0, ${NOW}, ${NOW}) ON CONFLICT (id) DO NOTHING`,
      [job.id, job.walker, job.root, job.owner, job.node, JSON.stringify(job.fields), job.allowedNodes === null ? null : JSON.stringify(job.allowedNodes), job.maxAttempts],
    );
    if (rowCount === 0) throw new StoreError(`a job ${job.id} exists`, 'JAC_STORE_VALUE');
  }

  async claimJob(leaseMs: number): Promise<ClaimedJob | null> {
    // Jobs whose runner died on their last attempt are over.
    await this.query(
      'end lost jobs',
      `UPDATE jac_jobs SET status = 'ERROR', finished_at = ${NOW}, lease_until = NULL, result = $1
       WHERE status = 'STARTED' AND lease_until <= ${NOW} AND attempts >= max_attempts`,
      [JSON.stringify(RUNNER_LOST)],
    );
    const { rows } = await this.query<JobRow>(
      'claim a job',
      `WITH picked AS (
         SELECT id AS picked_id FROM jac_jobs
         WHERE status IN ('PENDING', 'STARTED')
           AND ((status = 'PENDING' AND run_after <= ${NOW}) OR (status = 'STARTED' AND lease_until <= ${NOW} AND attempts < max_attempts))
         ORDER BY seq LIMIT 1 FOR UPDATE SKIP LOCKED)
       UPDATE jac_jobs j SET status = 'STARTED', attempts = j.attempts + 1, started_at = ${NOW}, lease_until = ${NOW} + make_interval(secs => $1 / 1000.0)
       FROM picked WHERE j.id = picked.picked_id
       RETURNING ${COLUMNS}`,
      [leaseMs],
    );
    if (rows.length === 0) return null;
    const job = recordOf(rows[0]);
    return { job, attempt: job.attempts };
  }

  async finishJob(id: string, attempt: number, status: 'COMPLETED' | 'ERROR', result: JobResult): Promise<boolean> {
    const { rowCount } = await this.query(
      'finish a job',
      `UPDATE jac_jobs SET status = $3, finished_at = ${NOW}, lease_until = NULL, result = $4 WHERE id = $1 AND attempts = $2 AND status = 'STARTED'`,
      [id, attempt, status, JSON.stringify(result)],
    );
    return rowCount === 1;
  }

  async retryJob(id: string, attempt: number, delayMs: number, result: JobResult): Promise<boolean> {
    const { rowCount } = await this.query(
      'retry a job',
      `UPDATE jac_jobs SET lease_until = NULL, result = $4,
         status = CASE WHEN attempts >= max_attempts THEN 'ERROR' ELSE 'PENDING' END,
         finished_at = CASE WHEN attempts >= max_attempts THEN ${NOW} ELSE NULL END,
         run_after = CASE WHEN attempts >= max_attempts THEN run_after ELSE ${NOW} + make_interval(secs => $3 / 1000.0) END
       WHERE id = $1 AND attempts = $2 AND status = 'STARTED'`,
      [id, attempt, delayMs, JSON.stringify(result)],
    );
    return rowCount === 1;
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
      `UPDATE jac_jobs SET status = 'PENDING', attempts = 0, run_after = ${NOW}, started_at = NULL, finished_at = NULL, lease_until = NULL, result = NULL
       WHERE id = $1 AND status IN ('ERROR', 'CANCELLED')`,
      [id],
    );
    return rowCount === 1;
  }

  async cancelJob(id: string): Promise<boolean> {
    const { rowCount } = await this.query('cancel a job', `UPDATE jac_jobs SET status = 'CANCELLED', finished_at = ${NOW} WHERE id = $1 AND status = 'PENDING'`, [id]);
    return rowCount === 1;
  }

  private async query<R extends pg.QueryResultRow = pg.QueryResultRow>(doing: string, text: string, values: unknown[]): Promise<pg.QueryResult<R>> {
    try {
      return await this.pool.query<R>(text, values);
    } catch (e) {
      throw storeFailure(e, this.location, `cannot ${doing}`);
    }
  }
}
