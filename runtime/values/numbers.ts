// Python's numbers in JavaScript: ints are exact at any size, floats are IEEE doubles, and the
// two stay distinct (`1` and `1.0` print differently).
//
// Representation, chosen for speed where programs spend their time (counters, indexes, sums):
// - int: a JS `number` while it is a safe integer (|n| < 2^53), a `bigint` beyond that. Every
//   operation returns the smallest form, so one int value has exactly one representation.
// - float: a `PyFloat` box, so that a float is never confused with an int.
// - bool: a JS boolean (Python's bool is an int subclass; arithmetic treats it as 0 or 1).
import { engineErrorAsPy, PyError } from './errors.ts';

export type PyInt = number | bigint;

export class PyFloat {
  constructor(readonly value: number) {}
}

export const float = (value: number): PyFloat => new PyFloat(value);

export function isInt(x: unknown): x is PyInt {
  return typeof x === 'number' || typeof x === 'bigint';
}

/** An int in its canonical form: a number when safe, otherwise a bigint. */
export function int(value: bigint): PyInt {
  return value >= -MAX_SAFE && value <= MAX_SAFE ? Number(value) : value;
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const big = (x: PyInt): bigint => (typeof x === 'bigint' ? x : BigInt(x));

export function intAdd(a: PyInt, b: PyInt): PyInt {
  if (typeof a === 'number' && typeof b === 'number') {
    const r = a + b;
    if (Number.isSafeInteger(r)) return r;
  }
  return int(big(a) + big(b));
}

export function intSub(a: PyInt, b: PyInt): PyInt {
  if (typeof a === 'number' && typeof b === 'number') {
    const r = a - b;
    if (Number.isSafeInteger(r)) return r;
  }
  return int(big(a) - big(b));
}

export function intMul(a: PyInt, b: PyInt): PyInt {
  if (typeof a === 'number' && typeof b === 'number') {
    const r = a * b;
    if (Number.isSafeInteger(r)) return r === 0 ? 0 : r; // no -0 for ints
  }
  return int(big(a) * big(b));
}

export function intNeg(a: PyInt): PyInt {
  return typeof a === 'number' ? (a === 0 ? 0 : -a) : int(-a);
}

const zeroDivision = (what: string) => new PyError('ZeroDivisionError', what);

/** `a // b`: rounds toward negative infinity. */
export function intFloorDiv(a: PyInt, b: PyInt): PyInt {
  if (b === 0 || b === 0n) throw zeroDivision('integer division or modulo by zero');
  // Below 2^31 the float quotient is exact enough for Math.floor; beyond, use bigint.
  if (typeof a === 'number' && typeof b === 'number' && Math.abs(a) < 2 ** 31 && Math.abs(b) < 2 ** 31) {
    return Math.floor(a / b);
  }
  const x = big(a);
  const y = big(b);
  const q = x / y; // truncates toward zero
  return int(q * y !== x && x < 0n !== y < 0n ? q - 1n : q);
}

/** `a % b`: the result has the sign of the divisor. */
export function intMod(a: PyInt, b: PyInt): PyInt {
  if (b === 0 || b === 0n) throw zeroDivision('integer modulo by zero');
  if (typeof a === 'number' && typeof b === 'number') {
    const r = a % b;
    return r !== 0 && r < 0 !== b < 0 ? r + b : r === 0 ? 0 : r;
  }
  const y = big(b);
  const r = big(a) % y;
  return int(r !== 0n && r < 0n !== y < 0n ? r + y : r);
}

/** `a ** b` for ints: an int for b >= 0, a float for negative exponents. */
export function intPow(a: PyInt, b: PyInt): PyInt | PyFloat {
  if (b < 0) {
    if (a === 0 || a === 0n) throw zeroDivision('0.0 cannot be raised to a negative power');
    return float(Math.pow(Number(a), Number(b)));
  }
  if (typeof a === 'number' && typeof b === 'number') {
    const r = Math.pow(a, b);
    if (Number.isSafeInteger(r)) return r;
  }
  return int(bigResult(() => big(a) ** big(b)));
}

/** A bigint computation whose result JS cannot hold: a MemoryError, as CPython's when it cannot allocate one. */
export function bigResult(compute: () => bigint): bigint {
  try {
    return compute();
  } catch (e) {
    throw engineErrorAsPy(e) ?? e;
  }
}

/** An int as a float (`float(n)`, `n * 1.0`): the nearest double, or Python's OverflowError. */
export function intToFloat(i: PyInt): number {
  if (typeof i === 'number') return i;
  const x = Number(i);
  if (!Number.isFinite(x)) throw new PyError('OverflowError', 'int too large to convert to float');
  return x;
}

const bitLength = (x: bigint): number => (x === 0n ? 0 : x.toString(2).length);

/** `a / b` for ints: always a float, correctly rounded however large a and b are (as CPython's). */
export function intTrueDiv(a: PyInt, b: PyInt): PyFloat {
  if (b === 0 || b === 0n) throw zeroDivision('division by zero');
  // Both exact as doubles: IEEE division is correctly rounded.
  if (typeof a === 'number' && typeof b === 'number') return float(a / b);
  const negative = a < 0 !== b < 0;
  const n = big(a) < 0n ? -big(a) : big(a);
  const d = big(b) < 0n ? -big(b) : big(b);
  if (n === 0n) return float(negative ? -0 : 0);
  // A quotient of at least 55 bits, with a sticky bit for any remainder, rounds once to 53 bits.
  const shift = 55 - (bitLength(n) - bitLength(d));
  const num = shift > 0 ? n << BigInt(shift) : n;
  const den = shift < 0 ? d << BigInt(-shift) : d;
  let q = num / den;
  if (num % den !== 0n) q |= 1n;
  const half = Math.trunc(-shift / 2);
  const x = Number(q) * 2 ** half * 2 ** (-shift - half);
  if (!Number.isFinite(x)) throw new PyError('OverflowError', 'integer division result too large for a float');
  return float(negative ? -x : x);
}

/** `x ** y` for floats whose result is real: C's pow, whose overflow Python reports as ERANGE. */
export function floatPow(x: number, y: number): PyFloat {
  const r = Math.pow(x, y);
  if (!Number.isFinite(r) && Number.isFinite(x) && Number.isFinite(y)) throw new PyError('OverflowError', "(34, 'Numerical result out of range')");
  return float(x === 1 ? 1 : r); // 1 ** nan and 1 ** inf are 1 in C
}

/** Python's float floor division and modulo (CPython's float_divmod, step for step). */
export function floatDivMod(x: number, y: number): [number, number] {
  if (y === 0) throw zeroDivision('float divmod()');
  let mod = x % y; // C fmod
  let div = (x - mod) / y;
  if (mod) {
    if (y < 0 !== mod < 0) {
      mod += y;
      div -= 1;
    }
  } else {
    mod = negative(y) ? -0 : 0; // copysign(0.0, y)
  }
  let floordiv: number;
  if (div) {
    floordiv = Math.floor(div);
    if (div - floordiv > 0.5) floordiv += 1;
  } else {
    floordiv = negative(x / y) ? -0 : 0; // copysign(0.0, x / y)
  }
  return [floordiv, mod];
}

const negative = (v: number): boolean => v < 0 || Object.is(v, -0);

export function floatFloorDiv(x: number, y: number): PyFloat {
  if (y === 0) throw zeroDivision('float floor division by zero');
  return float(floatDivMod(x, y)[0]);
}

export function floatMod(x: number, y: number): PyFloat {
  if (y === 0) throw zeroDivision('float modulo');
  return float(floatDivMod(x, y)[1]);
}

/** Python's float repr (and str): the shortest digits that round-trip, in Python's layout. */
export function floatRepr(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  // toExponential() with no argument gives the shortest round-trip digits, as repr does.
  const [mantissa, exp] = x.toExponential().split('e');
  const e = Number(exp);
  const negative = mantissa.startsWith('-');
  const digits = mantissa.replace('-', '').replace('.', '');
  const sign = negative ? '-' : '';
  if (e < -4 || e >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${m}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  }
  if (e < 0) return `${sign}0.${'0'.repeat(-e - 1)}${digits}`;
  const whole = digits.slice(0, e + 1).padEnd(e + 1, '0');
  const fraction = digits.slice(e + 1);
  return `${sign}${whole}.${fraction || '0'}`;
}

export function intRepr(x: PyInt): string {
  return String(x);
}
