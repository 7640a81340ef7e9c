// The system file on a disk that is really full (a small tmpfs): a write that fails with ENOSPC
// takes its changes with it, a change queued behind it is written next, and reopening the data
// dir shows exactly what was acknowledged.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { OpenJournal } from '../../runtime/store/journal.ts';
import { LowStore } from '../../runtime/store/lowdb-store.ts';
import { type KeyRecord, StoreError, type UserRecord } from '../../runtime/store/store.ts';
import { mountSmallDisk } from '../helpers/small-disk.ts';

const user = (name: string): UserRecord => ({ id: `u-${name}`, email: `${name}@example.com`, passwordHash: 'scrypt$x', root: 'n::00000000000000000000000a', createdAt: '2026-01-01T00:00:00Z' });
const key = (name: string, nodes: string[] = []): KeyRecord => ({ id: `k-${name}`, owner: 'u-a', name, secretHash: 'ff', walkers: [], nodes, createdAt: 'c', expiresAt: 'e', lastUsedAt: null });
const outcome = (p: Promise<void>) => p.then(() => 'ok', (e: unknown) => (e instanceof StoreError ? e.code : String(e)));

test('a change queued behind a write that fails for lack of space is written next; a reopen shows what was acknowledged', async () => {
  const disk = mountSmallDisk(512);
  try {
    const dir = join(disk.path, 'data');
    const s = await LowStore.open(dir);
    await s.addUser(user('a'));
    await s.putKey(key('ci'));
    const [shared, failed] = ['n::0000000000000000000000a1', 'n::0000000000000000000000a2'];
    await s.putShares([{ id: shared, owner: shared, grantees: 'all' }]);
    assert.equal(await s.sharedRoots('n::caller', 8), [shared]);
    // Room for the system file with one more user, not with a key of 40 KB.
    const spare = Math.ceil((statSync(join(dir, 'system.json')).size + 1024) / disk.blockSize);
    disk.fill(spare);
    disk.release('spare');
    assert.is(disk.free(), spare);

    const big = outcome(s.putKey(key('big', Array.from({ length: 5000 }, () => 'root'))));
    const small = outcome(s.addUser(user('b'))); // arrives while the big write is under way
    assert.ok(await s.findKey('k-big'), 'the big key is in memory while it is written');
    assert.is(await big, 'JAC_STORE_IO');
    assert.is(await small, 'ok');
    assert.is(await s.findKey('k-big'), null, 'a failed write leaves no trace in memory');
    assert.equal((await s.listKeys('u-a')).map((k) => k.name), ['ci']);
    assert.is((await s.findUser({ email: 'b@example.com' }))?.id, 'u-b');
    assert.equal(readdirSync(dir).filter((f) => f.endsWith('.tmp')), [], 'no temporary file is left');

    // Full again: every change that needs a block fails, and none stays. (A change is appended to
    // the system file's journal: one small enough for the room left in its last block is written.)
    disk.fill();
    const large = 'x'.repeat(2 * disk.blockSize);
    assert.is(await outcome(s.addUser({ ...user('c'), passwordHash: large })), 'JAC_STORE_IO');
    assert.is(await outcome(s.deleteKeys(['k-ci', ...Array.from({ length: disk.blockSize / 4 }, (_, i) => `k-none-${i}`)])), 'JAC_STORE_IO');
    assert.is(await outcome(s.setSecret('TOKEN_SECRET', large)), 'JAC_STORE_IO');
    assert.is(await outcome(s.putShares([{ id: failed, owner: failed, grantees: [large] }])), 'JAC_STORE_IO');
    assert.equal(await s.sharedRoots('n::caller', 8), [shared], 'a root shared in a write that failed is not listed');
    assert.is(await s.findUser({ email: 'c@example.com' }), null);
    assert.ok(await s.findKey('k-ci'), 'a delete that failed leaves the key');
    assert.is(await s.getSecret('TOKEN_SECRET'), null);
    await s.close();

    disk.release('all');
    const again = await LowStore.open(dir);
    try {
      assert.equal((await Promise.all(['a', 'b', 'c'].map((n) => again.findUser({ email: `${n}@example.com` })))).map((u) => u?.id ?? null), ['u-a', 'u-b', null]);
      assert.equal((await again.listKeys('u-a')).map((k) => k.name), ['ci']);
      assert.is(await again.getSecret('TOKEN_SECRET'), null);
      // With room again, the same changes succeed.
      await again.addUser(user('c'));
      await again.putKey(key('big', Array.from({ length: 5000 }, () => 'root')));
      assert.is((await again.findUser({ email: 'c@example.com' }))?.id, 'u-c');
    } finally {
      await again.close();
    }
  } finally {
    disk.unmount();
  }
});

test('a journal kept open cuts a failed append back off and appends again, on a fresh handle, once there is room', async () => {
  const disk = mountSmallDisk(512);
  const file = join(disk.path, 'jobs.0.journal');
  const journal = new OpenJournal(file);
  try {
    let end = await journal.append(0, '{"u":[1],"d":[]}\n');
    end = await journal.append(end, '{"u":[2],"d":[]}\n');
    disk.fill();
    const failed = await journal.append(end, `{"u":["${'x'.repeat(64 * disk.blockSize)}"],"d":[]}\n`).then(
      () => 'ok',
      (e: unknown) => (e instanceof StoreError ? e.code : String(e)),
    );
    assert.is(failed, 'JAC_STORE_IO');
    assert.is(readFileSync(file, 'utf8'), '{"u":[1],"d":[]}\n{"u":[2],"d":[]}\n', 'only the whole lines');
    disk.release('all');
    end = await journal.append(end, '{"u":[3],"d":[]}\n');
    assert.is(readFileSync(file, 'utf8').split('\n').filter(Boolean).length, 3);
    assert.is(end, statSync(file).size);
  } finally {
    await journal.close();
    disk.unmount();
  }
});

test.run();
