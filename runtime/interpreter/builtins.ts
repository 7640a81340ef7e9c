// Python's built-in functions and types as Jac programs see them.
import { compare, equals, truthy } from '../values/compare.ts';
import { PyDict, PySet, PyTuple, setOf } from '../values/containers.ts';
import { PyError, PyException, PyExceptionClass, builtinExceptionClasses } from '../values/errors.ts';
import { PyFloat, float, int, intAdd, type PyInt } from '../values/numbers.ts';
import { format } from '../values/format.ts';
import { repr, str } from '../values/repr.ts';
import { typeName, type Value } from '../values/value.ts';
import { PyClass, PyEnum, PyEnumMember, PyInstance } from './archetypes.ts';
import { newBytes } from './bytes-methods.ts';
import { PyBuiltin, PyRange } from './callables.ts';
import { PyGenerator, PyIterator, stopIteration } from './iterators.ts';
import { collect } from './memory.ts';
import { binary } from './operators.ts';
import { PyType, call, getAttribute, iterate, length, setAttribute } from './protocols.ts';
import { sortValues } from './sorting.ts';

type Args = Value[];
type Kwargs = Map<string, Value>;

function expectArgs(name: string, args: Args, min: number, max = min): void {
  if (args.length >= min && args.length <= max) return;
  if (min === max) throw new PyError('TypeError', `${name}() takes exactly ${min === 1 ? 'one argument' : `${min} arguments`} (${args.length} given)`);
  throw new PyError('TypeError', `${name} expected at most ${max} arguments, got ${args.length}`);
}

function toInt(v: Value): PyInt {
  if (typeof v === 'number' || typeof v === 'bigint') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v instanceof PyFloat) {
    if (!Number.isFinite(v.value)) throw new PyError(Number.isNaN(v.value) ? 'ValueError' : 'OverflowError', `cannot convert float ${repr(v)} to integer`);
    const t = Math.trunc(v.value);
    return Number.isSafeInteger(t) ? t : int(BigInt(t));
  }
  if (typeof v === 'string') return parseInt(v, 10);
  throw new PyError('TypeError', `int() argument must be a string, a bytes-like object or a real number, not '${typeName(v)}'`);
}

const digitsOf: Record<number, RegExp> = { 2: /^[01]+(_[01]+)*$/, 8: /^[0-7]+(_[0-7]+)*$/, 10: /^\d+(_\d+)*$/, 16: /^[0-9a-f]+(_[0-9a-f]+)*$/i };
const prefixes: Record<string, number> = { '0x': 16, '0o': 8, '0b': 2 };

/** int(text, base) for bases 2, 8, 10 and 16 (and 0: the prefix decides), as Python parses. */
function parseInt(text: string, base: number): PyInt {
  const invalid = () => new PyError('ValueError', `invalid literal for int() with base ${base}: ${repr(text)}`);
  let t = text.trim().toLowerCase();
  const sign = t.startsWith('-') ? -1n : 1n;
  if (t.startsWith('-') || t.startsWith('+')) t = t.slice(1);
  let b = base;
  const prefix = t.slice(0, 2);
  if (prefix in prefixes && (base === 0 || base === prefixes[prefix])) {
    b = prefixes[prefix];
    t = t.slice(2).replace(/^_/, '');
  } else if (base === 0) {
    b = 10;
    if (/^0+[1-9]/.test(t)) throw invalid();
  }
  const pattern = digitsOf[b];
  if (!pattern) throw new PyError('ValueError', `int() base ${base} is not supported`);
  if (!pattern.test(t)) throw invalid();
  const digits = t.replace(/_/g, '');
  const value = b === 10 ? BigInt(digits) : BigInt((b === 16 ? '0x' : b === 8 ? '0o' : '0b') + digits);
  return int(sign * value);
}

function toFloat(v: Value): PyFloat {
  if (v instanceof PyFloat) return v;
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return float(Number(v));
  if (typeof v === 'string') {
    const text = v.trim().toLowerCase().replace(/_/g, '');
    const special: Record<string, number> = { inf: Infinity, '+inf': Infinity, '-inf': -Infinity, infinity: Infinity, '-infinity': -Infinity, nan: NaN, '+nan': NaN, '-nan': NaN };
    if (text in special) return float(special[text]);
    if (/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/.test(text)) return float(Number(text));
    throw new PyError('ValueError', `could not convert string to float: ${repr(v)}`);
  }
  throw new PyError('TypeError', `float() argument must be a string or a real number, not '${typeName(v)}'`);
}

/** sum(): exact for ints; for floats, Neumaier's compensated summation as Python 3.12 does. */
function sum(items: Iterable<Value>, start: Value): Value {
  let total: Value = start;
  let floatSum: number | null = null;
  let compensation = 0;
  for (const item of items) {
    if (floatSum === null && (typeof item === 'number' || typeof item === 'bigint' || typeof item === 'boolean') && (typeof total === 'number' || typeof total === 'bigint')) {
      total = intAdd(total, toInt(item));
      continue;
    }
    if (item instanceof PyFloat || (floatSum !== null && (typeof item === 'number' || typeof item === 'boolean'))) {
      if (floatSum === null) {
        if (!(typeof total === 'number' || typeof total === 'bigint' || total instanceof PyFloat)) throw unsupportedSum(total, item);
        floatSum = total instanceof PyFloat ? total.value : Number(total);
      }
      const x = item instanceof PyFloat ? item.value : Number(item);
      const t: number = floatSum + x;
      compensation += Math.abs(floatSum) >= Math.abs(x) ? floatSum - t + x : x - t + floatSum;
      floatSum = t;
      continue;
    }
    if (floatSum !== null) total = float(floatSum + compensation);
    floatSum = null;
    if (Array.isArray(total) && Array.isArray(item)) total = [...total, ...item];
    else throw unsupportedSum(total, item);
  }
  return floatSum !== null ? float(floatSum + compensation) : total;
}

/** An int argument (not a float): `hex(1.5)` is a TypeError. */
function toIntStrict(v: Value): PyInt {
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return toInt(v);
  throw new PyError('TypeError', `'${typeName(v)}' object cannot be interpreted as an integer`);
}

const unsupportedSum = (a: Value, b: Value) => new PyError('TypeError', `unsupported operand type(s) for +: '${typeName(a)}' and '${typeName(b)}'`);

/** round(): half to even, like Python. */
function round(x: Value, digits: Value | undefined): Value {
  if (typeof x === 'number' || typeof x === 'bigint' || typeof x === 'boolean') {
    if (digits === undefined || digits === null || Number(digits) >= 0) return toInt(x);
    const p = 10 ** -Number(digits);
    return Math.round(Number(x) / p) * p;
  }
  if (!(x instanceof PyFloat)) throw new PyError('TypeError', `type ${typeName(x)} doesn't define __round__ method`);
  const v = x.value;
  if (digits === undefined || digits === null) {
    const r = Math.round(v);
    return toInt(float(Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r));
  }
  const n = Number(digits);
  if (n >= 0 && n <= 100) return float(Number(v.toFixed(n))); // exact decimal expansion, like Python
  return x;
}

function minMax(name: 'min' | 'max', args: Args, kwargs: Kwargs): Value {
  const items = args.length === 1 ? collect(iterate(args[0])) : args;
  const key = kwargs.get('key') ?? null;
  if (items.length === 0) {
    if (kwargs.has('default')) return kwargs.get('default')!;
    throw new PyError('ValueError', `${name}() iterable argument is empty`);
  }
  let best = items[0];
  let bestKey = key === null ? best : call(key, [best], new Map());
  for (const item of items.slice(1)) {
    const k = key === null ? item : call(key, [item], new Map());
    if (compare(name === 'min' ? '<' : '>', k, bestKey)) {
      best = item;
      bestKey = k;
    }
  }
  return best;
}

function isInstance(v: Value, cls: Value): boolean {
  if (cls instanceof PyTuple) return cls.items.some((c) => isInstance(v, c));
  if (cls instanceof PyClass) return v instanceof PyInstance && v.cls.isSubclassOf(cls);
  if (cls instanceof PyEnum) return v instanceof PyEnumMember && v.enumType === cls;
  if (cls instanceof PyExceptionClass) {
    const e = v instanceof PyInstance ? v.exception : v;
    return e instanceof PyException && e.cls.isSubclassOf(cls);
  }
  if (cls instanceof PyType) return typeName(v) === cls.name || (cls.name === 'int' && typeof v === 'boolean');
  throw new PyError('TypeError', 'isinstance() arg 2 must be a type, a tuple of types, or a union');
}

/** Python's name for the iterator over each built-in iterable. */
function iteratorType(v: Value): string {
  if (Array.isArray(v)) return 'list_iterator';
  if (typeof v === 'string') return /^[\x00-\x7f]*$/.test(v) ? 'str_ascii_iterator' : 'str_iterator';
  if (v instanceof PyDict) return 'dict_keyiterator';
  if (v instanceof PySet) return 'set_iterator';
  if (v instanceof PyRange) return 'range_iterator';
  return `${typeName(v)}_iterator`;
}

/** `iter(x)`: an iterator is its own; a container gets a new one-shot iterator over it. */
function iteratorOf(v: Value): Value {
  if (v instanceof PyGenerator || v instanceof PyIterator) return v;
  return new PyIterator(iteratorType(v), iterate(v)[Symbol.iterator]());
}

/** `iter(f, sentinel)`: calls f until it returns the sentinel; each call is a step of the run's budget. */
function callUntil(f: Value, sentinel: Value, tick: () => void): Value {
  function* calls(): Generator<Value> {
    for (;;) {
      tick();
      const v = call(f, [], new Map());
      if (equals(v, sentinel)) return;
      yield v;
    }
  }
  return new PyIterator('callable_iterator', calls());
}

const types = new Map<string, PyType>();
function typeOf(v: Value): Value {
  if (v instanceof PyException) return v.cls;
  if (v instanceof PyInstance) return v.cls;
  if (v instanceof PyEnumMember) return v.enumType;
  const name = typeName(v);
  let t = types.get(name);
  if (!t) types.set(name, (t = new PyType(name, null)));
  return t;
}

function defineType(name: string, construct: (args: Args, kwargs: Kwargs) => Value): PyType {
  const t = new PyType(name, construct);
  types.set(name, t);
  return t;
}

/** The builtins of a program whose `print` writes to `write`; `tick` counts a step of its budget. */
export function builtins(write: (text: string) => void, tick: () => void = () => undefined): Map<string, Value> {
  const b = new Map<string, Value>();
  const fn = (name: string, f: (args: Args, kwargs: Kwargs) => Value) => b.set(name, new PyBuiltin(name, f));

  fn('print', (args, kw) => {
    const sep = kw.has('sep') && kw.get('sep') !== null ? str(kw.get('sep')!) : ' ';
    const end = kw.has('end') && kw.get('end') !== null ? str(kw.get('end')!) : '\n';
    write(args.map(str).join(sep) + end);
    return null;
  });
  fn('len', (a) => (expectArgs('len', a, 1), length(a[0])));
  fn('repr', (a) => (expectArgs('repr', a, 1), repr(a[0])));
  fn('format', (a) => {
    if (a.length < 1 || a.length > 2) throw new PyError('TypeError', `format expected at ${a.length < 1 ? 'least 1 argument' : 'most 2 arguments'}, got ${a.length}`);
    const spec = a[1] ?? '';
    if (typeof spec !== 'string') throw new PyError('TypeError', `format() argument 2 must be str, not ${typeName(spec)}`);
    return format(a[0], spec);
  });
  fn('abs', (a) => {
    expectArgs('abs', a, 1);
    const v = a[0];
    if (v instanceof PyFloat) return float(Math.abs(v.value));
    const i = toInt(v);
    return i < 0 ? (typeof i === 'bigint' ? int(-i) : -i) : i;
  });
  fn('range', (a) => {
    expectArgs('range', a, 1, 3);
    const n = a.map((x) => Number(toInt(x)));
    return a.length === 1 ? new PyRange(0, n[0], 1) : new PyRange(n[0], n[1], n[2] ?? 1);
  });
  fn('sum', (a, kw) => sum(iterate(a[0]), a[1] ?? kw.get('start') ?? 0));
  fn('min', (a, kw) => minMax('min', a, kw));
  fn('max', (a, kw) => minMax('max', a, kw));
  fn('sorted', (a, kw) => sortValues(iterate(a[0]), kw.get('key') ?? null, kw.get('reverse') ?? false));
  fn('reversed', (a) => collect(iterate(a[0])).reverse());
  fn('enumerate', (a, kw) => {
    let i = Number(toInt(a[1] ?? kw.get('start') ?? 0));
    return collect(iterate(a[0])).map((v) => new PyTuple([i++, v]));
  });
  fn('zip', (a) => {
    const lists = a.map((x) => collect(iterate(x)));
    const n = lists.length === 0 ? 0 : Math.min(...lists.map((l) => l.length));
    return Array.from({ length: n }, (_, i) => new PyTuple(lists.map((l) => l[i])));
  });
  fn('any', (a) => {
    for (const v of iterate(a[0])) if (truthy(v)) return true;
    return false;
  });
  fn('all', (a) => {
    for (const v of iterate(a[0])) if (!truthy(v)) return false;
    return true;
  });
  fn('iter', (a) => {
    expectArgs('iter', a, 1, 2);
    if (a.length === 2) return callUntil(a[0], a[1], tick);
    return iteratorOf(a[0]);
  });
  fn('next', (a) => {
    expectArgs('next', a, 1, 2);
    const [it] = a;
    if (!(it instanceof PyGenerator || it instanceof PyIterator)) throw new PyError('TypeError', `'${typeName(it)}' object is not an iterator`);
    const r = it instanceof PyGenerator ? it.resume(null) : it.next();
    if (!r.done) return r.value;
    if (a.length === 2) return a[1];
    throw stopIteration(it instanceof PyGenerator ? (r.value ?? null) : null);
  });
  fn('round', (a) => round(a[0], a[1]));
  fn('isinstance', (a) => (expectArgs('isinstance', a, 2), isInstance(a[0], a[1])));
  const radix = (name: string, prefix: string, base: number) =>
    fn(name, (a) => {
      expectArgs(name, a, 1);
      const v = toIntStrict(a[0]);
      const big = BigInt(v);
      return (big < 0n ? '-' : '') + prefix + (big < 0n ? -big : big).toString(base);
    });
  radix('hex', '0x', 16);
  radix('oct', '0o', 8);
  radix('bin', '0b', 2);
  fn('chr', (a) => {
    const n = Number(toIntStrict(a[0]));
    if (n < -(2 ** 31) || n >= 2 ** 31) throw new PyError('OverflowError', 'Python int too large to convert to C int');
    if (n < 0 || n > 0x10ffff) throw new PyError('ValueError', 'chr() arg not in range(0x110000)');
    return String.fromCodePoint(n);
  });
  fn('ord', (a) => {
    const [c] = a;
    if (typeof c !== 'string' || [...c].length !== 1) throw new PyError('TypeError', `ord() expected a character, but string of length ${typeof c === 'string' ? [...c].length : 0} found`);
    return c.codePointAt(0)!;
  });
  // map and filter give lists here; Python gives iterators, which programs consume the same way.
  fn('map', (a) => {
    const [f, ...its] = a;
    const lists = its.map((x) => collect(iterate(x)));
    const n = Math.min(...lists.map((l) => l.length));
    return Array.from({ length: n }, (_, i) => call(f, lists.map((l) => l[i]), new Map()));
  });
  fn('filter', (a) => collect(iterate(a[1])).filter((v) => truthy(a[0] === null ? v : call(a[0], [v], new Map()))));
  fn('hasattr', (a) => {
    expectArgs('hasattr', a, 2);
    try {
      getAttribute(a[0], str(a[1]));
      return true;
    } catch (e) {
      if (e instanceof PyError && e.pyType === 'AttributeError') return false;
      throw e;
    }
  });
  fn('getattr', (a) => {
    expectArgs('getattr', a, 2, 3);
    try {
      return getAttribute(a[0], str(a[1]));
    } catch (e) {
      if (a.length === 3 && e instanceof PyError && e.pyType === 'AttributeError') return a[2];
      throw e;
    }
  });
  fn('setattr', (a) => (expectArgs('setattr', a, 3), setAttribute(a[0], str(a[1]), a[2]), null));
  fn('divmod', (a) => (expectArgs('divmod', a, 2), new PyTuple([binary('//', a[0], a[1]), binary('%', a[0], a[1])])));

  b.set('type', defineType('type', (a) => (expectArgs('type', a, 1), typeOf(a[0]))));
  b.set(
    'int',
    defineType('int', (a, kw) => {
      const base = a[1] ?? kw.get('base');
      if (base === undefined) return a.length === 0 ? 0 : toInt(a[0]);
      if (typeof a[0] !== 'string') throw new PyError('TypeError', "int() can't convert non-string with explicit base");
      return parseInt(a[0], Number(toInt(base)));
    }),
  );
  b.set('float', defineType('float', (a) => (a.length === 0 ? float(0) : toFloat(a[0]))));
  b.set('str', defineType('str', (a) => (a.length === 0 ? '' : str(a[0]))));
  b.set('bytes', defineType('bytes', newBytes));
  b.set('bool', defineType('bool', (a) => (a.length === 0 ? false : truthy(a[0]))));
  b.set('list', defineType('list', (a) => (a.length === 0 ? [] : collect(iterate(a[0])))));
  b.set('tuple', defineType('tuple', (a) => new PyTuple(a.length === 0 ? [] : collect(iterate(a[0])))));
  const setArgument = (a: Args): Iterable<Value> | PyDict => (a.length === 0 ? [] : a[0] instanceof PySet || a[0] instanceof PyDict ? a[0] : iterate(a[0]));
  b.set('set', defineType('set', (a) => setOf(setArgument(a))));
  b.set(
    'frozenset',
    defineType('frozenset', (a) => {
      const s = setOf(setArgument(a));
      s.frozen = true;
      return s;
    }),
  );
  b.set(
    'dict',
    defineType('dict', (a, kw) => {
      const d = new PyDict();
      if (a[0] instanceof PyDict) for (const [k, v] of a[0].items()) d.set(k, v);
      else if (a.length > 0) {
        for (const pair of iterate(a[0])) {
          const [k, v] = [...iterate(pair)];
          d.set(k, v);
        }
      }
      for (const [k, v] of kw) d.set(k, v);
      return d;
    }),
  );
  for (const [name, cls] of builtinExceptionClasses) b.set(name, cls);
  return b;
}

