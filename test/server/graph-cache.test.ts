// The graphs a run worker keeps between jobs: idle ones and the least recently used past the
// budget are dropped (the store told to forget them), the one in use never; and through a real
// worker pool, a root whose graph was dropped is read again with every committed change.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { PersistentGraph } from '../../runtime/store/persistent-graph.ts';
import { BYTES_PER_RECORD, GraphCache } from '../../server/workers/graph-cache.ts';
import { WorkerPool } from '../../server/workers/pool.ts';

/** A held graph of `records` records (only its size is read). */
const held = (records: number) => ({ graph: { tracker: { byId: { size: records } } } as unknown as PersistentGraph, tag: 't', version: null });

test('past the budget the least recently used graphs go, never the one in use; idle ones go too', () => {
  let now = 0;
  const dropped: string[] = [];
  const cache = new GraphCache(250 * BYTES_PER_RECORD, 60_000, (r) => dropped.push(r), () => now);
  cache.set('a', held(100));
  now = 1;
  cache.set('b', held(100));
  now = 2;
  cache.set('c', held(100));
  now = 3;
  cache.get('a'); // a is now more recent than b and c
  cache.trim('c');
  assert.equal(dropped, ['b'], 'b is the least recently used; c is in use');
  assert.is(cache.bytes, 200 * BYTES_PER_RECORD);
  cache.set('big', held(1_000));
  cache.trim('big');
  assert.equal(dropped, ['b', 'c', 'a'], 'a graph larger than the budget stays while in use, alone');
  now = 70_000;
  cache.trim();
  assert.equal(dropped, ['b', 'c', 'a', 'big'], 'idle past a minute');
  assert.is(cache.size, 0);
  assert.is(cache.evictions, 4);
});

test('a worker that keeps no graph between jobs reads each root again and loses nothing', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'jac-cache-'));
  const file = join(dir, 'app.jac');
  writeFileSync(
    file,
    `node Counter { has n: int = 0; }
walker bump {
    can go with \`root entry {
        cs = [-->](\`?Counter);
        if not cs { c = Counter(); root ++> c; } else { c = cs[0]; }
        c.n += 1;
        report c.n;
    }
}`,
  );
  const dataDir = join(dir, 'data');
  mkdirSync(join(dataDir, 'roots'), { recursive: true });
  const pool = await WorkerPool.start({ files: [file], dataDir, workers: 1, cacheMb: 0, cacheIdleSeconds: 0 });
  try {
    const roots = ['n::0000000000000000000000c1', 'n::0000000000000000000000c2'];
    const reports: unknown[] = [];
    for (let i = 0; i < 3; i++) {
      for (const root of roots) {
        const answer = await pool.walk({ root, walker: 'bump', node: null, fields: {}, allowedNodes: null });
        assert.is(answer.status, 200, JSON.stringify(answer));
        reports.push(JSON.parse((answer as { body: string }).body).reports[0]);
      }
    }
    assert.equal(reports, [1, 1, 2, 2, 3, 3]);
  } finally {
    await pool.close();
  }
});

test.run();
