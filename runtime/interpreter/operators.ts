// Python's arithmetic and bitwise operators on runtime values, with Python's TypeErrors.
import type { BinOp, UnaryOp } from '../../grammar/ast.ts';
import { PyBytes, concatBytes, repeatBytes } from '../values/bytes.ts';
import { PyDict, PySet, PyTuple, setDifference, setIntersection, setSymmetricDifference, setUnion } from '../values/containers.ts';
import { constants } from 'node:buffer';
import { PyError } from '../values/errors.ts';
import {
  PyFloat,
  bigResult,
  float,
  floatFloorDiv,
  floatMod,
  floatPow,
  int,
  intAdd,
  intFloorDiv,
  intMod,
  intMul,
  intNeg,
  intPow,
  intSub,
  intToFloat,
  intTrueDiv,
  type PyInt,
} from '../values/numbers.ts';
import { truthy } from '../values/compare.ts';
import { printf } from '../values/printf.ts';
import { NOT_IMPLEMENTED, typeName, type Value } from '../values/value.ts';
import { itemsFit, memoryError } from './memory.ts';
import { getItem, iterate } from './protocols.ts';
import { viewSetOperation } from '../values/dict-views.ts';
import { PyInstance } from './archetypes.ts';
import { PyFunction } from './callables.ts';

const { MAX_STRING_LENGTH, MAX_LENGTH: MAX_BYTES } = constants;

/** An int view of bools and ints (bool is an int subclass); null for anything else. */
function asInt(v: Value): PyInt | null {
  if (typeof v === 'number' || typeof v === 'bigint') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  return null;
}

function asFloat(v: Value): number | null {
  if (v instanceof PyFloat) return v.value;
  const i = asInt(v);
  return i === null ? null : intToFloat(i);
}

const unsupported = (op: string, a: Value, b: Value) =>
  new PyError('TypeError', `unsupported operand type(s) for ${op}: '${typeName(a)}' and '${typeName(b)}'`);

const MAX_SSIZE = 2n ** 63n - 1n;

/** A repeat count as CPython takes it: a C ssize_t (else an OverflowError), negatives as 0. */
function repeatCount(times: PyInt): number {
  if (typeof times === 'bigint' && (times > MAX_SSIZE || times < -MAX_SSIZE - 1n)) throw new PyError('OverflowError', "cannot fit 'int' into an index-sized integer");
  return Math.max(0, Number(times));
}

/** Whether `length * times` is beyond a C ssize_t (checked before anything is allocated, as CPython does). */
function beyondSsize(length: number, n: number, times: PyInt): boolean {
  return length * n > Number.MAX_SAFE_INTEGER && BigInt(length) * BigInt(times) > MAX_SSIZE;
}

/**
 * `seq * times`, with CPython's errors for a result too large: too long a str is an
 * OverflowError, a list or tuple beyond memory a MemoryError; one JS cannot allocate is a
 * MemoryError too (where CPython would get further), raised before allocating anything.
 */
function repeat(seq: string | readonly Value[] | PyTuple, times: PyInt): Value {
  const n = repeatCount(times);
  const items = typeof seq === 'string' ? null : seq instanceof PyTuple ? seq.items : seq;
  const length = items === null ? (seq as string).length : items.length;
  if (items === null) {
    if (beyondSsize(length, n, times)) throw new PyError('OverflowError', 'repeated string is too long');
    if (length * n > MAX_STRING_LENGTH) throw memoryError();
    return (seq as string).repeat(n);
  }
  if (beyondSsize(length, n, times) || !itemsFit(length * n)) throw memoryError();
  const out: Value[] = [];
  if (length > 0) for (let i = 0; i < n; i++) for (const x of items) out.push(x);
  return seq instanceof PyTuple ? new PyTuple(out) : out;
}

/** `bytes * times`, with the errors of `repeat`. */
function repeatBytesChecked(b: PyBytes, times: PyInt): PyBytes {
  const n = repeatCount(times);
  if (beyondSsize(b.data.length, n, times)) throw new PyError('OverflowError', 'repeated bytes are too long');
  if (b.data.length * n > MAX_BYTES) throw memoryError();
  return repeatBytes(b, n);
}

const lookUp = (mapping: Value, key: Value) => getItem(mapping, key, false);

/** The special methods behind each binary operator: `a + b` tries `a.__add__(b)`, then `b.__radd__(a)`. */
const BINARY_METHODS: Partial<Record<BinOp, string>> = {
  '+': 'add', '-': 'sub', '*': 'mul', '/': 'truediv', '//': 'floordiv', '%': 'mod', '**': 'pow',
  '@': 'matmul', '&': 'and', '|': 'or', '^': 'xor', '<<': 'lshift', '>>': 'rshift',
};

/** `a op b` through the operands' own methods (archetype instances); NOT_IMPLEMENTED when neither has one that accepts. */
export function binaryByMethod(op: BinOp, a: Value, b: Value, inPlace = false): Value {
  const name = BINARY_METHODS[op];
  if (!name) return NOT_IMPLEMENTED;
  if (a instanceof PyInstance) {
    for (const method of inPlace ? [`__i${name}__`, `__${name}__`] : [`__${name}__`]) {
      const fn = a.cls.special(method);
      if (fn instanceof PyFunction) {
        const r = a.callSpecial(fn, [b]);
        if (r !== NOT_IMPLEMENTED) return r;
      }
    }
  }
  if (b instanceof PyInstance && !(a instanceof PyInstance && a.cls === b.cls)) {
    const fn = b.cls.special(`__r${name}__`);
    if (fn instanceof PyFunction) return b.callSpecial(fn, [a]);
  }
  return NOT_IMPLEMENTED;
}

export function binary(op: BinOp, a: Value, b: Value): Value {
  if (a instanceof PyInstance || b instanceof PyInstance) {
    const r = binaryByMethod(op, a, b);
    if (r !== NOT_IMPLEMENTED) return r;
  }
  const x = asInt(a);
  const y = asInt(b);
  if (x !== null && y !== null) return intOp(op, x, y, a, b);
  const fx = asFloat(a);
  const fy = asFloat(b);
  if (fx !== null && fy !== null) return floatOp(op, fx, fy, a, b);
  const viewResult = viewSetOperation(op, a, b, iterate);
  if (viewResult !== null) return viewResult;
  switch (op) {
    case '+':
      if (typeof a === 'string' && typeof b === 'string') return a + b;
      if (Array.isArray(a) && Array.isArray(b)) return [...a, ...b];
      if (a instanceof PyTuple && b instanceof PyTuple) return new PyTuple([...a.items, ...b.items]);
      if (a instanceof PyBytes) {
        if (b instanceof PyBytes) return concatBytes(a, b);
        throw new PyError('TypeError', `can't concat ${typeName(b)} to bytes`);
      }
      if (typeof a === 'string' || Array.isArray(a) || a instanceof PyTuple) {
        const t = typeName(a);
        throw new PyError('TypeError', `can only concatenate ${t} (not "${typeName(b)}") to ${t}`);
      }
      break;
    case '*': {
      const seq = typeof a === 'string' || Array.isArray(a) || a instanceof PyTuple ? a : null;
      if (seq !== null && y !== null) return repeat(seq, y);
      const seqB = typeof b === 'string' || Array.isArray(b) || b instanceof PyTuple ? b : null;
      if (seqB !== null && x !== null) return repeat(seqB, x);
      if (a instanceof PyBytes && y !== null) return repeatBytesChecked(a, y);
      if (b instanceof PyBytes && x !== null) return repeatBytesChecked(b, x);
      break;
    }
    case '|':
      if (a instanceof PyDict && b instanceof PyDict) {
        const d = new PyDict();
        for (const [k, v] of a.items()) d.set(k, v);
        for (const [k, v] of b.items()) d.set(k, v);
        return d;
      }
      if (a instanceof PySet && b instanceof PySet) return setUnion(a, b);
      break;
    case '&':
      if (a instanceof PySet && b instanceof PySet) return setIntersection(a, b);
      break;
    case '-':
      if (a instanceof PySet && b instanceof PySet) return setDifference(a, b);
      break;
    case '^':
      if (a instanceof PySet && b instanceof PySet) return setSymmetricDifference(a, b);
      break;
    case '%':
      if (typeof a === 'string') return printf(a, b, lookUp);
      if (a instanceof PyBytes) return PyBytes.fromLatin1(printf(a.latin1(), b, lookUp, true));
      break;
  }
  throw unsupported(op === '**' ? '** or pow()' : op, a, b);
}

function intOp(op: BinOp, x: PyInt, y: PyInt, a: Value, b: Value): Value {
  switch (op) {
    case '+':
      return intAdd(x, y);
    case '-':
      return intSub(x, y);
    case '*':
      return intMul(x, y);
    case '/':
      return intTrueDiv(x, y);
    case '//':
      return intFloorDiv(x, y);
    case '%':
      return intMod(x, y);
    case '**':
      return intPow(x, y);
    case '@':
      throw unsupported('@', a, b);
  }
  // Bitwise operators: on two bools the result stays a bool, as in Python.
  const both = typeof a === 'boolean' && typeof b === 'boolean';
  const X = BigInt(x);
  const Y = BigInt(y);
  let r: bigint;
  switch (op) {
    case '&':
      r = X & Y;
      break;
    case '|':
      r = X | Y;
      break;
    case '^':
      r = X ^ Y;
      break;
    case '<<':
      if (Y < 0n) throw new PyError('ValueError', 'negative shift count');
      if (X !== 0n && Y > MAX_SSIZE) throw new PyError('OverflowError', 'too many digits in integer');
      r = bigResult(() => X << Y);
      break;
    case '>>':
      if (Y < 0n) throw new PyError('ValueError', 'negative shift count');
      r = X >> Y;
      break;
    default:
      throw unsupported(op, a, b);
  }
  return both && op !== '<<' && op !== '>>' ? r !== 0n : int(r);
}

function floatOp(op: BinOp, x: number, y: number, a: Value, b: Value): Value {
  switch (op) {
    case '+':
      return float(x + y);
    case '-':
      return float(x - y);
    case '*':
      return float(x * y);
    case '/':
      if (y === 0) throw new PyError('ZeroDivisionError', 'float division by zero');
      return float(x / y);
    case '//':
      return floatFloorDiv(x, y);
    case '%':
      return floatMod(x, y);
    case '**':
      if (x === 0 && y < 0) throw new PyError('ZeroDivisionError', '0.0 cannot be raised to a negative power');
      if (x < 0 && !Number.isInteger(y)) throw new PyError('ValueError', 'complex results are not supported');
      return floatPow(x, y);
  }
  throw unsupported(op, a, b);
}

export function unary(op: UnaryOp, v: Value): Value {
  if (op === 'not') return !truthy(v);
  const i = asInt(v);
  if (i !== null) {
    if (op === '-') return intNeg(i);
    if (op === '+') return i;
    return intSub(intNeg(i), 1); // ~x == -x - 1
  }
  if (v instanceof PyFloat && op !== '~') return float(op === '-' ? -v.value : v.value);
  if (v instanceof PyInstance) {
    const fn = v.cls.special(op === '-' ? '__neg__' : op === '+' ? '__pos__' : '__invert__');
    if (fn instanceof PyFunction) return v.callSpecial(fn, []);
  }
  throw new PyError('TypeError', `bad operand type for unary ${op}: '${typeName(v)}'`);
}
