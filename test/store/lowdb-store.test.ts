// The lowdb store on a real data dir: what it writes survives reopening, concurrent commits share
// writes, one process per dir, and a damaged file is an error that names it, never a fresh start.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FORMAT_VERSION } from '../../runtime/store/format.ts';
import { newId } from '../../runtime/store/ids.ts';
import { dataDirOpenToOthers } from '../../runtime/store/data-dir-mode.ts';
import { LowStore } from '../../runtime/store/lowdb-store.ts';
import { type GraphRecord, StoreError } from '../../runtime/store/store.ts';

const fresh = () => mkdtempSync(join(tmpdir(), 'jac-store-'));
const rootA = 'n::00000000000000000000000a';
const rootB = 'n::00000000000000000000000b';
const node = (i: number): GraphRecord => ({ id: `n:Item:${i.toString(16).padStart(24, '0')}`, fields: { i }, edges: [] });
const storeError = (code: string, pattern: RegExp) => (e: unknown) => e instanceof StoreError && e.code === code && pattern.test(e.message);

test("a data dir made by the store is its owner's alone (it holds the secrets); one that exists keeps its mode", async () => {
  const made = join(fresh(), 'a', 'data');
  await (await LowStore.open(made)).close();
  assert.is(statSync(made).mode & 0o777, 0o700);
  const existing = fresh();
  chmodSync(existing, 0o750);
  await (await LowStore.open(existing)).close();
  assert.is(statSync(existing).mode & 0o777, 0o750);
});

test('a data dir that others can reach is told by its mode; its owner\'s alone, it is not', () => {
  const dir = fresh();
  chmodSync(dir, 0o700);
  assert.is(dataDirOpenToOthers(dir), null);
  for (const mode of [0o750, 0o705, 0o701, 0o755]) {
    chmodSync(dir, mode);
    assert.is(dataDirOpenToOthers(dir), mode, mode.toString(8));
  }
});

test('graphs, users, keys and secrets survive reopening', async () => {
  const dir = fresh();
  const s = await LowStore.open(dir);
  await s.commitGraph(rootA, { upserts: [{ id: rootA, fields: {}, edges: [] }, node(1), node(2)], deletes: [] });
  await s.commitGraph(rootA, { upserts: [{ ...node(1), fields: { i: 10 } }], deletes: [node(2).id] });
  await s.setSecret('TOKEN_SECRET', 'abc');
  await s.addUser({ id: 'u1', email: 'a@b.c', passwordHash: 'scrypt$x$y', root: rootA, createdAt: '2026-01-01T00:00:00Z' });
  const key = { id: 'k1', owner: 'u1', name: 'ci', secretHash: 'ff', walkers: ['W'], nodes: ['root'], createdAt: 'c', expiresAt: 'e', lastUsedAt: null };
  await s.putKey(key);
  await s.putKey({ ...key, id: 'k2', name: 'other' });
  await s.deleteKeys(['k2']);
  await s.close();

  const again = await LowStore.open(dir);
  assert.equal(await again.loadGraph(rootA), [{ id: rootA, fields: {}, edges: [] }, { ...node(1), fields: { i: 10 } }]);
  assert.is(await again.loadGraph(rootB), null, 'a root never committed');
  assert.is(await again.getSecret('TOKEN_SECRET'), 'abc');
  assert.is((await again.findUser({ email: 'a@b.c' }))?.id, 'u1');
  assert.is((await again.findUser({ id: 'u1' }))?.email, 'a@b.c');
  assert.equal(await again.listKeys('u1'), [key]);
  assert.is(await again.findKey('k2'), null);
  await again.close();
  const journal = readFileSync(join(dir, 'roots', '00000000000000000000000a.0.journal'), 'utf8');
  assert.equal(journal.split('\n'), [JSON.stringify({ u: [{ id: rootA, fields: {}, edges: [] }, node(1), node(2)], d: [] }), JSON.stringify({ u: [{ ...node(1), fields: { i: 10 } }], d: [node(2).id] }), ''], 'a compact line per commit');
  assert.equal(JSON.parse(readFileSync(join(dir, 'system.json'), 'utf8')).format, FORMAT_VERSION);
});

test('users are found by id as they are added, and a user whose write was refused is not found', async () => {
  const s = await LowStore.open(fresh());
  const user = (i: number) => ({ id: `u${i}`, email: `u${i}@example.com`, passwordHash: 'scrypt$x$y', root: rootA, createdAt: '2026-01-01T00:00:00Z' });
  for (let i = 0; i < 50; i++) {
    await s.addUser(user(i));
    assert.is((await s.findUser({ id: `u${i}` }))?.email, `u${i}@example.com`, 'found once added');
  }
  assert.is((await s.findUser({ id: 'u7' }))?.email, 'u7@example.com');
  try {
    await s.addUser({ ...user(50), email: 'u3@example.com' });
    assert.unreachable('an email in use');
  } catch (e) {
    assert.ok(storeError('JAC_STORE_VALUE', /exists/)(e));
  }
  assert.is(await s.findUser({ id: 'u50' }), null, 'refused: not added');
  assert.is(await s.findUser({ id: 'nobody' }), null);
  await s.close();
});

test('100 concurrent commits on one root all land, in far fewer disk writes', async () => {
  const dir = fresh();
  const s = await LowStore.open(dir);
  await s.commitGraph(rootA, { upserts: [{ id: rootA, fields: {} }], deletes: [] });
  const before = s.writes;
  await Promise.all(Array.from({ length: 100 }, (_, i) => s.commitGraph(rootA, { upserts: [node(i)], deletes: [] })));
  const writes = s.writes - before;
  assert.ok(writes >= 1 && writes <= 3, `${writes} writes`);
  await s.close();
  const reopened = await LowStore.open(dir);
  assert.is((await reopened.loadGraph(rootA))!.length, 101);
  await reopened.close();
});

test('two roots are written independently, each to its own file', async () => {
  const dir = fresh();
  const s = await LowStore.open(dir);
  await Promise.all([
    s.commitGraph(rootA, { upserts: [{ id: rootA, fields: {} }, node(1)], deletes: [] }),
    s.commitGraph(rootB, { upserts: [{ id: rootB, fields: {} }, node(2)], deletes: [] }),
  ]);
  await s.close();
  assert.equal(readdirSync(join(dir, 'roots')).sort(), ['00000000000000000000000a.0.journal', '00000000000000000000000b.0.journal']);
  const again = await LowStore.open(dir);
  assert.equal((await again.loadGraph(rootB))!.map((r) => r.id), [rootB, node(2).id]);
  await again.close();
});

test('a data dir is used by one process: a second open fails at once, a dead owner is taken over', async () => {
  const dir = fresh();
  const s = await LowStore.open(dir);
  try {
    await LowStore.open(dir);
    assert.unreachable('opened twice');
  } catch (e) {
    assert.ok(storeError('JAC_STORE_LOCKED', /already open in this process/)(e));
  }
  const child = spawnSync(process.execPath, ['--import', 'tsx', '-e', `import('${fileURLToPath(new URL('../../runtime/store/lowdb-store.ts', import.meta.url))}').then((m) => m.LowStore.open(${JSON.stringify(dir)})).catch((e) => { console.log(e.message); })`], { encoding: 'utf8', timeout: 30_000 });
  assert.match(child.stdout, new RegExp(`data dir .* is in use by process ${process.pid}`));
  await s.close();
  assert.not.ok(existsSync(join(dir, 'LOCK')), 'closing releases the lock');
  writeFileSync(join(dir, 'LOCK'), '999999999'); // a process that no longer exists
  const taken = await LowStore.open(dir);
  await taken.close();
});

test('a damaged file is an error naming it and where; it is left as it was', async () => {
  const dir = fresh();
  const s = await LowStore.open(dir);
  await s.close();
  const file = join(dir, 'roots', '00000000000000000000000a.json');
  const good = JSON.stringify({ format: 2, root: rootA, records: [{ id: rootA, fields: {} }, node(1)] });
  const truncated = good.slice(0, good.length - 20);
  writeFileSync(file, truncated);
  const t = await LowStore.open(dir);
  try {
    await t.loadGraph(rootA);
    assert.unreachable('loaded a truncated file');
  } catch (e) {
    assert.ok(storeError('JAC_STORE_CORRUPT', /00000000000000000000000a\.json:1:\d+: not valid JSON/)(e), String(e));
  }
  await t.close();
  assert.is(readFileSync(file, 'utf8'), truncated, 'not overwritten');

  writeFileSync(file, good.replace('"fields":{"i":1}', '"fields":{"i":1}}'));
  const u = await LowStore.open(dir);
  try {
    await u.loadGraph(rootA);
    assert.unreachable();
  } catch (e) {
    assert.ok(storeError('JAC_STORE_CORRUPT', /:1:\d+: not valid JSON: Expected ',' or ']' after array element\. The file was left as it is/)(e), String(e));
  }
  await u.close();

  writeFileSync(join(dir, 'system.json'), '{"format": 99}');
  try {
    await LowStore.open(dir);
    assert.unreachable();
  } catch (e) {
    assert.ok(storeError('JAC_STORE_VERSION', /system\.json: written by a newer jac-serve \(format 99/)(e), String(e));
  }
  assert.not.ok(existsSync(join(dir, 'LOCK')), 'a failed open releases the lock');
});

test('jobs live in files of their own (jobs.json and its journal); one left STARTED by the previous process is due again at once', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'jac-low-'));
  const s = await LowStore.open(dir);
  await s.enqueueJob({ id: 'w:Later:000000000000000000000001', walker: 'Later', root: 'n::00000000000000000000000a', owner: null, node: null, fields: {}, allowedNodes: null, maxAttempts: 3 });
  const first = (await s.claimJob(3_600_000))!;
  assert.is(first.attempt, 1);
  await s.close();
  assert.match(readFileSync(join(dir, 'jobs.0.journal'), 'utf8'), /"status":"STARTED"/);
  assert.not.match(readFileSync(join(dir, 'system.json'), 'utf8'), /Later/);
  const t = await LowStore.open(dir);
  const again = (await t.claimJob(3_600_000))!;
  assert.is(again.job.id, first.job.id);
  assert.is(again.attempt, 2);
  await t.close();
});

test('ids are as Jac Cloud writes them', () => {
  assert.match(newId('n', 'Item'), /^n:Item:[0-9a-f]{24}$/);
  assert.match(newId('e', ''), /^e::[0-9a-f]{24}$/);
});

test.run();
