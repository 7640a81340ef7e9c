// The data dir folds its files in the background, beside the requests: a fold that fails (a full
// disk) answers no request, so the server's log is where the operator hears of it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { NewJob } from '../../runtime/store/store.ts';
import { harness } from './harness.ts';

const job = (i: number): NewJob => ({ id: `w:W:${i.toString(16).padStart(24, '0')}`, walker: 'W', root: 'n::00000000000000000000000a', owner: 'u1', node: null, fields: { i, pad: 'x'.repeat(200) }, allowedNodes: null, maxAttempts: 3, runAfter: '2999-01-01T00:00:00.000Z' });

test('a fold of the data dir that fails is logged as a warning saying what failed and that it is tried again', async () => {
  const h = await harness('walker W { can go with `root entry { report 1; } }', {
    jobLimits: { foldMinBytes: 4096, writeSnapshot: () => Promise.reject(new Error('ENOSPC: no space left on device')) },
  });
  try {
    // Runs queued and cancelled until their replaced copies outweigh what is live: the next write folds.
    for (let i = 0; i < 40; i++) await h.store.enqueueJob(job(i));
    for (let i = 0; i < 40; i++) await h.store.cancelJob(job(i).id);
    await h.store.pruneJobs(new Date(Date.now() + 1000).toISOString());
    await h.store.enqueueJob(job(100));
    for (let i = 0; i < 50 && !h.log.some((l) => l.includes('upkeep')); i++) await new Promise((r) => setTimeout(r, 20));
    const lines = h.log.map((l) => JSON.parse(l) as { level: number; msg: string; problem?: string }).filter((l) => l.msg === 'the store could not do its upkeep');
    assert.is(lines.length, 1);
    assert.is(lines[0].level, 40, 'a warning');
    assert.match(lines[0].problem!, /cannot fold the journals of .*jobs\.json into a new snapshot \(ENOSPC: no space left on device\); they keep growing until a fold succeeds, tried again in 10 s/);
    assert.ok(await h.store.findJob(job(100).id), 'the write beside the failed fold is there');
  } finally {
    await h.close();
  }
});

test.run();
