// A root's snapshot and journal on a real data dir: commits append, a grown journal is folded
// into the snapshot, a crash at any point of that loses nothing acknowledged, a torn tail is cut
// and a damaged middle refused; data dirs of the first format still load.
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FORMAT_VERSION } from '../../runtime/store/format.ts';
import { LowStore } from '../../runtime/store/lowdb-store.ts';
import { RootFiles } from '../../runtime/store/root-files.ts';
import { type GraphRecord, StoreError } from '../../runtime/store/store.ts';

const root = 'n::00000000000000000000000a';
const node = (i: number, v = i): GraphRecord => ({ id: `n:Item:${i.toString(16).padStart(24, '0')}`, fields: { v } });
const edge = (i: number): GraphRecord => ({ id: `e::${i.toString(16).padStart(24, '0')}`, fields: {}, source: root, target: node(i).id });

function freshRoots(): { dir: string; snapshot: string; journal: string } {
  const dir = mkdtempSync(join(tmpdir(), 'jac-journal-'));
  mkdirSync(join(dir, 'roots'));
  const base = join(dir, 'roots', '00000000000000000000000a');
  return { dir, snapshot: `${base}.json`, journal: `${base}.0.journal` };
}

/** Commits 200 changes (new nodes, updates, deletes) and gives the records a load should see. */
async function workload(files: RootFiles): Promise<GraphRecord[]> {
  const expected = new Map<string, GraphRecord>([[root, { id: root, fields: {} }]]);
  await files.commitGraph(root, { upserts: [{ id: root, fields: {} }], deletes: [] });
  for (let k = 1; k <= 200; k++) {
    const upserts = [node(k), edge(k), ...(k > 10 ? [node(k - 10, -k)] : [])];
    const deletes = k % 7 === 0 ? [node(k - 3).id, edge(k - 3).id] : [];
    await files.commitGraph(root, { upserts, deletes });
    for (const r of upserts) expected.set(r.id, r);
    for (const id of deletes) expected.delete(id);
  }
  return [...expected.values()];
}

test('a journal that outgrows its snapshot is folded into it; loads see the same records in the same order', async () => {
  const { dir, snapshot, journal } = freshRoots();
  const files = new RootFiles(dir, 4096);
  const expected = await workload(files);
  assert.ok(files.folds >= 2, `${files.folds} folds`);
  const sizes = await files.sizes(root);
  assert.ok(sizes.journal <= Math.max(4096, sizes.snapshot) + 1024, `journal ${sizes.journal} bytes beside a ${sizes.snapshot}-byte snapshot`);
  assert.equal(await new RootFiles(dir).loadGraph(root), expected);
  assert.equal(JSON.parse(readFileSync(snapshot, 'utf8')).format, FORMAT_VERSION);
  assert.not.ok(existsSync(journal), 'the folded journal is gone');
});

test('a crash after the new snapshot is written leaves the folded journal behind: it is ignored and removed', async () => {
  const { dir, journal } = freshRoots();
  const files = new RootFiles(dir, 1 << 30);
  const expected = await workload(files);
  const saved = readFileSync(journal);
  const folding = new RootFiles(dir, 0);
  await folding.loadGraph(root);
  await folding.commitGraph(root, { upserts: [node(500)], deletes: [] });
  assert.is(folding.folds, 1);
  assert.not.ok(existsSync(journal), 'journal 0 is folded in and removed');
  expected.push(node(500));
  writeFileSync(journal, saved); // as if the process died before removing it
  assert.equal(await new RootFiles(dir).loadGraph(root), expected);
  assert.not.ok(existsSync(journal), 'removed on load');
  await folding.commitGraph(root, { upserts: [node(501)], deletes: [] });
  assert.equal(await new RootFiles(dir).loadGraph(root), [...expected, node(501)]);
});

test('a torn last line was never acknowledged: it is cut off, and later commits follow the whole lines', async () => {
  const { dir, journal } = freshRoots();
  const files = new RootFiles(dir);
  await files.commitGraph(root, { upserts: [{ id: root, fields: {} }, node(1)], deletes: [] });
  appendFileSync(journal, '{"u":[{"id":"n:Item:0000000000000000000000ff","fie');
  const again = new RootFiles(dir);
  assert.equal(await again.loadGraph(root), [{ id: root, fields: {} }, node(1)]);
  await again.commitGraph(root, { upserts: [node(2)], deletes: [] });
  assert.equal(await new RootFiles(dir).loadGraph(root), [{ id: root, fields: {} }, node(1), node(2)]);
  assert.is(readFileSync(journal, 'utf8').split('\n').length, 3);
});

test('a damaged line with whole lines after it is an error naming the file, and the file is left as it was', async () => {
  const { dir, journal } = freshRoots();
  const files = new RootFiles(dir);
  await files.commitGraph(root, { upserts: [{ id: root, fields: {} }], deletes: [] });
  await files.commitGraph(root, { upserts: [node(1)], deletes: [] });
  await files.commitGraph(root, { upserts: [node(2)], deletes: [] });
  const lines = readFileSync(journal, 'utf8').split('\n');
  const damaged = [lines[0], lines[1].slice(0, 10), lines[2], ''].join('\n');
  writeFileSync(journal, damaged);
  try {
    await new RootFiles(dir).loadGraph(root);
    assert.unreachable('loaded a damaged journal');
  } catch (e) {
    assert.ok(e instanceof StoreError && e.code === 'JAC_STORE_CORRUPT' && e.message.includes('00000000000000000000000a.0.journal'), String(e));
  }
  assert.is(readFileSync(journal, 'utf8'), damaged);
});

test('a data dir of format 1 loads as it is (its nodes list their edges), and is marked as this format when opened', async () => {
  const { dir, snapshot } = freshRoots();
  writeFileSync(join(dir, 'system.json'), JSON.stringify({ format: 1, secrets: {}, users: [], keys: [] }));
  const old = { format: 1, root, records: [{ id: root, fields: {}, edges: [edge(1).id] }, { ...node(1), edges: [edge(1).id] }, edge(1)] };
  writeFileSync(snapshot, JSON.stringify(old));
  const store = await LowStore.open(dir);
  assert.equal(await store.loadGraph(root), old.records);
  await store.commitGraph(root, { upserts: [node(2)], deletes: [] });
  await store.close();
  assert.is(JSON.parse(readFileSync(join(dir, 'system.json'), 'utf8')).format, FORMAT_VERSION);
  assert.equal((await new RootFiles(dir).loadGraph(root))!.map((r) => r.id), [root, node(1).id, edge(1).id, node(2).id]);
});

test.run();
