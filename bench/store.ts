// The store under load: commit latency for a small change on a 10,000-node root, alone in its
// data dir and beside a 100,000-node root (the ratio should be near 1: a commit writes only its
// own root's file); the time to load each root into nodes; and how many disk writes 100
// concurrent commits on one root take (group commit should make it far fewer than 100).
// Run: npm run bench:store
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PyClass } from '../runtime/interpreter/archetypes.ts';
import { LowStore } from '../runtime/store/lowdb-store.ts';
import { PersistentGraph } from '../runtime/store/persistent-graph.ts';
import type { GraphRecord } from '../runtime/store/store.ts';

const SMALL = 'n::00000000000000000000000a';
const LARGE = 'n::00000000000000000000000b';
const hex = (root: string, i: number) => root.slice(-2) + i.toString(16).padStart(22, '0');

/** A root with `n` nodes hanging off it, each with a few fields. */
function graph(root: string, n: number): GraphRecord[] {
  const records: GraphRecord[] = [];
  const edges: string[] = [];
  for (let i = 0; i < n; i++) {
    const node = `n:Item:${hex(root, i)}`;
    const edge = `e::${hex(root, i)}`;
    edges.push(edge);
    records.push({ id: node, fields: { name: `item ${i}`, value: i, tags: ['a', 'b'], score: i + 0.5 }, edges: [edge] });
    records.push({ id: edge, fields: {}, source: root, target: node });
  }
  return [{ id: root, fields: {}, edges }, ...records];
}

const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];

async function commitLatencies(store: LowStore, count: number): Promise<{ median: number; p99: number; perSecond: number }> {
  const times: number[] = [];
  const start = performance.now();
  for (let k = 0; k < count; k++) {
    const t = performance.now();
    const i = k % 10_000;
    await store.commitGraph(SMALL, { upserts: [{ id: `n:Item:${hex(SMALL, i)}`, fields: { name: `item ${i}`, value: k, tags: ['a', 'b'], score: 1.5 }, edges: [`e::${hex(SMALL, i)}`] }], deletes: [] });
    times.push(performance.now() - t);
  }
  return { median: percentile(times, 0.5), p99: percentile(times, 0.99), perSecond: count / ((performance.now() - start) / 1000) };
}

const dirs: string[] = [];
const fresh = () => {
  const d = mkdtempSync(join(tmpdir(), 'jac-bench-store-'));
  dirs.push(d);
  return d;
};

try {
  const COMMITS = 200;
  // The small root alone.
  const aloneDir = fresh();
  const alone = await LowStore.open(aloneDir);
  await alone.commitGraph(SMALL, { upserts: graph(SMALL, 10_000), deletes: [] });
  const soloFigures = await commitLatencies(alone, COMMITS);
  await alone.close();

  // The small root beside a large one.
  const bothDir = fresh();
  const both = await LowStore.open(bothDir);
  await both.commitGraph(SMALL, { upserts: graph(SMALL, 10_000), deletes: [] });
  await both.commitGraph(LARGE, { upserts: graph(LARGE, 100_000), deletes: [] });
  const besideFigures = await commitLatencies(both, COMMITS);
  await both.close();

  const show = (f: { median: number; p99: number; perSecond: number }) => `median ${f.median.toFixed(2)} ms, p99 ${f.p99.toFixed(2)} ms, ${f.perSecond.toFixed(0)} commits/s`;
  console.log(`small change, 10,000-node root alone:          ${show(soloFigures)}`);
  console.log(`small change, beside a 100,000-node root:      ${show(besideFigures)}`);
  console.log(`ratio (beside / alone), median: ${(besideFigures.median / soloFigures.median).toFixed(2)}×`);

  // Loading each root: reading its file and making its nodes and edges.
  const Item = new PyClass('Item', 'Item', 'node', [], []);
  for (const [name, root] of [['10,000', SMALL], ['100,000', LARGE]] as const) {
    const store = await LowStore.open(bothDir);
    const t = performance.now();
    const g = await PersistentGraph.open(store, root);
    g.bindTypes((n) => (n === 'Item' ? Item : undefined));
    g.loadNow();
    const ms = performance.now() - t;
    const size = statSync(join(bothDir, 'roots', `${root.slice(3)}.json`)).size;
    console.log(`load the ${name}-node root (${(size / 1e6).toFixed(1)} MB): ${ms.toFixed(0)} ms (${g.root.edges!.length} edges from the root)`);
    await store.close();
  }

  // 100 concurrent small commits on one root.
  const store = await LowStore.open(bothDir);
  await store.loadGraph(SMALL);
  const before = store.writes;
  const t = performance.now();
  await Promise.all(Array.from({ length: 100 }, (_, k) => store.commitGraph(SMALL, { upserts: [{ id: `n:Item:${hex(SMALL, k)}`, fields: { value: -k }, edges: [`e::${hex(SMALL, k)}`] }], deletes: [] })));
  console.log(`100 concurrent commits on the 10,000-node root: ${store.writes - before} disk writes, ${(performance.now() - t).toFixed(0)} ms in all`);
  await store.close();
} finally {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
}
