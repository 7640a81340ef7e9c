// The delivery log of signed webhooks in jac_deliveries: one row per delivery, its record as
// JSON, with the columns the log is filtered and pruned by. What a replay runs is a json column of
// its own (a sender's fields as they came: any character, keys in their order); the rest is jsonb.
import type pg from 'pg';
import { applyTold, type DeliveryLog, type DeliveryOutcome, type DeliveryRecord, outcomeOf, StoreError, type ToldDelivery } from '../store.ts';
import { storeFailure } from './connection.ts';

export class PgDeliveries implements DeliveryLog {
  constructor(
    private readonly pool: pg.Pool,
    private readonly location: string,
  ) {}

  async logDelivery(record: DeliveryRecord): Promise<void> {
    const row = rowOf(record);
    const { rowCount } = await this.query(
      'log a delivery',
      `INSERT INTO jac_deliveries (id, owner, key_id, status, received_at, record, replay) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING`,
      [record.id, record.owner, record.keyId, record.status, record.receivedAt, row.record, row.replay],
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
    const rows = [...merged.values()];
    await this.query(
      'log deliveries',
      // The replays go as an array of json values of their own: any JSON function refuses a NUL
      // anywhere in the document it reads, so they are never inside the one the rest is read from.
      `WITH told AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS t(id text, record jsonb, repeats integer, outcome jsonb, ord integer)),
       replays AS (SELECT * FROM unnest($2::json[]) WITH ORDINALITY AS r(replay, ord))
       INSERT INTO jac_deliveries AS d (id, owner, key_id, status, received_at, record, replay)
       SELECT id, record->>'owner', record->>'keyId', record->>'status', (record->>'receivedAt')::timestamptz, record, replay
       FROM told JOIN replays ON replays.ord = told.ord + 1 ORDER BY told.ord
       ON CONFLICT (id) DO UPDATE SET
         record = d.record || jsonb_build_object('duplicates', (d.record->>'duplicates')::integer + (SELECT repeats FROM told WHERE told.id = EXCLUDED.id))
                  || COALESCE((SELECT outcome FROM told WHERE told.id = EXCLUDED.id), '{}'::jsonb),
         status = COALESCE((SELECT outcome->>'status' FROM told WHERE told.id = EXCLUDED.id), d.status)`,
      [JSON.stringify(rows.map(({ record: { replay: _, ...record }, ...m }) => ({ ...m, record }))), rows.map((m) => replayText(m.record.replay))],
    );
  }

  async findDelivery(id: string): Promise<DeliveryRecord | null> {
    const { rows } = await this.query<Row>('read a delivery', 'SELECT record, replay FROM jac_deliveries WHERE id = $1', [id]);
    return rows.length > 0 ? recordOf(rows[0]) : null;
  }

  async listDeliveries(owner: string, filter: { keyId?: string; status?: DeliveryRecord['status']; limit: number }): Promise<DeliveryRecord[]> {
    const { rows } = await this.query<Row>(
      'list deliveries',
      `SELECT record, replay FROM jac_deliveries WHERE owner = $1 AND ($2::text IS NULL OR key_id = $2) AND ($3::text IS NULL OR status = $3)
       ORDER BY received_at DESC, seq DESC LIMIT $4`,
      [owner, filter.keyId ?? null, filter.status ?? null, filter.limit],
    );
    return rows.map(recordOf);
  }

  async pruneDeliveries(before: string): Promise<number> {
    // Past its window a delivery keeps its line in the log, without what a replay would run.
    await this.query('drop expired replays', `UPDATE jac_deliveries SET replay = NULL WHERE replay IS NOT NULL AND (record->>'replayUntil')::timestamptz < now()`, []);
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

/** A row of jac_deliveries as read: the record without its replay, and the replay (null: none). */
interface Row {
  record: Omit<DeliveryRecord, 'replay'>;
  replay: DeliveryRecord['replay'];
}

/** A record as its row holds it: the replay apart (json text, or null), the rest (jsonb text). */
export function rowOf(record: DeliveryRecord): { record: string; replay: string | null } {
  const { replay, ...rest } = record;
  return { record: JSON.stringify(rest), replay: replayText(replay) };
}

/** A replay as its json column takes it (null: none). */
const replayText = (replay: DeliveryRecord['replay']): string | null => (replay === null ? null : JSON.stringify(replay));

const recordOf = (row: Row): DeliveryRecord => ({ ...row.record, replay: row.replay });
