// `str.maketrans(...)` and `s.translate(table)`: a table maps code points to a code point, a
// string or None (delete); a code point the table does not have stays as it is.
import { PyDict } from '../values/containers.ts';
import { PyError, exceptionClass } from '../values/errors.ts';
import { typeName, type Value } from '../values/value.ts';
import { getItem } from './protocols.ts';

const codePoints = (s: string): number[] => Array.from(s, (c) => c.codePointAt(0)!);

/** `str.maketrans(mapping)` or `str.maketrans(from, to[, delete])`. */
export function maketrans(args: Value[]): PyDict {
  if (args.length === 0 || args.length > 3) throw new PyError('TypeError', `maketrans expected ${args.length === 0 ? 'at least 1 argument' : 'at most 3 arguments'}, got ${args.length}`);
  const table = new PyDict();
  if (args.length === 1) {
    const [mapping] = args;
    if (!(mapping instanceof PyDict)) throw new PyError('TypeError', 'if you give only one argument to maketrans it must be a dict');
    for (const [key, value] of mapping.items()) {
      if (typeof key === 'string') {
        if (codePoints(key).length !== 1) throw new PyError('ValueError', 'string keys in translate table must be of length 1');
        table.set(key.codePointAt(0)!, value);
      } else if (typeof key === 'number' || typeof key === 'bigint' || typeof key === 'boolean') table.set(key, value);
      else throw new PyError('TypeError', 'keys in translate table must be strings or integers');
    }
    return table;
  }
  const [from, to, remove] = args;
  if (typeof from !== 'string') throw new PyError('TypeError', 'first maketrans argument must be a string if there is a second argument');
  if (typeof to !== 'string') throw new PyError('TypeError', `maketrans() argument 2 must be str, not ${typeName(to)}`);
  const source = codePoints(from);
  const target = codePoints(to);
  if (source.length !== target.length) throw new PyError('ValueError', 'the first two maketrans arguments must have equal length');
  source.forEach((c, i) => table.set(c, target[i]));
  if (remove !== undefined) {
    if (typeof remove !== 'string') throw new PyError('TypeError', `maketrans() argument 3 must be str, not ${typeName(remove)}`);
    for (const c of codePoints(remove)) table.set(c, null);
  }
  return table;
}

/** `s.translate(table)`: each character looked up as `table[ord(c)]` (any mapping or sequence). */
export function translate(s: string, table: Value): string {
  let out = '';
  for (const c of s) {
    let mapped: Value;
    try {
      mapped = getItem(table, c.codePointAt(0)!, false);
    } catch (e) {
      if (e instanceof PyError && isLookupError(e)) {
        out += c;
        continue;
      }
      throw e;
    }
    if (mapped === null) continue;
    if (typeof mapped === 'string') out += mapped;
    else if (typeof mapped === 'number' || typeof mapped === 'bigint' || typeof mapped === 'boolean') {
      const n = Number(mapped);
      if (n < 0 || n > 0x10ffff) throw new PyError('ValueError', 'character mapping must be in range(0x110000)');
      out += String.fromCodePoint(n);
    } else throw new PyError('TypeError', 'character mapping must return integer, None or str');
  }
  return out;
}

function isLookupError(e: PyError): boolean {
  const cls = e.value?.cls ?? exceptionClass(e.pyType);
  return cls.isSubclassOf(exceptionClass('LookupError'));
}
