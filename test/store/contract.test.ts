// The Store contract, run against both backends: LowStore on a temp data dir and PgStore on a
// fresh PostgreSQL database. What one stores the other must give back the same way.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { LowStore } from '../../runtime/store/lowdb-store.ts';
import { PgStore } from '../../runtime/store/postgres/pg-store.ts';
import { type GraphRecord, type KeyRecord, type Store, StoreError } from '../../runtime/store/store.ts';
import { freshDatabase } from '../helpers/postgres.ts';

interface Backend {
  name: string;
  /** A new, empty store, and how to open it again (after closing it). */
  fresh(): Promise<{ store: Store; reopen(): Promise<Store> }>;
}

const backends: Backend[] = [
  {
    name: 'LowStore',
    async fresh() {
      const dir = mkdtempSync(join(tmpdir(), 'jac-contract-'));
      return { store: await LowStore.open(dir), reopen: () => LowStore.open(dir) };
    },
  },
  {
    name: 'PgStore',
    async fresh() {
      const url = await freshDatabase();
      return { store: await PgStore.open(url), reopen: () => PgStore.open(url) };
    },
  },
];

const root = 'n::00000000000000000000000a';
const other = 'n::00000000000000000000000b';
const node = (i: number, fields: Record<string, unknown> = { i }): GraphRecord => ({ id: `n:Item:${i.toString(16).padStart(24, '0')}`, fields: fields as GraphRecord['fields'] });
const edge = (i: number, source: string, target: string): GraphRecord => ({ id: `e::${i.toString(16).padStart(24, '0')}`, fields: {}, source, target });
const key = (id: string, owner: string): KeyRecord => ({ id, owner, name: `key ${id}`, secretHash: 'ff', walkers: ['W'], nodes: ['root'], createdAt: '2026-01-01T00:00:00.000Z', expiresAt: '2027-01-01T00:00:00.000Z', lastUsedAt: null });

for (const backend of backends) {
  const test = suite(`store contract: ${backend.name}`);

  test('a graph round-trips exactly, in creation order, across reopening', async () => {
    const { store, reopen } = await backend.fresh();
    assert.is(await store.loadGraph(root), null, 'a root never committed');
    // Values as the codec writes them, key order and all: a tag is an object's first key.
    const tricky: GraphRecord = { id: 'n:Item:0000000000000000000000ff', fields: { e: { $enum: 'Color', name: 'RED' }, o: { $obj: 'Point', fields: { y: 1, x: 2 } }, big: { $int: '123456789012345678901234567890' }, f: { $float: 1 }, z: 0.1, s: 'ü\\"\n', d: { $dict: [[1, 'a']] } } };
    await store.commitGraph(root, { upserts: [{ id: root, fields: {}, edges: [edge(1, root, node(1).id).id] }, node(1), edge(1, root, node(1).id), tricky], deletes: [] });
    await store.close();
    const again = await reopen();
    const loaded = await again.loadGraph(root);
    assert.equal(loaded, [{ id: root, fields: {}, edges: [edge(1, root, node(1).id).id] }, node(1), edge(1, root, node(1).id), tricky]);
    assert.is(JSON.stringify(loaded![3]), JSON.stringify(tricky), 'the same JSON text: key order kept');
    assert.is(await again.loadGraph(other), null);
    await again.close();
  });

  test('an upsert of an existing record keeps its place; new ones go last; deletes go', async () => {
    const { store } = await backend.fresh();
    await store.commitGraph(root, { upserts: [{ id: root, fields: {} }, node(1), node(2), node(3)], deletes: [] });
    await store.commitGraph(root, { upserts: [node(4), node(2, { i: 20 })], deletes: [node(3).id] });
    await store.commitGraph(root, { upserts: [node(1, { i: 10 }), node(5)], deletes: [] });
    const ids = (await store.loadGraph(root))!.map((r) => [r.id, r.fields.i ?? null]);
    assert.equal(ids, [[root, null], [node(1).id, 10], [node(2).id, 20], [node(4).id, 4], [node(5).id, 5]]);
    // Deleting everything but the root and adding back a deleted id: it is new, so it goes last.
    await store.commitGraph(root, { upserts: [node(3, { i: 30 })], deletes: [node(1).id] });
    assert.equal((await store.loadGraph(root))!.map((r) => r.id).slice(-1), [node(3).id]);
    await store.close();
  });

  test('concurrent commits on one root all land; roots are independent', async () => {
    const { store, reopen } = await backend.fresh();
    await store.commitGraph(root, { upserts: [{ id: root, fields: {} }], deletes: [] });
    await Promise.all([
      ...Array.from({ length: 50 }, (_, i) => store.commitGraph(root, { upserts: [node(i)], deletes: [] })),
      store.commitGraph(other, { upserts: [{ id: other, fields: {} }, node(99)], deletes: [] }),
    ]);
    await store.close();
    const again = await reopen();
    assert.is((await again.loadGraph(root))!.length, 51);
    assert.equal((await again.loadGraph(other))!.map((r) => r.id), [other, node(99).id]);
    await again.close();
  });

  test('users, keys and secrets', async () => {
    const { store, reopen } = await backend.fresh();
    await store.setSecret('TOKEN_SECRET', 'abc');
    await store.setSecret('TOKEN_SECRET', 'def');
    const user = { id: 'u1', email: 'a@b.c', passwordHash: 'scrypt$x$y', root, createdAt: '2026-01-01T00:00:00Z' };
    await store.addUser(user);
    try {
      await store.addUser({ ...user, id: 'u2' });
      assert.unreachable('a second user with one email');
    } catch (e) {
      assert.ok(e instanceof StoreError && e.code === 'JAC_STORE_VALUE', String(e));
    }
    await store.putKey(key('k1', 'u1'));
    await store.putKey(key('k2', 'u1'));
    await store.putKey(key('k3', 'u1'));
    await store.putKey({ ...key('k1', 'u1'), name: 'renamed' });
    await store.putKey(key('k4', 'u9'));
    await store.deleteKeys(['k2', 'nothing']);
    await store.close();
    const again = await reopen();
    assert.is(await again.getSecret('TOKEN_SECRET'), 'def');
    assert.is(await again.getSecret('OTHER'), null);
    assert.equal(await again.findUser({ email: 'a@b.c' }), user);
    assert.equal(await again.findUser({ id: 'u1' }), user);
    assert.is(await again.findUser({ id: 'u2' }), null);
    assert.equal(await again.listKeys('u1'), [{ ...key('k1', 'u1'), name: 'renamed' }, key('k3', 'u1')]);
    assert.equal(await again.findKey('k4'), key('k4', 'u9'));
    assert.is(await again.findKey('k2'), null);
    await again.close();
  });

  test.run();
}
