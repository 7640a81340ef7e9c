// Python's built-in functions and types as Jac programs see them.
import { compare, equals, truthy } from '../values/compare.ts';
import { PyDict, PySet, PyTuple, setOf } from '../values/containers.ts';
import { PyError, PyException, PyExceptionClass, builtinExceptionClasses, exceptionClass } from '../values/errors.ts';
import { PyDictView } from '../values/dict-views.ts';
import { pyHash } from '../values/hash.ts';
import { parseInt } from '../values/int-parse.ts';
import { PyFloat, float, int, intAdd, intToFloat, type PyInt } from '../values/numbers.ts';
import { roundFloat, roundFloatToInt, roundInt } from '../values/rounding.ts';
import { format } from '../values/format.ts';
import { repr, str } from '../values/repr.ts';
import { NOT_IMPLEMENTED, typeName, type Value } from '../values/value.ts';
import { PyBoundMethod, PyClass, PyEnum, PyEnumMember, PyInstance } from './archetypes.ts';
import { newBytes } from './bytes-methods.ts';
import { PyBytes } from '../values/bytes.ts';
import { PyBuiltin, PyFunction, PyRange } from './callables.ts';
import { PyGenerator, PyIterator, stopIteration } from './iterators.ts';
import { collect } from './memory.ts';
import { binary } from './operators.ts';
import { OBJECT_TYPE, PyType, call, getAttribute, iterate, length, setAttribute } from './protocols.ts';
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
    if (!Number.isFinite(v.value)) throw new PyError(Number.isNaN(v.value) ? 'ValueError' : 'OverflowError', `cannot convert float ${Number.isNaN(v.value) ? 'NaN' : 'infinity'} to integer`);
    const t = Math.trunc(v.value);
    return Number.isSafeInteger(t) ? t : int(BigInt(t));
  }
  if (typeof v === 'string') return parseInt(v, 10);
  throw new PyError('TypeError', `int() argument must be a string, a bytes-like object or a real number, not '${typeName(v)}'`);
}

/** Python's float syntax: digits joined by single underscores, an optional fraction and exponent. */
const DIGITS = String.raw`\d+(?:_\d+)*`;
const FLOAT_TEXT = new RegExp(String.raw`^[+-]?(?:${DIGITS}\.?(?:${DIGITS})?|\.${DIGITS})(?:e[+-]?${DIGITS})?$`);

function toFloat(v: Value): PyFloat {
  if (v instanceof PyFloat) return v;
  if (typeof v === 'number' || typeof v === 'bigint') return float(intToFloat(v));
  if (typeof v === 'boolean') return float(Number(v));
  if (typeof v === 'string') {
    const text = v.trim().toLowerCase();
    const special: Record<string, number> = { inf: Infinity, '+inf': Infinity, '-inf': -Infinity, infinity: Infinity, '+infinity': Infinity, '-infinity': -Infinity, nan: NaN, '+nan': NaN, '-nan': NaN };
    if (text in special) return float(special[text]);
    if (FLOAT_TEXT.test(text)) return float(Number(text.replace(/_/g, '')));
    throw new PyError('ValueError', `could not convert string to float: ${repr(v)}`);
  }
  throw new PyError('TypeError', `float() argument must be a string or a real number, not '${typeName(v)}'`);
}

/**
 * sum(): exact for ints; for floats (a float start, or ints then a float), Neumaier's compensated
 * summation as Python 3.12 does; anything else adds as `+` does (tuples, objects' __add__/__radd__).
 */
function sum(items: Iterable<Value>, start: Value): Value {
  if (typeof start === 'string') throw new PyError('TypeError', "sum() can't sum strings [use ''.join(seq) instead]");
  if (start instanceof PyBytes) throw new PyError('TypeError', `sum() can't sum ${typeName(start)} [use b''.join(seq) instead]`);
  let total: Value = start;
  let floatSum: number | null = null;
  let compensation = 0;
  // Once an item is added by `+`, CPython stays in its generic loop: no more compensation.
  let generic = false;
  for (const item of items) {
    const intItem = typeof item === 'number' || typeof item === 'bigint' || typeof item === 'boolean';
    if (floatSum === null && !generic) {
      const intTotal = typeof total === 'number' || typeof total === 'bigint';
      if (intItem && intTotal) {
        total = intAdd(total as PyInt, toInt(item));
        continue;
      }
      if (total instanceof PyFloat ? intItem || item instanceof PyFloat : intTotal && item instanceof PyFloat) {
        floatSum = total instanceof PyFloat ? total.value : intToFloat(total as PyInt);
      }
    }
    if (floatSum !== null) {
      if (intItem || item instanceof PyFloat) {
        const x = item instanceof PyFloat ? item.value : typeof item === 'boolean' ? Number(item) : intToFloat(item);
        const t: number = floatSum + x;
        compensation += Math.abs(floatSum) >= Math.abs(x) ? floatSum - t + x : x - t + floatSum;
        floatSum = t;
        continue;
      }
      total = float(floatSum + compensation);
      floatSum = null;
    }
    total = binary('+', total, item);
    generic = true;
  }
  return floatSum !== null ? float(floatSum + compensation) : total;
}

/** An int argument (not a float): `hex(1.5)` is a TypeError. */
function toIntStrict(v: Value): PyInt {
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return toInt(v);
  throw new PyError('TypeError', `'${typeName(v)}' object cannot be interpreted as an integer`);
}

/** round(x) and round(x, ndigits): ties to even, on the exact value (rounding.ts). */
function round(x: Value, digits: Value | undefined): Value {
  const n = digits === undefined || digits === null ? null : Number(toIntStrict(digits));
  if (typeof x === 'number' || typeof x === 'bigint' || typeof x === 'boolean') return n === null ? toInt(x) : roundInt(toInt(x), n);
  if (!(x instanceof PyFloat)) throw new PyError('TypeError', `type ${typeName(x)} doesn't define __round__ method`);
  return n === null ? roundFloatToInt(x.value) : roundFloat(x.value, n);
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
  if (cls instanceof PyType) return typeName(v) === cls.name || (cls.name === 'int' && typeof v === 'boolean') || cls === OBJECT_TYPE;
  throw new PyError('TypeError', 'isinstance() arg 2 must be a type, a tuple of types, or a union');
}

/** A builtin's arguments given by position or by name (`pow(2, exp=5)`), in declared order. */
function positionalOrKeyword(name: string, args: Args, kwargs: Kwargs, names: string[]): (Value | undefined)[] {
  if (args.length > names.length) throw new PyError('TypeError', `${name}() takes at most ${names.length} arguments (${args.length} given)`);
  const out: (Value | undefined)[] = names.map((_, i) => args[i]);
  for (const [key, value] of kwargs) {
    const i = names.indexOf(key);
    if (i === -1) throw new PyError('TypeError', `${name}() got an unexpected keyword argument '${key}'`);
    if (out[i] !== undefined) throw new PyError('TypeError', `argument for ${name}() given by name ('${key}') and position (${i + 1})`);
    out[i] = value;
  }
  return out;
}

/** `pow(base, exp, mod)`: exact modular exponentiation; a negative exponent takes the inverse. */
function modularPow(base: Value, exp: Value, mod: Value): PyInt {
  const isInteger = (v: Value) => typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean';
  if (!isInteger(base) || !isInteger(exp) || !isInteger(mod)) {
    const numeric = (v: Value) => isInteger(v) || v instanceof PyFloat;
    if (numeric(base) && numeric(exp) && numeric(mod)) throw new PyError('TypeError', 'pow() 3rd argument not allowed unless all arguments are integers');
    throw new PyError('TypeError', `unsupported operand type(s) for ** or pow(): '${typeName(base)}', '${typeName(exp)}', '${typeName(mod)}'`);
  }
  const m = BigInt(toInt(mod));
  if (m === 0n) throw new PyError('ValueError', 'pow() 3rd argument cannot be 0');
  const modulus = m < 0n ? -m : m;
  const reduce = (x: bigint) => ((x % modulus) + modulus) % modulus;
  let b = reduce(BigInt(toInt(base)));
  let e = BigInt(toInt(exp));
  if (e < 0n) {
    b = modularInverse(b, modulus);
    e = -e;
  }
  let r = modulus === 1n ? 0n : 1n;
  for (; e > 0n; e >>= 1n, b = (b * b) % modulus) if (e & 1n) r = (r * b) % modulus;
  // The result takes the sign of the modulus, as Python's % does.
  return int(m < 0n && r !== 0n ? r + m : r);
}

function modularInverse(b: bigint, modulus: bigint): bigint {
  let [r0, r1, s0, s1] = [modulus, b, 0n, 1n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1, s0, s1] = [r1, r0 - q * r1, s1, s0 - q * s1];
  }
  if (r0 !== 1n) throw new PyError('ValueError', 'base is not invertible for the given modulus');
  return ((s0 % modulus) + modulus) % modulus;
}

const isClass = (v: Value) => v instanceof PyClass || v instanceof PyType || v instanceof PyExceptionClass || v instanceof PyEnum;

function isSubclass(sub: Value, cls: Value): boolean {
  if (!isClass(sub)) throw new PyError('TypeError', 'issubclass() arg 1 must be a class');
  if (cls instanceof PyTuple) return cls.items.some((c) => isSubclass(sub, c));
  if (!isClass(cls)) throw new PyError('TypeError', 'issubclass() arg 2 must be a class, a tuple of classes, or a union');
  if (sub === cls || (cls instanceof PyType && cls.name === 'object')) return true;
  if (cls instanceof PyClass) return sub instanceof PyClass && sub.isSubclassOf(cls);
  if (cls instanceof PyExceptionClass) {
    const builtinBase = sub instanceof PyClass ? sub.exceptionBase : sub instanceof PyExceptionClass ? sub : null;
    return builtinBase !== null && builtinBase.isSubclassOf(cls);
  }
  if (cls instanceof PyType) return sub instanceof PyType && sub.name === 'bool' && cls.name === 'int';
  return false;
}

function isCallable(v: Value): boolean {
  if (v instanceof PyInstance) return v.cls.lookup('__call__') !== undefined;
  return v instanceof PyFunction || v instanceof PyBuiltin || v instanceof PyBoundMethod || isClass(v);
}

/** Python's name for the iterator over each built-in iterable. */
function iteratorType(v: Value): string {
  if (Array.isArray(v)) return 'list_iterator';
  if (typeof v === 'string') return /^[\x00-\x7f]*$/.test(v) ? 'str_ascii_iterator' : 'str_iterator';
  if (v instanceof PyDict) return 'dict_keyiterator';
  if (v instanceof PyDictView) return v.kind === 'keys' ? 'dict_keyiterator' : v.kind === 'values' ? 'dict_valueiterator' : 'dict_itemiterator';
  if (v instanceof PySet) return 'set_iterator';
  if (v instanceof PyRange) return 'range_iterator';
  return `${typeName(v)}_iterator`;
}

/** Python's name for `reversed(x)`'s iterator. */
function reversedType(v: Value): string {
  if (Array.isArray(v)) return 'list_reverseiterator';
  if (v instanceof PyRange) return 'range_iterator';
  if (v instanceof PyDict) return 'dict_reversekeyiterator';
  return 'reversed';
}

/** Takes one item from each iterator in turn, as zip and map do, until the first one ends. */
function* inStep(iterators: Iterator<Value>[], combine: (values: Value[]) => Value): Generator<Value> {
  if (iterators.length === 0) return;
  for (;;) {
    const values: Value[] = [];
    for (const it of iterators) {
      const r = it.next();
      if (r.done) return;
      values.push(r.value);
    }
    yield combine(values);
  }
}

/** `iter(x)`: an iterator is its own; a container gets a new one-shot iterator over it. */
function iteratorOf(v: Value): Value {
  if (v instanceof PyGenerator || v instanceof PyIterator) return v;
  if (v instanceof PyInstance) {
    // iter() of an object of the program's own: what its __iter__ returns, else its items.
    const fn = v.cls.special('__iter__');
    if (fn instanceof PyFunction) return v.callSpecial(fn, []);
  }
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
  // reversed, enumerate, zip, map and filter are lazy one-shot iterators, as in Python: they
  // take from what they wrap only as they are asked (zip of an endless generator ends).
  fn('reversed', (a) => new PyIterator(reversedType(a[0]), collect(iterate(a[0])).reverse()[Symbol.iterator]()));
  fn('enumerate', (a, kw) => {
    let i = Number(toInt(a[1] ?? kw.get('start') ?? 0));
    const items = iterate(a[0]);
    return new PyIterator('enumerate', (function* () {
      for (const v of items) yield new PyTuple([i++, v]);
    })());
  });
  fn('zip', (a) => new PyIterator('zip', inStep(a.map((x) => iterate(x)[Symbol.iterator]()), (vs) => new PyTuple(vs))));
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
    const userNext = it instanceof PyInstance ? it.cls.special('__next__') : null;
    if (userNext instanceof PyFunction) {
      // An object of the program's own with __next__: its StopIteration means the default, if given.
      try {
        return (it as PyInstance).callSpecial(userNext, []);
      } catch (e) {
        if (a.length === 2 && e instanceof PyError && (e.value?.cls ?? exceptionClass(e.pyType)).isSubclassOf(exceptionClass('StopIteration'))) return a[1];
        throw e;
      }
    }
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
  fn('map', (a) => {
    const [f, ...its] = a;
    if (its.length === 0) throw new PyError('TypeError', 'map() must have at least two arguments.');
    return new PyIterator('map', inStep(its.map((x) => iterate(x)[Symbol.iterator]()), (vs) => call(f, vs, new Map())));
  });
  fn('filter', (a) => {
    const [f, it] = a;
    const items = iterate(it);
    return new PyIterator('filter', (function* () {
      for (const v of items) if (truthy(f === null ? v : call(f, [v], new Map()))) yield v;
    })());
  });
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

  fn('pow', (a, kw) => {
    const [base, exp, mod] = positionalOrKeyword('pow', a, kw, ['base', 'exp', 'mod']);
    if (base === undefined || exp === undefined) throw new PyError('TypeError', `pow() missing required argument '${base === undefined ? 'base' : 'exp'}' (pos ${base === undefined ? 1 : 2})`);
    return mod === undefined || mod === null ? binary('**', base, exp) : modularPow(base, exp, mod);
  });
  fn('issubclass', (a) => (expectArgs('issubclass', a, 2), isSubclass(a[0], a[1])));
  fn('callable', (a) => (expectArgs('callable', a, 1), isCallable(a[0])));
  fn('hash', (a) => (expectArgs('hash', a, 1), int(pyHash(a[0]))));
  b.set('NotImplemented', NOT_IMPLEMENTED);
  b.set('type', defineType('type', (a) => (expectArgs('type', a, 1), typeOf(a[0]))));
  b.set(
    'int',
    defineType('int', (a, kw) => {
      const base = a[1] ?? kw.get('base');
      if (base === undefined) return a.length === 0 ? 0 : toInt(a[0]);
      const text = a[0] instanceof PyBytes ? a[0].latin1() : a[0];
      if (typeof text !== 'string') throw new PyError('TypeError', "int() can't convert non-string with explicit base");
      return parseInt(text, Number(toIntStrict(base)));
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
  b.set('object', OBJECT_TYPE);
  for (const [name, cls] of builtinExceptionClasses) b.set(name, cls);
  return b;
}

