// Python number semantics. Every expected value here was printed by jaclang 0.8.0 (Python 3.12)
// for the same expression.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PyError } from '../../runtime/values/errors.ts';
import {
  PyFloat,
  float,
  floatFloorDiv,
  floatMod,
  floatRepr,
  int,
  intAdd,
  intFloorDiv,
  intMod,
  intMul,
  intNeg,
  intPow,
  intSub,
  intTrueDiv,
} from '../../runtime/values/numbers.ts';
import { strRepr } from '../../runtime/values/strings.ts';

const show = (x: unknown) => (x instanceof PyFloat ? floatRepr(x.value) : String(x));

test('float repr: shortest round-trip digits in Python layout', () => {
  const cases: [number, string][] = [
    [0.0, '0.0'], [-0.0, '-0.0'], [1.0, '1.0'], [1.5, '1.5'], [0.1, '0.1'],
    [0.1 + 0.2, '0.30000000000000004'], [1 / 3, '0.3333333333333333'], [2 / 3, '0.6666666666666666'],
    [1e16, '1e+16'], [1e15, '1000000000000000.0'], [123456789012345678.0, '1.2345678901234568e+17'],
    [1e-4, '0.0001'], [1e-5, '1e-05'], [0.0001234, '0.0001234'], [1e22, '1e+22'], [1.5e300, '1.5e+300'],
    [5e-324, '5e-324'], [2.5, '2.5'], [100.0, '100.0'], [1e100, '1e+100'], [-1e-7, '-1e-07'], [3.14159, '3.14159'],
    [Infinity, 'inf'], [-Infinity, '-inf'], [NaN, 'nan'], [9007199254740993.0, '9007199254740992.0'], [0.3, '0.3'],
    [1e21, '1e+21'], [1e-6, '1e-06'], [12345.6789, '12345.6789'], [3.5, '3.5'], [Math.SQRT2, '1.4142135623730951'],
  ];
  for (const [x, expected] of cases) assert.is(floatRepr(x), expected, String(x));
});

test('floor division and modulo round toward negative infinity, for ints and floats', () => {
  // print(7 // 2, -7 // 2, 7 % 3, -7 % 3, 7 % -3, -7 % -3, 7.5 // 2, -7.5 // 2, 7.5 % 2, -7.5 % 2, 7 % 2.5)
  const got = [
    intFloorDiv(7, 2), intFloorDiv(-7, 2), intMod(7, 3), intMod(-7, 3), intMod(7, -3), intMod(-7, -3),
    floatFloorDiv(7.5, 2), floatFloorDiv(-7.5, 2), floatMod(7.5, 2), floatMod(-7.5, 2), floatMod(7, 2.5),
  ].map(show);
  assert.equal(got.join(' '), '3 -4 1 2 -2 -1 3.0 -4.0 1.5 0.5 2.0');
  // print(5 // 0.5, 5.0 % 0.3)
  assert.equal([floatFloorDiv(5, 0.5), floatMod(5, 0.3)].map(show).join(' '), '10.0 0.20000000000000018');
});

test('powers: exact big ints, floats for negative exponents', () => {
  // print(2 ** 10, 2 ** -1, (-8) ** 2, 2 ** 64, 2 ** 100, -(2 ** 63), 3 ** 40)
  const got = [intPow(2, 10), intPow(2, -1), intPow(-8, 2), intPow(2, 64), intPow(2, 100), intNeg(intPow(2, 63) as bigint), intPow(3, 40)];
  assert.is(got.map(show).join(' '), '1024 0.5 64 18446744073709551616 1267650600228229401496703205376 -9223372036854775808 12157665459056928801');
});

test('ints past 2^53 stay exact, and come back to numbers when small again', () => {
  // print(2**53 + 1, 2**53 * 3, 9007199254740993 - 1, 10**20 // 3, 10**20 % 7, -(10**20) // 7, 10**20 / 4)
  const p53 = intPow(2, 53) as number;
  const e20 = intPow(10, 20) as bigint;
  const got = [intAdd(p53, 1), intMul(p53, 3), intSub(9007199254740993n, 1), intFloorDiv(e20, 3), intMod(e20, 7), intFloorDiv(intNeg(e20), 7), intTrueDiv(e20, 4)];
  assert.is(got.map(show).join(' '), '9007199254740993 27021597764222976 9007199254740992 33333333333333333333 2 -14285714285714285715 2.5e+19');
  assert.is(typeof intSub(2n ** 53n, 1), 'number', 'the canonical form of a safe int (below 2^53) is a number');
  assert.is(typeof intAdd(Number.MAX_SAFE_INTEGER, 1), 'bigint', '2^53 is past the safe range');
  assert.is(int(5n), 5);
  assert.is(typeof int(2n ** 60n), 'bigint');
});

test('ints never become -0', () => {
  assert.ok(Object.is(intMul(0, -5), 0));
  assert.ok(Object.is(intNeg(0), 0));
  assert.ok(Object.is(intMod(-6, 3), 0));
});

test('true division of ints gives a float', () => {
  assert.equal(show(intTrueDiv(7, 2)), '3.5');
  assert.equal(show(intTrueDiv(4, 2)), '2.0');
  assert.equal(show(intTrueDiv(10, 4)), '2.5');
});

test('division by zero raises ZeroDivisionError with Python messages', () => {
  const raises = (f: () => unknown, message: string) => {
    try {
      f();
    } catch (e) {
      assert.instance(e, PyError);
      assert.is((e as PyError).pyType, 'ZeroDivisionError');
      assert.is((e as PyError).message, message);
      return;
    }
    assert.unreachable(`expected ZeroDivisionError: ${message}`);
  };
  raises(() => intFloorDiv(1, 0), 'integer division or modulo by zero');
  raises(() => intMod(1, 0), 'integer modulo by zero');
  raises(() => intTrueDiv(1, 0), 'division by zero');
  raises(() => floatFloorDiv(1, 0), 'float floor division by zero');
  raises(() => floatMod(1, 0), 'float modulo');
  raises(() => intPow(0, -1), '0.0 cannot be raised to a negative power');
});

test('float results keep their float-ness', () => {
  assert.instance(float(2), PyFloat);
  assert.is(show(float(3)), '3.0');
});

test('str repr: quote choice and escapes as Python writes them', () => {
  // print(repr("tab\tnew\nline"), repr("q'" + '"'), repr("\\"), repr("\x00\x7f\xe9"), "it's", 'b"c')
  assert.is(strRepr('tab\tnew\nline'), "'tab\\tnew\\nline'");
  assert.is(strRepr('q\'"'), "'q\\'\"'");
  assert.is(strRepr('\\'), "'\\\\'");
  assert.is(strRepr('\x00\x7f\xe9'), "'\\x00\\x7fé'");
  assert.is(strRepr("it's"), '"it\'s"');
  assert.is(strRepr('b"c'), '\'b"c\'');
  assert.is(strRepr('a b'), "'a b'");
  assert.is(strRepr('\u2028\u{1F600}'), "'\\u2028\u{1F600}'");
});

test.run();
