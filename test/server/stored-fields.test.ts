// Fields kept in the store between a request and its run: exact integers survive JSON text, and
// no field value is mistaken for the marker that carries them.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadedFields, storedFields } from '../../server/stored-fields.ts';

test('bigints, nested and in lists, come back exact; objects with $ keys of their own come back as they were', () => {
  const fields = { id: 820982911946154501n, list: [1, 2n ** 70n, 'x'], nested: { a: { $int: '5' }, $obj: 1, plain: null }, ok: true, f: 1.5 };
  const stored = storedFields(fields);
  const text = JSON.stringify(stored);
  assert.equal(loadedFields(JSON.parse(text)), fields);
  assert.equal(JSON.parse(text).id, { $int: '820982911946154501' });
});

test.run();
