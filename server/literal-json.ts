// What a `__specs__` option written as a Jac literal (a schedule's args, an OpenAPI extra) is as
// plain JSON; anything JSON cannot carry is refused with the reason, for the option's load error.
import { PyDict, PyTuple } from '../runtime/values/containers.ts';
import { PyFloat } from '../runtime/values/numbers.ts';
import { repr } from '../runtime/values/repr.ts';
import type { Value } from '../runtime/values/value.ts';
import type { Json } from '../runtime/store/store.ts';

/** Plain JSON of a literal Jac value, or `fail` for anything that cannot be stored. */
export function literalJson(v: Value, fail: (why: string) => never): Json {
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return v;
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return fail(`holds ${v}, an int too large to store`);
  if (v instanceof PyFloat) return Number.isFinite(v.value) ? v.value : fail(`holds ${repr(v)}, which JSON cannot carry`);
  if (Array.isArray(v)) return v.map((x) => literalJson(x, fail));
  if (v instanceof PyTuple) return v.items.map((x) => literalJson(x, fail));
  if (v instanceof PyDict) {
    const o: { [key: string]: Json } = {};
    for (const [k, x] of v.items()) {
      if (typeof k !== 'string') return fail(`has the key ${repr(k)}: keys must be strings`);
      o[k] = literalJson(x, fail);
    }
    return o;
  }
  return fail(`holds ${repr(v)}: only None, bools, numbers, strings, lists and dicts can be stored`);
}
