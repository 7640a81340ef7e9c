// What Python does for `f(x)`, `x.name`, `x[i]`, `for v in x` and `type(x)` on runtime values,
// including through the special methods (`__call__`, `__getitem__`, `__iter__`, `__len__`,
// `__contains__`) a program's classes define.
import { PyBytes } from '../values/bytes.ts';
import { PyDict, PySet, PyTuple } from '../values/containers.ts';
import { PyDictView } from '../values/dict-views.ts';
import { PyError, PyException, PyExceptionClass, exceptionClass } from '../values/errors.ts';
import { repr } from '../values/repr.ts';
import { equals, truthy } from '../values/compare.ts';
import { isPyObject, typeName, type PyObject, type Value } from '../values/value.ts';
import { PyBoundMethod, PyClass, PyEnum, PyEnumMember, PyInstance, PySuper } from './archetypes.ts';
import { PyBuiltin, PyFunction, PyRange } from './callables.ts';
import { PyGenerator, PyIterator } from './iterators.ts';
import { collect, grow, reserve } from './memory.ts';
import { methodOf, unboundMethod } from './methods.ts';
import { PyModule } from './modules.ts';
import { HostObject } from './host-object.ts';

/** A built-in type used as a value: `int`, `str`, `type(x)`. */
export class PyType implements PyObject {
  constructor(
    readonly name: string,
    readonly construct: ((args: Value[], kwargs: Map<string, Value>) => Value) | null,
  ) {}

  pyTypeName(): string {
    return 'type';
  }

  pyRepr(): string {
    return `<class '${this.name}'>`;
  }
}

/** Python's `object`, the end of every `__mro__`. */
export const OBJECT_TYPE = new PyType('object', null);

export function call(callee: Value, args: Value[], kwargs: Map<string, Value>): Value {
  if (callee instanceof PyFunction || callee instanceof PyBuiltin) return callee.call(args, kwargs);
  if (callee instanceof PyBoundMethod) return callee.fn.call([callee.self, ...args], kwargs);
  if (callee instanceof PyClass) {
    return callee.instantiate(args, kwargs, (self, fn, a, kw) => call(fn instanceof PyFunction ? new PyBoundMethod(self, fn) : fn, a, kw));
  }
  if (callee instanceof PyType && callee.construct) return callee.construct(args, kwargs);
  if (callee instanceof PyExceptionClass) return new PyException(callee, args, repr);
  if (callee instanceof PyEnum) {
    for (const m of callee.members.values()) if (equals(m.value, args[0] ?? null)) return m;
    throw new PyError('ValueError', `${repr(args[0] ?? null)} is not a valid ${callee.name}`);
  }
  if (callee instanceof PyInstance) {
    const fn = callee.cls.special('__call__');
    if (fn) return fn.call([callee, ...args], kwargs);
  }
  throw new PyError('TypeError', `'${typeName(callee)}' object is not callable`);
}

/**
 * The function `object.name(...)` runs with `object` as `self`, found as getAttribute finds it
 * (an instance's own field first), so a call need not make a bound method; null otherwise.
 */
export function instanceMethod(object: Value, name: string): PyFunction | null {
  return object instanceof PyInstance && object.get(name) === undefined ? object.cls.method(name) : null;
}

/**
 * Attributes the runtime gives every archetype instance (`x.__jac__`), registered by the module
 * that makes them, so that this one does not depend on it.
 */
export const INSTANCE_ATTRIBUTES = new Map<string, (i: PyInstance) => Value>();

export function getAttribute(object: Value, name: string): Value {
  // The hot path first: a field of a node, edge, walker or obj.
  if (object instanceof PyInstance) {
    const field = object.get(name);
    if (field !== undefined) {
      // A stored node's list or dict may be changed in place after this read: re-encode it.
      if (object.graph !== null && typeof field === 'object' && field !== null) object.graph.touch(object);
      return field;
    }
  }
  if ((object instanceof PyType || object instanceof PyExceptionClass) && name === '__name__') return object.name;
  if (object instanceof PyType) {
    const unbound = unboundMethod(object.name, name);
    if (unbound) return unbound;
  }
  if ((object instanceof PyFunction || object instanceof PyBuiltin || object instanceof PyClass || object instanceof PyEnum) && name === '__name__') return object.name;
  if ((object instanceof PyFunction || object instanceof PyClass) && name === '__doc__') return object.doc;
  if (object instanceof PyInstance) {
    const special = INSTANCE_ATTRIBUTES.get(name);
    if (special) return special(object);
    const attr = object.cls.lookup(name);
    if (attr !== undefined) return attr instanceof PyFunction && !object.cls.isStatic(name) ? new PyBoundMethod(object, attr) : attr;
    if (object.exception) return getAttribute(object.exception, name);
  }
  if (object instanceof PyClass) {
    if (name === '__mro__') return new PyTuple([...object.mro(), OBJECT_TYPE]);
    const attr = object.lookup(name);
    if (attr !== undefined) return attr;
  }
  if (object instanceof PySuper) {
    const attr = object.lookup(name);
    if (attr instanceof PyFunction) return new PyBoundMethod(object.self, attr);
    if (attr !== undefined) return attr;
    const exception = object.self instanceof PyInstance ? object.self.exception : null;
    // `super.init(msg)` in a program's exception class reaches BaseException.__init__.
    if (exception && (name === 'init' || name === '__init__')) {
      return new PyBuiltin('__init__', (args) => {
        exception.args = args;
        return null;
      });
    }
  }
  if (object instanceof PyEnum) {
    const member = object.members.get(name) ?? object.attributes.get(name);
    if (member !== undefined) return member;
  }
  if (object instanceof PyModule) {
    const v = object.globals.get(name);
    if (v !== undefined) return v;
    throw new PyError('AttributeError', `module '${object.name}' has no attribute '${name}'`);
  }
  if (object instanceof PyEnumMember) {
    if (name === 'name') return object.name;
    if (name === 'value') return object.value;
    const attr = object.enumType.attributes.get(name);
    if (attr !== undefined) return attr instanceof PyFunction && !object.enumType.staticMethods.has(name) ? new PyBoundMethod(object, attr) : attr;
  }
  if (object instanceof PyRange && (name === 'start' || name === 'stop' || name === 'step')) return object[name];
  if (object instanceof PyException) {
    if (name === 'args') return new PyTuple(object.args);
    if (name === '__cause__') return object.cause?.value ?? null;
    if (name === '__context__') return object.context?.value ?? null;
    if (name === '__suppress_context__') return object.suppressContext;
    if (name === 'value' && object.cls.isSubclassOf(exceptionClass('StopIteration'))) return object.args[0] ?? null;
  }
  if (object instanceof PyGenerator || object instanceof HostObject) {
    const attr = object.attribute(name);
    if (attr !== undefined) return attr;
  }
  const method = methodOf(object, name);
  if (method) return method;
  throw new PyError('AttributeError', `'${typeName(object)}' object has no attribute '${name}'`);
}

/** `object.name = value` */
export function setAttribute(object: Value, name: string, value: Value): void {
  if (object instanceof PyInstance) object.set(name, value);
  else if (object instanceof PyClass) object.attributes.set(name, value);
  else if (object instanceof HostObject) object.setAttribute(name, value);
  else throw new PyError('AttributeError', `'${typeName(object)}' object has no attribute '${name}' and no way to set it`);
}

/**
 * `xs.extend(v)`: appends v's items one by one (a spread into push() passes each item as an
 * argument and overflows the stack past ~100,000 of them); a list extended by itself doubles.
 */
export function extendList(xs: Value[], v: Value): void {
  if (Array.isArray(v)) reserve(v.length);
  const items = Array.isArray(v) ? v.slice() : iterate(v);
  for (const x of items) grow(xs, x);
}

/**
 * `xs.splice(start, count, ...items)` for any number of items (a spread passes each item as an
 * argument, and past about 100,000 of them overflows the stack).
 */
export function spliceList(xs: Value[], start: number, count: number, items: readonly Value[]): void {
  if (items.length < 10_000) {
    xs.splice(start, count, ...items);
    return;
  }
  reserve(Math.max(0, items.length - count));
  const tail = xs.slice(start + count);
  xs.length = start;
  for (const v of items) xs.push(v);
  for (const v of tail) xs.push(v);
}

/** The values `for v in x` visits. */
export function iterate(v: Value): Iterable<Value> {
  const items = iterableOrNull(v);
  if (items === null) throw new PyError('TypeError', `'${typeName(v)}' object is not iterable`);
  return items;
}

/** What `iterate` gives, or null for a value that is not iterable. */
function iterableOrNull(v: Value): Iterable<Value> | null {
  if (Array.isArray(v)) return v;
  if (typeof v === 'string') return v;
  if (v instanceof PyTuple) return v.items;
  if (v instanceof PyDict) return v.walk('keys');
  if (v instanceof PySet) return v.walk();
  if (v instanceof PyRange || v instanceof PyDictView) return v;
  if (v instanceof PyEnum) return v.members.values();
  if (v instanceof PyBytes) return Array.from(v.data);
  if (v instanceof PyGenerator || v instanceof PyIterator) return v;
  if (v instanceof PyInstance) return instanceItems(v);
  return null;
}

/** Whether a `PyError` is (a subclass of) the built-in exception `name`. */
function raised(e: unknown, name: string): boolean {
  if (!(e instanceof PyError)) return false;
  return (e.value?.cls ?? exceptionClass(e.pyType)).isSubclassOf(exceptionClass(name));
}

/**
 * An instance's items: from the iterator its `__iter__` returns (an object with `__next__`,
 * run until StopIteration), else `__getitem__` at 0, 1, 2, ... until IndexError.
 */
function instanceItems(v: PyInstance): Iterable<Value> | null {
  const iter = v.cls.special('__iter__');
  if (iter) {
    const it = v.callSpecial(iter, []);
    const next = it instanceof PyInstance ? it.cls.special('__next__') : null;
    if (next) return nextUntilStop(it as PyInstance, next);
    // Python requires an iterator here; a list or other container is refused.
    const items = typeof it === 'string' || Array.isArray(it) || it instanceof PyTuple || it instanceof PyDict || it instanceof PySet || it instanceof PyRange || it instanceof PyInstance ? null : iterableOrNull(it);
    if (items === null) throw new PyError('TypeError', `iter() returned non-iterator of type '${typeName(it)}'`);
    return items;
  }
  const getItem = v.cls.special('__getitem__');
  return getItem ? indexUntilError(v, getItem) : null;
}

function* nextUntilStop(it: PyInstance, next: PyFunction): Iterable<Value> {
  for (;;) {
    let item: Value;
    try {
      item = it.callSpecial(next, []);
    } catch (e) {
      if (raised(e, 'StopIteration')) return;
      throw e;
    }
    yield item;
  }
}

function* indexUntilError(v: PyInstance, getItem: PyFunction): Iterable<Value> {
  for (let i = 0; ; i++) {
    let item: Value;
    try {
      item = v.callSpecial(getItem, [i]);
    } catch (e) {
      if (raised(e, 'IndexError') || raised(e, 'StopIteration')) return;
      throw e;
    }
    yield item;
  }
}

function normalizeIndex(i: Value, length: number, what: string): number {
  if (typeof i === 'boolean') i = i ? 1 : 0;
  if (typeof i !== 'number' && typeof i !== 'bigint') throw new PyError('TypeError', `${what} indices must be integers or slices, not ${typeName(i)}`);
  const n = Number(i);
  const k = n < 0 ? n + length : n;
  if (k < 0 || k >= length) throw new PyError('IndexError', `${what} index out of range`);
  return k;
}

export interface SliceBounds {
  lower: Value;
  upper: Value;
  step: Value;
}

/** A slice object, as `x[a:b]` passes it to a program's `__getitem__` or `__setitem__`. */
export class PySlice implements PyObject, SliceBounds {
  constructor(
    readonly lower: Value,
    readonly upper: Value,
    readonly step: Value,
  ) {}

  pyTypeName(): string {
    return 'slice';
  }

  pyRepr(): string {
    return `slice(${repr(this.lower)}, ${repr(this.upper)}, ${repr(this.step)})`;
  }
}

/** The special method `name` of an instance's class, if it defines one. */
function specialOf(v: Value, name: string): PyFunction | null {
  return v instanceof PyInstance ? v.cls.special(name) || null : null;
}

/** The indexes a slice selects, with Python's clamping and negative steps. */
export function sliceIndexes(s: SliceBounds, length: number): number[] {
  const num = (v: Value, name: string): number | null => {
    if (v === null) return null;
    if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return Number(v);
    throw new PyError('TypeError', `slice ${name} must be an integer or None`);
  };
  const step = num(s.step, 'step') ?? 1;
  if (step === 0) throw new PyError('ValueError', 'slice step cannot be zero');
  const clamp = (v: number | null, dflt: number) => {
    if (v === null) return dflt;
    if (v < 0) v += length;
    return step > 0 ? Math.min(Math.max(v, 0), length) : Math.min(Math.max(v, -1), length - 1);
  };
  const start = clamp(num(s.lower, 'start'), step > 0 ? 0 : length - 1);
  const stop = clamp(num(s.upper, 'stop'), step > 0 ? length : -1);
  const out: number[] = [];
  if (step > 0) for (let i = start; i < stop; i += step) out.push(i);
  else for (let i = start; i > stop; i += step) out.push(i);
  return out;
}

export function getItem(object: Value, index: Value | SliceBounds, isSlice: boolean): Value {
  if (index instanceof PySlice) isSlice = true;
  if (isSlice) {
    const s = index as SliceBounds;
    const fn = specialOf(object, '__getitem__');
    if (fn) return (object as PyInstance).callSpecial(fn, [index instanceof PySlice ? index : new PySlice(s.lower, s.upper, s.step)]);
    if (typeof object === 'string') return sliceIndexes(s, object.length).map((i) => object[i]).join('');
    if (Array.isArray(object)) return sliceIndexes(s, object.length).map((i) => object[i]);
    if (object instanceof PyTuple) return new PyTuple(sliceIndexes(s, object.items.length).map((i) => object.items[i]));
    if (object instanceof PyBytes) return new PyBytes(Uint8Array.from(sliceIndexes(s, object.data.length), (i) => object.data[i]));
    if (object instanceof PyRange) return object.slice(s.lower, s.upper, s.step);
    throw new PyError('TypeError', `'${typeName(object)}' object is not subscriptable`);
  }
  const i = index as Value;
  if (Array.isArray(object)) return object[normalizeIndex(i, object.length, 'list')];
  if (typeof object === 'string') return object[normalizeIndex(i, object.length, 'string')];
  if (object instanceof PyTuple) return object.items[normalizeIndex(i, object.items.length, 'tuple')];
  if (object instanceof PyBytes) {
    if (typeof i !== 'number' && typeof i !== 'bigint' && typeof i !== 'boolean') throw new PyError('TypeError', `byte indices must be integers or slices, not ${typeName(i)}`);
    const n = Number(i);
    const k = n < 0 ? n + object.data.length : n;
    if (k < 0 || k >= object.data.length) throw new PyError('IndexError', 'index out of range');
    return object.data[k];
  }
  if (object instanceof PyRange) return object.item(i);
  if (object instanceof PyDict) {
    const v = object.get(i);
    if (v === undefined) throw new PyError('KeyError', repr(i), new PyException(exceptionClass('KeyError'), [i], repr));
    return v;
  }
  if (object instanceof PyEnum && typeof i === 'string') {
    const member = object.members.get(i);
    if (member) return member;
    throw new PyError('KeyError', repr(i), new PyException(exceptionClass('KeyError'), [i], repr));
  }
  const fn = specialOf(object, '__getitem__');
  if (fn) return (object as PyInstance).callSpecial(fn, [i]);
  throw new PyError('TypeError', `'${typeName(object)}' object is not subscriptable`);
}

/** `xs[a:b] = values` (a list may grow or shrink); `xs[a:b:k] = values` needs equal lengths. */
export function setSlice(object: Value, bounds: SliceBounds, values: Value): void {
  const fn = specialOf(object, '__setitem__');
  if (fn) {
    (object as PyInstance).callSpecial(fn, [new PySlice(bounds.lower, bounds.upper, bounds.step), values]);
    return;
  }
  if (!Array.isArray(object)) throw new PyError('TypeError', `'${typeName(object)}' object does not support item assignment`);
  const items = collect(iterate(values));
  const indexes = sliceIndexes(bounds, object.length);
  const step = bounds.step === null ? 1 : Number(bounds.step);
  if (step === 1) {
    // The insertion point of an empty slice is its clamped start.
    const start = indexes.length > 0 ? indexes[0] : sliceIndexes({ ...bounds, upper: null }, object.length)[0] ?? object.length;
    spliceList(object, start, indexes.length, items);
    return;
  }
  if (items.length !== indexes.length) {
    throw new PyError('ValueError', `attempt to assign sequence of size ${items.length} to extended slice of size ${indexes.length}`);
  }
  indexes.forEach((i, k) => (object[i] = items[k]));
}

export function setItem(object: Value, index: Value, value: Value): void {
  if (Array.isArray(object)) {
    if (index instanceof PySlice) setSlice(object, index, value);
    else object[normalizeIndex(index, object.length, 'list assignment')] = value;
  } else if (object instanceof PyDict) object.set(index, value);
  else if (specialOf(object, '__setitem__')) (object as PyInstance).callSpecial(specialOf(object, '__setitem__')!, [index, value]);
  else throw new PyError('TypeError', `'${typeName(object)}' object does not support item assignment`);
}

export function deleteItem(object: Value, index: Value): void {
  if (Array.isArray(object)) object.splice(normalizeIndex(index, object.length, 'list assignment'), 1);
  else if (object instanceof PyDict) {
    if (!object.delete(index)) throw new PyError('KeyError', repr(index), new PyException(exceptionClass('KeyError'), [index], repr));
  } else if (!(object instanceof PyInstance && deleteByMethod(object, index))) {
    // CPython words it differently for sequences (str, tuple, bytes, range, and a class's
    // instances when the key is an int) and other objects.
    const sequence =
      typeof object === 'string' || object instanceof PyTuple || object instanceof PyBytes || object instanceof PyRange ||
      (object instanceof PyInstance && (typeof index === 'number' || typeof index === 'bigint' || typeof index === 'boolean'));
    throw new PyError('TypeError', `'${typeName(object)}' object ${sequence ? "doesn't" : 'does not'} support item deletion`);
  }
}

/**
 * `del x[k]` through the class's `__delitem__`; false when it defines neither that nor
 * `__setitem__` (with only `__setitem__`, Python finds no `__delitem__`: an AttributeError).
 */
function deleteByMethod(object: PyInstance, key: Value): boolean {
  const fn = object.cls.special('__delitem__');
  if (fn) {
    object.callSpecial(fn, [key]);
    return true;
  }
  if (object.cls.special('__setitem__')) throw new PyError('AttributeError', '__delitem__');
  return false;
}

/** `del xs[a:b]` and `del xs[a:b:k]`: the selected items leave the list. */
export function deleteSlice(object: Value, bounds: SliceBounds): void {
  if (object instanceof PyInstance && deleteByMethod(object, new PySlice(bounds.lower, bounds.upper, bounds.step))) return;
  if (!Array.isArray(object)) throw new PyError('TypeError', `'${typeName(object)}' object does not support item deletion`);
  const doomed = new Set(sliceIndexes(bounds, object.length));
  if (doomed.size === 0) return;
  let kept = 0;
  for (let i = 0; i < object.length; i++) if (!doomed.has(i)) object[kept++] = object[i];
  object.length = kept;
}

export function contains(container: Value, item: Value, equals: (a: Value, b: Value) => boolean): boolean {
  if (typeof container === 'string') {
    if (typeof item !== 'string') throw new PyError('TypeError', `'in <string>' requires string as left operand, not ${typeName(item)}`);
    return container.includes(item);
  }
  if (container instanceof PyDict || container instanceof PySet) return container.has(item);
  if (container instanceof PyBytes) return bytesContain(container, item);
  if (container instanceof PyDictView) return container.has(item);
  if (container instanceof PyRange && (typeof item === 'number' || typeof item === 'bigint' || typeof item === 'boolean')) return container.indexOf(item) !== -1;
  const fn = specialOf(container, '__contains__');
  if (fn) return truthy((container as PyInstance).callSpecial(fn, [item]));
  const items = iterableOrNull(container);
  if (items === null) throw new PyError('TypeError', `argument of type '${typeName(container)}' is not iterable`);
  for (const v of items) if (v === item || equals(v, item)) return true;
  return false;
}

/** `x in b`: an int is looked up as a byte, bytes as a run of bytes. */
function bytesContain(b: PyBytes, item: Value): boolean {
  if (typeof item === 'number' || typeof item === 'bigint' || typeof item === 'boolean') {
    const n = Number(item);
    if (n < 0 || n > 255) throw new PyError('ValueError', 'byte must be in range(0, 256)');
    return b.data.includes(n);
  }
  if (item instanceof PyBytes) return b.latin1().includes(item.latin1());
  throw new PyError('TypeError', `a bytes-like object is required, not '${typeName(item)}'`);
}

/** The length `len()` reports. */
export function length(v: Value): number {
  if (typeof v === 'string') return [...v].length;
  if (Array.isArray(v)) return v.length;
  if (v instanceof PyTuple) return v.items.length;
  if (v instanceof PyDict || v instanceof PySet) return v.size;
  if (v instanceof PyRange) return v.length;
  if (v instanceof PyEnum) return v.members.size;
  if (v instanceof PyBytes) return v.data.length;
  if (v instanceof PyInstance) return v.pyLength();
  if (isPyObject(v) && v.pyLength) return v.pyLength();
  throw new PyError('TypeError', `object of type '${typeName(v)}' has no len()`);
}
