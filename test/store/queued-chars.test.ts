// What the data dir's open runs hold, by which the queue limit admits runs: each root's and all
// open runs' fields in characters, and each root's count of them, kept as runs are queued, end,
// are retried and queued again, read again from the files on reopen, and counted again when a
// failed write rebuilds memory.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { JobFile } from '../../runtime/store/job-file.ts';
import { OpenJournal } from '../../runtime/store/journal.ts';
import { jsonChars } from '../../runtime/store/queued-chars.ts';
import type { JobResult, Json, NewJob } from '../../runtime/store/store.ts';

const [A, B] = ['n::0000000000000000000000a1', 'n::0000000000000000000000b2'];
let made = 0;
const job = (root: string, text: string, maxAttempts = 1): NewJob => ({ id: `w:Later:${(++made).toString(16).padStart(24, '0')}`, walker: 'Later', root, owner: null, node: null, fields: { text }, allowedNodes: null, maxAttempts });
const done: JobResult = { httpStatus: 200, reports: [], returns: null, errorId: null, error: null };
/** What a run of `text` counts: its fields as JSON. */
const size = (text: string) => JSON.stringify({ text }).length;
const fresh = () => JobFile.open(mkdtempSync(join(tmpdir(), 'jac-queued-')));

test('jsonChars is the length of JSON.stringify for values without escapes, whatever their shape', () => {
  const values: Json[] = [null, true, false, 0, -12.5, 1e21, '', 'abc', [], {}, [1, 'x', [null, {}]], { a: 1, bb: [true, { ccc: 'd' }], e: {} }, { nested: { deeper: { deepest: ['é', 'ü'] } } }];
  for (const v of values) assert.is(jsonChars(v), JSON.stringify(v).length, JSON.stringify(v));
  assert.is(jsonChars(12345678901234567890123n), '12345678901234567890123'.length, 'an exact int beyond 2^53');
  assert.is(jsonChars('a"b\n'), 6, 'a string counts its characters, not its escapes');
});

test('each root\'s open runs and all of them are counted as runs are queued, and leave the count as they end', async () => {
  const jobs = await fresh();
  assert.equal(jobs.queuedChars(A), { root: 0, all: 0 });
  await jobs.enqueueJob(job(A, 'x'.repeat(1000)));
  await jobs.enqueueJob(job(A, 'y'.repeat(500)));
  await jobs.enqueueJob(job(B, 'z'.repeat(200)));
  const all = size('x'.repeat(1000)) + size('y'.repeat(500)) + size('z'.repeat(200));
  assert.equal(jobs.queuedChars(A), { root: size('x'.repeat(1000)) + size('y'.repeat(500)), all });
  assert.equal(jobs.queuedChars(B), { root: size('z'.repeat(200)), all });
  // Claimed (STARTED) runs are still open; finished ones are not.
  const first = (await jobs.claimJob(60_000))!;
  assert.equal(jobs.queuedChars(first.job.root).all, all, 'a started run still counts');
  await jobs.finishJob(first.job.id, first.attempt, 'COMPLETED', done);
  assert.is(jobs.queuedChars(A).all, all - jsonChars(first.job.fields));
  // Cancelled runs leave too.
  const rest = (await jobs.listJobs()).filter((j) => j.status === 'PENDING');
  for (const j of rest) assert.ok(await jobs.cancelJob(j.id));
  assert.equal(jobs.queuedChars(A), { root: 0, all: 0 });
  assert.equal(jobs.queuedChars(B), { root: 0, all: 0 });
  await jobs.close();
});

test('a run retried stays counted until it runs out of attempts; one queued again counts again', async () => {
  const jobs = await fresh();
  await jobs.enqueueJob(job(A, 'r'.repeat(300), 2));
  const one = (await jobs.claimJob(60_000))!;
  await jobs.retryJob(one.job.id, one.attempt, 0, done);
  assert.is(jobs.queuedChars(A).root, size('r'.repeat(300)), 'waiting for its next attempt');
  assert.is(await jobs.countOpenJobs(A, 10), 1);
  const two = (await jobs.claimJob(60_000))!;
  await jobs.retryJob(two.job.id, two.attempt, 0, done);
  assert.is((await jobs.findJob(one.job.id))!.status, 'ERROR');
  assert.is(jobs.queuedChars(A).root, 0, 'out of attempts: ended');
  assert.is(await jobs.countOpenJobs(A, 10), 0);
  assert.ok(await jobs.requeueJob(one.job.id));
  assert.is(jobs.queuedChars(A).root, size('r'.repeat(300)), 'queued again');
  assert.is(await jobs.countOpenJobs(A, 10), 1);
  await jobs.close();
});

test('a reopened file counts the open runs it holds; ended ones are not counted', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'jac-queued-'));
  const jobs = await JobFile.open(dir);
  await jobs.enqueueJob(job(A, 'a'.repeat(700)));
  await jobs.enqueueJob(job(A, 'b'.repeat(100)));
  const c = (await jobs.claimJob(60_000))!;
  await jobs.finishJob(c.job.id, c.attempt, 'ERROR', done);
  await jobs.close();
  const again = await JobFile.open(dir);
  const open = (await again.listJobs()).filter((j) => j.status === 'PENDING');
  assert.is(open.length, 1);
  assert.equal(again.queuedChars(A), { root: jsonChars(open[0].fields), all: jsonChars(open[0].fields) });
  assert.is(await again.countOpenJobs(A, 10), 1);
  await again.close();
});

test('a run whose write failed is not counted: memory rebuilt from what is on disk is counted again', async () => {
  const jobs = await fresh();
  await jobs.enqueueJob(job(A, 'kept'));
  assert.is(jobs.queuedChars(A).root, size('kept'));
  const append = OpenJournal.prototype.append;
  OpenJournal.prototype.append = () => Promise.reject(new Error('ENOSPC: no space left on device'));
  try {
    const failed = jobs.enqueueJob(job(A, 'f'.repeat(5000)));
    assert.is(jobs.queuedChars(A).root, size('kept') + size('f'.repeat(5000)), 'counted while its write is under way');
    assert.is(await jobs.countOpenJobs(A, 10), 2);
    await failed.then(() => assert.unreachable('the write failed'), () => undefined);
  } finally {
    OpenJournal.prototype.append = append;
  }
  assert.equal(jobs.queuedChars(A), { root: size('kept'), all: size('kept') }, 'the failed run is not in the queue, nor in the count');
  assert.is(await jobs.countOpenJobs(A, 10), 1);
  await jobs.enqueueJob(job(A, 'next'));
  assert.is(jobs.queuedChars(A).root, size('kept') + size('next'), 'counting goes on after the rebuild');
  await jobs.close();
});

test.run();
