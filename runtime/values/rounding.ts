// `round(x)` and `round(x, ndigits)`: exact decimal rounding, ties to even, as CPython does it
// (on the float's exact binary value, so `round(2.675, 2)` is 2.67 and `round(0.125, 2)` 0.12).
import { PyError } from './errors.ts';
import { PyFloat, float, int, type PyInt } from './numbers.ts';

/** `num / den` (den > 0) rounded to the nearest integer, ties to even. */
function divideHalfEven(num: bigint, den: bigint): bigint {
  let q = num / den;
  let r = num % den;
  if (r < 0n) {
    q -= 1n;
    r += den;
  }
  const twice = 2n * r;
  if (twice > den || (twice === den && q % 2n !== 0n)) q += 1n;
  return q;
}

/** A finite double as `mantissa * 2^exponent` with an integral mantissa. */
function exactBinary(x: number): [bigint, number] {
  let exponent = 0;
  while (!Number.isInteger(x)) {
    x *= 2;
    exponent -= 1;
  }
  return [BigInt(x), exponent];
}

/** An int rounded to `ndigits` decimal places: unchanged unless ndigits is negative. */
export function roundInt(x: PyInt, ndigits: number): PyInt {
  if (ndigits >= 0) return x;
  const unit = 10n ** BigInt(-ndigits);
  return int(divideHalfEven(BigInt(x), unit) * unit);
}

/** `round(x)` for a float: the nearest int, ties to even. */
export function roundFloatToInt(x: number): PyInt {
  if (Number.isNaN(x)) throw new PyError('ValueError', 'cannot convert float NaN to integer');
  if (!Number.isFinite(x)) throw new PyError('OverflowError', 'cannot convert float infinity to integer');
  const [mantissa, exponent] = exactBinary(x);
  if (exponent >= 0) return int(BigInt(x));
  return int(divideHalfEven(mantissa, 1n << BigInt(-exponent)));
}

/** `round(x, ndigits)` for a float: a float, the double nearest the exactly rounded decimal. */
export function roundFloat(x: number, ndigits: number): PyFloat {
  if (!Number.isFinite(x) || x === 0) return float(x);
  // Beyond these, rounding changes nothing (a double has at most 1074 fraction bits) or gives 0.
  if (ndigits > 400) return float(x);
  if (ndigits < -400) return float(x < 0 ? -0 : 0);
  const [mantissa, exponent] = exactBinary(x);
  let digits: bigint;
  if (ndigits >= 0) {
    const scaled = mantissa * 10n ** BigInt(ndigits);
    digits = exponent >= 0 ? scaled << BigInt(exponent) : divideHalfEven(scaled, 1n << BigInt(-exponent));
  } else {
    const unit = 10n ** BigInt(-ndigits);
    digits = exponent >= 0 ? divideHalfEven(mantissa << BigInt(exponent), unit) : divideHalfEven(mantissa, unit << BigInt(-exponent));
  }
  // JS reads decimal text correctly rounded, so this is the double nearest digits * 10^-ndigits.
  const result = Number(`${digits}e${-ndigits}`);
  if (!Number.isFinite(result)) throw new PyError('OverflowError', 'rounded value too large to represent');
  return float(result === 0 && x < 0 ? -0 : result);
}
