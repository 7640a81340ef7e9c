// Delivery log entries told by the signed routes are gathered into one write per turn of the event
// loop, on a real data dir (and PostgreSQL): in the order told, readable once flushed, on disk once
// their write settles; a write the store refuses is reported, not thrown at whoever told it, and
// an entry the store cannot take fails alone.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LowStore } from '../../runtime/store/lowdb-store.ts';
import { PgStore } from '../../runtime/store/postgres/pg-store.ts';
import { type DeliveryLog, type DeliveryRecord, type LogWrite, StoreError, type ToldDelivery } from '../../runtime/store/store.ts';
import { DeliveryLogBatch } from '../../server/webhooks/log-batch.ts';
import { freshDatabase } from '../helpers/postgres.ts';

const delivery = (i: number, over: Partial<DeliveryRecord> = {}): DeliveryRecord => ({
  id: `d-${i}`, keyId: 'k1', owner: 'u1', walker: 'hook', receivedAt: new Date(Date.UTC(2030, 0, 1, 0, 0, i)).toISOString(), verified: true, deliveryId: `g-${i}`, event: 'push',
  status: 'ok', code: 200, ms: 3, errorId: null, reason: null, duplicates: 0,
  replay: { fields: {}, node: null, allowedNodes: null }, replayUntil: '2999-01-01T00:00:00.000Z', ...over,
});

/** The store's log, with each write it is asked for recorded (and refused while `refuse` is set). */
function watched(store: LowStore) {
  const writes: { ids: string[]; lazy: boolean }[] = [];
  let refuse = false;
  const log = {
    tellDeliveries(told: ToldDelivery[], how: LogWrite = {}) {
      writes.push({ ids: told.map((t) => t.record.id), lazy: how.lazy === true });
      return refuse ? Promise.reject(new Error('disk full')) : store.tellDeliveries(told, how);
    },
  } as DeliveryLog;
  return { log, writes, refuse: (on: boolean) => void (refuse = on) };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

test('deliveries told in one turn are one lazy write, in order; the next turn makes the next write', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'jac-log-batch-'));
  const store = await LowStore.open(dir);
  const { log, writes } = watched(store);
  const batch = new DeliveryLogBatch(log, () => assert.unreachable('no write fails'));
  for (let i = 1; i <= 5; i++) batch.tell({ record: delivery(i), repeat: false });
  batch.tell({ record: delivery(2), repeat: true });
  assert.equal(writes, [], 'nothing written while the turn lasts');
  await turn();
  batch.tell({ record: delivery(6), repeat: false });
  await turn();
  assert.equal(writes, [{ ids: ['d-1', 'd-2', 'd-3', 'd-4', 'd-5', 'd-2'], lazy: true }, { ids: ['d-6'], lazy: true }]);
  await batch.flush();
  assert.equal((await store.listDeliveries('u1', { limit: 10 })).map((d) => [d.id, d.duplicates]), [['d-6', 0], ['d-5', 0], ['d-4', 0], ['d-3', 0], ['d-2', 1], ['d-1', 0]]);
  await store.close();
});

test('a flush writes what is told at once and resolves once it is on disk', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'jac-log-batch-'));
  const store = await LowStore.open(dir);
  const batch = new DeliveryLogBatch(store, () => assert.unreachable('no write fails'));
  batch.tell({ record: delivery(1, { status: 'failed', code: 500 }), repeat: false });
  await batch.flush();
  const journal = readFileSync(join(dir, 'jobs.0.journal'), 'utf8');
  assert.ok(journal.includes('"id":"d-1"'), 'in the journal before the store closes');
  await store.close();
  const again = await LowStore.open(dir);
  assert.equal((await again.findDelivery('d-1'))?.status, 'failed');
  await again.close();
  assert.equal(await batch.flush(), undefined, 'nothing told: nothing to write');
});

test('a refused write is reported with how many entries it carried; the entries told after it are written', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'jac-log-batch-'));
  const store = await LowStore.open(dir);
  const { log, refuse } = watched(store);
  const failures: [string, number][] = [];
  const batch = new DeliveryLogBatch(log, (e, entries) => failures.push([(e as Error).message, entries]));
  refuse(true);
  batch.tell({ record: delivery(1), repeat: false });
  batch.tell({ record: delivery(2), repeat: false });
  await batch.flush(); // resolves: nobody waiting on the log is thrown at
  refuse(false);
  batch.tell({ record: delivery(3), repeat: false });
  await batch.flush();
  assert.equal(failures, [['disk full', 2]]);
  assert.equal((await store.listDeliveries('u1', { limit: 10 })).map((d) => d.id), ['d-3']);
  await store.close();
});

test('a store that cannot be reached is asked once for the whole turn, not again for each entry', async () => {
  const asked: number[] = [];
  const unreachable = {
    tellDeliveries: async (told: ToldDelivery[]) => {
      asked.push(told.length);
      throw new StoreError('the database cannot be reached', 'JAC_STORE_UNAVAILABLE');
    },
  } as unknown as DeliveryLog;
  const failures: [string, number][] = [];
  const batch = new DeliveryLogBatch(unreachable, (e, entries) => failures.push([(e as StoreError).code, entries]));
  for (let i = 1; i <= 3; i++) batch.tell({ record: delivery(i), repeat: false });
  await batch.flush();
  assert.equal(asked, [3]);
  assert.equal(failures, [['JAC_STORE_UNAVAILABLE', 3]]);
});

test('entries told after the store closed are reported, never thrown from the turn that writes them', async () => {
  const store = await LowStore.open(mkdtempSync(join(tmpdir(), 'jac-log-batch-')));
  await store.close();
  const failures: [string, number][] = [];
  const batch = new DeliveryLogBatch(store, (e, entries) => failures.push([(e as Error).name, entries]));
  batch.tell({ record: delivery(1), repeat: false });
  await turn();
  await batch.flush();
  assert.equal(failures, [['StoreError', 1]]);
});

test('on PostgreSQL, an entry the database refuses fails alone: the others of its turn are logged', async () => {
  const store = await PgStore.open(await freshDatabase());
  try {
    const failures: [string, number][] = [];
    const batch = new DeliveryLogBatch(store, (e, entries) => failures.push([(e as Error).message, entries]));
    batch.tell({ record: delivery(1), repeat: false });
    batch.tell({ record: delivery(2, { receivedAt: 'the day before yesterday' }), repeat: false }); // not a time the database reads
    batch.tell({ record: delivery(3), repeat: false });
    await turn();
    await batch.flush();
    assert.equal((await store.listDeliveries('u1', { limit: 10 })).map((d) => d.id), ['d-3', 'd-1']);
    assert.is(failures.length, 1);
    assert.is(failures[0][1], 1, 'one entry refused');
    assert.match(failures[0][0], /timestamp|time zone|date\/time/i);
  } finally {
    await store.close();
  }
});

test.run();
