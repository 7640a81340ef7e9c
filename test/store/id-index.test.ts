// IdIndex: a record found by its key answers as a scan of the array would, through every way the
// store changes its arrays (pushes, records swapped in their place, filters into a new array,
// arrays replaced after a failed write).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { IdIndex } from '../../runtime/store/id-index.ts';

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

test.run();
