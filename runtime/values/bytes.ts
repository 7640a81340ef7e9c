// Python's bytes: an immutable run of octets, and the codecs between it and str.
import { PyError } from './errors.ts';
import type { PyObject } from './value.ts';

export class PyBytes implements PyObject {
  constructor(readonly data: Uint8Array) {}

  /** From a string holding one char per byte (code points 0-255), as the parser gives b"...". */
  static fromLatin1(text: string): PyBytes {
    const data = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) data[i] = text.charCodeAt(i);
    return new PyBytes(data);
  }

  /** One char per byte: lets str algorithms (search, split) run on bytes unchanged. */
  latin1(): string {
    let out = '';
    for (let i = 0; i < this.data.length; i += 8192) out += String.fromCharCode(...this.data.subarray(i, i + 8192));
    return out;
  }

  pyTypeName(): string {
    return 'bytes';
  }

  pyRepr(): string {
    return bytesRepr(this.data);
  }
}

/** `repr(b)`: single quotes unless the bytes hold a `'` and no `"`; non-ASCII as `\xNN`. */
export function bytesRepr(data: Uint8Array): string {
  const quote = data.includes(0x27) && !data.includes(0x22) ? '"' : "'";
  let out = 'b' + quote;
  for (const b of data) {
    const ch = String.fromCharCode(b);
    if (ch === quote || ch === '\\') out += '\\' + ch;
    else if (ch === '\t') out += '\\t';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (b < 0x20 || b >= 0x7f) out += '\\x' + b.toString(16).padStart(2, '0');
    else out += ch;
  }
  return out + quote;
}

type Codec = 'utf-8' | 'ascii' | 'latin-1';
type ErrorMode = 'strict' | 'ignore' | 'replace';

/** Python's codec lookup for the encodings supported here (it ignores case, `-`, `_` and spaces). */
function codec(name: string): Codec {
  const key = name.toLowerCase().replace(/[-_ ]/g, '');
  if (key === 'utf8' || key === 'u8' || key === 'utf') return 'utf-8';
  if (key === 'ascii' || key === 'usascii' || key === '646') return 'ascii';
  if (key === 'latin1' || key === 'latin' || key === 'iso88591' || key === 'l1' || key === '8859' || key === 'cp819') return 'latin-1';
  throw new PyError('LookupError', `unknown encoding: ${name}`);
}

function errorMode(errors: string): ErrorMode {
  if (errors === 'strict' || errors === 'ignore' || errors === 'replace') return errors;
  throw new PyError('LookupError', `unknown error handler name '${errors}'`);
}

/** `\xe9`, `\u20ac`: how a codec error message names a character. */
function charEscape(code: number): string {
  if (code < 0x100) return '\\x' + code.toString(16).padStart(2, '0');
  if (code < 0x10000) return '\\u' + code.toString(16).padStart(4, '0');
  return '\\U' + code.toString(16).padStart(8, '0');
}

/** `s.encode(encoding, errors)` */
export function encode(s: string, encoding = 'utf-8', errors = 'strict'): PyBytes {
  const name = codec(encoding);
  const points = Array.from(s, (c) => c.codePointAt(0)!);
  const out: number[] = [];
  const limit = name === 'ascii' ? 0x80 : 0x100;
  for (let i = 0; i < points.length; i++) {
    const c = points[i];
    const bad = name === 'utf-8' ? c >= 0xd800 && c <= 0xdfff : c >= limit;
    if (bad) {
      // A run of unencodable characters is reported as one error, as Python does.
      let end = i + 1;
      while (end < points.length && (name === 'utf-8' ? points[end] >= 0xd800 && points[end] <= 0xdfff : points[end] >= limit)) end++;
      const mode = errorMode(errors); // looked up only when needed, as Python does
      if (mode === 'strict') {
        const reason = name === 'utf-8' ? 'surrogates not allowed' : `ordinal not in range(${limit})`;
        const where = end - i === 1 ? `character '${charEscape(c)}' in position ${i}` : `characters in position ${i}-${end - 1}`;
        throw new PyError('UnicodeEncodeError', `'${name === 'latin-1' ? 'latin-1' : name}' codec can't encode ${where}: ${reason}`);
      }
      if (mode === 'replace') for (let k = i; k < end; k++) out.push(0x3f);
      i = end - 1;
      continue;
    }
    if (name !== 'utf-8' || c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 0x3f));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 0x3f), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f));
  }
  return new PyBytes(Uint8Array.from(out));
}

/** `b.decode(encoding, errors)` */
export function decode(b: PyBytes, encoding = 'utf-8', errors = 'strict'): string {
  const name = codec(encoding);
  if (name === 'latin-1') return b.latin1();
  const data = b.data;
  let out = '';
  const fail = (start: number, end: number, reason: string) => {
    const mode = errorMode(errors);
    if (mode === 'strict') {
      const where = end - start === 1 ? `byte 0x${data[start].toString(16).padStart(2, '0')} in position ${start}` : `bytes in position ${start}-${end - 1}`;
      throw new PyError('UnicodeDecodeError', `'${name}' codec can't decode ${where}: ${reason}`);
    }
    if (mode === 'replace') out += '\ufffd';
  };
  for (let i = 0; i < data.length; ) {
    const lead = data[i];
    if (lead < 0x80) {
      out += String.fromCharCode(lead);
      i++;
      continue;
    }
    if (name === 'ascii') {
      fail(i, i + 1, 'ordinal not in range(128)');
      i++;
      continue;
    }
    const [need, lo, hi] = utf8Lead(lead);
    if (need === 0) {
      fail(i, i + 1, 'invalid start byte');
      i++;
      continue;
    }
    // The maximal valid prefix of the sequence decides the error span, as in CPython.
    let code = lead & (0xff >> (need + 2));
    let j = i + 1;
    let reason = '';
    for (let k = 0; k < need; k++, j++) {
      if (j >= data.length) {
        reason = 'unexpected end of data';
        break;
      }
      const c = data[j];
      if (c < (k === 0 ? lo : 0x80) || c > (k === 0 ? hi : 0xbf)) {
        reason = 'invalid continuation byte';
        break;
      }
      code = (code << 6) | (c & 0x3f);
    }
    if (reason) {
      fail(i, j, reason);
      i = j;
      continue;
    }
    out += String.fromCodePoint(code);
    i = j;
  }
  return out;
}

/** For a UTF-8 lead byte: how many continuation bytes follow, and the range of the first. */
function utf8Lead(b: number): [number, number, number] {
  if (b >= 0xc2 && b <= 0xdf) return [1, 0x80, 0xbf];
  if (b === 0xe0) return [2, 0xa0, 0xbf];
  if (b === 0xed) return [2, 0x80, 0x9f];
  if (b >= 0xe1 && b <= 0xef) return [2, 0x80, 0xbf];
  if (b === 0xf0) return [3, 0x90, 0xbf];
  if (b >= 0xf1 && b <= 0xf3) return [3, 0x80, 0xbf];
  if (b === 0xf4) return [3, 0x80, 0x8f];
  return [0, 0, 0];
}

export function concatBytes(a: PyBytes, b: PyBytes): PyBytes {
  const out = new Uint8Array(a.data.length + b.data.length);
  out.set(a.data);
  out.set(b.data, a.data.length);
  return new PyBytes(out);
}

export function repeatBytes(a: PyBytes, times: number): PyBytes {
  const n = Math.max(0, times);
  const out = new Uint8Array(a.data.length * n);
  for (let i = 0; i < n; i++) out.set(a.data, i * a.data.length);
  return new PyBytes(out);
}

/** Lexicographic order of the octets: negative, zero or positive. */
export function compareBytes(a: PyBytes, b: PyBytes): number {
  const n = Math.min(a.data.length, b.data.length);
  for (let i = 0; i < n; i++) if (a.data[i] !== b.data[i]) return a.data[i] - b.data[i];
  return a.data.length - b.data.length;
}
