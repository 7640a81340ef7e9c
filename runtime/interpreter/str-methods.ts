// The methods of str (`s.split(",")`, `s.find("x", 2)`), with CPython's edge cases and errors.
// Python indexes strings by code point and JS by UTF-16 unit; the two agree unless the text
// holds astral characters, which is when the offset conversions below do any work.
import { encode } from '../values/bytes.ts';
import { truthy } from '../values/compare.ts';
import { PyDict, PyTuple } from '../values/containers.ts';
import { PyError } from '../values/errors.ts';
import { strFormat, type FieldAccess } from '../values/format.ts';
import * as U from '../values/unicode.ts';
import { typeName, type Value } from '../values/value.ts';
import type { Method } from './methods.ts';
import { getAttribute, getItem, iterate } from './protocols.ts';
import { maketrans, translate } from './str-translate.ts';

type Kwargs = Map<string, Value>;

const hasSurrogates = (s: string) => /[\ud800-\udfff]/.test(s);
export const cpLength = (s: string): number => (hasSurrogates(s) ? Array.from(s).length : s.length);

/** The UTF-16 offset of code point `cp` (clamped to the end). */
function unitOffset(s: string, cp: number): number {
  if (!hasSurrogates(s)) return cp;
  let unit = 0;
  for (let i = 0; i < cp && unit < s.length; i++) unit += s.codePointAt(unit)! > 0xffff ? 2 : 1;
  return unit;
}

const cpOffset = (s: string, unit: number): number => (hasSurrogates(s) ? Array.from(s.slice(0, unit)).length : unit);

// Argument checks, with the messages CPython's argument parsers give.
const plural = (n: number) => (n === 1 ? '' : 's');

function noKeywords(name: string, kw: Kwargs): void {
  if (kw.size > 0) throw new PyError('TypeError', `str.${name}() takes no keyword arguments`);
}

function takesNone(name: string, a: Value[], kw: Kwargs): void {
  noKeywords(name, kw);
  if (a.length > 0) throw new PyError('TypeError', `str.${name}() takes no arguments (${a.length} given)`);
}

function takesOne(name: string, a: Value[], kw: Kwargs): void {
  noKeywords(name, kw);
  if (a.length !== 1) throw new PyError('TypeError', `str.${name}() takes exactly one argument (${a.length} given)`);
}

/** The find family's parser: "find() takes at least 1 argument (0 given)". */
function takes(name: string, a: Value[], kw: Kwargs, min: number, max: number): void {
  noKeywords(name, kw);
  if (a.length < min) throw new PyError('TypeError', `${name}() takes at least ${min} argument${plural(min)} (${a.length} given)`);
  if (a.length > max) throw new PyError('TypeError', `${name}() takes at most ${max} argument${plural(max)} (${a.length} given)`);
}

/** Argument Clinic's positional parser: "center expected at least 1 argument, got 0". */
function expects(name: string, a: Value[], kw: Kwargs, min: number, max: number): void {
  noKeywords(name, kw);
  if (a.length < min) throw new PyError('TypeError', `${name} expected at least ${min} argument${plural(min)}, got ${a.length}`);
  if (a.length > max) throw new PyError('TypeError', `${name} expected at most ${max} argument${plural(max)}, got ${a.length}`);
}

/** Positional-or-keyword parameters (`split(sep, maxsplit)`): each value, undefined when absent. */
export function params(name: string, a: Value[], kw: Kwargs, names: string[]): (Value | undefined)[] {
  if (a.length + kw.size > names.length) {
    throw new PyError('TypeError', `${name}() takes at most ${names.length} argument${plural(names.length)} (${a.length + kw.size} given)`);
  }
  const out: (Value | undefined)[] = names.map((_, i) => a[i]);
  for (const [key, v] of kw) {
    const i = names.indexOf(key);
    if (i === -1) throw new PyError('TypeError', `'${key}' is an invalid keyword argument for ${name}()`);
    if (i < a.length) throw new PyError('TypeError', `argument for ${name}() given by name ('${key}') and position (${i + 1})`);
    out[i] = v;
  }
  return out;
}

/** An int argument (`zfill(5)`); a float or str is a TypeError. */
export function index(v: Value): number {
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return Number(v);
  throw new PyError('TypeError', `'${typeName(v)}' object cannot be interpreted as an integer`);
}

const mustBeStr = (v: Value): string => {
  if (typeof v !== 'string') throw new PyError('TypeError', `must be str, not ${typeName(v)}`);
  return v;
};

/** A `start`/`end` argument: None means "not given". */
function sliceArg(v: Value | undefined): number | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return Number(v);
  throw new PyError('TypeError', 'slice indices must be integers or None or have an __index__ method');
}

/** CPython's ADJUST_INDICES: negative indexes count from the end, then clamp. */
export function adjust(startArg: Value | undefined, endArg: Value | undefined, length: number): [number, number] {
  let start = sliceArg(startArg) ?? 0;
  let end = sliceArg(endArg) ?? length;
  if (end > length) end = length;
  else if (end < 0) end = Math.max(0, end + length);
  if (start < 0) start = Math.max(0, start + length);
  return [start, end];
}

// Searches on code point windows [start, end) of `s`; shared with bytes (one char per byte).
export function findIn(s: string, sub: string, start: number, end: number, reverse: boolean): number {
  if (end - start < cpLength(sub)) return -1;
  const from = unitOffset(s, start);
  const to = unitOffset(s, end);
  const window = s.slice(from, to);
  const i = reverse ? window.lastIndexOf(sub) : window.indexOf(sub);
  return i < 0 ? -1 : cpOffset(s, from + i);
}

export function countIn(s: string, sub: string, start: number, end: number): number {
  if (end - start < cpLength(sub)) return 0;
  if (sub === '') return end - start + 1;
  return s.slice(unitOffset(s, start), unitOffset(s, end)).split(sub).length - 1;
}

export function tailMatch(s: string, part: string, start: number, end: number, atEnd: boolean): boolean {
  const n = cpLength(part);
  if (end - n < start) return false;
  const from = unitOffset(s, atEnd ? end - n : start);
  return s.startsWith(part, from) && from + part.length <= unitOffset(s, end);
}

/** `split()` with no separator: runs of whitespace separate, and ends are dropped. */
export function splitWhitespace(s: string, max: number, space: (ch: string) => boolean, reverse: boolean): string[] {
  const out: string[] = [];
  let count = max < 0 ? Infinity : max;
  const n = s.length; // whitespace is never astral, so UTF-16 units do
  if (!reverse) {
    let i = 0;
    for (; count-- > 0; ) {
      while (i < n && space(s[i])) i++;
      if (i === n) break;
      const j = i++;
      while (i < n && !space(s[i])) i++;
      out.push(s.slice(j, i));
    }
    while (i < n && space(s[i])) i++;
    if (i < n) out.push(s.slice(i));
    return out;
  }
  let i = n - 1;
  for (; count-- > 0; ) {
    while (i >= 0 && space(s[i])) i--;
    if (i < 0) break;
    const j = i--;
    while (i >= 0 && !space(s[i])) i--;
    out.push(s.slice(i + 1, j + 1));
  }
  while (i >= 0 && space(s[i])) i--;
  if (i >= 0) out.push(s.slice(0, i + 1));
  return out.reverse();
}

export function splitOn(s: string, sep: string, max: number, reverse: boolean): string[] {
  if (sep === '') throw new PyError('ValueError', 'empty separator');
  const parts = s.split(sep);
  if (max < 0 || parts.length <= max + 1) return parts;
  if (!reverse) return [...parts.slice(0, max), parts.slice(max).join(sep)];
  const keep = parts.length - max;
  return [parts.slice(0, keep).join(sep), ...parts.slice(keep)];
}

function splitMethod(name: string, reverse: boolean): Method<string> {
  return (s, a, kw) => {
    const [sep = null, maxsplit = -1] = params(name, a, kw, ['sep', 'maxsplit']);
    const max = index(maxsplit);
    if (sep === null) return splitWhitespace(s, max, U.isSpace, reverse);
    if (typeof sep !== 'string') throw new PyError('TypeError', `must be str or None, not ${typeName(sep)}`);
    return splitOn(s, sep, max, reverse);
  };
}

function stripMethod(name: string, left: boolean, right: boolean): Method<string> {
  return (s, a, kw) => {
    expects(name, a, kw, 0, 1);
    const chars = a[0] ?? null;
    if (chars !== null && typeof chars !== 'string') throw new PyError('TypeError', `${name} arg must be None or str`);
    if (chars === null && U.trimIsExact(s)) return left && right ? s.trim() : left ? s.trimStart() : s.trimEnd();
    const strip = chars === null ? U.isSpace : (c: string) => chars.includes(c);
    const cps = Array.from(s);
    let i = 0;
    let j = cps.length;
    if (left) while (i < j && strip(cps[i])) i++;
    if (right) while (j > i && strip(cps[j - 1])) j--;
    return cps.slice(i, j).join('');
  };
}

function findMethod(name: string, reverse: boolean, raise: boolean): Method<string> {
  return (s, a, kw) => {
    takes(name, a, kw, 1, 3);
    const sub = mustBeStr(a[0]);
    const i = findIn(s, sub, ...adjust(a[1], a[2], cpLength(s)), reverse);
    if (i === -1 && raise) throw new PyError('ValueError', 'substring not found');
    return i;
  };
}

function matchMethod(name: string, atEnd: boolean): Method<string> {
  return (s, a, kw) => {
    takes(name, a, kw, 1, 3);
    const [start, end] = adjust(a[1], a[2], cpLength(s));
    if (typeof a[0] === 'string') return tailMatch(s, a[0], start, end, atEnd);
    if (!(a[0] instanceof PyTuple)) throw new PyError('TypeError', `${name} first arg must be str or a tuple of str, not ${typeName(a[0])}`);
    for (const part of a[0].items) {
      if (typeof part !== 'string') throw new PyError('TypeError', `tuple for ${name} must only contain str, not ${typeName(part)}`);
      if (tailMatch(s, part, start, end, atEnd)) return true;
    }
    return false;
  };
}

function padMethod(name: string, place: (s: string, fill: string, total: number, width: number) => string): Method<string> {
  return (s, a, kw) => {
    expects(name, a, kw, 1, 2);
    const width = index(a[0]);
    const fill = a.length > 1 ? a[1] : ' ';
    if (typeof fill !== 'string') throw new PyError('TypeError', `The fill character must be a unicode character, not ${typeName(fill)}`);
    if (cpLength(fill) !== 1) throw new PyError('TypeError', 'The fill character must be exactly one character long');
    const total = width - cpLength(s);
    return total > 0 ? place(s, fill, total, width) : s;
  };
}

function predicate(name: string, test: (s: string) => boolean): Method<string> {
  return (s, a, kw) => (takesNone(name, a, kw), test(s));
}

function partition(s: string, a: Value[], kw: Kwargs, reverse: boolean): PyTuple {
  takesOne(reverse ? 'rpartition' : 'partition', a, kw);
  const sep = mustBeStr(a[0]);
  if (sep === '') throw new PyError('ValueError', 'empty separator');
  const i = reverse ? s.lastIndexOf(sep) : s.indexOf(sep);
  if (i === -1) return new PyTuple(reverse ? ['', '', s] : [s, '', '']);
  return new PyTuple([s.slice(0, i), sep, s.slice(i + sep.length)]);
}

function replace(s: string, a: Value[], kw: Kwargs): string {
  expects('replace', a, kw, 2, 3);
  a.slice(0, 2).forEach((v, i) => {
    if (typeof v !== 'string') throw new PyError('TypeError', `replace() argument ${i + 1} must be str, not ${typeName(v)}`);
  });
  const [old, by] = a as [string, string];
  const count = a.length > 2 ? index(a[2]) : -1;
  if (old === '') {
    // An empty pattern matches before every character and at the end.
    const cps = Array.from(s);
    const n = count < 0 ? cps.length + 1 : Math.min(count, cps.length + 1);
    return cps.slice(0, n).map((c) => by + c).join('') + (n > cps.length ? by : '') + cps.slice(n).join('');
  }
  const parts = s.split(old);
  if (count < 0 || parts.length <= count + 1) return parts.join(by);
  return parts.slice(0, count + 1).join(by) + old + parts.slice(count + 1).join(old);
}

function expandtabs(s: string, a: Value[], kw: Kwargs): string {
  const [tabsize = 8] = params('expandtabs', a, kw, ['tabsize']);
  const size = index(tabsize);
  let out = '';
  let column = 0;
  for (const ch of s) {
    if (ch === '\t') {
      if (size > 0) {
        const n = size - (column % size);
        out += ' '.repeat(n);
        column += n;
      }
    } else {
      out += ch;
      column = ch === '\n' || ch === '\r' ? 0 : column + 1;
    }
  }
  return out;
}

function splitlines(s: string, a: Value[], kw: Kwargs): string[] {
  const [keepends = false] = params('splitlines', a, kw, ['keepends']);
  const keep = truthy(keepends);
  const lines: string[] = [];
  let last = 0;
  for (const m of s.matchAll(U.LINE_BREAK)) {
    lines.push(s.slice(last, keep ? m.index + m[0].length : m.index));
    last = m.index + m[0].length;
  }
  if (last < s.length) lines.push(s.slice(last));
  return lines;
}

function encodeMethod(s: string, a: Value[], kw: Kwargs): Value {
  const [encoding = 'utf-8', errors = 'strict'] = params('encode', a, kw, ['encoding', 'errors']);
  if (typeof encoding !== 'string') throw new PyError('TypeError', `encode() argument 'encoding' must be str, not ${typeName(encoding)}`);
  if (typeof errors !== 'string') throw new PyError('TypeError', `encode() argument 'errors' must be str, not ${typeName(errors)}`);
  return encode(s, encoding, errors);
}

function zfill(s: string, a: Value[], kw: Kwargs): string {
  takesOne('zfill', a, kw);
  const fill = index(a[0]) - cpLength(s);
  if (fill <= 0) return s;
  // The sign, if any, moves in front of the zeros.
  return s[0] === '+' || s[0] === '-' ? s[0] + '0'.repeat(fill) + s.slice(1) : '0'.repeat(fill) + s;
}

function join(s: string, a: Value[], kw: Kwargs): string {
  takesOne('join', a, kw);
  const parts: string[] = [];
  let items: Iterable<Value>;
  try {
    items = iterate(a[0]);
  } catch {
    throw new PyError('TypeError', 'can only join an iterable');
  }
  for (const item of items) {
    if (typeof item !== 'string') throw new PyError('TypeError', `sequence item ${parts.length}: expected str instance, ${typeName(item)} found`);
    parts.push(item);
  }
  return parts.join(s);
}

const fieldAccess: FieldAccess = { attribute: (object, name) => getAttribute(object, name), item: (object, key) => getItem(object, key, false) };

function format(s: string, a: Value[], kw: Kwargs): string {
  const kwargs = new PyDict();
  for (const [k, v] of kw) kwargs.set(k, v);
  return strFormat(s, a, kwargs, fieldAccess);
}

const isAlnum = (s: string) => s.length > 0 && Array.from(s).every((c) => /\p{L}/u.test(c) || U.isNumeric(c));

export const strMethods: Record<string, Method<string>> = {
  upper: (s, a, kw) => (takesNone('upper', a, kw), s.toUpperCase()),
  lower: (s, a, kw) => (takesNone('lower', a, kw), s.toLowerCase()),
  casefold: (s, a, kw) => (takesNone('casefold', a, kw), U.casefold(s)),
  title: (s, a, kw) => (takesNone('title', a, kw), U.title(s)),
  capitalize: (s, a, kw) => (takesNone('capitalize', a, kw), U.capitalize(s)),
  swapcase: (s, a, kw) => (takesNone('swapcase', a, kw), U.swapcase(s)),
  strip: stripMethod('strip', true, true),
  lstrip: stripMethod('lstrip', true, false),
  rstrip: stripMethod('rstrip', false, true),
  split: splitMethod('split', false),
  rsplit: splitMethod('rsplit', true),
  splitlines,
  join,
  replace,
  partition: (s, a, kw) => partition(s, a, kw, false),
  rpartition: (s, a, kw) => partition(s, a, kw, true),
  removeprefix: (s, a, kw) => {
    takesOne('removeprefix', a, kw);
    if (typeof a[0] !== 'string') throw new PyError('TypeError', `removeprefix() argument must be str, not ${typeName(a[0])}`);
    return s.startsWith(a[0]) ? s.slice(a[0].length) : s;
  },
  removesuffix: (s, a, kw) => {
    takesOne('removesuffix', a, kw);
    if (typeof a[0] !== 'string') throw new PyError('TypeError', `removesuffix() argument must be str, not ${typeName(a[0])}`);
    return a[0] !== '' && s.endsWith(a[0]) ? s.slice(0, s.length - a[0].length) : s;
  },
  startswith: matchMethod('startswith', false),
  endswith: matchMethod('endswith', true),
  find: findMethod('find', false, false),
  rfind: findMethod('rfind', true, false),
  index: findMethod('index', false, true),
  rindex: findMethod('rindex', true, true),
  count: (s, a, kw) => {
    takes('count', a, kw, 1, 3);
    const sub = mustBeStr(a[0]);
    return countIn(s, sub, ...adjust(a[1], a[2], cpLength(s)));
  },
  center: padMethod('center', (s, fill, total, width) => {
    // CPython puts the odd extra character on the left only when the width is odd too.
    const left = Math.floor(total / 2) + (total & width & 1);
    return fill.repeat(left) + s + fill.repeat(total - left);
  }),
  ljust: padMethod('ljust', (s, fill, total) => s + fill.repeat(total)),
  rjust: padMethod('rjust', (s, fill, total) => fill.repeat(total) + s),
  zfill,
  expandtabs,
  encode: encodeMethod,
  format,
  format_map: (s, a, kw) => (takesOne('format_map', a, kw), strFormat(s, null, a[0], fieldAccess)),
  isdigit: predicate('isdigit', (s) => U.isDigit(s)),
  isdecimal: predicate('isdecimal', (s) => U.isDecimal(s)),
  isnumeric: predicate('isnumeric', (s) => U.isNumeric(s)),
  isalpha: predicate('isalpha', (s) => /^\p{L}+$/u.test(s)),
  isalnum: predicate('isalnum', isAlnum),
  isspace: predicate('isspace', (s) => s.length > 0 && Array.from(s).every(U.isSpace)),
  isupper: predicate('isupper', U.isUpper),
  islower: predicate('islower', U.isLower),
  istitle: predicate('istitle', U.istitle),
  isascii: predicate('isascii', (s) => /^[\x00-\x7f]*$/.test(s)),
  isidentifier: predicate('isidentifier', U.isIdentifier),
  isprintable: predicate('isprintable', U.isPrintable),
  translate: (s, a, kw) => (takesOne('translate', a, kw), translate(s, a[0])),
  maketrans: (_s, a) => maketrans(a),
};
