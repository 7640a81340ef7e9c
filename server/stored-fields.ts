// A walker's fields as the store keeps them between a request and its run (a queued job, a
// delivery kept for replay). Request fields are JSON except for integers beyond 2^53, which stay
// exact as bigints (exact-integers.ts) and which JSON text cannot hold: they are stored as
// {"$int": "<digits>"}, and an object that has a key starting with "$" of its own is wrapped as
// {"$obj": {...}}, so no field value can be taken for a marker.
import type { Json } from '../runtime/store/store.ts';
import { exactIntegersInJson, restoreExactIntegers } from './exact-integers.ts';

export function storedFields(fields: Record<string, unknown>): Record<string, Json> {
  return encodeObject(fields);
}

export function loadedFields(stored: Record<string, Json>): Record<string, unknown> {
  return decodeObject(stored);
}

/** Any value (a run's reports) as the store keeps it; `loadedValue` gives it back. */
export const storedValue = (v: unknown): Json => encode(v);
export const loadedValue = (v: Json): unknown => decode(v);

/** JSON text parsed with its integers beyond 2^53 exact (bigints). */
export function parseExact(text: string): unknown {
  const value = JSON.parse(text) as unknown;
  const exact = value !== null && typeof value === 'object' ? exactIntegersInJson(text) : null;
  if (exact) restoreExactIntegers(value, exact);
  return value;
}

function encode(v: unknown): Json {
  if (typeof v === 'bigint') return { $int: v.toString() };
  if (Array.isArray(v)) return v.map(encode);
  if (v !== null && typeof v === 'object') {
    const o = encodeObject(v as Record<string, unknown>);
    return Object.keys(o).some((k) => k.startsWith('$')) ? { $obj: o } : o;
  }
  return v as Json;
}

function encodeObject(v: Record<string, unknown>): Record<string, Json> {
  const o: Record<string, Json> = {};
  for (const [k, x] of Object.entries(v)) o[k] = encode(x);
  return o;
}

function decode(v: Json): unknown {
  if (Array.isArray(v)) return v.map(decode);
  if (v !== null && typeof v === 'object') {
    const keys = Object.keys(v);
    if (keys.length === 1 && keys[0] === '$int' && typeof v.$int === 'string') return BigInt(v.$int);
    if (keys.length === 1 && keys[0] === '$obj' && v.$obj !== null && typeof v.$obj === 'object' && !Array.isArray(v.$obj)) return decodeObject(v.$obj);
    return decodeObject(v);
  }
  return v;
}

function decodeObject(v: { [key: string]: Json }): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) o[k] = decode(x);
  return o;
}
