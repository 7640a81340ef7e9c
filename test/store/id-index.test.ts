// IdIndex and GroupIndex: a record (or the records) found by a key answer as a scan of the array
// would, through every way the store changes its arrays (pushes, records swapped in their place,
// filters into a new array, arrays replaced after a failed write).
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

test.run();
