// IdIndex and GroupIndex: a record (or the records) found by a key answer as a scan of the array
// would, through every way the
// store changes its arrays (pushes, records swapped in their place, filters into a new array,
// arrays replaced after a failed write).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { GroupIndex, IdIndex } from '../../runtime/store/id-index.ts';

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

test.run();
