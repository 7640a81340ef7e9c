// Counters with an expiry in jac_counters, shared by every process on the database (the login
// failure limits). Time is the database's clock, so processes on machines whose clocks differ
// agree on when a window ends.
import type pg from 'pg';
import type { SharedCounters } from '../store.ts';

const NOW_MS = `(extract(epoch FROM clock_timestamp()) * 1000)::bigint`;
/** Expired rows are removed every this many hits. */
const SWEEP_EVERY = 200;

export class PgCounters implements SharedCounters {
  private hits = 0;

  constructor(private readonly pool: pg.Pool) {}

  async hit(key: string, windowMs: number): Promise<{ count: number; ttlMs: number }> {
    if (++this.hits % SWEEP_EVERY === 0) await this.pool.query(`DELETE FROM jac_counters WHERE expires_at <= ${NOW_MS}`);
    const { rows } = await this.pool.query<{ hits: number; ttl: string }>(
      `WITH now AS (SELECT ${NOW_MS} AS ms)
       INSERT INTO jac_counters AS c (key, hits, expires_at) SELECT $1, 1, now.ms + $2 FROM now
       ON CONFLICT (key) DO UPDATE SET
         hits = CASE WHEN c.expires_at <= (SELECT ms FROM now) THEN 1 ELSE c.hits + 1 END,
         expires_at = CASE WHEN c.expires_at <= (SELECT ms FROM now) THEN (SELECT ms FROM now) + $2 ELSE c.expires_at END
       RETURNING hits, expires_at - (SELECT ms FROM now) AS ttl`,
      [key, Math.round(windowMs)],
    );
    return { count: rows[0].hits, ttlMs: Math.max(0, Number(rows[0].ttl)) };
  }

  async read(key: string): Promise<{ count: number; ttlMs: number }> {
    const { rows } = await this.pool.query<{ hits: number; ttl: string }>(`SELECT hits, expires_at - ${NOW_MS} AS ttl FROM jac_counters WHERE key = $1`, [key]);
    const ttl = rows.length > 0 ? Number(rows[0].ttl) : 0;
    return ttl > 0 ? { count: rows[0].hits, ttlMs: ttl } : { count: 0, ttlMs: 0 };
  }
}
