// `int(text, base)`: Python's int literal syntax for every base from 2 to 36, and base 0 (the
// prefix decides, as in source code), with Python's ValueErrors.
import { PyError } from './errors.ts';
import { int, type PyInt } from './numbers.ts';
import { strRepr } from './strings.ts';

const PREFIX_BASES: Record<string, number> = { x: 16, o: 8, b: 2 };
/** CPython refuses to convert longer digit strings in bases that are not powers of two. */
const MAX_STR_DIGITS = 4300;

/** The value of one digit character (0-9, then a/A = 10 up to z/Z = 35), or 99 for anything else. */
function digitValue(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 97 && code <= 122) return code - 87;
  if (code >= 65 && code <= 90) return code - 55;
  return 99;
}

/** Digits in `base`, joined by single underscores; the digits without them, or null. */
function digitsOf(text: string, base: number, leadingUnderscore: boolean): string | null {
  let out = '';
  let afterUnderscore = leadingUnderscore;
  let i = 0;
  if (leadingUnderscore && text[0] === '_') i = 1;
  else afterUnderscore = false;
  for (; i < text.length; i++) {
    const c = text[i];
    if (c === '_') {
      if (afterUnderscore || out === '') return null;
      afterUnderscore = true;
      continue;
    }
    if (digitValue(c.charCodeAt(0)) >= base) return null;
    out += c;
    afterUnderscore = false;
  }
  return out === '' || afterUnderscore ? null : out;
}

/** Digits (already checked against `base`) as an int. */
function valueOf(digits: string, base: number): bigint {
  if (base === 10) return BigInt(digits);
  if (base === 16 || base === 8 || base === 2) return BigInt(`0${base === 16 ? 'x' : base === 8 ? 'o' : 'b'}${digits}`);
  // Other bases: fold chunks small enough for a double to hold exactly.
  const chunk = Math.floor(Math.log(2 ** 52) / Math.log(base));
  let value = 0n;
  for (let i = 0; i < digits.length; i += chunk) {
    const part = digits.slice(i, i + chunk);
    value = value * BigInt(base) ** BigInt(part.length) + BigInt(Number.parseInt(part, base));
  }
  return value;
}

export function parseInt(text: string, base: number): PyInt {
  if (base !== 0 && (base < 2 || base > 36)) throw new PyError('ValueError', 'int() base must be >= 2 and <= 36, or 0');
  const invalid = () => {
    const shown = strRepr(text);
    return new PyError('ValueError', `invalid literal for int() with base ${base}: ${shown.length > 200 ? shown.slice(0, 200) : shown}`);
  };
  let t = text.trim();
  let negative = false;
  if (t[0] === '+' || t[0] === '-') {
    negative = t[0] === '-';
    t = t.slice(1);
  }
  let b = base;
  let prefixed = false;
  const prefixBase = t[0] === '0' && t.length > 1 ? PREFIX_BASES[t[1].toLowerCase()] : undefined;
  if (prefixBase !== undefined && (base === 0 || base === prefixBase)) {
    b = prefixBase;
    t = t.slice(2);
    prefixed = true;
  } else if (base === 0) {
    b = 10;
  }
  const digits = digitsOf(t, b, prefixed);
  if (digits === null) throw invalid();
  // Base 0 reads a decimal literal: a leading zero only in zero itself (`0_0` but not `09`).
  if (base === 0 && !prefixed && digits[0] === '0' && /[^0]/.test(digits)) throw invalid();
  if ((b & (b - 1)) !== 0 && digits.length > MAX_STR_DIGITS) {
    throw new PyError('ValueError', `Exceeds the limit (${MAX_STR_DIGITS} digits) for integer string conversion: value has ${digits.length} digits; use sys.set_int_max_str_digits() to increase the limit`);
  }
  const value = valueOf(digits, b);
  return int(negative ? -value : value);
}
