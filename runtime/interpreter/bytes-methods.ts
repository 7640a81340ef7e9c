// The methods of bytes. A bytes value is viewed as a string of one char per byte, so the
// search and split algorithms of str-methods.ts apply unchanged; arguments and errors differ.
import { PyBytes, decode, encode } from '../values/bytes.ts';
import { PyTuple } from '../values/containers.ts';
import { PyError } from '../values/errors.ts';
import { typeName, type Value } from '../values/value.ts';
import type { Method } from './methods.ts';
import { iterate } from './protocols.ts';
import { adjust, countIn, findIn, index, params, splitOn, splitWhitespace, tailMatch } from './str-methods.ts';

type Kwargs = Map<string, Value>;

const wrap = (text: string) => PyBytes.fromLatin1(text);

/** bytes (Python's bytes-like) as one char per byte. */
function bytesLike(v: Value): string {
  if (v instanceof PyBytes) return v.latin1();
  throw new PyError('TypeError', `a bytes-like object is required, not '${typeName(v)}'`);
}

/** What find() and count() look for: a byte value or a run of bytes. */
function needle(v: Value): string {
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') {
    const n = Number(v);
    if (n < 0 || n > 255) throw new PyError('ValueError', 'byte must be in range(0, 256)');
    return String.fromCharCode(n);
  }
  if (v instanceof PyBytes) return v.latin1();
  throw new PyError('TypeError', `argument should be integer or bytes-like object, not '${typeName(v)}'`);
}

function takes(name: string, a: Value[], kw: Kwargs, min: number, max: number): void {
  if (kw.size > 0) throw new PyError('TypeError', `${name}() takes no keyword arguments`);
  if (a.length < min) throw new PyError('TypeError', `${name}() takes at least ${min} argument${min === 1 ? '' : 's'} (${a.length} given)`);
  if (a.length > max) throw new PyError('TypeError', `${name}() takes at most ${max} argument${max === 1 ? '' : 's'} (${a.length} given)`);
}

const ASCII_SPACE = (ch: string) => ch === ' ' || (ch >= '\t' && ch <= '\r');

function findMethod(name: string, reverse: boolean, raise: boolean): Method<PyBytes> {
  return (b, a, kw) => {
    takes(name, a, kw, 1, 3);
    const i = findIn(b.latin1(), needle(a[0]), ...adjust(a[1], a[2], b.data.length), reverse);
    if (i === -1 && raise) throw new PyError('ValueError', 'subsection not found');
    return i;
  };
}

function matchMethod(name: string, atEnd: boolean): Method<PyBytes> {
  return (b, a, kw) => {
    takes(name, a, kw, 1, 3);
    const [start, end] = adjust(a[1], a[2], b.data.length);
    const text = b.latin1();
    if (a[0] instanceof PyBytes) return tailMatch(text, a[0].latin1(), start, end, atEnd);
    if (!(a[0] instanceof PyTuple)) throw new PyError('TypeError', `${name} first arg must be bytes or a tuple of bytes, not ${typeName(a[0])}`);
    for (const part of a[0].items) if (tailMatch(text, bytesLike(part), start, end, atEnd)) return true;
    return false;
  };
}

function splitMethod(name: string, reverse: boolean): Method<PyBytes> {
  return (b, a, kw) => {
    const [sep = null, maxsplit = -1] = params(name, a, kw, ['sep', 'maxsplit']);
    const max = index(maxsplit);
    const parts = sep === null ? splitWhitespace(b.latin1(), max, ASCII_SPACE, reverse) : splitOn(b.latin1(), bytesLike(sep), max, reverse);
    return parts.map(wrap);
  };
}

function stripMethod(left: boolean, right: boolean): Method<PyBytes> {
  return (b, a) => {
    const chars = a[0] === undefined || a[0] === null ? null : bytesLike(a[0]);
    const strip = chars === null ? ASCII_SPACE : (c: string) => chars.includes(c);
    const text = b.latin1();
    let i = 0;
    let j = text.length;
    if (left) while (i < j && strip(text[i])) i++;
    if (right) while (j > i && strip(text[j - 1])) j--;
    return wrap(text.slice(i, j));
  };
}

function partition(b: PyBytes, a: Value[], reverse: boolean): PyTuple {
  const text = b.latin1();
  const sep = bytesLike(a[0]);
  if (sep === '') throw new PyError('ValueError', 'empty separator');
  const i = reverse ? text.lastIndexOf(sep) : text.indexOf(sep);
  const parts = i === -1 ? (reverse ? ['', '', text] : [text, '', '']) : [text.slice(0, i), sep, text.slice(i + sep.length)];
  return new PyTuple(parts.map(wrap));
}

function hex(b: PyBytes, a: Value[], kw: Kwargs): string {
  const [sepArg, perSep = 1] = params('hex', a, kw, ['sep', 'bytes_per_sep']);
  const digits = Array.from(b.data, (x) => x.toString(16).padStart(2, '0'));
  if (sepArg === undefined) return digits.join('');
  const sep = typeof sepArg === 'string' ? sepArg : bytesLike(sepArg);
  if (sep.length !== 1) throw new PyError('ValueError', 'sep must be length 1.');
  const n = index(perSep);
  const size = Math.abs(n);
  if (n === 0 || size >= digits.length) return digits.join('');
  // Groups count from the right for a positive bytes_per_sep, from the left for a negative one.
  const groups: string[] = [];
  if (n > 0) for (let end = digits.length; end > 0; end -= size) groups.unshift(digits.slice(Math.max(0, end - size), end).join(''));
  else for (let start = 0; start < digits.length; start += size) groups.push(digits.slice(start, start + size).join(''));
  return groups.join(sep);
}

function replace(b: PyBytes, a: Value[]): PyBytes {
  const text = b.latin1();
  const [old, by] = [bytesLike(a[0]), bytesLike(a[1])];
  const count = a.length > 2 ? index(a[2]) : -1;
  if (old === '') {
    const n = count < 0 ? text.length + 1 : Math.min(count, text.length + 1);
    return wrap([...text.slice(0, n)].map((c) => by + c).join('') + (n > text.length ? by : '') + text.slice(n));
  }
  const parts = text.split(old);
  if (count < 0 || parts.length <= count + 1) return wrap(parts.join(by));
  return wrap(parts.slice(0, count + 1).join(by) + old + parts.slice(count + 1).join(old));
}

function join(b: PyBytes, a: Value[]): PyBytes {
  let items: Iterable<Value>;
  try {
    items = iterate(a[0]);
  } catch {
    throw new PyError('TypeError', 'can only join an iterable');
  }
  const parts: string[] = [];
  for (const item of items) {
    if (!(item instanceof PyBytes)) throw new PyError('TypeError', `sequence item ${parts.length}: expected a bytes-like object, ${typeName(item)} found`);
    parts.push(item.latin1());
  }
  return wrap(parts.join(b.latin1()));
}

function decodeMethod(b: PyBytes, a: Value[], kw: Kwargs): string {
  const [encoding = 'utf-8', errors = 'strict'] = params('decode', a, kw, ['encoding', 'errors']);
  if (typeof encoding !== 'string') throw new PyError('TypeError', `decode() argument 'encoding' must be str, not ${typeName(encoding)}`);
  if (typeof errors !== 'string') throw new PyError('TypeError', `decode() argument 'errors' must be str, not ${typeName(errors)}`);
  return decode(b, encoding, errors);
}

const asciiTest = (re: RegExp): Method<PyBytes> => (b) => re.test(b.latin1());

export const bytesMethods: Record<string, Method<PyBytes>> = {
  decode: decodeMethod,
  hex,
  find: findMethod('find', false, false),
  rfind: findMethod('rfind', true, false),
  index: findMethod('index', false, true),
  rindex: findMethod('rindex', true, true),
  count: (b, a, kw) => {
    takes('count', a, kw, 1, 3);
    return countIn(b.latin1(), needle(a[0]), ...adjust(a[1], a[2], b.data.length));
  },
  startswith: matchMethod('startswith', false),
  endswith: matchMethod('endswith', true),
  split: splitMethod('split', false),
  rsplit: splitMethod('rsplit', true),
  strip: stripMethod(true, true),
  lstrip: stripMethod(true, false),
  rstrip: stripMethod(false, true),
  partition: (b, a) => partition(b, a, false),
  rpartition: (b, a) => partition(b, a, true),
  replace: (b, a) => replace(b, a),
  join: (b, a) => join(b, a),
  // Case changes touch ASCII letters only.
  upper: (b) => wrap(b.latin1().replace(/[a-z]+/g, (m) => m.toUpperCase())),
  lower: (b) => wrap(b.latin1().replace(/[A-Z]+/g, (m) => m.toLowerCase())),
  isdigit: asciiTest(/^[0-9]+$/),
  isalpha: asciiTest(/^[A-Za-z]+$/),
  isalnum: asciiTest(/^[A-Za-z0-9]+$/),
  isspace: asciiTest(/^[ \t-\r]+$/),
  isupper: asciiTest(/^[^a-z]*[A-Z][^a-z]*$/),
  islower: asciiTest(/^[^A-Z]*[a-z][^A-Z]*$/),
  isascii: asciiTest(/^[\x00-\x7f]*$/),
};

/** `bytes()`, `bytes(n)`, `bytes(iterable of ints)`, `bytes(text, encoding[, errors])`. */
export function newBytes(a: Value[], kw: Kwargs): PyBytes {
  const [source, encoding, errors] = params('bytes', a, kw, ['source', 'encoding', 'errors']);
  for (const [name, v] of [['encoding', encoding], ['errors', errors]] as const) {
    if (v !== undefined && typeof v !== 'string') throw new PyError('TypeError', `bytes() argument '${name}' must be str, not ${typeName(v)}`);
  }
  if (typeof source === 'string') {
    if (encoding === undefined) throw new PyError('TypeError', 'string argument without an encoding');
    return encode(source, encoding as string, (errors as string | undefined) ?? 'strict');
  }
  if (encoding !== undefined) throw new PyError('TypeError', 'encoding without a string argument');
  if (errors !== undefined) throw new PyError('TypeError', 'errors without a string argument');
  if (source === undefined) return new PyBytes(new Uint8Array(0));
  if (source instanceof PyBytes) return source;
  if (typeof source === 'number' || typeof source === 'bigint' || typeof source === 'boolean') {
    const n = Number(source);
    if (n < 0) throw new PyError('ValueError', 'negative count');
    if (n > Number.MAX_SAFE_INTEGER) throw new PyError('OverflowError', "cannot fit 'int' into an index-sized integer");
    return new PyBytes(new Uint8Array(n));
  }
  let items: Iterable<Value>;
  try {
    items = iterate(source);
  } catch {
    throw new PyError('TypeError', `cannot convert '${typeName(source)}' object to bytes`);
  }
  const out: number[] = [];
  for (const item of items) {
    const n = index(item);
    if (n < 0 || n > 255) throw new PyError('ValueError', 'bytes must be in range(0, 256)');
    out.push(n);
  }
  return new PyBytes(Uint8Array.from(out));
}
