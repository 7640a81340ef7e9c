// The delivery log of signed webhooks in jac_deliveries: one row per delivery, its record as
// JSON, with the columns the log is filtered and pruned by.
import type pg from 'pg';
import { applyTold, type DeliveryLog, type DeliveryOutcome, type DeliveryRecord, StoreError, type ToldDelivery } from '../store.ts';
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

  async tellDeliveries(told: ToldDelivery[]): Promise<void> {
    if (told.length === 0) return;
    // One row may change only once in a statement: what the batch tells of one delivery is merged
    // first, into the entry to make when there is none and what to do to one that is there.
    const merged = new Map<string, { id: string; record: DeliveryRecord; repeats: number; outcome: DeliveryOutcome | null; ord: number }>();
    for (const t of told) {
      const m = merged.get(t.record.id);
      const outcome = t.repeat || t.record.status === 'pending' ? null : outcomeOf(t.record);
      if (!m) merged.set(t.record.id, { id: t.record.id, record: t.record, repeats: t.repeat ? 1 : 0, outcome, ord: merged.size });
      else Object.assign(m, { record: applyTold(m.record, t), repeats: m.repeats + (t.repeat ? 1 : 0), outcome: outcome ?? m.outcome });
    }
    await this.query(
      'log deliveries',
      `WITH told AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS t(id text, record jsonb, repeats integer, outcome jsonb, ord integer))
       INSERT INTO jac_deliveries AS d (id, owner, key_id, status, received_at, record)
       SELECT id, record->>'owner', record->>'keyId', record->>'status', (record->>'receivedAt')::timestamptz, record FROM told ORDER BY ord
       ON CONFLICT (id) DO UPDATE SET
         record = d.record || jsonb_build_object('duplicates', (d.record->>'duplicates')::integer + (SELECT repeats FROM told WHERE told.id = EXCLUDED.id))
                  || COALESCE((SELECT outcome FROM told WHERE told.id = EXCLUDED.id), '{}'::jsonb),
         status = COALESCE((SELECT outcome->>'status' FROM told WHERE told.id = EXCLUDED.id), d.status)`,
      [JSON.stringify([...merged.values()])],
    );
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

const outcomeOf = (r: DeliveryRecord): DeliveryOutcome => ({ status: r.status, code: r.code, ms: r.ms, errorId: r.errorId });
