// The delivery log of signed webhooks in jac_deliveries: one row per delivery, its record as
// JSON, with the columns the log is filtered and pruned by.
import type pg from 'pg';
import { type DeliveryLog, type DeliveryRecord, StoreError } from '../store.ts';
import { storeFailure } from './connection.ts';

export class PgDeliveries implements DeliveryLog {
  constructor(
    private readonly pool: pg.Pool,
    private readonly location: string,
  ) {}

  async logDelivery(record: DeliveryRecord): Promise<void> {
    const { rowCount } = await this.query(
      'log a delivery',
      `INSERT INTO jac_deliveries (id, owner, key_id, status, received_at, record) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING`,
      [record.id, record.owner, record.keyId, record.status, record.receivedAt, JSON.stringify(record)],
    );
    if (rowCount === 0) throw new StoreError(`a delivery ${record.id} is logged`, 'JAC_STORE_VALUE');
  }

  async updateDelivery(id: string, change: Partial<Pick<DeliveryRecord, 'status' | 'code' | 'ms' | 'errorId'>>): Promise<boolean> {
    const { rowCount } = await this.query(
      'update a delivery',
      `UPDATE jac_deliveries SET record = record || $2::jsonb, status = COALESCE($3, status) WHERE id = $1`,
      [id, JSON.stringify(change), change.status ?? null],
    );
    return rowCount === 1;
  }

  async addDuplicate(id: string): Promise<boolean> {
    const { rowCount } = await this.query(
      'count a repeated delivery',
      `UPDATE jac_deliveries SET record = jsonb_set(record, '{duplicates}', to_jsonb((record->>'duplicates')::integer + 1)) WHERE id = $1`,
      [id],
    );
    return rowCount === 1;
  }

  async findDelivery(id: string): Promise<DeliveryRecord | null> {
    const { rows } = await this.query<{ record: DeliveryRecord }>('read a delivery', 'SELECT record FROM jac_deliveries WHERE id = $1', [id]);
    return rows[0]?.record ?? null;
  }

  async listDeliveries(owner: string, filter: { keyId?: string; status?: DeliveryRecord['status']; limit: number }): Promise<DeliveryRecord[]> {
    const { rows } = await this.query<{ record: DeliveryRecord }>(
      'list deliveries',
      `SELECT record FROM jac_deliveries WHERE owner = $1 AND ($2::text IS NULL OR key_id = $2) AND ($3::text IS NULL OR status = $3)
       ORDER BY received_at DESC, seq DESC LIMIT $4`,
      [owner, filter.keyId ?? null, filter.status ?? null, filter.limit],
    );
    return rows.map((r) => r.record);
  }

  async pruneDeliveries(before: string): Promise<number> {
    // Past its window a delivery keeps its line in the log, without what a replay would run.
    await this.query('drop expired replays', `UPDATE jac_deliveries SET record = jsonb_set(record, '{replay}', 'null') WHERE record->'replay' <> 'null' AND (record->>'replayUntil')::timestamptz < now()`, []);
    const { rowCount } = await this.query('prune deliveries', 'DELETE FROM jac_deliveries WHERE received_at < $1', [before]);
    return rowCount ?? 0;
  }

  private async query<R extends pg.QueryResultRow = pg.QueryResultRow>(doing: string, text: string, values: unknown[]): Promise<pg.QueryResult<R>> {
    try {
      return await this.pool.query<R>(text, values);
    } catch (e) {
      throw storeFailure(e, this.location, `cannot ${doing}`);
    }
  }
}
