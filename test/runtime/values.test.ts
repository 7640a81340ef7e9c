// Containers, repr/str, truthiness, equality and ordering. Each expected line is what
// jaclang 0.8.0 printed for the Jac program quoted in the test.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compare, equals, truthy } from '../../runtime/values/compare.ts';
import { PyDict, PySet, PyTuple } from '../../runtime/values/containers.ts';
import { PyError } from '../../runtime/values/errors.ts';
import { float } from '../../runtime/values/numbers.ts';
import { repr, str } from '../../runtime/values/repr.ts';
import { typeName, type Value } from '../../runtime/values/value.ts';

const tuple = (...items: Value[]) => new PyTuple(items);
function dict(...pairs: [Value, Value][]): PyDict {
  const d = new PyDict();
  for (const [k, v] of pairs) d.set(k, v);
  return d;
}
const line = (...vs: Value[]) => vs.map(str).join(' ');

function raisesTypeError(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    assert.instance(e, PyError);
    assert.is((e as PyError).pyType, 'TypeError');
    return (e as PyError).message;
  }
  return assert.unreachable('expected a TypeError') as never;
}

test('dict keys: 1, True and 1.0 are one key that keeps its first form; -0.0 and 0 too', () => {
  // d = {1: "a", True: "b", 1.0: "c", 2: "d", "1": "e", (1, 2): "f", None: "g", -0.0: "h", 0: "i"}; print(d, len(d));
  const d = dict([1, 'a'], [true, 'b'], [float(1), 'c'], [2, 'd'], ['1', 'e'], [tuple(1, 2), 'f'], [null, 'g'], [float(-0), 'h'], [0, 'i']);
  assert.is(line(d, d.size), "{1: 'c', 2: 'd', '1': 'e', (1, 2): 'f', None: 'g', -0.0: 'i'} 6");
});

test('set membership by Python equality', () => {
  // s = {1, 1.0, True, "1", (1,), 2.5, 0, False, -0.0}; print(len(s), 1 in s, "1" in s, (1,) in s, 0.0 in s);
  const s = new PySet([1, float(1), true, '1', tuple(1), float(2.5), 0, false, float(-0)]);
  assert.is(line(s.size, s.has(1), s.has('1'), s.has(tuple(1)), s.has(float(0))), '5 True True True True');
});

test('equality across types and containers', () => {
  // print([1, 2] == [1, 2], (1, 2) == (1, 2), [1, 2] == (1, 2), {"a": 1} == {"a": 1.0}, {1, 2} == {2, 1}, 1 == True, "1" == 1, None == None, [1, [2, 3]] == [1, [2, 3.0]]);
  const got = [
    equals([1, 2], [1, 2]), equals(tuple(1, 2), tuple(1, 2)), equals([1, 2], tuple(1, 2)), equals(dict(['a', 1]), dict(['a', float(1)])),
    equals(new PySet([1, 2]), new PySet([2, 1])), equals(1, true), equals('1', 1), equals(null, null), equals([1, [2, 3]], [1, [2, float(3)]]),
  ];
  assert.is(line(...got), 'True True False True True True False True True');
  assert.ok(equals(2n ** 60n, float(2 ** 60)), 'a big int equals the float of the same value');
});

test('ordering: tuples and lists item by item, strings by code point, numbers across types', () => {
  // print((1, 2) < (1, 3), [1, 2] < [1, 2, 0], "abc" < "abd", "Z" < "a", (1, "a") < (1, "b"), [] < [0], 2 < 2.5, True < 2);
  const got = [
    compare('<', tuple(1, 2), tuple(1, 3)), compare('<', [1, 2], [1, 2, 0]), compare('<', 'abc', 'abd'), compare('<', 'Z', 'a'),
    compare('<', tuple(1, 'a'), tuple(1, 'b')), compare('<', [], [0]), compare('<', 2, float(2.5)), compare('<', true, 2),
  ];
  assert.is(line(...got), 'True True True True True True True True');
  assert.ok(compare('<', new PySet([1]), new PySet([1, 2])), 'sets order by inclusion');
  assert.not.ok(compare('<', new PySet([1, 2]), new PySet([1, 2])));
});

test('ordering unrelated types is a TypeError with Python message', () => {
  assert.is(raisesTypeError(() => compare('<', 1, 'a')), "'<' not supported between instances of 'int' and 'str'");
  assert.is(raisesTypeError(() => compare('<', [1], tuple(1))), "'<' not supported between instances of 'list' and 'tuple'");
  assert.is(raisesTypeError(() => compare('<', null, null)), "'<' not supported between instances of 'NoneType' and 'NoneType'");
  assert.is(raisesTypeError(() => compare('<', dict([1, 2]), dict([1, 2]))), "'<' not supported between instances of 'dict' and 'dict'");
});

test('lists, dicts and sets cannot be keys', () => {
  assert.is(raisesTypeError(() => dict([[1], 2])), "unhashable type: 'list'");
  assert.is(raisesTypeError(() => new PySet([new PySet()])), "unhashable type: 'set'");
  assert.is(raisesTypeError(() => new PySet([tuple(dict())])), "unhashable type: 'dict'");
});

test('truthiness', () => {
  // print(bool(0), bool(0.0), bool(""), bool([]), bool(()), bool({}), bool(set()), bool(None), bool(-1), bool("0"), bool([0]));
  const got = [0, float(0), '', [], tuple(), dict(), new PySet(), null, -1, '0', [0]].map(truthy);
  assert.is(line(...got), 'False False False False False False False False True True True');
  assert.ok(truthy(2n ** 64n));
});

test('type names', () => {
  // print(type(1).__name__, type(1.0).__name__, ... type(True).__name__);
  const got = [1, float(1), '', [], tuple(), dict(), new PySet(), null, true].map(typeName);
  assert.is(got.join(' '), 'int float str list tuple dict set NoneType bool');
});

test('str and repr of values and nested containers', () => {
  // print(str(None), str(True), repr("x"), str("x"), str([None, True, 1.0, "x"]), str(("a",)), str({"k": ("v", 2)}), str({2.0}));
  assert.is(
    line(null, true, repr('x'), 'x', [null, true, float(1), 'x'], tuple('a'), dict(['k', tuple('v', 2)]), new PySet([float(2)])),
    "None True 'x' x [None, True, 1.0, 'x'] ('a',) {'k': ('v', 2)} {2.0}",
  );
  // print({1: {2: [3, {4}]}}, [(), (1,), (1, 2)], {(): []});
  assert.is(line(dict([1, dict([2, [3, new PySet([4])]])]), [tuple(), tuple(1), tuple(1, 2)], dict([tuple(), []])), '{1: {2: [3, {4}]}} [(), (1,), (1, 2)] {(): []}');
  // print([1, 2.0, "a", 'b"c', "it's", None, True, (1,), (), {}, {1: "x"}, set(), {3}]);
  assert.is(
    repr([1, float(2), 'a', 'b"c', "it's", null, true, tuple(1), tuple(), dict(), dict([1, 'x']), new PySet(), new PySet([3])]),
    `[1, 2.0, 'a', 'b"c', "it's", None, True, (1,), (), {}, {1: 'x'}, set(), {3}]`,
  );
});

test('dict operations keep insertion order and the first key', () => {
  const d = dict(['b', 1], ['a', 2]);
  d.set('b', 3);
  assert.equal(d.keys(), ['b', 'a']);
  assert.is(d.get('b'), 3);
  assert.ok(d.delete('b'));
  assert.not.ok(d.has('b'));
  assert.is(d.get('missing'), undefined);
  d.set('\u0000t[]', 'a str key that looks like an encoded tuple');
  d.set(tuple(), 'the empty tuple');
  assert.is(d.size, 3);
});

test.run();
