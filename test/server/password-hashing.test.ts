// The password hashing limiter: a few hashes at once, the rest in order, a bounded queue.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { HashLimiter, HashingBusy, hashPassword, verifyPassword } from '../../server/password-hashing.ts';

/** A task that runs until the test ends it, noting when it starts and how many run with it. */
function gated(log: string[], name: string, limiter: HashLimiter) {
  let end!: (ok: boolean) => void;
  const ended = new Promise<boolean>((resolve) => (end = resolve));
  const result = limiter.run(async () => {
    log.push(`${name}:${limiter.load.running}`);
    if (!(await ended)) throw new Error(`${name} failed`);
    return name;
  });
  return { result: result.catch((e: Error) => e), end };
}

const tick = () => new Promise<void>((r) => setImmediate(r));

test('at most `maxConcurrentHashes` run at once; the others start in arrival order', async () => {
  const limiter = new HashLimiter({ maxConcurrentHashes: 2, maxQueuedHashes: 10 });
  const log: string[] = [];
  const tasks = ['a', 'b', 'c', 'd', 'e'].map((n) => gated(log, n, limiter));
  await tick();
  assert.equal(log, ['a:1', 'b:2'], 'two run, three wait');
  assert.equal(limiter.load, { running: 2, waiting: 3 });
  tasks[1].end(true);
  await tick();
  assert.equal(log, ['a:1', 'b:2', 'c:2']);
  tasks[0].end(false); // a failed hash hands its turn on too
  await tick();
  assert.equal(log, ['a:1', 'b:2', 'c:2', 'd:2']);
  tasks[2].end(true);
  await tick();
  assert.equal(log, ['a:1', 'b:2', 'c:2', 'd:2', 'e:2']);
  for (const t of tasks.slice(3)) t.end(true);
  const results = await Promise.all(tasks.map((t) => t.result));
  assert.equal(results.map((r) => (r instanceof Error ? r.message : r)), ['a failed', 'b', 'c', 'd', 'e']);
  assert.equal(log, ['a:1', 'b:2', 'c:2', 'd:2', 'e:2']);
  assert.is(limiter.peak, 2);
  assert.is(limiter.started, 5);
  assert.equal(limiter.load, { running: 0, waiting: 0 });
});

test('a full queue refuses at once with HashingBusy and a Retry-After; room again takes new ones', async () => {
  const limiter = new HashLimiter({ maxConcurrentHashes: 1, maxQueuedHashes: 2 });
  const log: string[] = [];
  const tasks = ['a', 'b', 'c'].map((n) => gated(log, n, limiter));
  const refused = await gated(log, 'd', limiter).result;
  assert.instance(refused, HashingBusy);
  assert.ok((refused as HashingBusy).retryAfterSeconds >= 1);
  assert.ok(Number.isInteger((refused as HashingBusy).retryAfterSeconds));
  assert.is(limiter.started, 1, 'the refused one never ran');
  tasks[0].end(true);
  await tick();
  const e = gated(log, 'e', limiter);
  for (const t of tasks.slice(1)) t.end(true);
  await tick();
  e.end(true);
  assert.is(await e.result, 'e');
  assert.equal(log, ['a:1', 'b:1', 'c:1', 'e:1']);
});

test('hashes verify their own password only; a damaged stored hash is a wrong password', async () => {
  const stored = await hashPassword('pw-1');
  assert.match(stored, /^scrypt\$32768\$8\$1\$/);
  assert.ok(await verifyPassword('pw-1', stored));
  assert.not.ok(await verifyPassword('pw-2', stored));
  assert.not.ok(await verifyPassword('pw-1', stored.replace('scrypt$32768', 'scrypt$1048576000')));
  assert.not.ok(await verifyPassword('pw-1', 'not a hash'));
});

test.run();
