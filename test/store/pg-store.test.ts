// What only the PostgreSQL store does: migrations run once when processes start together and a
// newer schema is refused; a commit writes only its change's rows; a commit that fails, or a lease
// that ends without one, leaves nothing written; a root's lease holds off other processes' runs.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import pg from 'pg';
import { MIGRATIONS, migrate, SCHEMA_VERSION } from '../../runtime/store/postgres/migrations.ts';
import { PgStore } from '../../runtime/store/postgres/pg-store.ts';
import { type GraphRecord, StoreError } from '../../runtime/store/store.ts';
import { freshDatabase } from '../helpers/postgres.ts';

const test = suite('PgStore');
const root = 'n::00000000000000000000000a';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const node = (i: number, fields: Record<string, number> = { i }): GraphRecord => ({ id: `n:Item:${i.toString(16).padStart(24, '0')}`, fields });

async function sql<T extends pg.QueryResultRow>(url: string, text: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

test('N processes opening a new database together migrate it once', async () => {
  const url = await freshDatabase();
  const stores = await Promise.all(Array.from({ length: 4 }, () => PgStore.open(url)));
  const applied = await sql<{ version: number }>(url, 'SELECT version FROM jac_schema ORDER BY version');
  assert.equal(applied, Array.from({ length: SCHEMA_VERSION }, (_, i) => ({ version: i + 1 })), 'each migration once');
  await Promise.all(stores.map((s) => s.close()));
});

test("a database of schema 6 keeps its logged deliveries when migrated: each one's replay moves to a column of its own", async () => {
  const url = await freshDatabase();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await migrate(client, 'the test database', MIGRATIONS.slice(0, 6));
  } finally {
    await client.end();
  }
  const record = (id: string, replay: unknown) => ({ id, keyId: 'k1', owner: 'u1', walker: 'hook', receivedAt: '2030-01-01T00:00:00.000Z', verified: true, deliveryId: null, event: 'push', status: 'ok', code: 200, ms: 1, errorId: null, reason: null, duplicates: 2, replay, replayUntil: '2999-01-01T00:00:00.000Z' });
  const replay = { fields: { ref: 'refs/heads/main' }, node: null, allowedNodes: null };
  for (const r of [record('d-1', replay), record('d-2', null)]) {
    await sql(url, 'INSERT INTO jac_deliveries (id, owner, key_id, status, received_at, record) VALUES ($1, $2, $3, $4, $5, $6)', [r.id, r.owner, r.keyId, r.status, r.receivedAt, JSON.stringify(r)]);
  }
  const store = await PgStore.open(url);
  assert.equal(await store.findDelivery('d-1'), record('d-1', replay));
  assert.equal(await store.findDelivery('d-2'), record('d-2', null));
  assert.equal(await sql(url, "SELECT id, record ? 'replay' AS inside, replay IS NULL AS none FROM jac_deliveries ORDER BY id"), [{ id: 'd-1', inside: false, none: false }, { id: 'd-2', inside: false, none: true }]);
  await store.close();
});

test('a database of schema 8 keeps its queued jobs when migrated: they are taken first, oldest first, then roots take turns', async () => {
  const url = await freshDatabase();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await migrate(client, 'the test database', MIGRATIONS.slice(0, 8));
    for (let i = 1; i <= 3; i++) {
      await client.query("INSERT INTO jac_jobs (id, walker, root, owner, fields, max_attempts, status, attempts, enqueued_at, run_after) VALUES ($1, 'Later', $2, 'u1', '{}', 3, 'PENDING', 0, now(), now())", [`w:Later:old${i}`, root]);
    }
  } finally {
    await client.end();
  }
  const store = await PgStore.open(url);
  const other = 'n::00000000000000000000000b';
  for (const id of ['a1', 'a2']) await store.enqueueJob({ id: `w:Later:${id}`, walker: 'Later', root, owner: 'u1', node: null, fields: {}, allowedNodes: null, maxAttempts: 3 });
  await store.enqueueJob({ id: 'w:Later:b1', walker: 'Later', root: other, owner: 'u2', node: null, fields: {}, allowedNodes: null, maxAttempts: 3 });
  const order: string[] = [];
  for (let c = await store.claimJob(60_000); c; c = await store.claimJob(60_000)) order.push(c.job.id);
  // The jobs queued before wait in turn 0; the new ones take turns by root after them.
  assert.equal(order, ['old1', 'old2', 'old3', 'a1', 'b1', 'a2'].map((id) => `w:Later:${id}`));
  await store.close();
});

test('a database of schema 9 keeps its queued jobs when migrated: a dated one waits outside the turns until its time', async () => {
  const url = await freshDatabase();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const insert = (id: string, runAfter: string, turn: number) =>
    client.query("INSERT INTO jac_jobs (id, walker, root, owner, fields, max_attempts, status, attempts, enqueued_at, run_after, turn) VALUES ($1, 'Later', $2, 'u1', '{}', 3, 'PENDING', 0, now(), $3, $4)", [id, root, runAfter, turn]);
  try {
    await migrate(client, 'the test database', MIGRATIONS.slice(0, 9));
    await insert('w:Later:dated', new Date(Date.now() + 400).toISOString(), 1);
    await insert('w:Later:due', new Date(Date.now() - 1000).toISOString(), 2);
  } finally {
    await client.end();
  }
  const store = await PgStore.open(url);
  assert.equal(await sql(url, 'SELECT id, turn FROM jac_jobs ORDER BY id'), [{ id: 'w:Later:dated', turn: null }, { id: 'w:Later:due', turn: '2' }]);
  assert.is((await store.claimJob(60_000))!.job.id, 'w:Later:due');
  assert.is(await store.claimJob(60_000), null, 'not before its time');
  await sleep(450);
  assert.is((await store.claimJob(60_000))!.job.id, 'w:Later:dated');
  assert.is(await store.countOpenJobs(root, 10), 2);
  await store.close();
});

test('only jobs that may be due have a turn: runs dated ahead and retries on their backoff get one when due', async () => {
  const url = await freshDatabase();
  const store = await PgStore.open(url);
  const turns = async () => (await sql<{ id: string; turn: string | null }>(url, 'SELECT id, turn FROM jac_jobs ORDER BY id')).map((r) => [r.id, r.turn !== null]);
  const later = new Date(Date.now() + 3_600_000).toISOString();
  const newJob = (id: string, runAfter?: string) => ({ id: `w:Later:${id}`, walker: 'Later', root, owner: null, node: null, fields: {}, allowedNodes: null, maxAttempts: 3, runAfter });
  await store.enqueueJob(newJob('a-dated', later));
  await store.enqueueJob(newJob('b-now'));
  await store.enqueueJob(newJob('c-past', new Date(Date.now() - 1000).toISOString()));
  assert.equal(await turns(), [['w:Later:a-dated', false], ['w:Later:b-now', true], ['w:Later:c-past', true]]);
  const run = (await store.claimJob(60_000))!;
  assert.is(await store.retryJob(run.job.id, run.attempt, 300, { httpStatus: 503, reports: null, returns: null, errorId: null, error: 'later' }), true);
  assert.equal((await turns())[1], [run.job.id, false], 'a retry waits its backoff without a turn');
  assert.is((await store.claimJob(60_000))!.job.id, 'w:Later:c-past');
  assert.is(await store.claimJob(60_000), null);
  await sleep(350);
  assert.is((await store.claimJob(60_000))!.job.id, run.job.id, 'due again: given a turn and taken');
  assert.equal((await turns())[1], [run.job.id, true]);
  await store.close();
});

test('takers in several processes never take one job twice (FOR UPDATE SKIP LOCKED)', async () => {
  const url = await freshDatabase();
  const stores = await Promise.all(Array.from({ length: 3 }, () => PgStore.open(url)));
  for (let i = 0; i < 30; i++) await stores[0].enqueueJob({ id: `w:Later:${i.toString(16).padStart(24, '0')}`, walker: 'Later', root, owner: null, node: null, fields: { i }, allowedNodes: null, maxAttempts: 1 });
  const claims = await Promise.all(Array.from({ length: 60 }, (_, i) => stores[i % 3].claimJob(60_000)));
  const ids = claims.filter((c) => c !== null).map((c) => c!.job.id);
  assert.is(ids.length, 30);
  assert.is(new Set(ids).size, 30);
  await Promise.all(stores.map((s) => s.close()));
});

test('a database of a newer schema version is refused with JAC_STORE_VERSION', async () => {
  const url = await freshDatabase();
  await (await PgStore.open(url)).close();
  await sql(url, 'INSERT INTO jac_schema (version) VALUES (99)');
  try {
    await PgStore.open(url);
    assert.unreachable('opened a newer database');
  } catch (e) {
    assert.ok(e instanceof StoreError && e.code === 'JAC_STORE_VERSION', String(e));
    assert.match((e as Error).message, `has schema version 99, newer than this jac-serve knows (${SCHEMA_VERSION})`);
    assert.not.match((e as Error).message, /test-password/);
  }
});

test('a commit writes only the rows of its change; the root version counts commits', async () => {
  const url = await freshDatabase();
  const store = await PgStore.open(url);
  await store.commitGraph(root, { upserts: [{ id: root, fields: {} }, ...Array.from({ length: 100 }, (_, i) => node(i))], deletes: [] });
  const before = new Map((await sql<{ id: string; ctid: string }>(url, 'SELECT id, ctid::text FROM jac_records')).map((r) => [r.id, r.ctid]));
  const written = store.graphs.rowsWritten;
  await store.commitGraph(root, { upserts: [node(5, { i: 50 })], deletes: [node(7).id] });
  assert.is(store.graphs.rowsWritten - written, 2);
  const after = await sql<{ id: string; ctid: string }>(url, 'SELECT id, ctid::text FROM jac_records');
  const moved = after.filter((r) => before.get(r.id) !== r.ctid).map((r) => r.id);
  assert.equal(moved, [node(5).id], 'only the updated row has a new version');
  assert.is(after.length, 100);
  assert.equal(await sql(url, 'SELECT version::int AS v FROM jac_roots'), [{ v: 2 }]);
  await store.close();
});

test('a change larger than one statement takes keeps creation order across its parts', async () => {
  const url = await freshDatabase();
  const store = await PgStore.open(url);
  const many = Array.from({ length: 12_345 }, (_, i) => node(i));
  await store.commitGraph(root, { upserts: [{ id: root, fields: {} }, ...many], deletes: [] });
  await store.commitGraph(root, { upserts: [node(12_345), node(3, { i: 30 })], deletes: [node(0).id] });
  const loaded = (await store.loadGraph(root))!;
  assert.is(loaded.length, 12_346);
  assert.equal(loaded.map((r) => r.id), [root, ...many.slice(1).map((r) => r.id), node(12_345).id]);
  assert.equal(loaded[3].fields, { i: 30 });
  await store.close();
});

test('a commit that fails midway leaves nothing of it; a lease released without commit writes nothing', async () => {
  const url = await freshDatabase();
  const store = await PgStore.open(url);
  await store.commitGraph(root, { upserts: [{ id: root, fields: {} }, node(1)], deletes: [] });
  // The database refuses one record of the change, after others were written.
  await sql(
    url,
    `CREATE FUNCTION refuse() RETURNS trigger AS $$ BEGIN IF NEW.id LIKE 'n:Bad:%' THEN RAISE EXCEPTION 'refused'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql;
     CREATE TRIGGER refuse BEFORE INSERT OR UPDATE ON jac_records FOR EACH ROW EXECUTE FUNCTION refuse();`,
  );
  try {
    await store.commitGraph(root, { upserts: [node(1, { i: 10 }), node(2), { id: 'n:Bad:000000000000000000000001', fields: {} }], deletes: [] });
    assert.unreachable('committed');
  } catch (e) {
    assert.ok(e instanceof StoreError && e.code === 'JAC_STORE_IO' && /refused/.test(e.message), String(e));
  }
  assert.equal(await store.loadGraph(root), [{ id: root, fields: {} }, node(1)]);

  const lease = await store.lockRoot(root);
  assert.is(lease.version, 1);
  await lease.release();
  assert.equal(await sql(url, 'SELECT version::int AS v FROM jac_roots'), [{ v: 1 }]);
  await store.close();
});

test('a lease holds the root: another lease waits for its commit, then sees the new version', async () => {
  const url = await freshDatabase();
  const [a, b] = await Promise.all([PgStore.open(url), PgStore.open(url)]);
  await a.commitGraph(root, { upserts: [{ id: root, fields: {} }], deletes: [] });
  const first = await a.lockRoot(root);
  let secondVersion = -1;
  const second = b.lockRoot(root).then(async (lease) => {
    secondVersion = lease.version;
    const records = await lease.load();
    await lease.release();
    return records;
  });
  await new Promise((r) => setTimeout(r, 200));
  assert.is(secondVersion, -1, 'still waiting');
  assert.is(await first.commit({ upserts: [node(1)], deletes: [] }), 2);
  assert.equal((await second)!.map((r) => r.id), [root, node(1).id]);
  assert.is(secondVersion, 2);
  await Promise.all([a.close(), b.close()]);
});

test('a lost connection is JAC_STORE_UNAVAILABLE, and its transaction leaves nothing', async () => {
  const url = await freshDatabase();
  const store = await PgStore.open(url);
  await store.commitGraph(root, { upserts: [{ id: root, fields: {} }], deletes: [] });
  const lease = await store.lockRoot(root);
  await sql(url, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND state LIKE 'idle in transaction%'");
  try {
    await lease.commit({ upserts: [node(1)], deletes: [] });
    assert.unreachable('committed on a lost connection');
  } catch (e) {
    assert.ok(e instanceof StoreError && e.code === 'JAC_STORE_UNAVAILABLE', String(e));
  }
  assert.equal((await store.loadGraph(root))!.map((r) => r.id), [root]);
  await store.close();
});

test('key uses set lastUsedAt alone: never earlier, never bringing back a key revoked meanwhile', async () => {
  const url = await freshDatabase();
  const [a, b] = await Promise.all([PgStore.open(url), PgStore.open(url)]);
  const key = { id: 'k1', owner: 'u1', name: 'ci', secretHash: 'ff', walkers: [], nodes: [], createdAt: '2026-01-01T00:00:00.000Z', expiresAt: '2027-01-01T00:00:00.000Z', lastUsedAt: null };
  await a.putKey(key);
  await a.putKey({ ...key, id: 'k2' });
  await b.putKey({ ...key, expiresAt: '2028-01-01T00:00:00.000Z' }); // extended by another process
  await b.deleteKeys(['k2']); // revoked by another process
  await a.touchKeys([['k1', '2026-06-01T00:00:00.000Z'], ['k2', '2026-06-01T00:00:00.000Z']]);
  await a.touchKeys([['k1', '2026-05-01T00:00:00.000Z']]);
  assert.equal(await b.findKey('k1'), { ...key, expiresAt: '2028-01-01T00:00:00.000Z', lastUsedAt: '2026-06-01T00:00:00.000Z' });
  assert.is(await b.findKey('k2'), null);
  await Promise.all([a.close(), b.close()]);
});

test('counters are shared by every store on the database and start again once their window ends', async () => {
  const url = await freshDatabase();
  const [a, b] = await Promise.all([PgStore.open(url), PgStore.open(url)]);
  assert.equal(await a.counters.read('k'), { count: 0, ttlMs: 0 });
  assert.is((await a.counters.hit('k', 300)).count, 1);
  const second = await b.counters.hit('k', 300);
  assert.is(second.count, 2);
  assert.ok(second.ttlMs > 0 && second.ttlMs <= 300, String(second.ttlMs));
  assert.is((await a.counters.read('k')).count, 2);
  await new Promise((r) => setTimeout(r, 350));
  assert.equal(await b.counters.read('k'), { count: 0, ttlMs: 0 });
  assert.is((await a.counters.hit('k', 300)).count, 1);
  await Promise.all([a.close(), b.close()]);
});

test.run();
