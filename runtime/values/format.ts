// `format(value, spec)` and `str.format`: the format-spec mini-language
// ([[fill]align][sign][z][#][0][width][grouping][.precision][type]) as CPython's
// formatter_unicode.c implements it for str, int, bool and float, and the replacement-field
// syntax of unicode_format.h. Error messages are CPython's.
import { PyDict } from './containers.ts';
import { PyError } from './errors.ts';
import { doubleToString } from './float-format.ts';
import { PyFloat, floatRepr, type PyInt } from './numbers.ts';
import { repr, str } from './repr.ts';
import { typeName, type Value } from './value.ts';

interface Spec {
  fill: string;
  align: string;
  sign: string;
  noNeg0: boolean;
  alt: boolean;
  width: number;
  grouping: '' | ',' | '_';
  precision: number;
  type: string;
}

/** Whether `type` is one of the one-letter codes in `codes`. */
const oneOf = (type: string, codes: string) => type.length === 1 && codes.includes(type);
const isAlign = (c: string | undefined) => c === '<' || c === '>' || c === '=' || c === '^';
const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';
const MAX_SSIZE = 2n ** 63n - 1n;

/** Reads a run of digits at `pos`; null when there is none. */
function readInteger(c: string[], pos: { i: number }): number | null {
  const start = pos.i;
  while (isDigit(c[pos.i])) pos.i++;
  if (pos.i === start) return null;
  const n = BigInt(c.slice(start, pos.i).join(''));
  if (n > MAX_SSIZE) throw new PyError('ValueError', 'Too many decimal digits in format string');
  return Number(n);
}

/** A type code as CPython's messages quote it: `'x'`, or `'\\x85'` when not printable ASCII. */
function quoteCode(type: string): string {
  const code = type.codePointAt(0)!;
  return code > 32 && code < 128 ? `'${type}'` : `'\\x${code.toString(16)}'`;
}

/** `Cannot specify ',' with 'x'.`: a grouping option with a type that does not allow it. */
const badGrouping = (sep: string, type: string) => new PyError('ValueError', `Cannot specify '${sep}' with ${quoteCode(type)}.`);

function parseSpec(text: string, v: Value, defaultType: string, defaultAlign: string): Spec {
  const c = Array.from(text);
  const spec: Spec = { fill: ' ', align: defaultAlign, sign: '', noNeg0: false, alt: false, width: -1, grouping: '', precision: -1, type: defaultType };
  const pos = { i: 0 };
  let fillGiven = false;
  let alignGiven = false;
  if (c.length >= 2 && isAlign(c[1])) {
    [spec.fill, spec.align] = [c[0], c[1]];
    fillGiven = alignGiven = true;
    pos.i = 2;
  } else if (isAlign(c[0])) {
    spec.align = c[0];
    alignGiven = true;
    pos.i = 1;
  }
  if (c[pos.i] === '+' || c[pos.i] === '-' || c[pos.i] === ' ') spec.sign = c[pos.i++];
  if (c[pos.i] === 'z') {
    spec.noNeg0 = true;
    pos.i++;
  }
  if (c[pos.i] === '#') {
    spec.alt = true;
    pos.i++;
  }
  // A leading 0 means zero padding between sign and digits, unless a fill was given.
  if (!fillGiven && c[pos.i] === '0') {
    spec.fill = '0';
    if (!alignGiven && defaultAlign === '>') spec.align = '=';
    pos.i++;
  }
  spec.width = readInteger(c, pos) ?? -1;
  if (c[pos.i] === ',') {
    spec.grouping = ',';
    pos.i++;
  }
  if (c[pos.i] === '_') {
    if (spec.grouping !== '') throw new PyError('ValueError', "Cannot specify both ',' and '_'.");
    spec.grouping = '_';
    pos.i++;
  }
  if (c[pos.i] === ',' && spec.grouping === '_') throw new PyError('ValueError', "Cannot specify both ',' and '_'.");
  if (c[pos.i] === '.') {
    pos.i++;
    const precision = readInteger(c, pos);
    if (precision === null) throw new PyError('ValueError', 'Format specifier missing precision');
    spec.precision = precision;
  }
  if (c.length - pos.i > 1) throw new PyError('ValueError', `Invalid format specifier '${text}' for object of type '${typeName(v)}'`);
  if (c.length - pos.i === 1) spec.type = c[pos.i];
  if (spec.grouping !== '' && spec.type !== '' && !oneOf(spec.type, 'defgEG%F')) {
    if (!(spec.grouping === '_' && oneOf(spec.type, 'boxX'))) throw badGrouping(spec.grouping, spec.type);
  }
  return spec;
}

const unknownType = (type: string, v: Value) => new PyError('ValueError', `Unknown format code ${quoteCode(type)} for object of type '${typeName(v)}'`);

/**
 * Groups `digits` in threes (fours for `_` with b/o/x) from the right; with `minWidth` (zero
 * padding) leading zeros are grouped too. A port of _PyUnicode_InsertThousandsGrouping.
 */
function groupDigits(digits: string, minWidth: number, sep: string, size: number): string {
  let min = Math.max(0, minWidth);
  let remaining = digits.length;
  const parts: string[] = [];
  const take = (len: number) => {
    const zeros = Math.max(0, len - remaining);
    const chars = Math.max(0, Math.min(remaining, len));
    parts.push('0'.repeat(zeros) + digits.slice(remaining - chars, remaining));
    remaining -= chars;
  };
  if (size === 0) {
    take(Math.max(remaining, min, 1));
    return parts[0];
  }
  for (;;) {
    const len = Math.min(size, Math.max(remaining, min, 1));
    take(len);
    min -= len;
    if (remaining <= 0 && min <= 0) break;
    min -= sep.length;
  }
  return parts.reverse().join(sep);
}

interface NumberParts {
  negative: boolean;
  /** `0x` and friends (written after the sign, before any zero padding). */
  prefix: string;
  /** The integer digits, which grouping and zero padding apply to. */
  digits: string;
  /** Whether a decimal point follows the digits. */
  decimal: boolean;
  /** Fraction, exponent, `%`, or the character of a 'c' format. */
  remainder: string;
}

/** Sign, padding and grouping around a number's parts (calc_number_widths and fill_number). */
function layoutNumber(p: NumberParts, spec: Spec, upper: boolean): string {
  let sign = p.negative ? '-' : '';
  if (!p.negative && (spec.sign === '+' || spec.sign === ' ')) sign = spec.sign;
  const nonDigits = sign.length + p.prefix.length + (p.decimal ? 1 : 0) + Array.from(p.remainder).length;
  const minWidth = spec.fill === '0' && spec.align === '=' ? spec.width - nonDigits : 0;
  const size = spec.grouping === '' ? 0 : spec.grouping === '_' && oneOf(spec.type, 'boxX') ? 4 : 3;
  let grouped = p.digits === '' ? '' : groupDigits(p.digits, minWidth, spec.grouping, size);
  if (upper) grouped = grouped.toUpperCase();
  const padding = spec.width - (nonDigits + grouped.length);
  let left = 0;
  let inner = 0;
  let right = 0;
  if (padding > 0) {
    if (spec.align === '<') right = padding;
    else if (spec.align === '^') [left, right] = [Math.floor(padding / 2), padding - Math.floor(padding / 2)];
    else if (spec.align === '=') inner = padding;
    else left = padding;
  }
  const prefix = upper ? p.prefix.toUpperCase() : p.prefix;
  return spec.fill.repeat(left) + sign + prefix + spec.fill.repeat(inner) + grouped + (p.decimal ? '.' : '') + p.remainder + spec.fill.repeat(right);
}

function formatString(s: string, spec: Spec, v: Value): string {
  if (spec.type !== 's') throw unknownType(spec.type, v);
  if (spec.sign !== '') throw new PyError('ValueError', spec.sign === ' ' ? 'Space not allowed in string format specifier' : 'Sign not allowed in string format specifier');
  if (spec.noNeg0) throw new PyError('ValueError', 'Negative zero coercion (z) not allowed in string format specifier');
  if (spec.alt) throw new PyError('ValueError', 'Alternate form (#) not allowed in string format specifier');
  if (spec.align === '=') throw new PyError('ValueError', "'=' alignment not allowed in string format specifier");
  let chars = Array.from(s);
  if (spec.precision >= 0 && chars.length > spec.precision) chars = chars.slice(0, spec.precision);
  const padding = Math.max(0, spec.width - chars.length);
  const left = spec.align === '>' ? padding : spec.align === '^' ? Math.floor(padding / 2) : 0;
  return spec.fill.repeat(left) + chars.join('') + spec.fill.repeat(padding - left);
}

const RADIX: Record<string, [number, string]> = { b: [2, '0b'], o: [8, '0o'], x: [16, '0x'], X: [16, '0x'], d: [10, ''], n: [10, ''] };

function formatInt(n: PyInt, spec: Spec, v: Value): string {
  if (oneOf(spec.type, 'eEfFgG%')) return formatFloat(intToFloat(n), spec, v);
  if (spec.type !== 'c' && !(spec.type in RADIX)) throw unknownType(spec.type, v);
  if (spec.precision !== -1) throw new PyError('ValueError', 'Precision not allowed in integer format specifier');
  if (spec.noNeg0) throw new PyError('ValueError', 'Negative zero coercion (z) not allowed in integer format specifier');
  if (spec.type === 'c') {
    if (spec.sign !== '') throw new PyError('ValueError', "Sign not allowed with integer format specifier 'c'");
    if (spec.alt) throw new PyError('ValueError', "Alternate form (#) not allowed with integer format specifier 'c'");
    if (BigInt(n) > MAX_SSIZE || BigInt(n) < -MAX_SSIZE - 1n) throw new PyError('OverflowError', 'Python int too large to convert to C long');
    if (n < 0 || n > 0x10ffff) throw new PyError('OverflowError', '%c arg not in range(0x110000)');
    return layoutNumber({ negative: false, prefix: '', digits: '', decimal: false, remainder: String.fromCodePoint(Number(n)) }, spec, false);
  }
  const [base, prefix] = RADIX[spec.type];
  const big = BigInt(n);
  const digits = (big < 0n ? -big : big).toString(base);
  return layoutNumber({ negative: big < 0n, prefix: spec.alt ? prefix : '', digits, decimal: false, remainder: '' }, spec, spec.type === 'X');
}

export function intToFloat(n: PyInt): number {
  const x = Number(n);
  if (!Number.isFinite(x)) throw new PyError('OverflowError', 'int too large to convert to float');
  return x;
}

function formatFloat(x: number, spec: Spec, v: Value): string {
  if (!['', 'e', 'E', 'f', 'F', 'g', 'G', 'n', '%'].includes(spec.type)) throw unknownType(spec.type, v);
  let type = spec.type;
  let precision = spec.precision;
  let defaultPrecision = 6;
  let addDot0 = false;
  // No type: like repr, or like 'g' with at least one fractional digit when given a precision.
  if (type === '') {
    addDot0 = true;
    type = 'r';
    defaultPrecision = 0;
  }
  if (type === 'n') type = 'g';
  let percent = false;
  if (type === '%') {
    type = 'f';
    x *= 100;
    percent = true;
  }
  if (precision < 0) precision = defaultPrecision;
  else if (type === 'r') type = 'g';
  let text = doubleToString(x, type, precision, { alt: spec.alt, addDot0, noNeg0: spec.noNeg0 });
  if (percent) text += '%';
  const negative = text.startsWith('-');
  if (negative) text = text.slice(1);
  const digits = /^[0-9]*/.exec(text)![0];
  const decimal = text[digits.length] === '.';
  const remainder = text.slice(digits.length + (decimal ? 1 : 0));
  return layoutNumber({ negative, prefix: '', digits, decimal, remainder }, spec, false);
}

/** `format(v, spec)`, what an f-string or `str.format` field does with its spec. */
export function format(v: Value, spec: string): string {
  if (typeof v === 'string') return spec === '' ? v : formatString(v, parseSpec(spec, v, 's', '<'), v);
  if (typeof v === 'boolean') return spec === '' ? str(v) : formatInt(v ? 1 : 0, parseSpec(spec, v, 'd', '>'), v);
  if (typeof v === 'number' || typeof v === 'bigint') return spec === '' ? String(v) : formatInt(v, parseSpec(spec, v, 'd', '>'), v);
  if (v instanceof PyFloat) return spec === '' ? floatRepr(v.value) : formatFloat(v.value, parseSpec(spec, v, '', '>'), v);
  // object.__format__: only the empty spec.
  if (spec === '') return str(v);
  throw new PyError('TypeError', `unsupported format string passed to ${typeName(v)}.__format__`);
}

/** `ascii(v)`: the repr with every non-ASCII character escaped. */
export function ascii(v: Value): string {
  return repr(v).replace(/[^\x00-\x7f]/gu, (ch) => {
    const code = ch.codePointAt(0)!;
    if (code < 0x100) return '\\x' + code.toString(16).padStart(2, '0');
    if (code < 0x10000) return '\\u' + code.toString(16).padStart(4, '0');
    return '\\U' + code.toString(16).padStart(8, '0');
  });
}

/** How `str.format` reaches into a field's value: `{0.name}` and `{0[key]}`. */
export interface FieldAccess {
  attribute(object: Value, name: string): Value;
  item(object: Value, key: Value): Value;
}

/** The arguments of one `str.format` call, and its automatic field numbering. */
interface FormatCall {
  /** The positional arguments; null for format_map, which has none. */
  args: readonly Value[] | null;
  /** The keyword arguments (a dict; format_map's mapping), or null when none were passed. */
  kwargs: Value | null;
  access: FieldAccess;
  numbering: 'init' | 'auto' | 'manual';
  next: number;
}

/** `template.format(*args, **kwargs)`, or `template.format_map(mapping)` (args null). */
export function strFormat(template: string, args: readonly Value[] | null, kwargs: Value | null, access: FieldAccess): string {
  return buildString(template, { args, kwargs, access, numbering: 'init', next: 0 }, 2);
}

/** Digits only: an index into the positional arguments; otherwise -1. */
function fieldInteger(text: string): number {
  if (text === '' || !/^[0-9]+$/.test(text)) return -1;
  const n = BigInt(text);
  if (n > MAX_SSIZE) throw new PyError('ValueError', 'Too many decimal digits in format string');
  return Number(n);
}

function buildString(template: string, call: FormatCall, depth: number): string {
  if (depth <= 0) throw new PyError('ValueError', 'Max string recursion exceeded');
  const c = Array.from(template);
  let out = '';
  let i = 0;
  while (i < c.length) {
    // Literal text up to an unescaped brace.
    let ch = '';
    while (i < c.length) {
      ch = c[i++];
      if (ch === '{' || ch === '}') break;
      out += ch;
      ch = '';
    }
    if (ch === '') break;
    const atEnd = i >= c.length;
    if (ch === '}' && (atEnd || c[i] !== '}')) throw new PyError('ValueError', "Single '}' encountered in format string");
    if (ch === '{' && atEnd) throw new PyError('ValueError', "Single '{' encountered in format string");
    if (c[i] === ch) {
      out += ch;
      i++;
      continue;
    }
    // A replacement field: name, then `!conversion`, then `:spec` (which may nest fields).
    const nameStart = i;
    let end = '';
    while (i < c.length) {
      const d = c[i++];
      if (d === '{') throw new PyError('ValueError', "unexpected '{' in field name");
      if (d === '[') {
        while (i < c.length && c[i] !== ']') i++;
        continue;
      }
      if (d === '}' || d === ':' || d === '!') {
        end = d;
        break;
      }
    }
    const name = c.slice(nameStart, end === '' ? i : i - 1).join('');
    let conversion = '';
    let spec = '';
    let nested = false;
    if (end === '!' || end === ':') {
      let close = false;
      if (end === '!') {
        if (i >= c.length) throw new PyError('ValueError', 'end of string while looking for conversion specifier');
        conversion = c[i++];
        if (i < c.length) {
          const d = c[i++];
          if (d === '}') close = true;
          else if (d !== ':') throw new PyError('ValueError', "expected ':' after conversion specifier");
        }
      }
      if (!close) {
        const specStart = i;
        let count = 1;
        while (i < c.length) {
          const d = c[i++];
          if (d === '{') {
            nested = true;
            count++;
          } else if (d === '}' && --count === 0) break;
        }
        if (count !== 0) throw new PyError('ValueError', "unmatched '{' in format spec");
        spec = c.slice(specStart, i - 1).join('');
      }
    } else if (end !== '}') {
      throw new PyError('ValueError', "expected '}' before end of string");
    }
    let value = fieldValue(name, call);
    if (conversion !== '') value = convert(value, conversion);
    out += format(value, nested ? buildString(spec, call, depth - 1) : spec);
  }
  return out;
}

function convert(v: Value, conversion: string): string {
  if (conversion === 'r') return repr(v);
  if (conversion === 's') return str(v);
  if (conversion === 'a') return ascii(v);
  const code = conversion.codePointAt(0)!;
  const shown = code > 32 && code < 127 ? conversion : `\\x${code.toString(16)}`;
  throw new PyError('ValueError', `Unknown conversion specifier ${shown}`);
}

/** The value a field name like `0`, `name`, `0.attr` or `name[key][1]` selects. */
function fieldValue(name: string, call: FormatCall): Value {
  const c = Array.from(name);
  let i = 0;
  while (i < c.length && c[i] !== '.' && c[i] !== '[') i++;
  const first = c.slice(0, i).join('');
  let index = fieldInteger(first);
  const numeric = first === '' || index !== -1;
  if (numeric) {
    if (call.numbering === 'init') call.numbering = first === '' ? 'auto' : 'manual';
    if (call.numbering === 'manual' && first === '') throw new PyError('ValueError', 'cannot switch from manual field specification to automatic field numbering');
    if (call.numbering === 'auto' && first !== '') throw new PyError('ValueError', 'cannot switch from automatic field numbering to manual field specification');
    if (first === '') index = call.next++;
  }
  let value: Value;
  if (index === -1) {
    // Looked up like `kwargs[name]`, so a missing name is the usual KeyError.
    value = call.access.item(call.kwargs ?? new PyDict(), first);
  } else {
    if (call.args === null) throw new PyError('ValueError', 'Format string contains positional fields');
    if (index >= call.args.length) throw new PyError('IndexError', `Replacement index ${index} out of range for positional args tuple`);
    value = call.args[index];
  }
  while (i < c.length) {
    const d = c[i++];
    let part = '';
    if (d === '.') {
      while (i < c.length && c[i] !== '.' && c[i] !== '[') part += c[i++];
    } else if (d === '[') {
      while (i < c.length && c[i] !== ']') part += c[i++];
      if (i >= c.length) throw new PyError('ValueError', "Missing ']' in format string");
      i++;
    } else {
      throw new PyError('ValueError', "Only '.' or '[' may follow ']' in format field specifier");
    }
    if (part === '') throw new PyError('ValueError', 'Empty attribute in format string');
    if (d === '.') value = call.access.attribute(value, part);
    else {
      const k = fieldInteger(part);
      value = call.access.item(value, k === -1 ? part : k);
    }
  }
  return value;
}
