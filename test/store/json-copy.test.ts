// copyJson: the embedded store's copies of JSON records are deep and exact.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { copyJson } from '../../runtime/store/json-copy.ts';
import type { Json } from '../../runtime/store/store.ts';

test('a copy equals the original at every depth and shares no object or array with it', () => {
  const original: Json = { a: 1, b: 'two', c: null, d: true, e: [1, [2, { f: 'g' }]], h: { i: { j: [] }, $int: '9007199254740993' } };
  const copy = copyJson(original);
  assert.equal(copy, original);
  const objects = (v: Json, out: object[] = []): object[] => {
    if (v !== null && typeof v === 'object') {
      out.push(v);
      for (const x of Array.isArray(v) ? v : Object.values(v)) objects(x, out);
    }
    return out;
  };
  const shared = objects(copy).filter((o) => objects(original).includes(o));
  assert.is(shared.length, 0);
});

test('keys keep their order, and primitives come back as they are', () => {
  assert.equal(Object.keys(copyJson({ z: 1, a: 2, m: 3 })), ['z', 'a', 'm']);
  for (const v of [0, -1.5, '', 'x', true, false, null]) assert.is(copyJson(v), v);
});

test.run();
