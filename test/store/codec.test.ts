// Every value type a field can hold reads back as exactly what was stored, through JSON text.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PyBytes } from '../../runtime/values/bytes.ts';
import { PyDict, PySet, PyTuple } from '../../runtime/values/containers.ts';
import { float, int } from '../../runtime/values/numbers.ts';
import { repr } from '../../runtime/values/repr.ts';
import { typeName, type Value } from '../../runtime/values/value.ts';
import { PyClass, PyEnum, PyEnumMember, PyInstance } from '../../runtime/interpreter/archetypes.ts';
import { PyBuiltin } from '../../runtime/interpreter/callables.ts';
import { decodeValue, encodeValue } from '../../runtime/store/codec.ts';
import type { Json } from '../../runtime/store/store.ts';
import { StoreError } from '../../runtime/store/store.ts';

const Color = new PyEnum('Color');
Color.members.set('RED', new PyEnumMember(Color, 'RED', 1));
Color.members.set('GREEN', new PyEnumMember(Color, 'GREEN', 'g'));
const Point = new PyClass('Point', 'Point', 'obj', [], [
  { name: 'x', makeDefault: null, byPostinit: false },
  { name: 'y', makeDefault: null, byPostinit: false },
]);
const Item = new PyClass('Item', 'Item', 'node', [], []);
const stored = new PyInstance(Item);
stored.id = 'n:Item:0123456789abcdef01234567';
const types: Record<string, Value> = { Color, Point };
const cx = { resolveType: (n: string) => types[n], resolveRef: (id: string) => (id === stored.id ? stored : undefined), file: 'test' };

function point(x: Value, y: Value): PyInstance {
  const p = new PyInstance(Point);
  p.set('x', x);
  p.set('y', y);
  return p;
}

/** The value through encode → JSON text → decode. */
function roundTrip(v: Value): Value {
  const text = JSON.stringify(encodeValue(v, 'test'));
  return decodeValue(JSON.parse(text) as Json, cx);
}

/** Same type and same repr, all the way down (repr shows int vs float, tuple vs list...). */
function assertSame(a: Value, b: Value): void {
  assert.is(typeName(b), typeName(a));
  assert.is(repr(b), repr(a));
}

const dict = new PyDict();
dict.set('k', 1);
dict.set(2, 'two');
dict.set(float(1.5), null);
dict.set(new PyTuple([1, 'a']), [float(2)]);
dict.set(true, 'bool key after 2');
const tagLike = new PyDict();
tagLike.set('$float', 1);
const frozen = new PySet([3, 1]);
frozen.frozen = true;

const values: [string, Value][] = [
  ['None', null],
  ['True', true],
  ['False', false],
  ['0', 0],
  ['-7', -7],
  ['2**53 + 1', int(2n ** 53n + 1n)],
  ['-(2**80)', int(-(2n ** 80n))],
  ['1.0', float(1)],
  ['1.5', float(1.5)],
  ['-0.0', float(-0)],
  ['1e300', float(1e300)],
  ['inf', float(Infinity)],
  ['-inf', float(-Infinity)],
  ['nan', float(NaN)],
  ['0.1 + 0.2', float(0.1 + 0.2)],
  ['str', 'hello "world"\n\u00e9\u{1F600}'],
  ['str like a tag', '$int'],
  ['list', [1, float(2), 'three', [null]]],
  ['empty list', []],
  ['tuple', new PyTuple([1, new PyTuple([])])],
  ['dict', dict],
  ['dict with tag-like key', tagLike],
  ['set', new PySet([5, 3, 1])],
  ['frozenset', frozen],
  ['bytes', PyBytes.fromLatin1('\x00\xffab')],
  ['enum member', Color.members.get('GREEN')!],
  ['obj', point(1, float(2.5))],
  ['obj in obj', point(point(0, [1]), Color.members.get('RED')!)],
];

for (const [name, v] of values) {
  test(`round trip: ${name}`, () => assertSame(v, roundTrip(v)));
}

test('a float and an int of the same value stay different types', () => {
  assert.equal(encodeValue(1, 'f'), 1);
  assert.equal(encodeValue(float(1), 'f'), { $float: 1 });
  assert.equal(encodeValue(float(1.25), 'f'), 1.25, 'a float that JSON cannot mistake stays a plain number');
});

test('a node in a field is stored as a reference to it', () => {
  assert.equal(encodeValue([stored], 'f'), [{ $ref: stored.id }]);
  assert.is(roundTrip(stored), stored);
  assert.is(decodeValue({ $ref: 'n:Item:ffffffffffffffffffffffff' }, cx), null, 'a deleted node reads back as None');
  const loose = new PyInstance(Item);
  assert.throws(() => encodeValue(loose, 'Box.item'), (e: unknown) => e instanceof StoreError && /Box\.item: it refers to a Item that is not in the graph/.test(e.message));
});

test('what is not data is refused with the field it was in', () => {
  const fn = new PyBuiltin('len', () => 0);
  assert.throws(() => encodeValue([fn], 'Item.cb'), (e: unknown) => e instanceof StoreError && e.code === 'JAC_STORE_VALUE' && /Item\.cb: a value of type 'builtin_function_or_method' is not data/.test(e.message));
  const cyclic = point(0, 0);
  cyclic.set('y', cyclic);
  assert.throws(() => encodeValue(cyclic, 'Item.p'), (e: unknown) => e instanceof StoreError && /nests too deep/.test(e.message));
});

test('a stored value naming a type the program no longer has is a clear error', () => {
  assert.throws(() => decodeValue({ $obj: 'Gone', fields: {} }, cx), (e: unknown) => e instanceof StoreError && e.code === 'JAC_STORE_CORRUPT' && /unknown type Gone/.test(e.message));
  assert.throws(() => decodeValue({ $enum: 'Color', name: 'BLUE' }, cx), /unknown enum member Color\.BLUE/);
});

test.run();
