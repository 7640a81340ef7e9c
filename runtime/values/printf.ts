// printf-style formatting, `text % args`: a port of CPython's PyUnicode_Format (and, for
// `bytes % args`, the differences of _PyBytes_FormatEx), with its error messages.
import { PyBytes } from './bytes.ts';
import { PyDict, PyTuple } from './containers.ts';
import { PyError } from './errors.ts';
import { doubleToString } from './float-format.ts';
import { ascii, intToFloat } from './format.ts';
import { PyFloat } from './numbers.ts';
import { repr, str } from './repr.ts';
import { typeName, type Value } from './value.ts';

/** One conversion's flags, width and precision (-1 when not given). */
interface Arg {
  ch: string;
  left: boolean;
  plus: boolean;
  blank: boolean;
  alt: boolean;
  zero: boolean;
  width: number;
  prec: number;
  /** A number: its sign is laid out apart from the digits (zero padding goes between). */
  sign: boolean;
}

export type ItemLookup = (mapping: Value, key: Value) => Value;

/**
 * `template % args`. For bytes, `template` and the result hold one char per byte. `item` reads
 * `mapping[key]` for `%(key)s`.
 */
export function printf(template: string, args: Value, item: ItemLookup, forBytes = false): string {
  const fmt = Array.from(template);
  const isTuple = args instanceof PyTuple;
  // Python treats any mapping (a dict, and also a list) as the source of `%(key)s` values.
  const isMapping = args instanceof PyDict || Array.isArray(args) || (!forBytes && args instanceof PyBytes);
  const dict = isMapping ? args : null;
  let current: Value = args;
  let arglen = isTuple ? args.items.length : -1;
  let argidx = isTuple ? 0 : -2;
  const nextArg = (): Value => {
    if (argidx >= arglen) throw new PyError('TypeError', 'not enough arguments for format string');
    const i = argidx++;
    return arglen < 0 ? current : (current as PyTuple).items[i];
  };

  let out = '';
  let pos = 0;
  while (pos < fmt.length) {
    const literalEnd = fmt.indexOf('%', pos);
    if (literalEnd === -1) {
      out += fmt.slice(pos).join('');
      break;
    }
    out += fmt.slice(pos, literalEnd).join('');
    pos = literalEnd + 1;
    if (fmt[pos] === '%') {
      out += '%';
      pos++;
      continue;
    }
    if (fmt[pos] === '(') {
      if (dict === null) throw new PyError('TypeError', 'format requires a mapping');
      const keyStart = ++pos;
      let depth = 1;
      while (pos < fmt.length && depth > 0) {
        if (fmt[pos] === ')') depth--;
        else if (fmt[pos] === '(') depth++;
        pos++;
      }
      if (depth > 0) throw new PyError('ValueError', 'incomplete format key');
      const key = fmt.slice(keyStart, pos - 1).join('');
      current = item(dict, forBytes ? PyBytes.fromLatin1(key) : key);
      arglen = -1;
      argidx = -2;
    }
    const arg: Arg = { ch: '', left: false, plus: false, blank: false, alt: false, zero: false, width: -1, prec: -1, sign: false };
    for (; pos < fmt.length; pos++) {
      const f = fmt[pos];
      if (f === '-') arg.left = true;
      else if (f === '+') arg.plus = true;
      else if (f === ' ') arg.blank = true;
      else if (f === '#') arg.alt = true;
      else if (f === '0') arg.zero = true;
      else break;
    }
    if (fmt[pos] === '*') {
      arg.width = starArg(nextArg());
      if (arg.width < 0) [arg.left, arg.width] = [true, -arg.width];
      pos++;
    } else {
      for (; isDigit(fmt[pos]); pos++) arg.width = Math.max(arg.width, 0) * 10 + Number(fmt[pos]);
    }
    if (fmt[pos] === '.') {
      arg.prec = 0;
      pos++;
      if (fmt[pos] === '*') {
        arg.prec = Math.max(0, starArg(nextArg()));
        pos++;
      } else {
        for (; isDigit(fmt[pos]); pos++) arg.prec = arg.prec * 10 + Number(fmt[pos]);
      }
    }
    if (fmt[pos] === 'h' || fmt[pos] === 'l' || fmt[pos] === 'L') pos++; // C length modifiers, ignored
    if (pos >= fmt.length) throw new PyError('ValueError', 'incomplete format');
    arg.ch = fmt[pos++];
    const v = nextArg(); // taken before the conversion is checked, as CPython does
    out += pad(convert(v, arg, pos - 1, forBytes), arg);
    if (dict !== null && argidx < arglen) throw notAllConverted(forBytes);
  }
  if (argidx < arglen && dict === null) throw notAllConverted(forBytes);
  return out;
}

const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';

const notAllConverted = (forBytes: boolean) =>
  new PyError('TypeError', `not all arguments converted during ${forBytes ? 'bytes' : 'string'} formatting`);

/** The value of a `*` width or precision. */
function starArg(v: Value): number {
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return Number(v);
  throw new PyError('TypeError', '* wants int');
}

/** One conversion's text, before width and sign are applied. */
function convert(v: Value, arg: Arg, index: number, forBytes: boolean): string {
  switch (arg.ch) {
    case 's':
    case 'b':
      if (forBytes) return bytesArg(v);
      if (arg.ch === 'b') break;
      return str(v);
    case 'r':
    case 'a':
      return forBytes || arg.ch === 'a' ? ascii(v) : repr(v);
    case 'i':
    case 'd':
    case 'u':
    case 'o':
    case 'x':
    case 'X':
      arg.sign = true;
      return formatLong(v, arg);
    case 'e':
    case 'E':
    case 'f':
    case 'F':
    case 'g':
    case 'G':
      arg.sign = true;
      return doubleToString(realNumber(v), arg.ch, arg.prec < 0 ? 6 : arg.prec, { alt: arg.alt });
    case 'c':
      return forBytes ? byteChar(v) : charOf(v);
  }
  const code = arg.ch.codePointAt(0)!;
  const shown = code >= 31 && code <= 126 ? arg.ch : '?';
  throw new PyError('ValueError', `unsupported format character '${shown}' (0x${code.toString(16)}) at index ${index}`);
}

function bytesArg(v: Value): string {
  if (v instanceof PyBytes) return v.latin1();
  throw new PyError('TypeError', `%b requires a bytes-like object, or an object that implements __bytes__, not '${typeName(v)}'`);
}

/** `%d` and friends: an int (a float is truncated, except for o/x/X), with the precision as minimum digits. */
function formatLong(v: Value, arg: Arg): string {
  let n: bigint;
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') n = BigInt(v);
  else if (v instanceof PyFloat && !'oxX'.includes(arg.ch)) {
    if (Number.isNaN(v.value)) throw new PyError('ValueError', 'cannot convert float NaN to integer');
    if (!Number.isFinite(v.value)) throw new PyError('OverflowError', 'cannot convert float infinity to integer');
    n = BigInt(Math.trunc(v.value));
  } else {
    const what = 'oxX'.includes(arg.ch) ? 'an integer' : 'a real number';
    throw new PyError('TypeError', `%${arg.ch} format: ${what} is required, not ${typeName(v)}`);
  }
  const base = arg.ch === 'o' ? 8 : arg.ch === 'x' || arg.ch === 'X' ? 16 : 10;
  let digits = (n < 0n ? -n : n).toString(base);
  if (arg.prec > digits.length) digits = '0'.repeat(arg.prec - digits.length) + digits;
  const prefix = arg.alt && base !== 10 ? (base === 8 ? '0o' : '0x') : '';
  const text = (n < 0n ? '-' : '') + prefix + digits;
  return arg.ch === 'X' ? text.toUpperCase() : text;
}

/** The float a `%f`-style conversion formats (PyFloat_AsDouble). */
function realNumber(v: Value): number {
  if (v instanceof PyFloat) return v.value;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number' || typeof v === 'bigint') return intToFloat(v);
  throw new PyError('TypeError', `must be real number, not ${typeName(v)}`);
}

function charOf(v: Value): string {
  if (typeof v === 'string') {
    if (Array.from(v).length === 1) return v;
  } else if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') {
    const n = Number(v);
    if (n < 0 || n > 0x10ffff) throw new PyError('OverflowError', '%c arg not in range(0x110000)');
    return String.fromCodePoint(n);
  }
  throw new PyError('TypeError', '%c requires int or char');
}

function byteChar(v: Value): string {
  if (v instanceof PyBytes && v.data.length === 1) return String.fromCharCode(v.data[0]);
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') {
    const n = Number(v);
    if (n < 0 || n > 255) throw new PyError('OverflowError', '%c arg not in range(256)');
    return String.fromCharCode(n);
  }
  throw new PyError('TypeError', '%c requires an integer in range(256) or a single byte');
}

/** Width, precision truncation, sign and `0x` placement (unicode_format_arg_output). */
function pad(text: string, arg: Arg): string {
  const fill = arg.sign && arg.zero ? '0' : ' ';
  const chars = Array.from(text);
  let len = chars.length;
  if ((arg.width === -1 || arg.width <= len) && (arg.prec === -1 || arg.prec >= len) && !arg.plus && !arg.blank) return text;
  if ('sra'.includes(arg.ch) && arg.prec >= 0 && len >= arg.prec) len = arg.prec;
  let p = 0;
  let signChar = '';
  let sign = arg.sign;
  if (sign) {
    if (chars[0] === '-' || chars[0] === '+') {
      signChar = chars[0];
      len--;
      p++;
    } else if (arg.plus) signChar = '+';
    else if (arg.blank) signChar = ' ';
    else sign = false;
  }
  let width = Math.max(arg.width, len);
  let out = '';
  if (sign) {
    if (fill !== ' ') out += signChar;
    if (width > len) width--;
  }
  const prefixed = arg.alt && (arg.ch === 'x' || arg.ch === 'X' || arg.ch === 'o');
  if (prefixed) {
    if (fill !== ' ') {
      out += chars[p] + chars[p + 1];
      p += 2;
    }
    width = Math.max(0, width - 2);
    len -= 2;
  }
  if (width > len && !arg.left) {
    out += fill.repeat(width - len);
    width = len;
  }
  if (fill === ' ') {
    if (sign) out += signChar;
    if (prefixed) {
      out += chars[p] + chars[p + 1];
      p += 2;
    }
  }
  out += chars.slice(p, p + len).join('');
  if (width > len) out += ' '.repeat(width - len);
  return out;
}
