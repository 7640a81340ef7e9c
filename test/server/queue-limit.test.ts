// The per-user limit of waiting background runs, on a real data dir's queue: admitted up to the
// limit, refused past it, each user (and the public root) on its own, and admitted again once
// runs end and the count is taken again.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LowStore } from '../../runtime/store/lowdb-store.ts';
import type { JobQueue, NewJob } from '../../runtime/store/store.ts';
import { QueueLimit } from '../../server/queue-limit.ts';

let made = 0;
const job = (owner: string | null): NewJob => ({ id: `w:Later:${(++made).toString(16).padStart(24, '0')}`, walker: 'Later', root: 'n::1', owner, node: null, fields: {}, allowedNodes: null, maxAttempts: 1 });
const done = { httpStatus: 200, reports: [], returns: null, errorId: null, error: null };

/** Admits and queues a run for `owner` when the limit lets it; whether it did. */
async function queue(limit: QueueLimit, store: LowStore, owner: string | null): Promise<boolean> {
  if (!(await limit.admit(owner))) return false;
  await store.enqueueJob(job(owner));
  return true;
}

test('each user queues up to the limit and is refused past it; others, and the public root, are counted apart', async () => {
  const store = await LowStore.open(mkdtempSync(join(tmpdir(), 'jac-limit-')));
  const limit = new QueueLimit(store, 3, 60_000);
  const tries = async (owner: string | null, n: number) => {
    const out: boolean[] = [];
    for (let i = 0; i < n; i++) out.push(await queue(limit, store, owner));
    return out;
  };
  assert.equal(await tries('u1', 5), [true, true, true, false, false]);
  assert.equal(await tries('u2', 2), [true, true]);
  assert.equal(await tries(null, 4), [true, true, true, false]);
  assert.equal(await tries('u2', 2), [true, false]);
  await store.close();
});

test('runs that end make room once the count is taken again, at most once per interval while the limit is reached', async () => {
  const store = await LowStore.open(mkdtempSync(join(tmpdir(), 'jac-limit-')));
  let counts = 0;
  const counting: Pick<JobQueue, 'countOpenJobs'> = { countOpenJobs: (owner, atMost) => (counts++, store.countOpenJobs(owner, atMost)) };
  const limit = new QueueLimit(counting, 2, 200);
  assert.ok(await queue(limit, store, 'u1'));
  assert.ok(await queue(limit, store, 'u1'));
  assert.is(counts, 1, 'counted once, when the user was first seen');
  const claimed = (await store.claimJob(60_000))!;
  await store.finishJob(claimed.job.id, claimed.attempt, 'COMPLETED', done);
  assert.not.ok(await queue(limit, store, 'u1'), 'refused: the end is seen at the next count only');
  assert.not.ok(await queue(limit, store, 'u1'));
  assert.is(counts, 1, 'not counted again within the interval');
  await new Promise((r) => setTimeout(r, 250));
  assert.ok(await queue(limit, store, 'u1'), 'counted again after the interval: one run ended');
  assert.not.ok(await queue(limit, store, 'u1'));
  assert.not.ok(await queue(limit, store, 'u1'));
  assert.is(counts, 2, 'counted once more, not for each refusal');
  await store.close();
});

test('a limit of 0 admits everything without counting', async () => {
  const limit = new QueueLimit({ countOpenJobs: () => Promise.reject(new Error('not to be counted')) }, 0);
  for (let i = 0; i < 5; i++) assert.ok(await limit.admit('u1'));
});

test.run();
