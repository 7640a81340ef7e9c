// IdIndex and GroupIndex: a record (or the records) found by a key answer as a scan of the array
// would, through every way the
// store changes its arrays (pushes, records swapped in their place, filters into a new array,
// arrays replaced after a failed write).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { GroupIndex, IdIndex, RecordIndex } from '../../runtime/store/id-index.ts';

interface Row {
  id: string;
  email: string;
  n: number;
}
const row = (id: string, n = 0, email = `${id}@example.com`): Row => ({ id, email, n });

test('records pushed after a lookup are found, and an unknown key is not', () => {
  const index = new IdIndex<Row>();
  const rows = [row('a'), row('b')];
  assert.is(index.get(rows, 'b'), rows[1]);
  rows.push(row('c'));
  assert.is(index.get(rows, 'c'), rows[2]);
  assert.is(index.get(rows, 'zz'), undefined);
  assert.is(index.placeOf(rows, 'c'), 2);
  assert.is(index.placeOf(rows, 'zz'), -1);
});

test('a record swapped for a new one of the same key in its place is found as it is now', () => {
  const index = new IdIndex<Row>();
  const rows = [row('a', 1), row('b', 1)];
  assert.is(index.get(rows, 'a')!.n, 1);
  rows[0] = row('a', 2);
  assert.is(index.get(rows, 'a'), rows[0]);
  assert.is(index.get(rows, 'a')!.n, 2);
});

test('an array filtered into a new one, or replaced, or shortened, is indexed again', () => {
  const index = new IdIndex<Row>();
  let rows = [row('a'), row('b'), row('c')];
  assert.is(index.placeOf(rows, 'c'), 2);
  rows = rows.filter((r) => r.id !== 'a');
  assert.is(index.get(rows, 'a'), undefined);
  assert.is(index.placeOf(rows, 'c'), 1);
  // Shortened in place (length below what was indexed): nothing past the end is answered.
  rows.length = 1;
  assert.is(index.get(rows, 'c'), undefined);
  assert.is(index.get(rows, 'b'), rows[0]);
});

test('an array rearranged in place is indexed again rather than answering another record', () => {
  const index = new IdIndex<Row>();
  const rows = [row('a'), row('b')];
  assert.is(index.placeOf(rows, 'b'), 1);
  rows.reverse();
  assert.is(index.get(rows, 'b'), rows[0]);
  assert.is(index.get(rows, 'a'), rows[1]);
});

test('a key of its own (email) finds the first record of that key, as find() does', () => {
  const index = new IdIndex<Row>((r) => r.email);
  const rows = [row('a', 1, 'same@example.com'), row('b', 2, 'other@example.com'), row('c', 3, 'same@example.com')];
  assert.is(index.get(rows, 'same@example.com'), rows.find((r) => r.email === 'same@example.com'));
  assert.is(index.get(rows, 'other@example.com')!.id, 'b');
  assert.is(index.get(rows, 'a'), undefined);
});

/** The group of `email` as a scan answers it. */
const byEmail = (rows: Row[], email: string) => rows.filter((r) => r.email === email);

test('a group answers as filter() does through pushes, records swapped in their place, filters, shortening and rearranging', () => {
  const index = new GroupIndex<Row>((r) => r.email);
  let rows = [row('a', 1, 'x'), row('b', 1, 'y'), row('c', 1, 'x')];
  assert.equal(index.get(rows, 'x'), byEmail(rows, 'x'));
  assert.equal(index.get(rows, 'none'), []);
  rows.push(row('d', 1, 'x'), row('e', 1, 'z'));
  assert.equal(index.get(rows, 'x').map((r) => r.id), ['a', 'c', 'd'], 'pushed records join their group in order');
  rows[2] = row('c', 2, 'x');
  assert.is(index.get(rows, 'x')[1], rows[2], 'a record swapped in its place is found as it is now');
  rows = rows.filter((r) => r.id !== 'a');
  assert.equal(index.get(rows, 'x'), byEmail(rows, 'x'), 'filtered into a new array');
  rows.length = 2;
  assert.equal(index.get(rows, 'x'), byEmail(rows, 'x'), 'shortened in place: nothing past the end');
  rows.push(row('f', 1, 'y'), row('g', 1, 'x'));
  assert.equal(index.get(rows, 'x'), byEmail(rows, 'x'));
  rows.reverse();
  assert.equal(index.get(rows, 'x'), byEmail(rows, 'x'), 'rearranged in place: indexed again');
  assert.equal(index.get(rows, 'y'), byEmail(rows, 'y'));
});

/** An IdIndex that counts the records it reads into its places. */
class CountingIndex extends IdIndex<Row> {
  reads = 0;
  protected override add(key: string, place: number): void {
    this.reads++;
    super.add(key, place);
  }
}

test('a filter told to the index moves the places in one pass: every record is found as find() finds it, without reading the array again', () => {
  const index = new CountingIndex();
  const rows = Array.from({ length: 50 }, (_, i) => row(`r${i}`, i));
  for (const r of rows) index.get(rows, r.id);
  assert.is(index.reads, 50);
  const kept = rows.filter((r) => r.n % 3 !== 0);
  index.rebase(rows, kept);
  for (const r of rows) {
    assert.is(index.get(kept, r.id), kept.find((k) => k.id === r.id), r.id);
    assert.is(index.placeOf(kept, r.id), kept.findIndex((k) => k.id === r.id), r.id);
  }
  kept.push(row('late'));
  assert.is(index.get(kept, 'late'), kept.at(-1));
  assert.is(index.reads, 51, 'only the record pushed after was read');
});

test('filters told to the index answer as find() through duplicate keys, pushes and filters that are not one (read again)', () => {
  let seed = 7;
  const random = (n: number) => Math.floor(((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * n); // high bits: the low ones cycle
  const index = new IdIndex<Row>((r) => r.email);
  let rows: Row[] = [];
  for (let round = 0; round < 300; round++) {
    const step = random(4);
    if (step <= 1) rows.push(row(`r${round}`, round, `e${random(20)}`));
    else if (step === 2) {
      const kept = rows.filter(() => random(3) !== 0);
      index.rebase(rows, kept);
      rows = kept;
    } else {
      // Not a filter: records in another order (the index reads it whole).
      const other = [...rows].reverse();
      index.rebase(rows, other);
      rows = other;
    }
    for (let e = 0; e < 20; e++) {
      assert.is(index.get(rows, `e${e}`), rows.find((r) => r.email === `e${e}`), `round ${round}, e${e}`);
      assert.is(index.placeOf(rows, `e${e}`), rows.findIndex((r) => r.email === `e${e}`));
    }
  }
});

test('a group index told of a filter reads it again: it answers as filter() does', () => {
  const index = new GroupIndex<Row>((r) => r.email);
  const rows = Array.from({ length: 30 }, (_, i) => row(`r${i}`, i, `e${i % 4}`));
  assert.equal(index.get(rows, 'e1'), rows.filter((r) => r.email === 'e1'));
  const kept = rows.filter((r) => r.n % 2 === 0);
  index.rebase(rows, kept);
  for (let e = 0; e < 4; e++) assert.equal(index.get(kept, `e${e}`), kept.filter((r) => r.email === `e${e}`));
});

test('a record index finds pushes and forgets what a filter told to it removed, reading the ids of those alone; records changed in place are found as they are now', () => {
  let reads = 0;
  const counted = (id: string, n: number) => ({ n, get id() { reads++; return id; } });
  const index = new RecordIndex<{ id: string; n: number }>();
  const rows = Array.from({ length: 50 }, (_, i) => counted(`r${i}`, i));
  assert.is(index.get(rows, 'r7'), rows[7]);
  assert.is(index.get(rows, 'zz'), undefined);
  const kept = rows.filter((r) => r.n % 5 !== 0);
  reads = 0;
  index.rebase(rows, kept);
  assert.is(reads, 10, 'the ten records removed: their ids, and nothing of the forty kept');
  for (let i = 0; i < 50; i++) assert.is(index.get(kept, `r${i}`), i % 5 === 0 ? undefined : rows[i], `r${i}`);
  kept[0].n = 100;
  assert.is(index.get(kept, 'r1')!.n, 100);
  kept.push(counted('late', 51));
  assert.is(index.get(kept, 'late'), kept.at(-1));
});

test('a record index answers as find() through pushes, told filters, filters not told, shortening, and rebases that are not a filter (read again)', () => {
  let seed = 11;
  const random = (n: number) => Math.floor(((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * n);
  const index = new RecordIndex<Row>();
  let rows: Row[] = [];
  let made = 0;
  for (let round = 0; round < 300; round++) {
    const step = random(6);
    if (step <= 1) rows.push(row(`r${made++}`, round));
    else if (step === 2) {
      const kept = rows.filter(() => random(3) !== 0);
      index.rebase(rows, kept);
      rows = kept;
    } else if (step === 3) rows = rows.filter(() => random(4) !== 0); // not told
    else if (step === 4) rows.length = Math.floor(rows.length / 2);
    else {
      const other = [...rows].reverse();
      index.rebase(rows, other);
      rows = other;
    }
    for (let i = 0; i < made; i++) assert.is(index.get(rows, `r${i}`), rows.find((r) => r.id === `r${i}`), `round ${round}, r${i}`);
  }
});

test.run();
