// Methods of the built-in types (`s.upper()`, `xs.append(x)`, `d.items()`), bound on access.
import { sameOrEqual } from '../values/compare.ts';
import { PyBytes } from '../values/bytes.ts';
import { PyDict, PySet, PyTuple, setDifference, setIntersection, setOf, setSymmetricDifference, setUnion } from '../values/containers.ts';
import { PyError, PyException, exceptionClass } from '../values/errors.ts';
import { PyFloat, type PyInt } from '../values/numbers.ts';
import { PyDictView } from '../values/dict-views.ts';
import { repr } from '../values/repr.ts';
import { typeName, type Value } from '../values/value.ts';
import { bytesMethods } from './bytes-methods.ts';
import { PyBuiltin, PyRange } from './callables.ts';
import { maketrans } from './str-translate.ts';
import { grow } from './memory.ts';
import { extendList, iterate, spliceList } from './protocols.ts';
import { sortValues } from './sorting.ts';
import { strMethods } from './str-methods.ts';

export type Method<T> = (self: T, args: Value[], kwargs: Map<string, Value>) => Value;

/** A KeyError whose argument is `key` (its str shows the key's repr, once). */
const keyError = (key: Value) => new PyError('KeyError', repr(key), new PyException(exceptionClass('KeyError'), [key], repr));

function arity(name: string, args: Value[], min: number, max = min): void {
  if (args.length < min || args.length > max) {
    const expected = min === max ? `exactly ${min}` : `from ${min} to ${max}`;
    throw new PyError('TypeError', `${name}() takes ${expected} argument${max === 1 ? '' : 's'} (${args.length} given)`);
  }
}

const listMethods: Record<string, Method<Value[]>> = {
  append: (xs, a) => {
    arity('append', a, 1);
    grow(xs, a[0]);
    return null;
  },
  extend: (xs, a) => {
    arity('extend', a, 1);
    extendList(xs, a[0]);
    return null;
  },
  insert: (xs, a) => {
    arity('insert', a, 2);
    let i = Number(a[0]);
    if (i < 0) i = Math.max(0, xs.length + i);
    xs.splice(Math.min(i, xs.length), 0, a[1]);
    return null;
  },
  pop: (xs, a) => {
    if (xs.length === 0) throw new PyError('IndexError', 'pop from empty list');
    let i = a.length > 0 ? Number(a[0]) : xs.length - 1;
    if (i < 0) i += xs.length;
    if (i < 0 || i >= xs.length) throw new PyError('IndexError', 'pop index out of range');
    return xs.splice(i, 1)[0];
  },
  remove: (xs, a) => {
    const i = xs.findIndex((x) => sameOrEqual(x, a[0]));
    if (i === -1) throw new PyError('ValueError', 'list.remove(x): x not in list');
    xs.splice(i, 1);
    return null;
  },
  index: (xs, a) => sequenceIndex(xs, a, () => `${repr(a[0])} is not in list`),
  count: (xs, a) => xs.filter((x) => sameOrEqual(x, a[0])).length,
  reverse: (xs) => {
    xs.reverse();
    return null;
  },
  sort: (xs, _a, kw) => {
    const sorted = sortValues(xs, kw.get('key') ?? null, kw.get('reverse') ?? false);
    spliceList(xs, 0, xs.length, sorted);
    return null;
  },
  copy: (xs) => [...xs],
  clear: (xs) => {
    xs.length = 0;
    return null;
  },
};

/** `seq.index(x[, start[, stop]])`: the first equal item within the slice bounds. */
function sequenceIndex(items: readonly Value[], a: Value[], missing: () => string): number {
  arity('index', a, 1, 3);
  const bound = (v: Value | undefined, dflt: number) => {
    if (v === undefined) return dflt;
    if (typeof v !== 'number' && typeof v !== 'bigint' && typeof v !== 'boolean') throw new PyError('TypeError', 'slice indices must be integers or have an __index__ method');
    const n = Number(v);
    return n < 0 ? Math.max(0, n + items.length) : Math.min(n, items.length);
  };
  const stop = bound(a[2], items.length);
  for (let i = bound(a[1], 0); i < stop; i++) if (sameOrEqual(items[i], a[0])) return i;
  throw new PyError('ValueError', missing());
}

const tupleMethods: Record<string, Method<PyTuple>> = {
  count: (t, a) => (arity('count', a, 1), t.items.filter((x) => sameOrEqual(x, a[0])).length),
  index: (t, a) => sequenceIndex(t.items, a, () => 'tuple.index(x): x not in tuple'),
};

const intMethods: Record<string, Method<PyInt>> = {
  bit_length: (n, a) => (arity('bit_length', a, 0), n === 0 || n === 0n ? 0 : (n < 0 ? -BigInt(n) : BigInt(n)).toString(2).length),
  bit_count: (n, a) => (arity('bit_count', a, 0), [...(n < 0 ? -BigInt(n) : BigInt(n)).toString(2)].filter((d) => d === '1').length),
  is_integer: (_n, a) => (arity('is_integer', a, 0), true),
  conjugate: (n, a) => (arity('conjugate', a, 0), n),
  as_integer_ratio: (n, a) => (arity('as_integer_ratio', a, 0), new PyTuple([n, 1])),
};

const floatMethods: Record<string, Method<PyFloat>> = {
  is_integer: (x, a) => (arity('is_integer', a, 0), Number.isInteger(x.value)),
  conjugate: (x, a) => (arity('conjugate', a, 0), x),
};

/** `r.count(x)` and `r.index(x)`: arithmetic, not a walk over the range. */
const rangeMethods: Record<string, Method<PyRange>> = {
  count: (r, a) => (arity('count', a, 1), r.indexOf(a[0]) === -1 ? 0 : 1),
  index: (r, a) => {
    arity('index', a, 1);
    const i = r.indexOf(a[0]);
    if (i === -1) throw new PyError('ValueError', `${repr(a[0])} is not in range`);
    return i;
  },
};

const dictMethods: Record<string, Method<PyDict>> = {
  get: (d, a) => d.get(a[0]) ?? (a.length > 1 ? a[1] : null),
  keys: (d, a) => (arity('keys', a, 0), new PyDictView(d, 'keys')),
  values: (d, a) => (arity('values', a, 0), new PyDictView(d, 'values')),
  items: (d, a) => (arity('items', a, 0), new PyDictView(d, 'items')),
  pop: (d, a) => {
    const v = d.get(a[0]);
    if (v === undefined) {
      if (a.length > 1) return a[1];
      throw keyError(a[0]);
    }
    d.delete(a[0]);
    return v;
  },
  popitem: (d) => {
    const keys = d.keys();
    if (keys.length === 0) throw keyError('popitem(): dictionary is empty');
    const k = keys[keys.length - 1];
    const v = d.get(k)!;
    d.delete(k);
    return new PyTuple([k, v]);
  },
  setdefault: (d, a) => {
    const v = d.get(a[0]);
    if (v !== undefined) return v;
    const dflt = a.length > 1 ? a[1] : null;
    d.set(a[0], dflt);
    return dflt;
  },
  update: (d, a, kw) => {
    if (a[0] instanceof PyDict) for (const [k, v] of a[0].items()) d.set(k, v);
    for (const [k, v] of kw) d.set(k, v);
    return null;
  },
  copy: (d) => {
    const c = new PyDict();
    for (const [k, v] of d.items()) c.set(k, v);
    return c;
  },
  clear: (d) => {
    for (const k of d.keys()) d.delete(k);
    return null;
  },
};

const viewMethods: Record<string, Method<PyDictView>> = {
  isdisjoint: (view, a) => {
    arity('isdisjoint', a, 1);
    for (const v of iterate(a[0])) if (view.has(v)) return false;
    return true;
  },
};

const setMethods: Record<string, Method<PySet>> = {
  add: (s, a) => {
    s.add(a[0]);
    return null;
  },
  remove: (s, a) => {
    if (!s.delete(a[0])) throw keyError(a[0]);
    return null;
  },
  discard: (s, a) => {
    s.delete(a[0]);
    return null;
  },
  union: (s, a) => setUnion(s, ...a.map(members)),
  update: (s, a) => {
    for (const x of a) if (x !== s) s.update(members(x));
    return null;
  },
  intersection: (s, a) => {
    let out = a.length === 0 ? setOf(s) : s;
    for (const x of a) {
      if (x instanceof PySet) out = setIntersection(out, x);
      else {
        const next = new PySet();
        for (const v of iterate(x)) if (out.has(v)) next.add(v);
        out = next;
      }
    }
    return out;
  },
  difference: (s, a) => {
    if (a.length === 0) return setOf(s);
    const [first, ...rest] = a;
    let out: PySet;
    if (first instanceof PySet) out = setDifference(s, first);
    else {
      out = setOf(s);
      for (const v of iterate(first)) out.delete(v);
    }
    for (const x of rest) for (const v of iterate(x)) out.delete(v);
    return out;
  },
  symmetric_difference: (s, a) => setSymmetricDifference(s, a[0] instanceof PySet ? a[0] : setOf(members(a[0]))),
  clear: (s) => {
    s.clear();
    return null;
  },
  issubset: (s, a) => [...s.values()].every((v) => new PySet(iterate(a[0])).has(v)),
  issuperset: (s, a) => [...iterate(a[0])].every((v) => s.has(v)),
  isdisjoint: (s, a) => [...iterate(a[0])].every((v) => !s.has(v)),
  pop: (s) => {
    const [first] = s.values();
    if (first === undefined) throw keyError('pop from an empty set');
    s.delete(first);
    return first;
  },
  copy: (s) => setOf(s),
};

/** What `set.update(x)` adds: a set or dict as it is (CPython sizes the table for them first), else x's items. */
function members(x: Value): Iterable<Value> | PyDict {
  return x instanceof PySet || x instanceof PyDict ? x : iterate(x);
}

/** `str.lower`, `dict.fromkeys`: a method looked up on the type, called with self first. */
export function unboundMethod(owner: string, name: string): PyBuiltin | undefined {
  if (owner === 'str' && name === 'maketrans') return new PyBuiltin(name, (args) => maketrans(args));
  if (owner === 'dict' && name === 'fromkeys') {
    return new PyBuiltin(name, (args) => {
      const d = new PyDict();
      for (const k of iterate(args[0])) d.set(k, args.length > 1 ? args[1] : null);
      return d;
    });
  }
  const table: Record<string, Method<never>> | undefined = ({ str: strMethods, bytes: bytesMethods, list: listMethods, dict: dictMethods, set: setMethods, tuple: tupleMethods, int: intMethods, float: floatMethods } as Record<string, Record<string, Method<never>>>)[owner];
  if (!table || !Object.hasOwn(table, name)) return undefined;
  return new PyBuiltin(name, (args, kwargs) => {
    const bound = methodOf(args[0], name);
    if (!bound) throw new PyError('TypeError', `descriptor '${name}' for '${owner}' objects doesn't apply to a '${args[0] === undefined ? 'nothing' : typeName(args[0])}' object`);
    return bound.call(args.slice(1), kwargs);
  });
}

/** The bound method `object.name`, or undefined when the type has no such method. */
export function methodOf(object: Value, name: string): PyBuiltin | undefined {
  const bind = <T>(table: Record<string, Method<T>>, self: T) => {
    if (!Object.hasOwn(table, name)) return undefined;
    const m = table[name];
    return new PyBuiltin(name, (args, kwargs) => m(self, args, kwargs));
  };
  if (typeof object === 'string') return bind(strMethods, object);
  if (typeof object === 'number' || typeof object === 'bigint') return bind(intMethods, object);
  if (typeof object === 'boolean') return bind(intMethods, object ? 1 : 0);
  if (object instanceof PyFloat) return bind(floatMethods, object);
  if (object instanceof PyTuple) return bind(tupleMethods, object);
  if (object instanceof PyRange) return bind(rangeMethods, object);
  if (object instanceof PyDictView && object.setLike) return bind(viewMethods, object);
  if (object instanceof PyBytes) return bind(bytesMethods, object);
  if (Array.isArray(object)) return bind(listMethods, object);
  if (object instanceof PyDict) return bind(dictMethods, object);
  if (object instanceof PySet) {
    if (object.frozen && ['add', 'remove', 'discard', 'pop'].includes(name)) return undefined;
    return bind(setMethods, object);
  }
  return undefined;
}

