// Python's `math` module, the one standard module Jac programs commonly import. Pure
// functions over numbers, so it runs natively; results and errors are Python's.
import { PyError } from '../../values/errors.ts';
import { PyFloat, float, int, intToFloat, isInt, type PyInt } from '../../values/numbers.ts';
import { PyTuple } from '../../values/containers.ts';
import { typeName, type Value } from '../../values/value.ts';
import { PyBuiltin } from '../callables.ts';

/** A real argument as a JS number (Python's `must be real number, not str`; an int past a double's range is an OverflowError). */
function real(v: Value | undefined): number {
  if (v instanceof PyFloat) return v.value;
  if (typeof v === 'number' || typeof v === 'bigint') return intToFloat(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  throw new PyError('TypeError', `must be real number, not ${v === undefined ? 'nothing' : typeName(v)}`);
}

function integer(v: Value | undefined): bigint {
  if (typeof v === 'number' || typeof v === 'bigint') return BigInt(v);
  if (typeof v === 'boolean') return v ? 1n : 0n;
  throw new PyError('TypeError', `'${v === undefined ? 'NoneType' : typeName(v)}' object cannot be interpreted as an integer`);
}

const domainError = () => new PyError('ValueError', 'math domain error');

/**
 * A logarithm of any real, as CPython's loghelper takes it: an int too large for a double is
 * split into a mantissa in [0.5, 1) (correctly rounded) and a power of two,
 * `log(m) + log(2) * e`.
 */
function logOf(v: Value | undefined, log: (x: number) => number): number {
  if (typeof v === 'bigint') {
    if (v <= 0n) throw domainError();
    const x = Number(v);
    if (Number.isFinite(x)) return log(x);
    const e = v.toString(2).length;
    // 55 bits and a sticky bit: the double nearest the mantissa, rounded once.
    const shift = BigInt(e - 55);
    let top = v >> shift;
    if ((v & ((1n << shift) - 1n)) !== 0n) top |= 1n;
    return log(Number(top) / 2 ** 55) + log(2) * e;
  }
  const x = real(v);
  if (x <= 0) throw domainError();
  return log(x);
}

/** A float result; Python raises instead of returning inf/nan from finite arguments. */
function checked(result: number, ...args: number[]): PyFloat {
  if (Number.isNaN(result) && !args.some(Number.isNaN)) throw domainError();
  if (!Number.isFinite(result) && !Number.isNaN(result) && args.every(Number.isFinite)) throw new PyError('OverflowError', 'math range error');
  return float(result);
}

/** floor/ceil/trunc: an int, exact past 2^53, with Python's errors for inf and nan. */
function toIntegral(v: Value | undefined, round: (x: number) => number): PyInt {
  if (isInt(v)) return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  const x = real(v);
  if (Number.isNaN(x)) throw new PyError('ValueError', 'cannot convert float NaN to integer');
  if (!Number.isFinite(x)) throw new PyError('OverflowError', 'cannot convert float infinity to integer');
  const r = round(x);
  return Number.isSafeInteger(r) ? r : int(BigInt(r));
}

/** `x` as m * 2**e with 0.5 <= |m| < 1, read from the double's exponent bits (exact, also for subnormals). */
function frexp(x: number): [number, number] {
  if (x === 0 || !Number.isFinite(x)) return [x, 0];
  let e = 0;
  let m = x;
  if (Math.abs(m) < 2 ** -1000) [m, e] = [m * 2 ** 64, -64]; // a subnormal has no exponent bits of its own
  const bits = new DataView(new ArrayBuffer(8));
  bits.setFloat64(0, m);
  const high = bits.getUint16(0);
  e += ((high >> 4) & 0x7ff) - 1022;
  bits.setUint16(0, (high & 0x800f) | (1022 << 4));
  return [bits.getFloat64(0), e];
}

function gcd(a: bigint, b: bigint): bigint {
  a = a < 0n ? -a : a;
  b = b < 0n ? -b : b;
  while (b) [a, b] = [b, a % b];
  return a;
}

/** Shewchuk's exact summation, as math.fsum uses: partial sums that never lose a bit. */
function fsum(values: number[]): number {
  const partials: number[] = [];
  for (let x of values) {
    let i = 0;
    for (let y of partials) {
      if (Math.abs(x) < Math.abs(y)) [x, y] = [y, x];
      const hi = x + y;
      const lo = y - (hi - x);
      if (lo) partials[i++] = lo;
      x = hi;
    }
    partials.length = i;
    partials.push(x);
  }
  return partials.reduce((s, p) => s + p, 0);
}

function factorial(n: bigint): bigint {
  if (n < 0n) throw new PyError('ValueError', 'factorial() not defined for negative values');
  let r = 1n;
  for (let i = 2n; i <= n; i++) r *= i;
  return r;
}

/**
 * The module's globals. `iterate` turns an iterable argument (fsum, prod) into its values; it is
 * passed in so this module does not depend on the interpreter's protocols.
 */
export function mathModule(iterate: (v: Value) => Iterable<Value>): Map<string, Value> {
  const m = new Map<string, Value>();
  const fn = (name: string, f: (a: Value[], kw: Map<string, Value>) => Value) => m.set(name, new PyBuiltin(name, f));
  const unary = (name: string, f: (x: number) => number, domain: (x: number) => boolean = () => true) =>
    fn(name, (a) => {
      const x = real(a[0]);
      if (!domain(x)) throw domainError();
      return checked(f(x), x);
    });

  m.set('pi', float(Math.PI));
  m.set('e', float(Math.E));
  m.set('tau', float(2 * Math.PI));
  m.set('inf', float(Infinity));
  m.set('nan', float(NaN));

  unary('sqrt', Math.sqrt, (x) => x >= 0 || Number.isNaN(x));
  unary('exp', Math.exp);
  fn('log2', (a) => float(logOf(a[0], Math.log2)));
  fn('log10', (a) => float(logOf(a[0], Math.log10)));
  unary('sin', Math.sin, Number.isFinite);
  unary('cos', Math.cos, Number.isFinite);
  unary('tan', Math.tan, Number.isFinite);
  unary('asin', Math.asin, (x) => Math.abs(x) <= 1 || Number.isNaN(x));
  unary('acos', Math.acos, (x) => Math.abs(x) <= 1 || Number.isNaN(x));
  unary('atan', Math.atan);
  unary('fabs', Math.abs);
  unary('log1p', Math.log1p, (x) => x > -1 || Number.isNaN(x));
  unary('expm1', Math.expm1);
  unary('exp2', (x) => 2 ** x);
  unary('cbrt', Math.cbrt);
  unary('sinh', Math.sinh);
  unary('cosh', Math.cosh);
  unary('tanh', Math.tanh);
  unary('asinh', Math.asinh);
  unary('acosh', Math.acosh, (x) => x >= 1 || Number.isNaN(x));
  unary('atanh', Math.atanh, (x) => Math.abs(x) < 1 || Number.isNaN(x));
  fn('modf', (a) => {
    const x = real(a[0]);
    if (!Number.isFinite(x)) return new PyTuple([float(Number.isNaN(x) ? x : Math.sign(x) * 0), float(x)]);
    const whole = Math.trunc(x);
    // The fraction keeps the sign of x, as C's modf does (-0.0 for -3.0).
    return new PyTuple([float(x - whole === 0 ? (x < 0 || Object.is(x, -0) ? -0 : 0) : x - whole), float(whole)]);
  });
  fn('frexp', (a) => {
    const [m, e] = frexp(real(a[0]));
    return new PyTuple([float(m), e]);
  });
  fn('ldexp', (a) => {
    const x = real(a[0]);
    const i = Number(integer(a[1]));
    // Two steps, so 2**i alone cannot overflow or underflow where x * 2**i would not.
    const half = Math.trunc(i / 2);
    return checked(x * 2 ** half * 2 ** (i - half), x);
  });
  fn('dist', (a) => {
    const [p, q] = [[...iterate(a[0])].map(real), [...iterate(a[1])].map(real)];
    if (p.length !== q.length) throw new PyError('ValueError', 'both points must have the same number of dimensions');
    return float(Math.hypot(...p.map((x, i) => x - q[i])));
  });
  fn('perm', (a) => {
    const n = integer(a[0]);
    const k = a.length < 2 || a[1] === null ? n : integer(a[1]);
    if (n < 0n || k < 0n) throw new PyError('ValueError', `${n < 0n ? 'n' : 'k'} must be a non-negative integer`);
    if (k > n) return 0;
    let r = 1n;
    for (let i = n - k + 1n; i <= n; i++) r *= i;
    return int(r);
  });
  unary('degrees', (x) => (x * 180) / Math.PI);
  unary('radians', (x) => (x * Math.PI) / 180);
  fn('log', (a) => {
    const x = logOf(a[0], Math.log);
    if (a.length < 2) return float(x);
    const base = logOf(a[1], Math.log);
    if (base === 0) throw new PyError('ZeroDivisionError', 'float division by zero');
    return float(x / base);
  });
  fn('pow', (a) => {
    const [x, y] = [real(a[0]), real(a[1])];
    if (x === 0 && y < 0) throw domainError();
    if (x < 0 && !Number.isInteger(y) && Number.isFinite(y)) throw domainError();
    return checked(x === 1 || y === 0 ? 1 : x ** y, x, y);
  });
  fn('atan2', (a) => float(Math.atan2(real(a[0]), real(a[1]))));
  fn('hypot', (a) => float(Math.hypot(...a.map(real))));
  fn('copysign', (a) => {
    const [x, y] = [Math.abs(real(a[0])), real(a[1])];
    return float(y < 0 || Object.is(y, -0) ? -x : x);
  });
  fn('fmod', (a) => {
    const [x, y] = [real(a[0]), real(a[1])];
    if (y === 0 || !Number.isFinite(x)) throw domainError();
    return float(x % y);
  });
  fn('floor', (a) => toIntegral(a[0], Math.floor));
  fn('ceil', (a) => toIntegral(a[0], Math.ceil));
  fn('trunc', (a) => toIntegral(a[0], Math.trunc));
  fn('isfinite', (a) => Number.isFinite(real(a[0])));
  fn('isinf', (a) => {
    const x = real(a[0]);
    return !Number.isFinite(x) && !Number.isNaN(x);
  });
  fn('isnan', (a) => Number.isNaN(real(a[0])));
  fn('isclose', (a, kw) => {
    const [x, y] = [real(a[0]), real(a[1])];
    const rel = real(kw.get('rel_tol') ?? float(1e-9));
    const abs = real(kw.get('abs_tol') ?? float(0));
    if (rel < 0 || abs < 0) throw new PyError('ValueError', 'tolerances must be non-negative');
    if (x === y) return true;
    if (!Number.isFinite(x) || !Number.isFinite(y)) return false;
    const diff = Math.abs(y - x);
    return diff <= Math.abs(rel * y) || diff <= Math.abs(rel * x) || diff <= abs;
  });
  fn('gcd', (a) => int(a.reduce<bigint>((g, v) => gcd(g, integer(v)), 0n)));
  fn('lcm', (a) =>
    int(
      a.reduce<bigint>((l, v) => {
        const n = integer(v);
        if (l === 0n || n === 0n) return 0n;
        const r = (l * n) / gcd(l, n);
        return r < 0n ? -r : r;
      }, 1n),
    ),
  );
  fn('factorial', (a) => {
    if (a[0] instanceof PyFloat) throw new PyError('TypeError', "'float' object cannot be interpreted as an integer");
    return int(factorial(integer(a[0])));
  });
  fn('comb', (a) => {
    const [n, k] = [integer(a[0]), integer(a[1])];
    if (n < 0n || k < 0n) throw new PyError('ValueError', `${n < 0n ? 'n' : 'k'} must be a non-negative integer`);
    if (k > n) return 0;
    let r = 1n;
    for (let i = 1n; i <= k; i++) r = (r * (n - k + i)) / i;
    return int(r);
  });
  fn('isqrt', (a) => {
    const n = integer(a[0]);
    if (n < 0n) throw new PyError('ValueError', 'isqrt() argument must be nonnegative');
    if (n < 2n) return int(n);
    // Newton's method from a power of two above the root: it falls to the root and stops.
    let x = 1n << BigInt(Math.ceil(n.toString(2).length / 2));
    for (let y = (x + n / x) >> 1n; y < x; y = (x + n / x) >> 1n) x = y;
    return int(x);
  });
  fn('fsum', (a) => float(fsum([...iterate(a[0])].map(real))));
  fn('prod', (a, kw) => {
    let acc: Value = kw.get('start') ?? 1;
    for (const v of iterate(a[0])) {
      if (isInt(acc) && isInt(v)) acc = int(BigInt(acc) * BigInt(v));
      else acc = float(real(acc) * real(v));
    }
    return acc;
  });
  return m;
}
