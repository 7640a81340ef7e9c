// `repr()` and `str()` of every value, byte for byte as Python prints them.
import { PyDict, PySet, PyTuple } from './containers.ts';
import { PyFloat, floatRepr } from './numbers.ts';
import { strRepr } from './strings.ts';
import { isPyObject, type Value } from './value.ts';

export function repr(v: Value): string {
  if (v === null) return 'None';
  switch (typeof v) {
    case 'boolean':
      return v ? 'True' : 'False';
    case 'number':
    case 'bigint':
      return String(v);
    case 'string':
      return strRepr(v);
  }
  if (v instanceof PyFloat) return floatRepr(v.value);
  if (Array.isArray(v)) return `[${v.map(repr).join(', ')}]`;
  if (v instanceof PyTuple) return v.items.length === 1 ? `(${repr(v.items[0])},)` : `(${v.items.map(repr).join(', ')})`;
  if (v instanceof PyDict) return `{${[...v.items()].map(([k, x]) => `${repr(k)}: ${repr(x)}`).join(', ')}}`;
  if (v instanceof PySet) {
    const members = `{${[...v.values()].map(repr).join(', ')}}`;
    if (v.frozen) return v.size === 0 ? 'frozenset()' : `frozenset(${members})`;
    return v.size === 0 ? 'set()' : members;
  }
  return v.pyRepr();
}

/** `str()`: a string is itself; everything else prints as its repr (containers show reprs). */
export function str(v: Value): string {
  if (typeof v === 'string') return v;
  if (isPyObject(v) && v.pyStr) return v.pyStr();
  return repr(v);
}
