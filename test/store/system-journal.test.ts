// The data dir's system file (secrets, users, webhook keys, share hints) as a snapshot and a
// journal: a change appends what it changed and leaves the snapshot alone; a reopen replays the
// journal; a journal that outgrows what is live is folded into a new snapshot, in the background
// beside the writes; a dir written in the older format (the file written whole) is read as it is
// and marked as this format at once.
import { appendFileSync, cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FORMAT_VERSION } from '../../runtime/store/format.ts';
import { LowStore } from '../../runtime/store/lowdb-store.ts';
import { SystemFile } from '../../runtime/store/system-file.ts';
import { type SystemData, SystemJournal } from '../../runtime/store/system-journal.ts';
import type { KeyRecord, UserRecord } from '../../runtime/store/store.ts';
import { heldWriter } from '../helpers/held-writer.ts';
import { JournalGenerations } from '../../runtime/store/journal-generations.ts';

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

const journals = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.journal')).sort();

/** A change that rewrites one secret of about 100 characters: repeated, its copies outweigh what is live. */
const churnSecret = (db: SystemJournal, i: number) => (d: SystemData) => {
  d.secrets.churn = `value ${i}`.padEnd(100, '.');
  db.touchSecret(d, 'churn');
};

const addUser = (db: SystemJournal, u: UserRecord) => (d: SystemData) => {
  d.users.push(u);
  db.touchUser(d, u.id);
};

/** Opens the files of `dir` afresh: they hold `expected` (the data's users, keys, secrets and hints). */
async function reopensAs(dir: string, expected: unknown): Promise<void> {
  const again = await SystemJournal.open(dir, 1 << 30);
  const { users, keys, secrets, shares } = again.data;
  assert.equal({ users, keys, secrets, shares }, expected);
  await again.close();
}

const contents = (db: SystemJournal) => structuredClone({ users: db.data.users, keys: db.data.keys, secrets: db.data.secrets, shares: db.data.shares });

/** A system file (made at generation 1) whose files are being folded, the fold held until the test lets it write (or fail). */
async function foldUnderWay() {
  const dir = fresh();
  await (await SystemJournal.open(dir)).close();
  const held = heldWriter();
  const problems: string[] = [];
  const db = await SystemJournal.open(dir, 4096, held.write, (p) => problems.push(p));
  const file = new SystemFile(db);
  await file.change(addUser(db, user(1)));
  for (let i = 0; !held.calls.length && i < 1000; i++) await file.change(churnSecret(db, i));
  await held.nextCall();
  return { dir, db, file, fold: held.calls[0], problems };
}

test('a fold goes on beside the writes: they are appended to the next journal while its snapshot is made, and a crash before it is done loses none of them', async () => {
  const { dir, db, file, fold } = await foldUnderWay();
  await file.change(addUser(db, user(2)));
  await file.change((d) => {
    d.keys.push(key(1));
    db.touchKey(d, 'k1');
    (d.shares ??= {})['n::r1'] = { owner: 'n::r1', grantees: 'all' };
    db.touchShare(d, 'n::r1');
  });
  assert.equal(journals(dir), ['system.1.journal', 'system.2.journal']);
  assert.is(snapshotOf(dir).generation, 1, 'the snapshot is not written yet');
  const expected = contents(db);
  assert.equal(expected.users.map((u) => u.id), ['u1', 'u2']);
  // A crash now: the files as they are give every change.
  const crashed = fresh();
  cpSync(dir, crashed, { recursive: true });
  await reopensAs(crashed, expected);
  fold.go(true);
  await db.settled();
  assert.equal(journals(dir), ['system.2.journal']);
  assert.is(snapshotOf(dir).generation, 2);
  await db.close();
  await reopensAs(dir, expected);
});

test('a change whose write fails while a fold is under way is not in the snapshot the fold writes', async () => {
  const { dir, db, file, fold } = await foldUnderWay();
  const write = JournalGenerations.prototype.write;
  JournalGenerations.prototype.write = () => Promise.reject(new Error('ENOSPC: no space left on device'));
  try {
    const failed = await file.change(addUser(db, user(9))).then(() => 'written', (e: Error) => e.message);
    assert.is(failed, 'ENOSPC: no space left on device');
  } finally {
    JournalGenerations.prototype.write = write;
  }
  await file.change(addUser(db, user(2)));
  fold.go(true);
  await db.settled();
  const expected = contents(db);
  assert.equal(expected.users.map((u) => u.id), ['u1', 'u2']);
  assert.not.ok(readFileSync(join(dir, 'system.json'), 'utf8').includes('u9@example.com'), 'the snapshot never held it');
  await db.close();
  await reopensAs(dir, expected);
});

test('a fold that fails leaves the snapshot and every journal as they were: nothing is lost, and a later fold takes them all in', async () => {
  const { dir, db, file, fold, problems } = await foldUnderWay();
  fold.go(false);
  await db.settled();
  assert.is(problems.length, 1);
  assert.match(problems[0], `cannot fold the journals of ${join(dir, 'system.json')} into a new snapshot (ENOSPC`);
  await file.change(addUser(db, user(2))); // in journal 2, after the failed fold
  assert.equal(journals(dir), ['system.1.journal', 'system.2.journal']);
  assert.is(snapshotOf(dir).generation, 1);
  assert.is(readdirSync(dir).filter((f) => f.endsWith('.tmp')).length, 0, 'no half-written snapshot is left');
  const expected = contents(db);
  await db.close();
  const again = await SystemJournal.open(dir, 4096);
  const { users, keys, secrets, shares } = again.data;
  assert.equal({ users, keys, secrets, shares }, expected, 'both journals replayed after the snapshot');
  const file2 = new SystemFile(again);
  for (let i = 0; i < 200; i++) await file2.change(churnSecret(again, 1000 + i));
  await again.settled();
  const generation = snapshotOf(dir).generation;
  assert.ok(generation >= 3, `snapshot of generation ${generation}`);
  assert.equal(journals(dir), [`system.${generation}.journal`]);
  const left = contents(again);
  await again.close();
  await reopensAs(dir, left);
});

test('a journal older than the snapshot (a crash after the snapshot was written, before the journal was removed) is removed, not replayed', async () => {
  const { dir, db, fold } = await foldUnderWay();
  fold.go(true);
  await db.settled();
  const expected = contents(db);
  await db.close();
  assert.equal(journals(dir), ['system.2.journal']);
  writeFileSync(join(dir, 'system.1.journal'), `{"u":[${JSON.stringify({ user: user(7) })}],"d":[]}\n`);
  await reopensAs(dir, expected);
  assert.equal(journals(dir), ['system.2.journal']);
});

test('a snapshot made in parts (users, keys and share hints each across several) reads back as the data', async () => {
  const dir = fresh();
  const db = await SystemJournal.open(dir, 4096);
  const file = new SystemFile(db);
  const pad = 'x'.repeat(300);
  await file.change((d) => {
    for (let i = 0; i < 4000; i++) {
      d.users.push({ ...user(i), passwordHash: `scrypt$${pad}$${i}` });
      db.touchUser(d, `u${i}`);
      d.keys.push({ ...key(i), secretHash: `${pad}${i}` });
      db.touchKey(d, `k${i}`);
    }
    d.shares = {};
    for (let i = 0; i < 40_000; i++) {
      d.shares[`n::${i.toString(16).padStart(24, '0')}`] = { owner: `n::${(i % 50).toString(16).padStart(24, '0')}`, grantees: i % 2 ? 'all' : [`n::${i}`] };
      db.touchShare(d, `n::${i.toString(16).padStart(24, '0')}`);
    }
  });
  const before = snapshotOf(dir).generation;
  // Rewriting everything twice makes the replaced copies outweigh what is live: the next write folds.
  for (let round = 0; round < 2; round++) {
    await file.change((d) => {
      for (const u of d.users) db.touchUser(d, u.id);
      for (const k of d.keys) db.touchKey(d, k.id);
      for (const id of Object.keys(d.shares!)) db.touchShare(d, id);
    });
  }
  for (let i = 0; i < 3; i++) await file.change(churnSecret(db, i));
  await db.settled();
  assert.ok(statSync(join(dir, 'system.json')).size > 3 * (1 << 20), 'a snapshot of several parts');
  assert.ok(snapshotOf(dir).generation > before, 'folded');
  const expected = contents(db);
  await db.close();
  await reopensAs(dir, expected);
});

test.run();
