// The data dir's system file (secrets, users, webhook keys, share hints) as a snapshot and a
// journal: a change appends what it changed and leaves the snapshot alone; a reopen replays the
// journal; a journal that outgrows what is live is folded into a new snapshot; a dir written in
// the older format (the file written whole) is read as it is and marked as this format at once.
import { appendFileSync, existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FORMAT_VERSION } from '../../runtime/store/format.ts';
import { LowStore } from '../../runtime/store/lowdb-store.ts';
import { SystemFile } from '../../runtime/store/system-file.ts';
import { SystemJournal } from '../../runtime/store/system-journal.ts';
import type { KeyRecord, UserRecord } from '../../runtime/store/store.ts';

const fresh = () => mkdtempSync(join(tmpdir(), 'jac-system-'));
const user = (i: number): UserRecord => ({ id: `u${i}`, email: `u${i}@example.com`, passwordHash: 'scrypt$x$y', root: `n::${i.toString(16).padStart(24, '0')}`, createdAt: '2026-01-01T00:00:00Z' });
const key = (i: number, name = `k${i}`): KeyRecord => ({ id: `k${i}`, owner: 'u1', name, secretHash: 'ff', walkers: [], nodes: [], createdAt: 'c', expiresAt: 'e', lastUsedAt: null });
const snapshotOf = (dir: string) => JSON.parse(readFileSync(join(dir, 'system.json'), 'utf8'));
const lines = (file: string) => readFileSync(file, 'utf8').split('\n').filter(Boolean);

test('a change appends one line of what it changed; the snapshot is not rewritten; a reopen sees every change', async () => {
  const dir = fresh();
  const s = await LowStore.open(dir);
  const snapshot = snapshotOf(dir);
  assert.is(snapshot.format, FORMAT_VERSION);
  const journal = join(dir, `system.${snapshot.generation}.journal`);
  const before = statSync(join(dir, 'system.json'));
  await s.addUser(user(1));
  await s.addUser(user(2));
  await s.putKey(key(1));
  await s.putKey(key(2));
  await s.putKey(key(1, 'renamed')); // rewritten in its place
  await s.deleteKeys(['k2']);
  await s.setSecret('TOKEN_SECRET', 'abc');
  await s.putShares([{ id: 'n::r1', owner: 'n::r1', grantees: 'all' }, { id: 'n:Post:1', owner: 'n::r1', grantees: ['u2'] }]);
  await s.putShares([{ id: 'n:Post:1', owner: 'n::r1', grantees: [] }]);
  const after = statSync(join(dir, 'system.json'));
  assert.is(after.mtimeMs, before.mtimeMs, 'the snapshot is left alone');
  assert.is(after.size, before.size);
  assert.is(lines(journal).length, 9, 'a line per write');
  assert.match(lines(journal)[5], /"keyGone":"k2"/);
  await s.close();

  const again = await LowStore.open(dir);
  assert.equal((await Promise.all([1, 2].map((i) => again.findUser({ id: `u${i}` })))).map((u) => u?.email), ['u1@example.com', 'u2@example.com']);
  assert.equal((await again.listKeys('u1')).map((k) => [k.id, k.name]), [['k1', 'renamed']]);
  assert.is(await again.getSecret('TOKEN_SECRET'), 'abc');
  assert.equal(await again.findShare('n::r1'), { id: 'n::r1', owner: 'n::r1', grantees: 'all' });
  assert.is(await again.findShare('n:Post:1'), null, 'a removed hint stays removed');
  assert.equal(await again.sharedRoots('u9', 8), ['n::r1']);
  // A write after the reopen goes on the same journal.
  await again.addUser(user(3));
  await again.close();
  assert.is(lines(journal).length, 10);
});

test('a torn last line (a write cut off by a crash) is dropped: the changes acknowledged before it are there', async () => {
  const dir = fresh();
  const s = await LowStore.open(dir);
  await s.addUser(user(1));
  await s.setSecret('TOKEN_SECRET', 'abc');
  await s.close();
  const journal = join(dir, `system.${snapshotOf(dir).generation}.journal`);
  appendFileSync(journal, '{"u":[{"user":{"id":"u9","em');
  const again = await LowStore.open(dir);
  assert.is((await again.findUser({ id: 'u1' }))?.email, 'u1@example.com');
  assert.is(await again.findUser({ id: 'u9' }), null);
  assert.is(await again.getSecret('TOKEN_SECRET'), 'abc');
  await again.addUser(user(2));
  await again.close();
  const third = await LowStore.open(dir);
  assert.is((await third.findUser({ id: 'u2' }))?.email, 'u2@example.com', 'appended after the cut, and read back');
  await third.close();
});

test('a journal that outgrows what is live is folded into a new snapshot; the data reads the same', async () => {
  const dir = fresh();
  const db = await SystemJournal.open(dir, 4096);
  const file = new SystemFile(db);
  const first = snapshotOf(dir).generation;
  for (let i = 0; i < 200; i++) {
    await file.change((d) => {
      d.secrets.churn = `value ${i}`.padEnd(100, '.');
      db.touchSecret(d, 'churn');
    });
  }
  await file.change((d) => {
    d.users.push(user(1));
    db.touchUser(d, 'u1');
  });
  await db.close();
  const snapshot = snapshotOf(dir);
  assert.ok(snapshot.generation > first + 1, `folded more than once (generation ${first} to ${snapshot.generation})`);
  assert.not.ok(existsSync(join(dir, `system.${first}.journal`)), 'the folded journal is gone');
  const journal = join(dir, `system.${snapshot.generation}.journal`);
  assert.ok(!existsSync(journal) || statSync(journal).size < 8192, 'what is left of the journal is small');
  const again = await SystemJournal.open(dir);
  assert.is(again.data.secrets.churn, 'value 199'.padEnd(100, '.'));
  assert.equal(again.data.users, [user(1)]);
  await again.close();
});

test('a data dir whose system file was written whole (format 2) is read as it is and marked as this format at once', async () => {
  const dir = fresh();
  const old = { format: 2, secrets: { TOKEN_SECRET: 'abc' }, users: [user(1)], keys: [key(1)], shares: { 'n::r1': { owner: 'n::r1', grantees: 'all' } } };
  writeFileSync(join(dir, 'system.json'), JSON.stringify(old));
  const s = await LowStore.open(dir);
  const snapshot = snapshotOf(dir);
  assert.is(snapshot.format, FORMAT_VERSION, 'an older jac-serve now refuses the dir instead of missing its journal');
  assert.equal({ ...snapshot, format: 2, generation: undefined }, { ...old, generation: undefined });
  assert.is(await s.getSecret('TOKEN_SECRET'), 'abc');
  assert.equal(await s.listKeys('u1'), [key(1)]);
  await s.addUser(user(2));
  await s.close();
  const again = await LowStore.open(dir);
  assert.equal((await Promise.all([1, 2].map((i) => again.findUser({ id: `u${i}` })))).map((u) => u?.id), ['u1', 'u2']);
  await again.close();
});

test.run();
