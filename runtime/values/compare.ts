// Truthiness, equality and ordering with Python's rules, including the special methods
// (`__bool__`, `__eq__`, `__lt__`, ...) a program's classes define.
import { PyBytes, compareBytes } from './bytes.ts';
import { PyError } from './errors.ts';
import { PyDict, PySet, PyTuple } from './containers.ts';
import { PyDictView } from './dict-views.ts';
import { PyFloat } from './numbers.ts';
import { NOT_IMPLEMENTED, isPyObject, typeName, type PyObject, type RichOp, type Value } from './value.ts';

/** The number a bool, int or float stands for in arithmetic comparisons; null otherwise. */
function numeric(v: Value): number | bigint | null {
  if (typeof v === 'number' || typeof v === 'bigint') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v instanceof PyFloat) return v.value;
  return null;
}

export function truthy(v: Value): boolean {
  if (v === null) return false;
  switch (typeof v) {
    case 'boolean':
      return v;
    case 'number':
      return v !== 0;
    case 'bigint':
      return v !== 0n;
    case 'string':
      return v.length > 0;
  }
  if (v instanceof PyFloat) return v.value !== 0;
  if (Array.isArray(v)) return v.length > 0;
  if (v instanceof PyTuple) return v.items.length > 0;
  if (v instanceof PyDict || v instanceof PySet) return v.size > 0;
  if (v instanceof PyBytes) return v.data.length > 0;
  // An archetype instance decides by __bool__, then __len__ (pyTruth); a built-in object with a
  // length (a range, a dict view) by its length; any other object is true.
  const o = v as PyObject;
  if (o.pyTruth !== undefined) return o.pyTruth();
  if (isPyObject(v) && v.pyLength) return v.pyLength() > 0;
  return true;
}

/** How containers compare items (Python's PyObject_RichCompareBool): the same object is equal. */
export function sameOrEqual(a: Value, b: Value): boolean {
  return a === b || equals(a, b);
}

/** An object whose class may define rich comparisons (an archetype instance). */
function compares(v: Value): v is PyObject & { pyCompare: NonNullable<PyObject['pyCompare']> } {
  return typeof v === 'object' && v !== null && (v as PyObject).pyCompare !== undefined;
}

const REFLECTED: Record<RichOp, RichOp> = { '==': '==', '!=': '!=', '<': '>', '<=': '>=', '>': '<', '>=': '<=' };

/** Python's rich comparison: a's method, then b's reflected one; NOT_IMPLEMENTED if both decline. */
function richCompare(op: RichOp, a: Value, b: Value): Value {
  if (compares(a)) {
    const r = a.pyCompare(op, b);
    if (r !== NOT_IMPLEMENTED) return r;
  }
  if (compares(b)) return b.pyCompare(REFLECTED[op], a);
  return NOT_IMPLEMENTED;
}

/**
 * A comparison operator as an expression. An archetype's special method gives its own result (any
 * value, not only a bool) and is called even on the same object; when every method declines, `==`
 * and `!=` fall back to identity. Other values compare as `equals` and `compare` do.
 */
export function compareOperator(op: RichOp, a: Value, b: Value): Value {
  if (compares(a) || compares(b)) {
    const r = richCompare(op, a, b);
    if (r !== NOT_IMPLEMENTED) return r;
    if (op === '==') return a === b;
    if (op === '!=') return a !== b;
    throw unorderable(op, a, b);
  }
  if (op === '==') return equals(a, b);
  if (op === '!=') return !equals(a, b);
  return compare(op, a, b);
}

/** `a == b` as containers test it (Python's PyObject_RichCompareBool): the same object is equal. */
export function equals(a: Value, b: Value): boolean {
  if (a === b) return !(a instanceof PyFloat && Number.isNaN(a.value));
  const x = numeric(a);
  const y = numeric(b);
  if (x !== null && y !== null) return x == y; // loose: compares a bigint with a number by value
  if (typeof a === 'string' && typeof b === 'string') return false;
  if (Array.isArray(a) && Array.isArray(b)) return sequenceEquals(a, b);
  if (a instanceof PyTuple && b instanceof PyTuple) return sequenceEquals(a.items, b.items);
  if (a instanceof PyDict && b instanceof PyDict) {
    if (a.size !== b.size) return false;
    for (const [k, v] of a.items()) {
      if (!b.has(k) || !sameOrEqual(v, b.get(k)!)) return false;
    }
    return true;
  }
  if (a instanceof PySet && b instanceof PySet) {
    if (a.size !== b.size) return false;
    for (const v of a.values()) if (!b.has(v)) return false;
    return true;
  }
  if (a instanceof PyBytes && b instanceof PyBytes) return compareBytes(a, b) === 0;
  if (isPyObject(a) && a.pyEquals) return a.pyEquals(b);
  if (isPyObject(b) && b.pyEquals) return b.pyEquals(a);
  if (compares(a) || compares(b)) {
    const r = richCompare('==', a, b);
    return r !== NOT_IMPLEMENTED && truthy(r);
  }
  return false; // other objects: identity, already checked
}

function sequenceEquals(a: readonly Value[], b: readonly Value[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!sameOrEqual(a[i], b[i])) return false;
  return true;
}

export type Order = '<' | '<=' | '>' | '>=';

/** `a < b` and friends: numbers, strings, and lists or tuples item by item. */
export function compare(op: Order, a: Value, b: Value): boolean {
  const x = numeric(a);
  const y = numeric(b);
  if (x !== null && y !== null) return test(op, x, y);
  if (typeof a === 'string' && typeof b === 'string') return test(op, a, b);
  const seqA = Array.isArray(a) ? a : a instanceof PyTuple ? a.items : null;
  const seqB = Array.isArray(b) ? b : b instanceof PyTuple ? b.items : null;
  if (seqA && seqB && Array.isArray(a) === Array.isArray(b)) {
    for (let i = 0; i < Math.min(seqA.length, seqB.length); i++) {
      if (!sameOrEqual(seqA[i], seqB[i])) return compare(op, seqA[i], seqB[i]);
    }
    return test(op, seqA.length, seqB.length);
  }
  if (a instanceof PySet && b instanceof PySet) return setCompare(op, a, b);
  // A keys or items view orders against a set (or view) by inclusion, as a set does.
  const setA = a instanceof PySet ? a : a instanceof PyDictView && a.setLike ? a.toSet() : null;
  const setB = b instanceof PySet ? b : b instanceof PyDictView && b.setLike ? b.toSet() : null;
  if (setA && setB) return setCompare(op, setA, setB);
  if (a instanceof PyBytes && b instanceof PyBytes) return test(op, compareBytes(a, b), 0);
  if (compares(a) || compares(b)) {
    const r = richCompare(op, a, b);
    if (r !== NOT_IMPLEMENTED) return truthy(r);
  }
  throw unorderable(op, a, b);
}

const unorderable = (op: Order, a: Value, b: Value) => new PyError('TypeError', `'${op}' not supported between instances of '${typeName(a)}' and '${typeName(b)}'`);

function test<T extends number | bigint | string>(op: Order, x: T, y: T): boolean {
  switch (op) {
    case '<':
      return x < y;
    case '<=':
      return x <= y;
    case '>':
      return x > y;
    case '>=':
      return x >= y;
  }
}

/** Sets order by inclusion. */
function setCompare(op: Order, a: PySet, b: PySet): boolean {
  const subset = (s: PySet, t: PySet) => [...s.values()].every((v) => t.has(v));
  switch (op) {
    case '<=':
      return subset(a, b);
    case '<':
      return a.size < b.size && subset(a, b);
    case '>=':
      return subset(b, a);
    case '>':
      return b.size < a.size && subset(b, a);
  }
}

