// `sorted()` and `list.sort()`: stable, by `<` as Python compares, with `key` and `reverse`.
import { compare, truthy } from '../values/compare.ts';
import type { Value } from '../values/value.ts';
import { collect } from './memory.ts';
import { call } from './protocols.ts';

export function sortValues(items: Iterable<Value>, key: Value, reverse: Value): Value[] {
  const decorated = collect(items).map((v, i) => ({ v, k: key === null ? v : call(key, [v], new Map()), i }));
  const desc = truthy(reverse);
  decorated.sort((a, b) => {
    // Python sorts with `<` only; reverse keeps equal items in their original order.
    const [x, y] = desc ? [b.k, a.k] : [a.k, b.k];
    if (compare('<', x, y)) return -1;
    if (compare('<', y, x)) return 1;
    return a.i - b.i;
  });
  return decorated.map((d) => d.v);
}
