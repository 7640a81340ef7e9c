// Reported and returned values as Jac Cloud writes them (http-api.md §3): a node, edge, walker
// or obj is `{"id": ..., "context": {<has fields>}}`; inside a context, objs are plain objects and
// enums are written by member name; lists and dicts are walked. Big ints keep every digit.
import { PyBytes } from '../runtime/values/bytes.ts';
import { PyDict, PySet, PyTuple } from '../runtime/values/containers.ts';
import { PyDictView } from '../runtime/values/dict-views.ts';
import { PyFloat } from '../runtime/values/numbers.ts';
import { str } from '../runtime/values/repr.ts';
import { typeName, type Value } from '../runtime/values/value.ts';
import { PyEnumMember, PyInstance } from '../runtime/interpreter/archetypes.ts';
import { idOf } from '../runtime/interpreter/tracking.ts';
import { UploadFileValue } from '../runtime/interpreter/fastapi-module.ts';

/** JSON, plus bigints that `stringify` writes with all their digits. */
export type Wire = null | boolean | number | bigint | string | Wire[] | { [key: string]: Wire };

/** A value that has no JSON form (a function, a class): the request fails with a 500. */
export class NotSerializable extends Error {}

const MAX_DEPTH = 100;

/** A reported value (or an ability's return value) on the wire. */
export function serialize(v: Value): Wire {
  return wire(v, true, new Set(), 0);
}

function wire(v: Value, archetypeForm: boolean, path: Set<PyInstance>, depth: number): Wire {
  if (depth > MAX_DEPTH) throw new NotSerializable('the value nests too deep to send');
  if (v === null || typeof v === 'boolean' || typeof v === 'string' || typeof v === 'number' || typeof v === 'bigint') return v;
  if (v instanceof PyFloat) return Number.isFinite(v.value) ? v.value : null;
  const inner = (x: Value) => wire(x, archetypeForm, path, depth + 1);
  if (Array.isArray(v)) return v.map(inner);
  if (v instanceof PyTuple) return v.items.map(inner);
  if (v instanceof PySet) return [...v.values()].map(inner);
  // `report d.keys()` sends the list the view shows, as a report of `list(d.keys())` would.
  if (v instanceof PyDictView) return [...v].map(inner);
  if (v instanceof PyDict) {
    const o: { [key: string]: Wire } = {};
    for (const [k, x] of v.items()) setKey(o, typeof k === 'string' ? k : str(k), inner(x));
    return o;
  }
  if (v instanceof PyEnumMember) return v.name;
  if (v instanceof PyBytes) return Buffer.from(v.data).toString('base64');
  // A file is sent as what it is, never as its bytes (a walker that wants them reports `f.read()`).
  if (v instanceof UploadFileValue) return v.summary();
  if (v instanceof PyInstance) {
    const graphLike = v.cls.kind === 'node' || v.cls.kind === 'edge' || v.cls.kind === 'walker';
    if (path.has(v)) return { id: idOf(v) }; // a cycle: name it, do not repeat it
    path.add(v);
    const context: { [key: string]: Wire } = {};
    // Objs inside a context are plain objects; nodes, edges and walkers keep their ids.
    for (const f of v.cls.fields) {
      const x = v.get(f.name);
      if (x !== undefined) setKey(context, f.name, wire(x, false, path, depth + 1));
    }
    path.delete(v);
    return archetypeForm || graphLike ? { id: idOf(v), context } : context;
  }
  throw new NotSerializable(`a value of type '${typeName(v)}' cannot be sent as JSON`);
}

/**
 * `o[key] = value` for any key: assigning "__proto__" would set the object's prototype (or do
 * nothing) instead of adding the key, so that one is defined as an own property.
 */
function setKey(o: { [key: string]: Wire }, key: string, value: Wire): void {
  if (key === '__proto__') Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
  else o[key] = value;
}

/** JSON text for a wire value (JSON.stringify cannot write bigints). */
export function stringify(w: Wire): string {
  if (typeof w === 'bigint') return w.toString();
  if (w === null || typeof w !== 'object') return JSON.stringify(w);
  if (Array.isArray(w)) return `[${w.map(stringify).join(',')}]`;
  return `{${Object.entries(w)
    .map(([k, x]) => `${JSON.stringify(k)}:${stringify(x)}`)
    .join(',')}}`;
}
