// The embedded job queue on disk: a change appends the jobs it changed to a journal, the files
// are folded into a new snapshot once what later lines replaced outweighs what is live (a
// delivery log that only grows is never rewritten), and every state survives reopening,
// including a file written before the journal existed and a journal whose last line was torn.
import { appendFileSync, cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { JobFile } from '../../runtime/store/job-file.ts';
import { JobJournal } from '../../runtime/store/job-journal.ts';
import { OpenJournal } from '../../runtime/store/journal.ts';
import { heldWriter } from '../helpers/held-writer.ts';
import type { DeliveryRecord, JobResult, NewJob } from '../../runtime/store/store.ts';

const job = (i: number): NewJob => ({ id: `w:W:${i.toString(16).padStart(24, '0')}`, walker: 'W', root: 'n::00000000000000000000000a', owner: 'u1', node: null, fields: { i, pad: 'x'.repeat(200) }, allowedNodes: null, maxAttempts: 3 });
const done: JobResult = { httpStatus: 200, reports: [1], returns: null, errorId: null, error: null };
const size = (dir: string, name: string) => (existsSync(join(dir, name)) ? statSync(join(dir, name)).size : 0);

test('a change appends what it changed, whatever the queue holds', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'jac-jobs-'));
  const jobs = await JobFile.open(dir, { foldMinBytes: 1 << 30 });
  await Promise.all(Array.from({ length: 2000 }, (_, i) => jobs.enqueueJob(job(i))));
  const before = size(dir, 'jobs.0.journal');
  await jobs.enqueueJob(job(5000));
  const grew = size(dir, 'jobs.0.journal') - before;
  assert.ok(grew > 0 && grew < 1000, `one job's line (${grew} bytes), not the queue's ${before}`);
  await jobs.close();
});

test('the files are folded into a new snapshot once replaced jobs outweigh live ones; reopening gives the same jobs in the same order', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'jac-jobs-'));
  const jobs = await JobFile.open(dir, { foldMinBytes: 4096 });
  for (let i = 0; i < 40; i++) await jobs.enqueueJob(job(i));
  for (let i = 0; i < 20; i++) {
    const c = (await jobs.claimJob(60_000))!;
    await jobs.finishJob(c.job.id, c.attempt, 'COMPLETED', done);
  }
  await jobs.cancelJob(job(39).id);
  await jobs.registerSchedule('Tick');
  await jobs.fireSchedule('Tick', '2030-01-01T00:00:00.000Z', job(100), 1);
  await jobs.pruneJobs(new Date(Date.now() + 1000).toISOString()); // the 20 finished and the cancelled one
  await jobs.settled(); // a fold goes on after the write that started it
  const files = readdirSync(dir).sort();
  assert.ok(!files.includes('jobs.0.journal'), `folded: ${files.join(' ')}`);
  assert.ok(files.filter((f) => f.endsWith('.journal')).every((f) => f !== 'jobs.0.journal'), 'no journal of the folded generation');
  const expected = await jobs.listJobs();
  await jobs.close();
  const again = await JobFile.open(dir, { foldMinBytes: 4096 });
  assert.equal(await again.listJobs(), expected);
  assert.equal(expected.map((j) => j.id), [...Array.from({ length: 19 }, (_, i) => job(i + 20).id), job(100).id]);
  assert.equal((await again.registerSchedule('Tick')).lastTick, '2030-01-01T00:00:00.000Z');
  await again.close();
});

const delivery = (i: number, at = '2026-12-01T00:00:00.000Z'): DeliveryRecord => ({
  id: `d-${i}`, keyId: 'k1', owner: 'u1', walker: 'W', receivedAt: at, verified: true, deliveryId: `g-${i}`, event: 'push',
  status: 'ok', code: 200, ms: 1, errorId: null, reason: null, duplicates: 0,
  replay: { fields: { pad: 'x'.repeat(200) }, node: null, allowedNodes: null }, replayUntil: '2999-01-01T00:00:00.000Z',
});

test('a delivery log that only grows is appended to, never rewritten; pruning it folds it, and reopening gives the same log', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'jac-jobs-'));
  const log = await JobFile.open(dir, { foldMinBytes: 4096 });
  for (let i = 0; i < 200; i++) await log.logDelivery(delivery(i, `2026-12-01T00:00:${String(i % 60).padStart(2, '0')}.${String(i).padStart(3, '0')}Z`));
  assert.ok(size(dir, 'jobs.0.journal') > 200 * 300, `all in the first journal (${size(dir, 'jobs.0.journal')} bytes)`);
  assert.not.ok(existsSync(join(dir, 'jobs.json')), 'no snapshot written: nothing was replaced');
  await log.tellDeliveries([{ record: delivery(7), repeat: true }, { record: { ...delivery(8), status: 'failed', code: 500 }, repeat: false }]);
  assert.ok(!existsSync(join(dir, 'jobs.json')), 'two changed entries are not worth a rewrite');
  // Entries received in the first 30 seconds of each minute: about half, pruned.
  const pruned = await log.pruneDeliveries('2026-12-01T00:00:30.000Z');
  assert.ok(pruned > 50, `pruned ${pruned}`);
  await log.settled();
  assert.ok(existsSync(join(dir, 'jobs.json')), 'folded once the pruned entries outweigh the live ones');
  assert.not.ok(existsSync(join(dir, 'jobs.0.journal')), 'the folded journal is removed');
  const expected = await log.listDeliveries('u1', { limit: 1000 });
  assert.equal(expected.length, 200 - pruned);
  await log.close();
  const again = await JobFile.open(dir, { foldMinBytes: 4096 });
  assert.equal(await again.listDeliveries('u1', { limit: 1000 }), expected);
  assert.equal((await again.findDelivery('d-37'))?.duplicates ?? null, (await log.findDelivery('d-37'))?.duplicates ?? null);
  await again.close();
});

test('the log keeps its newest entries up to its size: past it, the oldest tenth makes room, on disk as in memory', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'jac-jobs-'));
  const log = await JobFile.open(dir, { foldMinBytes: 4096, maxDeliveries: 25 });
  // The 26th entry brings the log down to 23 (25 less a tenth, rounded down), as do the 29th, 32nd, 35th and 38th.
  for (let i = 0; i < 40; i++) await log.logDelivery(delivery(i), { lazy: i % 2 === 0 });
  await log.tellDeliveries([{ record: delivery(39), repeat: true }]);
  const kept = (await log.listDeliveries('u1', { limit: 100 })).map((d) => d.id);
  assert.equal(kept, Array.from({ length: 25 }, (_, i) => `d-${39 - i}`), 'the newest 25, newest first');
  assert.is(await log.findDelivery('d-14'), null, 'the oldest are gone');
  await log.logDelivery(delivery(0));
  const after = (await log.listDeliveries('u1', { limit: 100 })).map((d) => d.id);
  assert.equal(after, ['d-0', ...kept.slice(0, 22)], 'logged again, it is the newest; the oldest three kept made room');
  await log.close();
  const again = await JobFile.open(dir, { foldMinBytes: 4096, maxDeliveries: 25 });
  assert.equal((await again.listDeliveries('u1', { limit: 100 })).map((d) => d.id), after);
  assert.is((await again.findDelivery('d-39'))!.duplicates, 1);
  await again.close();
});

test('a full log makes room from the owners with the most entries: a busy sender pushes out its own history, not the others\'', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'jac-jobs-'));
  const log = await JobFile.open(dir, { maxDeliveries: 30 });
  const of = (owner: string, i: number): DeliveryRecord => ({ ...delivery(i), id: `d-${owner}-${i}`, owner });
  for (let i = 0; i < 4; i++) await log.logDelivery(of('quiet', i)); // the oldest entries of all
  for (let i = 0; i < 12; i++) await log.logDelivery(of('steady', i));
  for (let i = 0; i < 60; i++) await log.logDelivery(of('busy', i));
  const ids = async (l: JobFile, owner: string) => (await l.listDeliveries(owner, { limit: 100 })).map((d) => d.id);
  assert.equal(await ids(log, 'quiet'), [3, 2, 1, 0].map((i) => `d-quiet-${i}`), 'the quiet owner keeps all of its entries');
  const steady = await ids(log, 'steady');
  const busy = await ids(log, 'busy');
  const size = 4 + steady.length + busy.length;
  assert.ok(size <= 30 && size >= 27, `the log is within its size, less a tenth at most (${size})`);
  assert.ok(busy.length >= steady.length, `the busiest gave up the most (busy ${busy.length}, steady ${steady.length})`);
  assert.is(busy[0], 'd-busy-59', 'the newest are kept');
  assert.equal(busy, Array.from({ length: busy.length }, (_, k) => `d-busy-${59 - k}`), "each owner's oldest went first");
  await log.close();
  const again = await JobFile.open(dir, { maxDeliveries: 30 });
  assert.equal([await ids(again, 'quiet'), await ids(again, 'steady'), await ids(again, 'busy')], [[3, 2, 1, 0].map((i) => `d-quiet-${i}`), steady, busy]);
  await again.close();
});

test('many owners making room again and again keep to the rule each time: the busiest give up their oldest, ties by whose oldest entry is oldest', async () => {
  // The rule, one entry at a time: the owner with the most entries gives up its oldest, owners
  // with as many taking turns in the order of their oldest entry when room began to be made.
  const expected: DeliveryRecord[] = [];
  const model = (record: DeliveryRecord, max: number) => {
    expected.push(record);
    if (expected.length <= max) return;
    const firstSeen = new Map<string, number>();
    expected.forEach((x, i) => firstSeen.has(x.owner) || firstSeen.set(x.owner, i));
    for (let excess = expected.length - (max - Math.floor(max / 10)); excess > 0; excess--) {
      const counts = new Map<string, number>();
      for (const x of expected) counts.set(x.owner, (counts.get(x.owner) ?? 0) + 1);
      const most = Math.max(...counts.values());
      const giver = [...counts.keys()].filter((o) => counts.get(o) === most).sort((a, b) => firstSeen.get(a)! - firstSeen.get(b)!)[0];
      expected.splice(expected.findIndex((x) => x.owner === giver), 1);
    }
  };
  const dir = mkdtempSync(join(tmpdir(), 'jac-jobs-'));
  const max = 20;
  const log = await JobFile.open(dir, { maxDeliveries: max, foldMinBytes: 2048 });
  let seed = 7;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const owners = ['a', 'a', 'a', 'a', 'b', 'b', 'c', 'd', 'e'];
  const all = async (l: JobFile) => (await Promise.all(['a', 'b', 'c', 'd', 'e'].map((o) => l.listDeliveries(o, { limit: 100 })))).flat().map((x) => x.id).sort();
  for (let i = 0; i < 400; i++) {
    // Now and then one owner sends a burst, so the busiest owner changes over time.
    const owner = i % 100 < 30 ? owners[Math.floor(i / 100) + 4] : owners[Math.floor(random() * owners.length)];
    const record = { ...delivery(i), id: `d-${i}`, owner };
    model(record, max);
    await log.logDelivery(record, { lazy: i % 3 === 0 });
    if (i % 37 === 0) assert.equal(await all(log), expected.map((x) => x.id).sort(), `after entry ${i}`);
  }
  assert.equal(await all(log), expected.map((x) => x.id).sort());
  await log.close();
  const again = await JobFile.open(dir, { maxDeliveries: max });
  assert.equal(await all(again), expected.map((x) => x.id).sort(), 'on disk as in memory');
  await again.close();
});

test('the log keeps deliveries\' fields for replay within a room: past it, the oldest give theirs up (a tenth of the room at once), on disk as in memory', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'jac-jobs-'));
  const withBody = (i: number): DeliveryRecord => ({ ...delivery(i), replay: { fields: { body: 'x'.repeat(88) }, node: null, allowedNodes: null } });
  const size = JSON.stringify(withBody(0).replay).length; // 128 characters each
  const log = await JobFile.open(dir, { maxReplayChars: size * 10, foldMinBytes: 2048 });
  const kept = async (l: JobFile) => (await l.listDeliveries('u1', { limit: 100 })).map((x) => [x.id, x.replay !== null]);
  for (let i = 0; i < 10; i++) await log.logDelivery(withBody(i), { lazy: i % 2 === 0 });
  assert.ok((await kept(log)).every(([, r]) => r), 'ten fit');
  await log.logDelivery(withBody(10));
  // Eleven are over the room: the oldest give theirs up until nine tenths of it are kept (nine).
  assert.equal(await kept(log), Array.from({ length: 11 }, (_, k) => [`d-${10 - k}`, k < 9]));
  await log.tellDeliveries([{ record: withBody(10), repeat: true }]); // a repeat counted keeps its fields, and takes no more room
  for (let i = 11; i < 40; i++) await log.logDelivery(i % 3 === 0 ? { ...delivery(i), replay: null } : withBody(i));
  const after = await kept(log);
  assert.is(after.length, 40, 'every entry stays listed');
  const holding = after.filter(([, r]) => r).length;
  assert.ok(holding * size <= size * 10 && holding >= 9, `the room holds ${holding}`);
  // Newest first: past the first entry that gave its fields up, no older one holds any.
  const hadBody = (id: string) => Number(id.slice(2)) <= 10 || Number(id.slice(2)) % 3 !== 0;
  const firstGiven = after.findIndex(([id, r]) => !r && hadBody(String(id)));
  assert.ok(firstGiven > 0 && after.slice(firstGiven).every(([, r]) => !r), 'the newest keep theirs, the oldest gave theirs up');
  assert.is((await log.findDelivery('d-10'))!.duplicates, 1);
  await log.close();
  const again = await JobFile.open(dir, { maxReplayChars: size * 10 });
  assert.equal(await kept(again), after, 'on disk as in memory');
  // Counted as it opened: what comes next keeps the same room.
  for (let i = 40; i < 45; i++) await again.logDelivery(withBody(i));
  const next = await kept(again);
  const holdingNext = next.filter(([, r]) => r).length;
  assert.ok(holdingNext <= 10 && holdingNext >= 9, `the room holds ${holdingNext} after reopening`);
  assert.ok(next.slice(0, 5).every(([, r]) => r), 'the newest keep theirs');
  await again.close();
});

test('a changed delivery is a new record: what a caller was given keeps its values', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'jac-jobs-'));
  const log = await JobFile.open(dir);
  await log.logDelivery(delivery(1));
  const seen = (await log.findDelivery('d-1'))!;
  await log.tellDeliveries([{ record: delivery(1), repeat: true }]);
  await log.tellDeliveries([{ record: { ...delivery(1), status: 'failed', code: 500 }, repeat: false }]);
  assert.equal([seen.duplicates, seen.status], [0, 'ok']);
  const now = (await log.findDelivery('d-1'))!;
  assert.equal([now.duplicates, now.status, now.code], [1, 'failed', 500]);
  await log.close();
  const again = await JobFile.open(dir);
  assert.equal(await again.findDelivery('d-1'), now);
  await again.close();
});

test('lazy log writes are seen at once, gathered into one line, and on disk once the file is idle', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'jac-jobs-'));
  const log = await JobFile.open(dir);
  const writes = Promise.all(Array.from({ length: 50 }, (_, i) => log.logDelivery(delivery(i), { lazy: true })));
  assert.is((await log.listDeliveries('u1', { limit: 100 })).length, 50, 'listed before any write');
  await log.tellDeliveries([{ record: delivery(3), repeat: true }], { lazy: true });
  await writes;
  const lines = readFileSync(join(dir, 'jobs.0.journal'), 'utf8').trim().split('\n');
  assert.is(lines.length, 1, 'one write for all of them (a write starting at the first would carry it alone)');
  assert.is(JSON.parse(lines[0]).u.length, 50);
  await log.tellDeliveries([{ record: { ...delivery(4), status: 'failed', code: 500 }, repeat: false }], { lazy: true });
  await log.close();
  const again = await JobFile.open(dir);
  assert.is((await again.listDeliveries('u1', { limit: 100 })).length, 50);
  assert.equal([(await again.findDelivery('d-3'))?.duplicates, (await again.findDelivery('d-4'))?.status], [1, 'failed']);
  await again.close();
});

test('the file keeps its newest ended jobs up to its limit: past it the oldest ended go until nine tenths are kept, queued and running ones never, on disk as in memory', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'jac-jobs-'));
  const jobs = await JobFile.open(dir, { maxEndedJobs: 200 }); // counted every 2 ends
  const later = (i: number): NewJob => ({ ...job(i), runAfter: '2999-01-01T00:00:00.000Z' });
  await jobs.enqueueJob(job(0));
  assert.ok(await jobs.cancelJob(job(0).id), 'the oldest job ended first: cancelled');
  await jobs.enqueueJob(job(1));
  const running = (await jobs.claimJob(60_000))!; // taken and never finished: running
  await jobs.enqueueJob(later(2)); // queued, older than every ended job but the first
  for (let i = 10; i < 260; i++) {
    await jobs.enqueueJob(i % 50 === 0 ? later(i) : job(i));
    const c = await jobs.claimJob(60_000);
    if (c) await jobs.finishJob(c.job.id, c.attempt, i % 7 === 0 ? 'ERROR' : 'COMPLETED', done);
  }
  const kept = await jobs.listJobs();
  const ended = kept.filter((j) => j.status !== 'PENDING' && j.status !== 'STARTED');
  assert.ok(ended.length <= 202 && ended.length >= 180, `${ended.length} ended kept`);
  assert.is(ended.at(-1)!.id, job(259).id, 'the newest ended is kept');
  assert.is(await jobs.findJob(job(0).id), null, 'the oldest ended (cancelled) went first');
  assert.is(await jobs.findJob(job(11).id), null);
  assert.is((await jobs.findJob(running.job.id))?.status, 'STARTED', 'a running job stays');
  assert.is((await jobs.findJob(job(2).id))?.status, 'PENDING', 'so do queued ones, however old');
  assert.equal(kept.filter((j) => j.status === 'PENDING').map((j) => j.id), [job(2).id, ...[50, 100, 150, 200, 250].map((i) => job(i).id)]);
  await jobs.close();
  const again = await JobFile.open(dir, { maxEndedJobs: 200 });
  assert.equal((await again.listJobs()).map((j) => [j.id, j.status]), kept.map((j) => [j.id, j.status]));
  await again.close();
});

test('once past the limit of ended jobs, a tenth of it makes room at once: the queue is not filtered again at every count', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'jac-jobs-'));
  const jobs = await JobFile.open(dir, { maxEndedJobs: 200 }); // counted every 2 ends
  const endedKept = async () => (await jobs.listJobs()).filter((j) => j.status === 'COMPLETED').length;
  for (let i = 0; i < 200; i++) {
    await jobs.enqueueJob(job(i));
    const c = (await jobs.claimJob(60_000))!;
    await jobs.finishJob(c.job.id, c.attempt, 'COMPLETED', done);
  }
  assert.is(await endedKept(), 200, 'at the limit: all kept');
  for (let i = 200; i < 202; i++) {
    await jobs.enqueueJob(job(i));
    const c = (await jobs.claimJob(60_000))!;
    await jobs.finishJob(c.job.id, c.attempt, 'COMPLETED', done);
  }
  assert.is(await endedKept(), 180, 'past it: the oldest go until nine tenths are kept');
  assert.is(await jobs.findJob(job(21).id), null);
  assert.ok(await jobs.findJob(job(22).id));
  await jobs.close();
});

test('past the limit, the runs that ended earliest leave first, whenever they were queued', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'jac-jobs-'));
  const jobs = await JobFile.open(dir, { maxEndedJobs: 200 }); // looked at every 2 ends
  await jobs.enqueueJob(job(0));
  const long = (await jobs.claimJob(60_000))!; // queued first, ends last
  for (let i = 1; i <= 200; i++) {
    await jobs.enqueueJob(job(i));
    const c = (await jobs.claimJob(60_000))!;
    await jobs.finishJob(c.job.id, c.attempt, 'COMPLETED', done);
  }
  await jobs.finishJob(long.job.id, long.attempt, 'COMPLETED', done);
  await jobs.enqueueJob(job(201));
  const c = (await jobs.claimJob(60_000))!;
  await jobs.finishJob(c.job.id, c.attempt, 'COMPLETED', done); // 202 ended: 22 leave
  assert.is((await jobs.findJob(job(0).id))?.status, 'COMPLETED', 'the run that ended 201st stays');
  assert.is(await jobs.findJob(job(22).id), null);
  assert.is((await jobs.findJob(job(23).id))?.status, 'COMPLETED');
  const kept = await jobs.listJobs();
  assert.is(kept.length, 180);
  await jobs.close();
  const again = await JobFile.open(dir, { maxEndedJobs: 200 });
  assert.equal((await again.listJobs()).map((j) => j.id), kept.map((j) => j.id), 'on disk as in memory');
  await again.close();
});

test('runs not kept are gone for every reader as they complete, and leave the queue together at the next count of ended runs, not in a pass over it each', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'jac-jobs-'));
  const jobs = await JobFile.open(dir, { maxEndedJobs: 1000 }); // counted every 10 ends
  const queue = () => (jobs as unknown as { file: { data: { jobs: Map<string, unknown> } } }).file.data.jobs;
  const waiting = { ...job(0), runAfter: '2999-01-01T00:00:00.000Z' };
  await jobs.enqueueJob(waiting);
  const sizes: number[] = [];
  for (let i = 1; i <= 10; i++) {
    await jobs.enqueueJob({ ...job(i), keep: false });
    const c = (await jobs.claimJob(60_000))!;
    assert.ok(await jobs.finishJob(c.job.id, c.attempt, 'COMPLETED', done));
    assert.is(await jobs.findJob(job(i).id), null, `run ${i}: gone once completed`);
    assert.equal((await jobs.listJobs()).map((j) => j.id), [waiting.id]);
    sizes.push(queue().size);
  }
  assert.equal(sizes, [2, 3, 4, 5, 6, 7, 8, 9, 10, 1], 'they stayed in the queue until the count, which took them all out');
  await jobs.enqueueJob({ ...job(11), keep: false });
  const c = (await jobs.claimJob(60_000))!;
  await jobs.finishJob(c.job.id, c.attempt, 'COMPLETED', done);
  assert.is(queue().size, 2, 'one completed since the count waits for the next');
  await jobs.close();
  const again = await JobFile.open(dir, { maxEndedJobs: 1000 });
  assert.equal((await again.listJobs()).map((j) => j.id), [waiting.id], 'on disk as in memory');
  assert.is((again as unknown as { file: { data: { jobs: Map<string, unknown> } } }).file.data.jobs.size, 1, 'one completed before the close is left out when the file is opened');
  await again.close();
});

test('the ended jobs kept take at most their room: past it, the oldest ended go until they take nine tenths of it; queued ones stay', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'jac-jobs-'));
  // Measured as the file holds one: an ended job of job(i) and `done` (about 500 characters).
  const probe = await JobFile.open(mkdtempSync(join(tmpdir(), 'jac-jobs-')));
  await probe.enqueueJob(job(1000));
  const c0 = (await probe.claimJob(60_000))!;
  await probe.finishJob(c0.job.id, c0.attempt, 'COMPLETED', done);
  const size = JSON.stringify(await probe.findJob(job(1000).id)).length;
  await probe.close();
  const jobs = await JobFile.open(dir, { maxEndedJobs: 200, maxEndedChars: size * 20 }); // counted every 2 ends
  await jobs.enqueueJob({ ...job(1), runAfter: '2999-01-01T00:00:00.000Z' }); // queued, older than every ended job
  for (let i = 10; i < 110; i++) {
    await jobs.enqueueJob(job(i));
    const c = (await jobs.claimJob(60_000))!;
    await jobs.finishJob(c.job.id, c.attempt, 'COMPLETED', done);
  }
  const kept = await jobs.listJobs();
  const ended = kept.filter((j) => j.status === 'COMPLETED');
  assert.ok(ended.length >= 18 && ended.length <= 21, `${ended.length} ended kept in a room of 20`);
  assert.equal(ended.map((j) => j.id), Array.from({ length: ended.length }, (_, k) => job(110 - ended.length + k).id), 'the newest');
  assert.is((await jobs.findJob(job(1).id))?.status, 'PENDING', 'a queued job stays, however old');
  await jobs.close();
  const again = await JobFile.open(dir, { maxEndedJobs: 200, maxEndedChars: size * 20 });
  assert.equal((await again.listJobs()).map((j) => j.id), kept.map((j) => j.id), 'on disk as in memory');
  await again.close();
});

test('an eviction applied again after a failed write leaves a run whose end that write carried: it is running again', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'jac-jobs-'));
  const jobs = await JobFile.open(dir, { maxEndedJobs: 1 }); // counted at every end
  await jobs.enqueueJob(job(1));
  await jobs.enqueueJob(job(2));
  const older = (await jobs.claimJob(60_000))!; // job 1: the oldest, so the first to go
  const newer = (await jobs.claimJob(60_000))!;
  // The write that carries the older run's end fails a little later (as on a full disk); the one
  // before it, of the newer run's end, lands, and the count it makes queues the eviction behind
  // the failing write (the write is replaced: its failure must come while the eviction waits).
  const write = JobJournal.prototype.write;
  let writes = 0;
  JobJournal.prototype.write = function (this: JobJournal, durable) {
    if (++writes !== 2) return write.call(this, durable);
    return new Promise((_, reject) => setTimeout(() => reject(new Error('no space left on device')), 20));
  };
  try {
    const first = jobs.finishJob(newer.job.id, newer.attempt, 'COMPLETED', done);
    const second = jobs.finishJob(older.job.id, older.attempt, 'COMPLETED', done).then(() => 'written', (e: Error) => e.message);
    assert.ok(await first);
    assert.is(await second, 'no space left on device');
    await jobs.idle();
  } finally {
    JobJournal.prototype.write = write;
  }
  const held = await jobs.findJob(older.job.id);
  assert.is(held?.status, 'STARTED', 'its end was undone: it runs, and is not evicted');
  assert.ok(await jobs.finishJob(older.job.id, older.attempt, 'COMPLETED', done), 'its taker can still finish it');
  await jobs.close();
});

test('a job handed out is a copy: changing it changes nothing queued', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'jac-jobs-'));
  const jobs = await JobFile.open(dir);
  const queued = job(1);
  await jobs.enqueueJob(queued);
  (queued.fields as Record<string, unknown>).i = 'changed by the caller';
  const claimed = (await jobs.claimJob(60_000))!.job;
  assert.is(claimed.fields.i, 1, 'the queue kept its own copy of the fields');
  (claimed.fields as Record<string, unknown>).i = 'changed by the taker';
  claimed.status = 'CANCELLED';
  const found = (await jobs.findJob(claimed.id))!;
  assert.equal([found.fields.i, found.status], [1, 'STARTED']);
  await jobs.finishJob(claimed.id, 1, 'COMPLETED', done);
  const listed = await jobs.listJobs();
  (listed[0].result!.reports as unknown[]).push('changed by a reader');
  assert.equal((await jobs.findJob(claimed.id))!.result!.reports, [1]);
  await jobs.close();
});

test("a delivery queued with its log entry keeps one copy of the fields both run and replay with: the caller's changes reach neither", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'jac-jobs-'));
  const jobs = await JobFile.open(dir);
  const queued = job(1);
  const logged = { ...delivery(1), id: queued.id, status: 'pending' as const, replay: { fields: queued.fields, node: null, allowedNodes: null } };
  await jobs.enqueueJob(queued, logged);
  (queued.fields as Record<string, unknown>).i = 'changed by the caller';
  assert.is((await jobs.findJob(queued.id))!.fields.i, 1);
  assert.is((await jobs.findDelivery(queued.id))!.replay!.fields.i, 1);
  await jobs.close();
  const again = await JobFile.open(dir);
  assert.is((await again.findDelivery(queued.id))!.replay!.fields.i, 1);
  await again.close();
});

test("a delivery answered 202 has its fields written once, in its job's line: its log entry replays with them after the job is gone", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'jac-jobs-'));
  const jobs = await JobFile.open(dir, { foldMinBytes: 1 << 30 });
  const queued = { ...job(1), fields: { body: 'b'.repeat(20_000) } };
  await jobs.enqueueJob(queued, { ...delivery(1), id: queued.id, status: 'pending', replay: { fields: queued.fields, node: null, allowedNodes: null } });
  const written = journalBytes(dir);
  assert.ok(written > 20_000 && written < 30_000, `the fields once: ${written} bytes`);
  const c = (await jobs.claimJob(60_000))!;
  await jobs.finishJob(c.job.id, c.attempt, 'COMPLETED', done, { status: 'ok', code: 200, ms: 1, errorId: null });
  await jobs.pruneJobs(new Date(Date.now() + 1000).toISOString());
  assert.is(await jobs.findJob(queued.id), null, 'the job is gone');
  await jobs.close();
  const again = await JobFile.open(dir);
  const x = (await again.findDelivery(queued.id))!;
  assert.equal([x.status, x.replay], ['ok', { fields: queued.fields, node: null, allowedNodes: null }]);
  await again.close();
});

test('a torn last line (a crash mid-append) is dropped; a jobs.json written before the journal loads', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'jac-jobs-'));
  const jobs = await JobFile.open(dir);
  await jobs.enqueueJob(job(1));
  await jobs.close();
  appendFileSync(join(dir, 'jobs.0.journal'), '{"u":[{"id":"w:W:0000');
  const again = await JobFile.open(dir);
  assert.equal((await again.listJobs()).map((j) => j.id), [job(1).id]);
  await again.enqueueJob(job(2));
  await again.close();
  const third = await JobFile.open(dir);
  assert.equal((await third.listJobs()).map((j) => j.id), [job(1).id, job(2).id], 'appends after the cut are whole');
  await third.close();

  const old = mkdtempSync(join(tmpdir(), 'jac-jobs-'));
  const record = { ...job(3), status: 'PENDING', attempts: 0, enqueuedAt: '2026-01-01T00:00:00.000Z', runAfter: '2026-01-01T00:00:00.000Z', startedAt: null, finishedAt: null, leaseUntil: null, result: null };
  writeFileSync(join(old, 'jobs.json'), JSON.stringify({ jobs: [record] }));
  const loaded = await JobFile.open(old);
  const [j] = await loaded.listJobs();
  assert.equal([j.id, j.schedule, j.internal, j.keep], [job(3).id, null, false, true]);
  assert.ok(await loaded.claimJob(60_000));
  await loaded.close();
});

const journals = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.journal')).sort();

/**
 * Half of 40 jobs run and pruned: their copies outweigh what is live (a claim's and an end's lines
 * leave the fields out), and the next write folds.
 */
async function churn(jobs: JobFile): Promise<void> {
  for (let i = 0; i < 40; i++) await jobs.enqueueJob(job(i));
  for (let i = 0; i < 20; i++) {
    const c = (await jobs.claimJob(60_000))!;
    await jobs.finishJob(c.job.id, c.attempt, 'COMPLETED', done);
  }
  await jobs.pruneJobs(new Date(Date.now() + 1000).toISOString());
}

/** A queue whose files are being folded, the fold held until the test lets it write (or fail). */
async function foldUnderWay() {
  const dir = mkdtempSync(join(tmpdir(), 'jac-jobs-'));
  const held = heldWriter();
  const problems: string[] = [];
  const jobs = await JobFile.open(dir, { foldMinBytes: 4096, writeSnapshot: held.write, foldFailed: (p) => problems.push(p) });
  await churn(jobs);
  await held.nextCall();
  return { dir, jobs, fold: held.calls[0], problems };
}

/** Opens the files of `dir` afresh: they hold `expected`. */
async function reopensAs(dir: string, expected: unknown): Promise<void> {
  const again = await JobFile.open(dir, { foldMinBytes: 1 << 30 });
  assert.equal(await again.listJobs(), expected);
  await again.close();
}

test('a fold goes on beside the writes: they are appended to the next journal while its snapshot is made, and a crash before it is done loses none of them', async () => {
  const { dir, jobs, fold } = await foldUnderWay();
  // The snapshot is not written yet, and changes go on: each is durable once it resolves.
  await jobs.enqueueJob(job(200));
  const c = (await jobs.claimJob(60_000))!;
  await jobs.finishJob(c.job.id, c.attempt, 'COMPLETED', done);
  assert.equal(journals(dir), ['jobs.0.journal', 'jobs.1.journal']);
  assert.not.ok(existsSync(join(dir, 'jobs.json')), 'no snapshot yet');
  const expected = await jobs.listJobs();
  assert.equal(expected.length, 21);
  // A crash now: the files as they are give every change.
  const crashed = mkdtempSync(join(tmpdir(), 'jac-jobs-crash-'));
  cpSync(dir, crashed, { recursive: true });
  await reopensAs(crashed, expected);
  // The fold ends: the snapshot of generation 1 (which may hold some later changes too) and the
  // journal after it give the same jobs, in the same order; journal 0 is gone.
  fold.go(true);
  await jobs.settled();
  assert.equal(journals(dir), ['jobs.1.journal']);
  assert.is(JSON.parse(readFileSync(join(dir, 'jobs.json'), 'utf8')).generation, 1);
  await jobs.close();
  await reopensAs(dir, expected);
});

test('a change whose write fails while a fold is under way is not in the snapshot the fold writes', async () => {
  const { dir, jobs, fold } = await foldUnderWay();
  const write = JobJournal.prototype.write;
  JobJournal.prototype.write = () => Promise.reject(new Error('ENOSPC: no space left on device'));
  try {
    const failed = await jobs.enqueueJob(job(400)).then(() => 'written', (e: Error) => e.message);
    assert.is(failed, 'ENOSPC: no space left on device');
  } finally {
    JobJournal.prototype.write = write;
  }
  await jobs.enqueueJob(job(401));
  fold.go(true);
  await jobs.settled();
  const expected = await jobs.listJobs();
  assert.not.ok(expected.some((j) => j.id === job(400).id));
  assert.not.ok(readFileSync(join(dir, 'jobs.json'), 'utf8').includes(job(400).id), 'the snapshot never held it');
  await jobs.close();
  await reopensAs(dir, expected);
});

test('a fold that fails leaves the snapshot and every journal as they were: nothing is lost, and a later fold takes them all in', async () => {
  const { dir, jobs, fold, problems } = await foldUnderWay();
  fold.go(false);
  await jobs.settled();
  assert.equal(problems, [`cannot fold the journals of ${join(dir, 'jobs.json')} into a new snapshot (ENOSPC: no space left on device); they keep growing until a fold succeeds, tried again in 10 s`]);
  await jobs.enqueueJob(job(300)); // in journal 1, after the failed fold
  assert.equal(journals(dir), ['jobs.0.journal', 'jobs.1.journal']);
  assert.not.ok(existsSync(join(dir, 'jobs.json')));
  assert.is(readdirSync(dir).filter((f) => f.endsWith('.tmp')).length, 0, 'no half-written snapshot is left');
  const expected = await jobs.listJobs();
  await jobs.close();
  // Opened again: both journals are replayed after the (absent) snapshot; the next fold writes
  // generation 2 and removes both.
  const again = await JobFile.open(dir, { foldMinBytes: 4096 });
  assert.equal(await again.listJobs(), expected);
  for (let i = 0; i < 10; i++) {
    const c = (await again.claimJob(60_000))!;
    await again.finishJob(c.job.id, c.attempt, 'COMPLETED', done);
  }
  await again.pruneJobs(new Date(Date.now() + 1000).toISOString());
  await again.settled();
  // Generation 2 or later (this churn may fold more than once): journals 0 and 1 are gone.
  const generation = JSON.parse(readFileSync(join(dir, 'jobs.json'), 'utf8')).generation;
  assert.ok(generation >= 2, `snapshot of generation ${generation}`);
  assert.equal(journals(dir), [`jobs.${generation}.journal`]);
  const left = await again.listJobs();
  assert.equal(left.length, 11);
  await again.close();
  await reopensAs(dir, left);
});

/** The bytes of every journal of `dir`. */
const journalBytes = (dir: string) => journals(dir).reduce((n, f) => n + size(dir, f), 0);

test("a run's fields are written once, as it is queued: its claim and its end write what they change", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'jac-jobs-'));
  const jobs = await JobFile.open(dir, { foldMinBytes: 1 << 30 });
  const big = { ...job(1), fields: { body: 'b'.repeat(20_000) } };
  await jobs.enqueueJob(big);
  const queued = journalBytes(dir);
  assert.ok(queued > 20_000, `the queued run's line holds its fields (${queued} bytes)`);
  const c = (await jobs.claimJob(60_000))!;
  assert.is(c.job.fields.body, big.fields.body, 'the taker gets the fields');
  await jobs.finishJob(c.job.id, c.attempt, 'COMPLETED', done);
  const changed = journalBytes(dir) - queued;
  assert.ok(changed < 2_000, `claim and end: ${changed} bytes, not the fields again`);
  await jobs.enqueueJob({ ...big, id: job(2).id });
  const expected = await jobs.listJobs();
  await jobs.close();
  await reopensAs(dir, expected);
  assert.equal([expected[0].status, expected[0].fields.body], ['COMPLETED', big.fields.body]);
  // Opened again, the files hold the fields the queue read: the next claim leaves them out too.
  const again = await JobFile.open(dir, { foldMinBytes: 1 << 30 });
  const before = journalBytes(dir);
  const next = (await again.claimJob(60_000))!;
  assert.is(next.job.id, job(2).id);
  assert.ok(journalBytes(dir) - before < 1_000, `a claim after reopening: ${journalBytes(dir) - before} bytes`);
  await again.close();
  const third = await JobFile.open(dir);
  const claimed = (await third.findJob(job(2).id))!;
  assert.equal([claimed.status, claimed.attempts, claimed.fields.body], ['STARTED', 1, big.fields.body]);
  await third.close();
});

test("a repeat of a logged delivery writes its count of duplicates, not the delivery's fields again", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'jac-jobs-'));
  const jobs = await JobFile.open(dir, { foldMinBytes: 1 << 30 });
  const first = { ...delivery(1), replay: { fields: { body: 'b'.repeat(20_000) }, node: null, allowedNodes: null } };
  await jobs.logDelivery(first);
  const logged = journalBytes(dir);
  for (let i = 0; i < 3; i++) await jobs.tellDeliveries([{ record: first, repeat: true }]);
  const changed = journalBytes(dir) - logged;
  assert.ok(changed < 2_000, `three repeats: ${changed} bytes, not the fields three times`);
  // Its replay window ends: the entry is written again without them.
  await jobs.pruneDeliveries('2000-01-01T00:00:00.000Z');
  await jobs.close();
  const again = await JobFile.open(dir);
  const x = (await again.findDelivery(first.id))!;
  assert.equal([x.duplicates, x.replay], [3, first.replay]);
  // Removed, then logged again with the very same fields: written whole after its removal.
  const old = { ...delivery(2, '2020-01-01T00:00:00.000Z'), replay: first.replay };
  await again.logDelivery(old);
  await again.pruneDeliveries('2021-01-01T00:00:00.000Z');
  await again.logDelivery(old);
  await again.close();
  const third = await JobFile.open(dir);
  assert.equal((await third.findDelivery(old.id))!.replay, first.replay);
  await third.close();
});

test('a delivery whose line could not be written is written whole when told again: its fields are not left to a line the disk never took', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'jac-jobs-'));
  const jobs = await JobFile.open(dir, { foldMinBytes: 1 << 30 });
  const first = { ...delivery(1), replay: { fields: { body: 'b'.repeat(2_000) }, node: null, allowedNodes: null } };
  const append = OpenJournal.prototype.append;
  OpenJournal.prototype.append = () => Promise.reject(new Error('ENOSPC: no space left on device'));
  try {
    const failed = await jobs.tellDeliveries([{ record: first, repeat: false }]).then(() => 'written', (e: Error) => e.message);
    assert.is(failed, 'ENOSPC: no space left on device');
  } finally {
    OpenJournal.prototype.append = append;
  }
  // Told again, as the delivery log's batch does with each entry of a write the store refused.
  await jobs.tellDeliveries([{ record: first, repeat: false }]);
  await jobs.tellDeliveries([{ record: first, repeat: true }]);
  await jobs.close();
  const again = await JobFile.open(dir);
  const x = (await again.findDelivery(first.id))!;
  assert.equal([x.duplicates, x.replay], [1, first.replay]);
  await again.close();
});

test('a delivery changed and then removed while a fold is under way reopens as removed, though the snapshot never held it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'jac-jobs-'));
  const held = heldWriter();
  const jobs = await JobFile.open(dir, { foldMinBytes: 4096, writeSnapshot: held.write });
  const old = delivery(1, '2020-01-01T00:00:00.000Z');
  await jobs.logDelivery(old);
  await jobs.logDelivery(delivery(2));
  await churn(jobs);
  await held.nextCall();
  // Written to the next journal as the snapshot waits: a repeat (its count alone), then its removal.
  await jobs.tellDeliveries([{ record: old, repeat: true }]);
  await jobs.pruneDeliveries('2021-01-01T00:00:00.000Z');
  held.calls[0].go(true);
  await jobs.settled();
  assert.not.ok(readFileSync(join(dir, 'jobs.json'), 'utf8').includes('"d-1"'), 'the snapshot was made after it left');
  await jobs.close();
  const again = await JobFile.open(dir);
  assert.is(await again.findDelivery(old.id), null);
  assert.is((await again.findDelivery(delivery(2).id))?.id, 'd-2');
  await again.close();
});

test('a run changed and then removed while a fold is under way reopens as removed, though the snapshot never held it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'jac-jobs-'));
  const held = heldWriter();
  const jobs = await JobFile.open(dir, { foldMinBytes: 4096, writeSnapshot: held.write });
  const waiting = { ...job(300), runAfter: '2999-01-01T00:00:00.000Z' };
  await jobs.enqueueJob(waiting);
  await churn(jobs);
  await held.nextCall();
  // Written to the next journal as the snapshot waits: its end (without its fields), then its removal.
  assert.ok(await jobs.cancelJob(waiting.id));
  assert.ok((await jobs.pruneJobs(new Date(Date.now() + 1000).toISOString())) >= 1);
  const expected = await jobs.listJobs();
  held.calls[0].go(true);
  await jobs.settled();
  assert.not.ok(readFileSync(join(dir, 'jobs.json'), 'utf8').includes(waiting.id), 'the snapshot was made after it left');
  await jobs.close();
  await reopensAs(dir, expected);
  const again = await JobFile.open(dir);
  assert.is(await again.findJob(waiting.id), null);
  await again.close();
});

test('a line that changes a run no earlier line or snapshot holds is refused as corrupt, naming the file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'jac-jobs-'));
  const jobs = await JobFile.open(dir, { foldMinBytes: 1 << 30 });
  await jobs.enqueueJob(job(1));
  await jobs.claimJob(60_000);
  await jobs.close();
  // The claim's line, alone: the line that queued the run with its fields is gone.
  const lines = readFileSync(join(dir, 'jobs.0.journal'), 'utf8').trimEnd().split('\n');
  writeFileSync(join(dir, 'jobs.0.journal'), `${lines[lines.length - 1]}\n`);
  const refused = await JobFile.open(dir).then(() => 'opened', (e: Error & { code?: string }) => `${e.code}: ${e.message}`);
  assert.match(refused, /^JAC_STORE_CORRUPT: .*jobs\.0\.journal.*w:W:0+1/);
});

test('a journal older than the snapshot (a crash after the snapshot was written, before the journal was removed) is removed, not replayed', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'jac-jobs-'));
  const jobs = await JobFile.open(dir, { foldMinBytes: 4096 });
  await churn(jobs);
  await jobs.settled();
  const expected = await jobs.listJobs();
  await jobs.close();
  assert.equal(journals(dir), ['jobs.1.journal']);
  const stale = { ...job(999), status: 'PENDING', attempts: 0, enqueuedAt: '2026-01-01T00:00:00.000Z', runAfter: '2026-01-01T00:00:00.000Z', startedAt: null, finishedAt: null, leaseUntil: null, result: null };
  writeFileSync(join(dir, 'jobs.0.journal'), `{"u":[${JSON.stringify(stale)}],"d":[]}\n`);
  const again = await JobFile.open(dir);
  assert.equal(await again.listJobs(), expected);
  assert.equal(journals(dir), ['jobs.1.journal']);
  await again.close();
});

test.run();
