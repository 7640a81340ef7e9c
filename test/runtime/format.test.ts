// format(value, spec), str.format and printf-style `%`, checked against CPython 3.12: every
// expected string below was printed by `python3.12` for the same value and spec (a leading
// `!` marks the exception it raised).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { getAttribute, getItem } from '../../runtime/interpreter/protocols.ts';
import { PyDict, PyTuple } from '../../runtime/values/containers.ts';
import { PyError } from '../../runtime/values/errors.ts';
import { format, strFormat } from '../../runtime/values/format.ts';
import { PyFloat } from '../../runtime/values/numbers.ts';
import { printf } from '../../runtime/values/printf.ts';
import type { Value } from '../../runtime/values/value.ts';

const f = (x: number) => new PyFloat(x);
const tuple = (...items: Value[]) => new PyTuple(items);
function dict(...pairs: [Value, Value][]): PyDict {
  const d = new PyDict();
  for (const [k, v] of pairs) d.set(k, v);
  return d;
}
const kw = (...pairs: [string, Value][]) => dict(...pairs);

/** The result, or `!Type: message` for the Python exception raised instead. */
function outcome(run: () => string): string {
  try {
    return run();
  } catch (e) {
    if (e instanceof PyError) return `!${e.pyType}: ${e.message}`;
    throw e;
  }
}

const access = { attribute: getAttribute, item: (object: Value, key: Value) => getItem(object, key, false) };
const lookUp = (mapping: Value, key: Value) => getItem(mapping, key, false);

const formatCases: [Value, string, string][] = [
  // alignment, fill and width
  ["abc", ">6", "   abc"],
  ["abc", "<6", "abc   "],
  ["abc", "^6", " abc  "],
  ["abc", "^7", "  abc  "],
  ["abc", "*^8", "**abc***"],
  ["abc", "0>5", "00abc"],
  ["abc", "05", "abc00"],
  ["abc", "2", "abc"],
  ["a😀b", "^7", "  a😀b  "],
  [42, "^7", "  42   "],
  [42, "<5", "42   "],
  [42, "x^8", "xxx42xxx"],
  [-42, "=8", "-     42"],
  [-42, "08", "-0000042"],
  [-42, "<08", "-4200000"],
  [42, "€>6", "€€€€42"],
  [f(3.5), "^9", "   3.5   "],
  [true, ">6", "     1"],
  [false, "", "False"],
  [null, "", "None"],
  // sign and negative zero
  [42, "+", "+42"],
  [42, " ", " 42"],
  [-42, " ", "-42"],
  [42, "-", "42"],
  [f(1.5), "+", "+1.5"],
  [f(1.5), " ", " 1.5"],
  [f(-0.0), "", "-0.0"],
  [f(-0.0), "f", "-0.000000"],
  [f(-0.0), "z.1f", "0.0"],
  [f(-0.0001), ".2f", "-0.00"],
  [f(-0.0001), "z.2f", "0.00"],
  [f(-0.0001), "z.2e", "-1.00e-04"],
  [f(-0.0), "+z", "+0.0"],
  [f(0.0), "+", "+0.0"],
  [f(-0.0), "g", "-0"],
  // alternate forms
  [255, "#x", "0xff"],
  [255, "#X", "0XFF"],
  [255, "#o", "0o377"],
  [5, "#b", "0b101"],
  [-255, "#x", "-0xff"],
  [255, "#010x", "0x000000ff"],
  [255, "#>10x", "########ff"],
  [255, "#_x", "0xff"],
  [f(3.0), "#g", "3.00000"],
  [f(3.0), "#.0f", "3."],
  [f(3.0), "#.0e", "3.e+00"],
  [f(1e-05), "#.3g", "1.00e-05"],
  [12, "#d", "12"],
  // grouping
  [1234567, ",", "1,234,567"],
  [1234567, "_", "1_234_567"],
  [-1234567, ",", "-1,234,567"],
  [1234567, "010,", "01,234,567"],
  [1234, "08,", "0,001,234"],
  [1234, "09,", "0,001,234"],
  [123, "07_", "000_123"],
  [0, "06,", "00,000"],
  [1180591620717411303424n, ",", "1,180,591,620,717,411,303,424"],
  [1234567, "_x", "12_d687"],
  [1234567, "_b", "1_0010_1101_0110_1000_0111"],
  [11259375, "#_X", "0XAB_CDEF"],
  [f(1234567.891), ",.2f", "1,234,567.89"],
  [f(1234567.891), "_", "1_234_567.891"],
  [f(1234567.891), "015,.1f", "0,001,234,567.9"],
  [f(1e+16), ",", "1e+16"],
  [f(-1234.5), "+012,.1f", "-0,001,234.5"],
  // int presentation types
  [42, "d", "42"],
  [42, "b", "101010"],
  [42, "o", "52"],
  [42, "x", "2a"],
  [255, "X", "FF"],
  [65, "c", "A"],
  [128512, "c", "😀"],
  [1234567, "n", "1234567"],
  [42, "e", "4.200000e+01"],
  [42, ".2f", "42.00"],
  [42, "%", "4200.000000%"],
  [42, "g", "42"],
  [1267650600228229401496703205376n, "e", "1.267651e+30"],
  [-1180591620717411303424n, "x", "-400000000000000000"],
  [10000000000000000000000000n, "d", "10000000000000000000000000"],
  [true, "d", "1"],
  [true, "x", "1"],
  [false, ".1f", "0.0"],
  // float presentation types
  [f(3.14159), "f", "3.141590"],
  [f(3.14159), ".2f", "3.14"],
  [f(2.5), ".0f", "2"],
  [f(3.5), ".0f", "4"],
  [f(0.125), ".2f", "0.12"],
  [f(0.375), ".2f", "0.38"],
  [f(2.675), ".2f", "2.67"],
  [f(1e+22), "f", "10000000000000000000000.000000"],
  [f(1e+22), ".1f", "10000000000000000000000.0"],
  [f(0.1), ".20f", "0.10000000000000000555"],
  [f(5e-324), ".3e", "4.941e-324"],
  [f(1.7976931348623157e+308), ".5e", "1.79769e+308"],
  [f(12345.678), "e", "1.234568e+04"],
  [f(12345.678), "E", "1.234568E+04"],
  [f(12345.678), ".0e", "1e+04"],
  [f(0.0), "e", "0.000000e+00"],
  [f(1e-05), "g", "1e-05"],
  [f(0.0001), "g", "0.0001"],
  [f(123456.0), "g", "123456"],
  [f(1234567.0), "g", "1.23457e+06"],
  [f(1234567.0), "G", "1.23457E+06"],
  [f(1.234e-05), ".3G", "1.23E-05"],
  [f(100.0), ".2g", "1e+02"],
  [f(100.0), "#.2g", "1.0e+02"],
  [f(0.5), ".0%", "50%"],
  [f(0.256), ".1%", "25.6%"],
  [f(1.0), "%", "100.000000%"],
  [f(1234.5), "n", "1234.5"],
  [f(1e+100), "n", "1e+100"],
  // float with no type
  [f(3.0), "", "3.0"],
  [f(3.0), "5", "  3.0"],
  [f(1e+16), "", "1e+16"],
  [f(1e+16), ".3", "1e+16"],
  [f(1234.5), ".2", "1.2e+03"],
  [f(1234.5), ".4", "1.234e+03"],
  [f(1234.5), ".5", "1234.5"],
  [f(123.0), ".4", "123.0"],
  [f(0.0001), ".2", "0.0001"],
  [f(1e-05), "", "1e-05"],
  [f(0.30000000000000004), "", "0.30000000000000004"],
  [f(0.30000000000000004), ".17", "0.30000000000000004"],
  [f(1.152921504606847e+18), "", "1.152921504606847e+18"],
  [f(1.5), ".0", "2e+00"],
  // inf and nan
  [f(Infinity), "", "inf"],
  [f(-Infinity), "f", "-inf"],
  [f(NaN), "e", "nan"],
  [f(Infinity), "F", "INF"],
  [f(NaN), "G", "NAN"],
  [f(Infinity), "010", "0000000inf"],
  [f(-Infinity), "+.2f", "-inf"],
  [f(NaN), "+", "+nan"],
  [f(Infinity), "%", "inf%"],
  [f(NaN), ",", "nan"],
  // precision on strings
  ["abcdef", ".3", "abc"],
  ["abcdef", ".0", ""],
  ["abcdef", "8.2", "ab      "],
  ["abcdef", "^9.4", "  abcd   "],
  ["a😀bc", ".2", "a😀"],
  // errors
  ["abc", "d", "!ValueError: Unknown format code 'd' for object of type 'str'"],
  ["abc", "+", "!ValueError: Sign not allowed in string format specifier"],
  ["abc", " ", "!ValueError: Space not allowed in string format specifier"],
  ["abc", "#", "!ValueError: Alternate form (#) not allowed in string format specifier"],
  ["abc", "=", "!ValueError: '=' alignment not allowed in string format specifier"],
  ["abc", ",", "!ValueError: Cannot specify ',' with 's'."],
  ["abc", "z", "!ValueError: Negative zero coercion (z) not allowed in string format specifier"],
  [42, "s", "!ValueError: Unknown format code 's' for object of type 'int'"],
  [42, ".2", "!ValueError: Precision not allowed in integer format specifier"],
  [42, "z", "!ValueError: Negative zero coercion (z) not allowed in integer format specifier"],
  [42, "+c", "!ValueError: Sign not allowed with integer format specifier 'c'"],
  [42, "#c", "!ValueError: Alternate form (#) not allowed with integer format specifier 'c'"],
  [42, ",c", "!ValueError: Cannot specify ',' with 'c'."],
  [-1, "c", "!OverflowError: %c arg not in range(0x110000)"],
  [1114112, "c", "!OverflowError: %c arg not in range(0x110000)"],
  [18446744073709551616n, "c", "!OverflowError: Python int too large to convert to C long"],
  [42, ",_", "!ValueError: Cannot specify both ',' and '_'."],
  [42, "_,", "!ValueError: Cannot specify both ',' and '_'."],
  [42, ",b", "!ValueError: Cannot specify ',' with 'b'."],
  [42, "_n", "!ValueError: Cannot specify '_' with 'n'."],
  [f(1.5), "d", "!ValueError: Unknown format code 'd' for object of type 'float'"],
  [f(1.5), "x", "!ValueError: Unknown format code 'x' for object of type 'float'"],
  [f(1.5), "_n", "!ValueError: Cannot specify '_' with 'n'."],
  [f(1.5), "abc", "!ValueError: Invalid format specifier 'abc' for object of type 'float'"],
  [f(1.5), ".", "!ValueError: Format specifier missing precision"],
  [42, "10000000000000000000000", "!ValueError: Too many decimal digits in format string"],
  [2n ** 1024n, "f", "!OverflowError: int too large to convert to float"],
  [null, "5", "!TypeError: unsupported format string passed to NoneType.__format__"],
  [[1], ">3", "!TypeError: unsupported format string passed to list.__format__"],
  ["x", "!", "!ValueError: Unknown format code '!' for object of type 'str'"],
];

test('format(value, spec): the mini-language for str, int, bool, float and other objects', () => {
  for (const [value, spec, expected] of formatCases) {
    assert.is(outcome(() => format(value, spec)), expected, `format(${String(value instanceof PyFloat ? value.value : value)}, ${JSON.stringify(spec)})`);
  }
});

const strFormatCases: [string, Value[], PyDict, string][] = [
  ["{} and {}", [1, "two"], kw(), "1 and two"],
  ["{0}{1}{0}", ["a", "b"], kw(), "aba"],
  ["{x}-{y}", [], kw(["x", 1], ["y", f(2.5)]), "1-2.5"],
  ["{{}} {{{0}}}", [7], kw(), "{} {7}"],
  ["{!r} {!s} {!a}", ["é", "é", "é"], kw(), "'é' é '\\xe9'"],
  ["{0!r:>8}|", ["ab"], kw(), "    'ab'|"],
  ["{:>{w}}|", ["z"], kw(["w", 6]), "     z|"],
  ["{:{}{}}", [3, ">", 5], kw(), "    3"],
  ["{:{w}.{p}f}", [f(3.14159)], kw(["w", 10], ["p", 2]), "      3.14"],
  ["{0[1]}{0[0]}", [["p", "q"]], kw(), "qp"],
  ["{d[k]}", [], kw(["d", dict(["k", "v"])]), "v"],
  ["{0[0]}", [dict([0, "zero"])], kw(), "zero"],
  ["{0:x} {0:#b} {0:,}", [255], kw(), "ff 0b11111111 255"],
  ["{:.2%}", [f(0.5)], kw(), "50.00%"],
  ["{:c}{:c}", [72, 105], kw(), "Hi"],
  ["{}", [[1, "a"]], kw(), "[1, 'a']"],
  ["{!s:>6}", [null], kw(), "  None"],
  ["{:}", [f(1.0)], kw(), "1.0"],
  ["{", [], kw(), "!ValueError: Single '{' encountered in format string"],
  ["}", [], kw(), "!ValueError: Single '}' encountered in format string"],
  ["a}b", [], kw(), "!ValueError: Single '}' encountered in format string"],
  ["{0", [1], kw(), "!ValueError: expected '}' before end of string"],
  ["{0:", [1], kw(), "!ValueError: unmatched '{' in format spec"],
  ["{0!r", [1], kw(), "!ValueError: unmatched '{' in format spec"],
  ["{0!}", [1], kw(), "!ValueError: unmatched '{' in format spec"],
  ["{0!", [1], kw(), "!ValueError: end of string while looking for conversion specifier"],
  ["{0!x}", [1], kw(), "!ValueError: Unknown conversion specifier x"],
  ["{0!rx}", [1], kw(), "!ValueError: expected ':' after conversion specifier"],
  ["{0[}", [1], kw(), "!ValueError: expected '}' before end of string"],
  ["{0]}", [[1]], kw(), "!KeyError: '0]'"],
  ["{0.}", [1], kw(), "!ValueError: Empty attribute in format string"],
  ["{0[0]x}", [[1]], kw(), "!ValueError: Only '.' or '[' may follow ']' in format field specifier"],
  ["{0[]}", [[1]], kw(), "!ValueError: Empty attribute in format string"],
  ["{a{b}", [], kw(), "!ValueError: unexpected '{' in field name"],
  ["{}{1}", [1, 2], kw(), "!ValueError: cannot switch from automatic field numbering to manual field specification"],
  ["{1}{}", [1, 2], kw(), "!ValueError: cannot switch from manual field specification to automatic field numbering"],
  ["{2}", [1, 2], kw(), "!IndexError: Replacement index 2 out of range for positional args tuple"],
  ["{}{}{}", [1, 2], kw(), "!IndexError: Replacement index 2 out of range for positional args tuple"],
  ["{x}", [1], kw(), "!KeyError: 'x'"],
  ["{0[5]}", [[1]], kw(), "!IndexError: list index out of range"],
  ["{0[a]}", [[1]], kw(), "!TypeError: list indices must be integers or slices, not str"],
  ["{:{:{}}}", [3, 4, 5], kw(), "!ValueError: Max string recursion exceeded"],
  ["{:d}", ["x"], kw(), "!ValueError: Unknown format code 'd' for object of type 'str'"],
  ["{:>8}", [[1]], kw(), "!TypeError: unsupported format string passed to list.__format__"],
];

test('str.format: positional, keyword, attribute and index fields, conversions, nested specs, errors', () => {
  for (const [template, args, kwargs, expected] of strFormatCases) {
    assert.is(outcome(() => strFormat(template, args, kwargs, access)), expected, JSON.stringify(template));
  }
});

test('str.format_map takes no positional fields', () => {
  assert.is(outcome(() => strFormat('{x}', null, kw(['x', 1]), access)), '1');
  assert.is(outcome(() => strFormat('{0}', null, kw(['x', 1]), access)), '!ValueError: Format string contains positional fields');
});

const printfCases: [string, Value, string][] = [
  ["%d-%s", tuple(3, "x"), "3-x"],
  ["%s", "solo", "solo"],
  ["%s", tuple(1, 2), "!TypeError: not all arguments converted during string formatting"],
  ["%s", tuple(tuple(1, 2)), "(1, 2)"],
  ["%s", [1, 2], "[1, 2]"],
  ["%r|%a", tuple("é", "é"), "'é'|'\\xe9'"],
  ["%5s|%-5s|%.2s|%5.1s", tuple("ab", "ab", "abc", "xyz"), "   ab|ab   |ab|    x"],
  ["%d %i %u", tuple(42, -7, true), "42 -7 1"],
  ["%d", f(3.99), "3"],
  ["%d", f(-3.99), "-3"],
  ["%5d|%-5d|%05d|%+d|% d|%+05d", tuple(42, 42, -42, 42, 42, 42), "   42|42   |-0042|+42| 42|+0042"],
  ["%.3d|%+.3d|%8.3d", tuple(5, -5, 5), "005|-005|     005"],
  ["%x %X %o", tuple(255, 255, 8), "ff FF 10"],
  ["%#x %#X %#o", tuple(255, 255, 8), "0xff 0XFF 0o10"],
  ["%#8x|%#-8x|%#08x|%+#x", tuple(255, 255, 255, 255), "    0xff|0xff    |0x0000ff|+0xff"],
  ["%x", -255, "-ff"],
  ["%#x", -255, "-0xff"],
  ["%08.3x", -255, "-00000ff"],
  ["%d", 1180591620717411303424n, "1180591620717411303424"],
  ["%x", 1180591620717411303424n, "400000000000000000"],
  ["%f %e %g", tuple(f(3.14159), f(3.14159), f(3.14159)), "3.141590 3.141590e+00 3.14159"],
  ["%.2f|%10.3f|%-10.1f|%+.1f|% .1f|%010.2f", tuple(f(2.675), f(3.14159), f(2.5), f(2.5), f(2.5), f(-3.14159)), "2.67|     3.142|2.5       |+2.5| 2.5|-000003.14"],
  ["%.0f %.0f %.0f", tuple(f(0.5), f(1.5), f(2.5)), "0 2 2"],
  ["%E %G %F", tuple(f(12345.678), f(1e-10), f(1.5)), "1.234568E+04 1E-10 1.500000"],
  ["%#g %#.0f %#.0e", tuple(f(1.0), f(2.0), f(3.0)), "1.00000 2. 3.e+00"],
  ["%g %g %g", tuple(f(1e-05), f(123456789.0), f(100000.0)), "1e-05 1.23457e+08 100000"],
  ["%f %e", tuple(f(Infinity), f(-Infinity)), "inf -inf"],
  ["%F %E", tuple(f(NaN), f(Infinity)), "NAN INF"],
  ["%010f|%-8f|", tuple(f(Infinity), f(NaN)), "0000000inf|nan     |"],
  ["%f", 7, "7.000000"],
  ["%.3e", 0, "0.000e+00"],
  ["%c%c%c", tuple(72, "i", 128512), "Hi😀"],
  ["%5c|%-3c|", tuple("x", "y"), "    x|y  |"],
  ["%%", tuple(), "%"],
  ["100%% %s", tuple("sure"), "100% sure"],
  ["%(name)s is %(age)d", dict(["name", "Ann"], ["age", 30]), "Ann is 30"],
  ["%(a(b))s", dict(["a(b)", 1]), "1"],
  ["%(x)s", dict(), "!KeyError: 'x'"],
  ["%s", dict(["k", 1]), "{'k': 1}"],
  ["abc", [], "abc"],
  ["abc", dict(), "abc"],
  ["%*d|%-*d|%.*f", tuple(5, 1, 5, 2, 2, f(3.14159)), "    1|2    |3.14"],
  ["%*d|", tuple(-5, 1), "1    |"],
  ["%.*s", tuple(-1, "abc"), ""],
  ["%hd %ld %Lf", tuple(1, 2, f(3.0)), "1 2 3.000000"],
  ["%s %s", tuple(1), "!TypeError: not enough arguments for format string"],
  ["%s", tuple(1, 2), "!TypeError: not all arguments converted during string formatting"],
  ["abc", 5, "!TypeError: not all arguments converted during string formatting"],
  ["abc", "x", "!TypeError: not all arguments converted during string formatting"],
  ["abc%", tuple(), "!ValueError: incomplete format"],
  ["%5%", tuple(), "!TypeError: not enough arguments for format string"],
  ["%5%", tuple(1), "!ValueError: unsupported format character '%' (0x25) at index 2"],
  ["%(a", dict(["a", 1]), "!ValueError: incomplete format key"],
  ["%(a)", dict(["a", 1]), "!ValueError: incomplete format"],
  ["%(a)s", 5, "!TypeError: format requires a mapping"],
  ["%(a)s %s", dict(["a", 1]), "!TypeError: not enough arguments for format string"],
  ["%y", 1, "!ValueError: unsupported format character 'y' (0x79) at index 1"],
  ["%y", tuple(), "!TypeError: not enough arguments for format string"],
  ["%\u007f", 1, "!ValueError: unsupported format character '?' (0x7f) at index 1"],
  ["%d", "x", "!TypeError: %d format: a real number is required, not str"],
  ["%x", f(1.5), "!TypeError: %x format: an integer is required, not float"],
  ["%x", "x", "!TypeError: %x format: an integer is required, not str"],
  ["%f", "x", "!TypeError: must be real number, not str"],
  ["%c", "ab", "!TypeError: %c requires int or char"],
  ["%c", f(1.5), "!TypeError: %c requires int or char"],
  ["%c", 1114112, "!OverflowError: %c arg not in range(0x110000)"],
  ["%c", -1, "!OverflowError: %c arg not in range(0x110000)"],
  ["%*d", tuple("a", 1), "!TypeError: * wants int"],
  ["%d", null, "!TypeError: %d format: a real number is required, not NoneType"],
  ["%d", f(Infinity), "!OverflowError: cannot convert float infinity to integer"],
  ["%d", f(NaN), "!ValueError: cannot convert float NaN to integer"],
  ["%f", 2n ** 1100n, "!OverflowError: int too large to convert to float"],
];

test('printf-style `%`: conversions, flags, width and precision, mappings, errors', () => {
  for (const [template, args, expected] of printfCases) {
    assert.is(outcome(() => printf(template, args, lookUp)), expected, JSON.stringify(template));
  }
});

test.run();
