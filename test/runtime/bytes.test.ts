// bytes values: literals, repr, operators, methods, codecs and the bytes() constructor. Each
// expected string is what `python3.12` printed for `repr(expression)` (or, after `!`, the
// message of the exception it raised); the expressions are valid Jac and Python alike.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PyBytes, bytesRepr, decode, encode } from '../../runtime/values/bytes.ts';
import { equals, truthy } from '../../runtime/values/compare.ts';
import { hashKey } from '../../runtime/values/containers.ts';
import { PyError } from '../../runtime/values/errors.ts';
import { evaluate } from '../helpers/evaluate.ts';


const cases: [string, string][] = [
  ["b\"bytes\"", "b'bytes'"],
  ["b\"it's\"", "b\"it's\""],
  ["b'say \"hi\"'", "b'say \"hi\"'"],
  ["b\"both ' and \\x22\"", "b'both \\' and \"'"],
  ["b\"\\x00\\x07\\x1f\\x7f\\x80\\xff\\t\\n\\r\\\\\"", "b'\\x00\\x07\\x1f\\x7f\\x80\\xff\\t\\n\\r\\\\'"],
  ["rb\"raw\\bytes\"", "b'raw\\\\bytes'"],
  ["str(b\"x\")", "\"b'x'\""],
  ["type(b\"x\")", "<class 'bytes'>"],
  ["type(b\"x\") == bytes", "True"],
  ["isinstance(b\"x\", bytes)", "True"],
  ["len(b\"abc\")", "3"],
  ["len(b\"\")", "0"],
  ["b\"abc\"[0]", "97"],
  ["b\"abc\"[-1]", "99"],
  ["b\"abc\"[True]", "98"],
  ["b\"abc\"[1:]", "b'bc'"],
  ["b\"abcdef\"[::2]", "b'ace'"],
  ["b\"abc\"[::-1]", "b'cba'"],
  ["b\"abc\"[5:]", "b''"],
  ["list(b\"hi\")", "[104, 105]"],
  ["[x + 1 for x in b\"ab\"]", "[98, 99]"],
  ["b\"a\" + b\"bc\"", "b'abc'"],
  ["b\"ab\" * 3", "b'ababab'"],
  ["3 * b\"ab\"", "b'ababab'"],
  ["b\"ab\" * 0", "b''"],
  ["b\"ab\" * -2", "b''"],
  ["b\"b\" in b\"abc\"", "True"],
  ["b\"\" in b\"abc\"", "True"],
  ["b\"ac\" in b\"abc\"", "False"],
  ["98 in b\"abc\"", "True"],
  ["True in b\"\\x01\"", "True"],
  ["b\"abc\" == b\"abc\"", "True"],
  ["b\"abc\" != b\"abd\"", "True"],
  ["b\"abc\" == \"abc\"", "False"],
  ["b\"abc\" < b\"abd\"", "True"],
  ["b\"ab\" < b\"abc\"", "True"],
  ["b\"b\" > b\"abc\"", "True"],
  ["b\"abc\" >= b\"abc\"", "True"],
  ["sorted([b\"b\", b\"a\", b\"ab\"])", "[b'a', b'ab', b'b']"],
  ["{b\"k\": 1}[b\"k\"]", "1"],
  ["len({b\"a\", b\"a\", b\"b\"})", "2"],
  ["b\"x\" in {b\"x\": 1}", "True"],
  ["{(b\"a\", 1): 2}[(b\"a\", 1)]", "2"],
  ["bool(b\"\")", "False"],
  ["bool(b\"\\x00\")", "True"],
  ["b\"caf\\xc3\\xa9\".decode()", "'café'"],
  ["b\"caf\\xc3\\xa9\".decode(\"latin-1\")", "'cafÃ©'"],
  ["b\"abc\".decode(\"ascii\")", "'abc'"],
  ["b\"abc\".decode(encoding=\"utf-8\", errors=\"strict\")", "'abc'"],
  ["b\"\\xf0\\x9f\\x98\\x80\".decode()", "'😀'"],
  ["b\"a\\xffb\".decode(\"utf-8\", \"replace\")", "'a�b'"],
  ["b\"a\\xffb\".decode(\"utf-8\", \"ignore\")", "'ab'"],
  ["b\"\\xff\".decode()", "!'utf-8' codec can't decode byte 0xff in position 0: invalid start byte"],
  ["b\"\\xe4\\xb8\".decode()", "!'utf-8' codec can't decode bytes in position 0-1: unexpected end of data"],
  ["b\"\\xe4\\xb8A\".decode()", "!'utf-8' codec can't decode bytes in position 0-1: invalid continuation byte"],
  ["b\"\\xe4A\".decode()", "!'utf-8' codec can't decode byte 0xe4 in position 0: invalid continuation byte"],
  ["b\"\\xed\\xa0\\x80\".decode()", "!'utf-8' codec can't decode byte 0xed in position 0: invalid continuation byte"],
  ["b\"\\xe9\".decode(\"ascii\")", "!'ascii' codec can't decode byte 0xe9 in position 0: ordinal not in range(128)"],
  ["b\"x\".decode(\"nope\")", "!unknown encoding: nope"],
  ["b\"x\".decode(1)", "!decode() argument 'encoding' must be str, not int"],
  ["\"caf\\u00e9\".encode()", "b'caf\\xc3\\xa9'"],
  ["\"\\U0001F600\".encode()", "b'\\xf0\\x9f\\x98\\x80'"],
  ["\"caf\\u00e9\".encode(\"latin-1\")", "b'caf\\xe9'"],
  ["\"caf\\u00e9\".encode(\"ascii\", \"replace\")", "b'caf?'"],
  ["\"caf\\u00e9\".encode(\"ascii\", \"ignore\")", "b'caf'"],
  ["\"caf\\u00e9\\u00e9\".encode(\"ascii\")", "!'ascii' codec can't encode characters in position 3-4: ordinal not in range(128)"],
  ["\"\\u20ac\".encode(\"latin-1\")", "!'latin-1' codec can't encode character '\\u20ac' in position 0: ordinal not in range(256)"],
  ["\"x\".encode(\"nope\")", "!unknown encoding: nope"],
  ["\"x\".encode(\"utf-8\", \"bogus\")", "b'x'"],
  ["bytes()", "b''"],
  ["bytes(3)", "b'\\x00\\x00\\x00'"],
  ["bytes([104, 105])", "b'hi'"],
  ["bytes((1, 2))", "b'\\x01\\x02'"],
  ["bytes(range(3))", "b'\\x00\\x01\\x02'"],
  ["bytes(b\"ab\")", "b'ab'"],
  ["bytes(\"h\\u00e9\", \"utf-8\")", "b'h\\xc3\\xa9'"],
  ["bytes(\"h\\u00e9\", encoding=\"latin-1\")", "b'h\\xe9'"],
  ["bytes([300])", "!bytes must be in range(0, 256)"],
  ["bytes([-1])", "!bytes must be in range(0, 256)"],
  ["bytes([\"a\"])", "!'str' object cannot be interpreted as an integer"],
  ["bytes(\"x\")", "!string argument without an encoding"],
  ["bytes(1, \"utf-8\")", "!encoding without a string argument"],
  ["bytes(-1)", "!negative count"],
  ["bytes(1.5)", "!cannot convert 'float' object to bytes"],
  ["bytes(None)", "!cannot convert 'NoneType' object to bytes"],
  ["b\"abc\".hex()", "'616263'"],
  ["b\"\\x01\\x02\\x03\".hex(\":\")", "'01:02:03'"],
  ["b\"\\x01\\x02\\x03\".hex(\":\", 2)", "'01:0203'"],
  ["b\"\\x01\\x02\\x03\".hex(\":\", -2)", "'0102:03'"],
  ["b\"a,b,,c\".split(b\",\")", "[b'a', b'b', b'', b'c']"],
  ["b\"a,b,c\".split(b\",\", 1)", "[b'a', b'b,c']"],
  ["b\"a,b,c\".rsplit(b\",\", 1)", "[b'a,b', b'c']"],
  ["b\"  a \\t b\\n\".split()", "[b'a', b'b']"],
  ["b\"  pad  \".strip()", "b'pad'"],
  ["b\"xxaxx\".strip(b\"x\")", "b'a'"],
  ["b\"  pad  \".lstrip()", "b'pad  '"],
  ["b\"  pad  \".rstrip()", "b'  pad'"],
  ["b\"aBc\".upper()", "b'ABC'"],
  ["b\"aBc\".lower()", "b'abc'"],
  ["b\"-\".join([b\"a\", b\"b\"])", "b'a-b'"],
  ["b\"-\".join([b\"a\", \"b\"])", "!sequence item 1: expected a bytes-like object, str found"],
  ["b\"abcabc\".find(b\"c\")", "2"],
  ["b\"abcabc\".rfind(b\"c\")", "5"],
  ["b\"abcabc\".find(99)", "2"],
  ["b\"abc\".find(\"c\")", "!argument should be integer or bytes-like object, not 'str'"],
  ["b\"abc\".find(300)", "!byte must be in range(0, 256)"],
  ["b\"abcabc\".count(b\"b\")", "2"],
  ["b\"abc\".count(b\"\")", "4"],
  ["b\"abc\".index(b\"z\")", "!subsection not found"],
  ["b\"abc\".startswith(b\"ab\")", "True"],
  ["b\"abc\".startswith((b\"x\", b\"a\"))", "True"],
  ["b\"abc\".endswith(b\"c\", 0, 2)", "False"],
  ["b\"abc\".startswith(\"a\")", "!startswith first arg must be bytes or a tuple of bytes, not str"],
  ["b\"aXbXc\".replace(b\"X\", b\"-\")", "b'a-b-c'"],
  ["b\"aXbXc\".replace(b\"X\", b\"-\", 1)", "b'a-bXc'"],
  ["b\"abc\".replace(b\"\", b\"-\")", "b'-a-b-c-'"],
  ["b\"k=v\".partition(b\"=\")", "(b'k', b'=', b'v')"],
  ["b\"a=b=c\".rpartition(b\"=\")", "(b'a=b', b'=', b'c')"],
  ["b\"123\".isdigit()", "True"],
  ["b\"abc\".isalpha()", "True"],
  ["b\"%d:%s:%r\" % (5, b\"x\", b\"y\")", "b\"5:x:b'y'\""],
  ["b\"%(k)s\" % {b\"k\": b\"v\"}", "b'v'"],
  ["b\"%c%c\" % (65, b\"b\")", "b'Ab'"],
  ["b\"%5.1f|%x\" % (2.25, 255)", "b'  2.2|ff'"],
  ["b\"%s\" % \"x\"", "!%b requires a bytes-like object, or an object that implements __bytes__, not 'str'"],
  ["b\"%c\" % 300", "!%c arg not in range(256)"],
  ["b\"abc\" % 5", "!not all arguments converted during bytes formatting"],
  ["b\"a\" + \"b\"", "!can't concat str to bytes"],
  ["b\"a\" + 1", "!can't concat int to bytes"],
  ["\"a\" + b\"b\"", "!can only concatenate str (not \"bytes\") to str"],
  ["1 + b\"a\"", "!unsupported operand type(s) for +: 'int' and 'bytes'"],
  ["b\"abc\"[5]", "!index out of range"],
  ["b\"abc\"[\"x\"]", "!byte indices must be integers or slices, not str"],
  ["\"a\" in b\"abc\"", "!a bytes-like object is required, not 'str'"],
  ["300 in b\"abc\"", "!byte must be in range(0, 256)"],
  ["b\"a\" < \"b\"", "!'<' not supported between instances of 'bytes' and 'str'"],
  ["b\"x\".nope", "!'bytes' object has no attribute 'nope'"],
];

test('bytes in programs: literals, indexing, operators, methods, bytes(), `%`, with Python errors', () => {
  const got = evaluate(cases.map(([expression]) => expression));
  cases.forEach(([expression, expected], i) => assert.is(got[i], expected, expression));
});

const bytes = (...data: number[]) => new PyBytes(Uint8Array.from(data));

test('repr picks the quote Python picks and escapes what Python escapes', () => {
  assert.is(bytesRepr(Uint8Array.from([0x27])), `b"'"`);
  assert.is(bytesRepr(Uint8Array.from([0x27, 0x22])), `b'\\'"'`);
  assert.is(bytesRepr(Uint8Array.from([0x5c, 0x0b, 0x7e])), `b'\\\\\\x0b~'`);
});

test('equal bytes are one dict key and are never equal to a str', () => {
  assert.ok(equals(bytes(97), PyBytes.fromLatin1('a')));
  assert.not.ok(equals(bytes(97), 'a'));
  assert.is(hashKey(bytes(97, 98)), hashKey(PyBytes.fromLatin1('ab')));
  assert.is.not(hashKey(bytes(97)), hashKey('a'));
  assert.not.ok(truthy(bytes()));
  assert.ok(truthy(bytes(0)));
});

test('codec errors carry the Unicode error class names', () => {
  const raised = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      assert.instance(e, PyError);
      return `${(e as PyError).pyType}: ${(e as PyError).message}`;
    }
    return 'no error';
  };
  assert.is(raised(() => decode(bytes(0xff))), "UnicodeDecodeError: 'utf-8' codec can't decode byte 0xff in position 0: invalid start byte");
  assert.is(raised(() => encode('\u00e9', 'ascii')), "UnicodeEncodeError: 'ascii' codec can't encode character '\\xe9' in position 0: ordinal not in range(128)");
  assert.is(raised(() => encode('x', 'nope')), 'LookupError: unknown encoding: nope');
});

test.run();
