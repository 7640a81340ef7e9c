// A deep copy of JSON data (what the embedded store keeps: job records, their fields and results).
// structuredClone does the same for any value, at about ten times the cost for a small record,
// and a busy queue copies every job it takes in.
import type { Json } from './store.ts';

export function copyJson<T extends Json>(v: T): T;
export function copyJson(v: Json): Json {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(copyJson);
  const o: { [key: string]: Json } = {};
  for (const k of Object.keys(v)) o[k] = copyJson(v[k]);
  return o;
}
