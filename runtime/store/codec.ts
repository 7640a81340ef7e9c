// Values as stored. JSON says null, bools, strings, lists and (safe) ints itself; everything else
// is an object with one `$tag` key, so a value reads back as exactly what was stored: ints stay
// ints (`{"$int": "..."}` past 2^53), floats stay floats (an integral float is tagged, `1.5` is
// not), and dicts keep their key types and order (`{"$dict": [[k, v], ...]}`).
import { PyBytes } from '../values/bytes.ts';
import { PyDict, PySet, PyTuple } from '../values/containers.ts';
import { PyFloat, float, int } from '../values/numbers.ts';
import { typeName, type Value } from '../values/value.ts';
import { PyClass, PyEnum, PyEnumMember, PyInstance } from '../interpreter/archetypes.ts';
import { type Json, StoreError } from './store.ts';

/** Nested objs deeper than this are a cycle (or a value no one meant to store). */
const MAX_DEPTH = 200;

/** Encodes a field value; `where` names the field for error messages. */
export function encodeValue(v: Value, where: string, depth = 0): Json {
  if (depth > MAX_DEPTH) throw new StoreError(`cannot store ${where}: it nests too deep (a cycle of objects?)`, 'JAC_STORE_VALUE');
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return v;
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return { $int: v.toString() };
  if (v instanceof PyFloat) {
    const x = v.value;
    if (!Number.isFinite(x)) return { $float: Number.isNaN(x) ? 'nan' : x > 0 ? 'inf' : '-inf' };
    if (Object.is(x, -0)) return { $float: '-0.0' };
    return Number.isInteger(x) ? { $float: x } : x;
  }
  const inner = (x: Value) => encodeValue(x, where, depth + 1);
  if (Array.isArray(v)) return v.map(inner);
  if (v instanceof PyTuple) return { $tuple: v.items.map(inner) };
  if (v instanceof PyDict) return { $dict: [...v.items()].map(([k, x]) => [inner(k), inner(x)]) };
  if (v instanceof PySet) return { [v.frozen ? '$frozenset' : '$set']: [...v.values()].map(inner) };
  if (v instanceof PyBytes) return { $bytes: Buffer.from(v.data).toString('base64') };
  if (v instanceof PyEnumMember) return { $enum: v.enumType.name, name: v.name };
  if (v instanceof PyInstance) {
    const kind = v.cls.kind;
    if (kind === 'node' || kind === 'edge') {
      // A node or edge in a field is stored by reference; it joins the graph if it was not in it.
      if (v.id === null) throw new StoreError(`cannot store ${where}: it refers to a ${v.cls.name} that is not in the graph`, 'JAC_STORE_VALUE');
      return { $ref: v.id };
    }
    const fields: Record<string, Json> = {};
    for (const [name, slot] of v.cls.slots) {
      const x = v.values[slot];
      if (x !== undefined) fields[name] = inner(x);
    }
    return { $obj: v.cls.qualname, fields };
  }
  throw new StoreError(`cannot store ${where}: a value of type '${typeName(v)}' is not data`, 'JAC_STORE_VALUE');
}

/** What decoding needs from the program and the graph being read. */
export interface DecodeContext {
  /** A class or enum by (qualified) name, as the program defines it. */
  resolveType(name: string): Value | undefined;
  /** A node or edge of the graph by id. */
  resolveRef(id: string): PyInstance | undefined;
  /** The file, for messages. */
  file: string;
}

export function decodeValue(j: Json, cx: DecodeContext): Value {
  if (j === null || typeof j === 'boolean' || typeof j === 'string') return j;
  if (typeof j === 'number') return Number.isInteger(j) ? j : float(j);
  if (Array.isArray(j)) return j.map((x) => decodeValue(x, cx));
  const bad = (why: string) => new StoreError(`${cx.file}: ${why} in ${JSON.stringify(j).slice(0, 80)}`, 'JAC_STORE_CORRUPT');
  const tag = Object.keys(j)[0];
  const body = j[tag];
  switch (tag) {
    case '$int':
      return int(BigInt(body as string));
    case '$float': {
      const special: Record<string, number> = { nan: NaN, inf: Infinity, '-inf': -Infinity, '-0.0': -0 };
      return float(typeof body === 'number' ? body : special[body as string]);
    }
    case '$tuple':
      return new PyTuple((body as Json[]).map((x) => decodeValue(x, cx)));
    case '$dict': {
      const d = new PyDict();
      for (const [k, x] of body as [Json, Json][]) d.set(decodeValue(k, cx), decodeValue(x, cx));
      return d;
    }
    case '$set':
    case '$frozenset': {
      const s = new PySet((body as Json[]).map((x) => decodeValue(x, cx)));
      s.frozen = tag === '$frozenset';
      return s;
    }
    case '$bytes':
      return new PyBytes(new Uint8Array(Buffer.from(body as string, 'base64')));
    case '$enum': {
      const e = cx.resolveType(body as string);
      const member = e instanceof PyEnum ? e.members.get((j as { name: string }).name) : undefined;
      if (!member) throw bad(`unknown enum member ${body}.${(j as { name: string }).name}`);
      return member;
    }
    case '$ref':
      // A node deleted since the reference was stored reads back as None, as it would in Jac Cloud.
      return cx.resolveRef(body as string) ?? null;
    case '$obj': {
      const cls = cx.resolveType(body as string);
      if (!(cls instanceof PyClass)) throw bad(`unknown type ${body}`);
      const o = new PyInstance(cls);
      for (const [name, x] of Object.entries((j as { fields: Record<string, Json> }).fields)) o.set(name, decodeValue(x, cx));
      return o;
    }
    default:
      throw bad(`unknown tag ${tag}`);
  }
}
