// Python's float-to-text conversion (CPython's PyOS_double_to_string): the 'e', 'f', 'g' and
// repr ('r') layouts, with digits rounded correctly (half to even) from the exact binary value.
// JS's toFixed/toPrecision round ties away from zero and switch to exponents at 1e21, so the
// digits are computed here from the double's exact decimal expansion instead.

export interface FloatFlags {
  /** Always write a sign (`+` for positive numbers). */
  sign?: boolean;
  /** Keep a `.0` on integral results (format()'s no-type form). */
  addDot0?: boolean;
  /** `#`: keep the decimal point and, for 'g', trailing zeros. */
  alt?: boolean;
  /** `z`: a result that rounds to zero loses its minus sign. */
  noNeg0?: boolean;
}

interface Digits {
  /** Significant digits without trailing zeros; '' when the value rounded to zero. */
  digits: string;
  /** Where the decimal point goes: the value is 0.DIGITS × 10^decpt. */
  decpt: number;
}

const view = new DataView(new ArrayBuffer(8));

/** The exact decimal expansion of a positive finite double. */
function exactDigits(x: number): Digits {
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const biased = (hi >>> 20) & 0x7ff;
  let mantissa = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let e2 = -1074; // subnormal
  if (biased !== 0) {
    mantissa |= 1n << 52n;
    e2 = biased - 1075;
  }
  // m × 2^-k is (m × 5^k) / 10^k: the same digits with the point moved k places.
  const text = e2 >= 0 ? (mantissa << BigInt(e2)).toString() : (mantissa * 5n ** BigInt(-e2)).toString();
  const decpt = e2 >= 0 ? text.length : text.length + e2;
  return { digits: text.replace(/0+$/, ''), decpt };
}

/** Keeps `keep` significant digits (possibly none), rounding half to even. */
function roundDigits({ digits, decpt }: Digits, keep: number): Digits {
  if (keep >= digits.length) return { digits, decpt };
  if (keep < 0) return { digits: '', decpt };
  const next = digits.charCodeAt(keep) - 48;
  const tie = next === 5 && !/[1-9]/.test(digits.slice(keep + 1));
  const lastOdd = keep > 0 && (digits.charCodeAt(keep - 1) - 48) % 2 === 1;
  const head = digits.slice(0, keep);
  if (next < 5 || (tie && !lastOdd)) return { digits: head.replace(/0+$/, ''), decpt };
  if (keep === 0) return { digits: '1', decpt: decpt + 1 };
  const bumped = (BigInt(head) + 1n).toString();
  return { digits: bumped.replace(/0+$/, ''), decpt: bumped.length > head.length ? decpt + 1 : decpt };
}

/**
 * The digits dtoa gives for a positive finite x: mode 0 the shortest that round-trip, mode 2
 * `n` significant digits, mode 3 `n` digits after the point.
 */
function dtoa(x: number, mode: 0 | 2 | 3, n: number): Digits {
  if (x === 0) return { digits: '0', decpt: 1 };
  if (mode === 0) {
    // toExponential() with no argument gives the shortest round-trip digits, as repr does.
    const [mantissa, exp] = x.toExponential().split('e');
    return { digits: mantissa.replace('.', ''), decpt: Number(exp) + 1 };
  }
  const exact = exactDigits(x);
  if (mode === 2) return roundDigits(exact, Math.max(n, 1));
  const rounded = roundDigits(exact, exact.decpt + n);
  return rounded.digits === '' ? { digits: '', decpt: -n } : rounded;
}

/**
 * `x` as text in layout 'e', 'f', 'g' (upper case 'E', 'F', 'G' for `E`/`INF`/`NAN`) or 'r'
 * (repr); a port of CPython's format_float_short, which places the point and zeros.
 */
export function doubleToString(x: number, code: string, precision: number, flags: FloatFlags = {}): string {
  const upper = code === 'E' || code === 'F' || code === 'G';
  const type = code.toLowerCase();
  if (!Number.isFinite(x)) {
    const sign = x < 0 ? '-' : flags.sign ? '+' : ''; // a nan's sign is never shown
    const word = Number.isNaN(x) ? 'nan' : 'inf';
    return sign + (upper ? word.toUpperCase() : word);
  }
  let mode: 0 | 2 | 3 = 2;
  if (type === 'e') precision++;
  else if (type === 'f') mode = 3;
  else if (type === 'g') precision = Math.max(precision, 1);
  else mode = 0;
  const { digits, decpt: point } = dtoa(Math.abs(x), mode, precision);
  let decpt = point;
  let negative = x < 0 || Object.is(x, -0);
  if (flags.noNeg0 && negative && (digits === '' || digits === '0')) negative = false;

  let end = digits.length;
  let useExp = false;
  if (type === 'e') {
    useExp = true;
    end = precision;
  } else if (type === 'f') {
    end = decpt + precision;
  } else if (type === 'g') {
    if (decpt <= -4 || decpt > (flags.addDot0 ? precision - 1 : precision)) useExp = true;
    if (flags.alt) end = precision;
  } else if (decpt <= -4 || decpt > 16) {
    useExp = true;
  }
  let exp = 0;
  if (useExp) {
    exp = decpt - 1;
    decpt = 1;
  }
  const start = decpt <= 0 ? decpt - 1 : 0;
  end = !useExp && flags.addDot0 ? Math.max(end, decpt + 1) : Math.max(end, decpt);

  let out = negative ? '-' : flags.sign ? '+' : '';
  if (decpt <= 0) out += '0'.repeat(decpt - start) + '.' + '0'.repeat(-decpt);
  if (decpt > 0 && decpt <= digits.length) out += digits.slice(0, decpt) + '.' + digits.slice(decpt);
  else out += digits;
  if (digits.length < decpt) out += '0'.repeat(decpt - digits.length) + '.' + '0'.repeat(end - decpt);
  else out += '0'.repeat(Math.max(0, end - digits.length));
  if (out.endsWith('.') && !flags.alt) out = out.slice(0, -1);
  if (useExp) out += (upper ? 'E' : 'e') + (exp < 0 ? '-' : '+') + String(Math.abs(exp)).padStart(2, '0');
  return out;
}
