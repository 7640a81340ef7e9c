// Methods of the built-in types (`s.upper()`, `xs.append(x)`, `d.items()`), bound on access.
import { equals } from '../values/compare.ts';
import { PyDict, PySet, PyTuple } from '../values/containers.ts';
import { PyError } from '../values/errors.ts';
import { repr } from '../values/repr.ts';
import { typeName, type Value } from '../values/value.ts';
import { PyBuiltin } from './callables.ts';
import { iterate } from './protocols.ts';
import { sortValues } from './sorting.ts';

type Method<T> = (self: T, args: Value[], kwargs: Map<string, Value>) => Value;

function arity(name: string, args: Value[], min: number, max = min): void {
  if (args.length < min || args.length > max) {
    const expected = min === max ? `exactly ${min}` : `from ${min} to ${max}`;
    throw new PyError('TypeError', `${name}() takes ${expected} argument${max === 1 ? '' : 's'} (${args.length} given)`);
  }
}

function needStr(method: string, v: Value): string {
  if (typeof v !== 'string') throw new PyError('TypeError', `${method}() argument must be str, not ${typeName(v)}`);
  return v;
}

const strMethods: Record<string, Method<string>> = {
  upper: (s) => s.toUpperCase(),
  lower: (s) => s.toLowerCase(),
  strip: (s, a) => (a[0] === undefined || a[0] === null ? s.trim() : trimChars(s, needStr('strip', a[0]), true, true)),
  lstrip: (s, a) => (a[0] === undefined || a[0] === null ? s.trimStart() : trimChars(s, needStr('lstrip', a[0]), true, false)),
  rstrip: (s, a) => (a[0] === undefined || a[0] === null ? s.trimEnd() : trimChars(s, needStr('rstrip', a[0]), false, true)),
  split: (s, a, kw) => {
    const sep = a[0] ?? kw.get('sep') ?? null;
    const max = Number(a[1] ?? kw.get('maxsplit') ?? -1);
    if (sep === null) {
      const words: string[] = [];
      let rest = s.trimStart();
      while (rest !== '' && (max < 0 || words.length < max)) {
        const m = /\s+/.exec(rest);
        if (!m) break;
        words.push(rest.slice(0, m.index));
        rest = rest.slice(m.index + m[0].length);
      }
      if (rest !== '') words.push(max >= 0 && words.length >= max ? rest : rest.trimEnd());
      return words.filter((w) => w !== '');
    }
    const text = needStr('split', sep);
    if (text === '') throw new PyError('ValueError', 'empty separator');
    const parts = s.split(text);
    return max < 0 || parts.length <= max + 1 ? parts : [...parts.slice(0, max), parts.slice(max).join(text)];
  },
  join: (s, a) => {
    arity('join', a, 1);
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
  },
  replace: (s, a) => {
    arity('replace', a, 2, 3);
    const parts = s.split(needStr('replace', a[0]));
    const count = a.length > 2 ? Number(a[2]) : -1;
    const by = needStr('replace', a[1]);
    if (count < 0 || parts.length <= count + 1) return parts.join(by);
    return parts.slice(0, count + 1).join(by) + needStr('replace', a[0]) + parts.slice(count + 1).join(needStr('replace', a[0]));
  },
  startswith: (s, a) => s.startsWith(needStr('startswith', a[0])),
  endswith: (s, a) => s.endsWith(needStr('endswith', a[0])),
  find: (s, a) => s.indexOf(needStr('find', a[0])),
  rfind: (s, a) => s.lastIndexOf(needStr('rfind', a[0])),
  count: (s, a) => {
    const sub = needStr('count', a[0]);
    return sub === '' ? s.length + 1 : s.split(sub).length - 1;
  },
  title: (s) => s.toLowerCase().replace(/(^|[^a-zA-Z])([a-z])/g, (_m, p: string, c: string) => p + c.toUpperCase()),
  capitalize: (s) => (s ? s[0].toUpperCase() + s.slice(1).toLowerCase() : s),
  isdigit: (s) => s.length > 0 && /^[0-9]+$/.test(s),
  isalpha: (s) => s.length > 0 && /^\p{L}+$/u.test(s),
  isalnum: (s) => s.length > 0 && /^[\p{L}\p{N}]+$/u.test(s),
  isspace: (s) => s.length > 0 && /^\s+$/.test(s),
  isupper: (s) => /\p{Lu}/u.test(s) && !/\p{Ll}/u.test(s),
  islower: (s) => /\p{Ll}/u.test(s) && !/\p{Lu}/u.test(s),
  index: (s, a) => {
    const i = s.indexOf(needStr('index', a[0]));
    if (i === -1) throw new PyError('ValueError', 'substring not found');
    return i;
  },
  center: (s, a) => {
    const [width, fill] = padArgs('center', a);
    const total = Math.max(0, width - s.length);
    // Python puts the extra character on the right when the padding is odd and the width even.
    const left = Math.floor(total / 2) + (total % 2 && width % 2 ? 1 : 0);
    return fill.repeat(left) + s + fill.repeat(total - left);
  },
  ljust: (s, a) => {
    const [width, fill] = padArgs('ljust', a);
    return s + fill.repeat(Math.max(0, width - s.length));
  },
  rjust: (s, a) => {
    const [width, fill] = padArgs('rjust', a);
    return fill.repeat(Math.max(0, width - s.length)) + s;
  },
  zfill: (s, a) => {
    const width = Number(a[0]);
    const sign = s.startsWith('-') || s.startsWith('+') ? s[0] : '';
    return sign + s.slice(sign.length).padStart(width - sign.length, '0');
  },
};

function padArgs(name: string, a: Value[]): [number, string] {
  arity(name, a, 1, 2);
  const fill = a.length > 1 ? needStr(name, a[1]) : ' ';
  if ([...fill].length !== 1) throw new PyError('TypeError', 'The fill character must be exactly one character long');
  return [Number(a[0]), fill];
}

function trimChars(s: string, chars: string, left: boolean, right: boolean): string {
  let a = 0;
  let b = s.length;
  if (left) while (a < b && chars.includes(s[a])) a++;
  if (right) while (b > a && chars.includes(s[b - 1])) b--;
  return s.slice(a, b);
}


const listMethods: Record<string, Method<Value[]>> = {
  append: (xs, a) => {
    arity('append', a, 1);
    xs.push(a[0]);
    return null;
  },
  extend: (xs, a) => {
    arity('extend', a, 1);
    xs.push(...iterate(a[0]));
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
    const i = xs.findIndex((x) => equals(x, a[0]));
    if (i === -1) throw new PyError('ValueError', 'list.remove(x): x not in list');
    xs.splice(i, 1);
    return null;
  },
  index: (xs, a) => {
    const i = xs.findIndex((x) => equals(x, a[0]));
    if (i === -1) throw new PyError('ValueError', `${repr(a[0])} is not in list`);
    return i;
  },
  count: (xs, a) => xs.filter((x) => equals(x, a[0])).length,
  reverse: (xs) => {
    xs.reverse();
    return null;
  },
  sort: (xs, _a, kw) => {
    const sorted = sortValues(xs, kw.get('key') ?? null, kw.get('reverse') ?? false);
    xs.splice(0, xs.length, ...sorted);
    return null;
  },
  copy: (xs) => [...xs],
  clear: (xs) => {
    xs.length = 0;
    return null;
  },
};

const dictMethods: Record<string, Method<PyDict>> = {
  get: (d, a) => d.get(a[0]) ?? (a.length > 1 ? a[1] : null),
  keys: (d) => d.keys(),
  values: (d) => [...d.items()].map(([, v]) => v),
  items: (d) => [...d.items()].map(([k, v]) => new PyTuple([k, v])),
  pop: (d, a) => {
    const v = d.get(a[0]);
    if (v === undefined) {
      if (a.length > 1) return a[1];
      throw new PyError('KeyError', repr(a[0]));
    }
    d.delete(a[0]);
    return v;
  },
  popitem: (d) => {
    const keys = d.keys();
    if (keys.length === 0) throw new PyError('KeyError', "'popitem(): dictionary is empty'");
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

const setMethods: Record<string, Method<PySet>> = {
  add: (s, a) => {
    s.add(a[0]);
    return null;
  },
  remove: (s, a) => {
    if (!s.delete(a[0])) throw new PyError('KeyError', repr(a[0]));
    return null;
  },
  discard: (s, a) => {
    s.delete(a[0]);
    return null;
  },
  union: (s, a) => new PySet([...s.values(), ...a.flatMap((x) => [...iterate(x)])]),
  intersection: (s, a) => new PySet([...s.values()].filter((v) => a.every((x) => new PySet(iterate(x)).has(v)))),
  difference: (s, a) => new PySet([...s.values()].filter((v) => !a.some((x) => new PySet(iterate(x)).has(v)))),
  issubset: (s, a) => [...s.values()].every((v) => new PySet(iterate(a[0])).has(v)),
  issuperset: (s, a) => [...iterate(a[0])].every((v) => s.has(v)),
  isdisjoint: (s, a) => [...iterate(a[0])].every((v) => !s.has(v)),
  pop: (s) => {
    const [first] = s.values();
    if (first === undefined) throw new PyError('KeyError', "'pop from an empty set'");
    s.delete(first);
    return first;
  },
  copy: (s) => new PySet(s.values()),
};

/** `str.lower`, `dict.fromkeys`: a method looked up on the type, called with self first. */
export function unboundMethod(owner: string, name: string): PyBuiltin | undefined {
  if (owner === 'dict' && name === 'fromkeys') {
    return new PyBuiltin(name, (args) => {
      const d = new PyDict();
      for (const k of iterate(args[0])) d.set(k, args.length > 1 ? args[1] : null);
      return d;
    });
  }
  const table: Record<string, Method<never>> | undefined = ({ str: strMethods, list: listMethods, dict: dictMethods, set: setMethods } as Record<string, Record<string, Method<never>>>)[owner];
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
  if (Array.isArray(object)) return bind(listMethods, object);
  if (object instanceof PyDict) return bind(dictMethods, object);
  if (object instanceof PySet) {
    if (object.frozen && ['add', 'remove', 'discard', 'pop'].includes(name)) return undefined;
    return bind(setMethods, object);
  }
  return undefined;
}

