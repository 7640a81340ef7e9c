// Lists that grow past what the heap can hold raise Python's MemoryError before V8 is asked for
// the memory. V8 does not fail such an allocation with an exception: a backing store past its
// largest array, or one growth step far past the heap limit, aborts the whole process (with a
// worker's heap limit too, nodejs/node#47224). So every place a program can grow one list
// without bound checks, before it allocates or every 65,536 items, that the next growth fits.
import { getHeapStatistics } from 'node:v8';
import { PyError } from '../values/errors.ts';
import type { Value } from '../values/value.ts';
import { PyRange } from './callables.ts';

/**
 * The longest list a program may build. V8 keeps an array's items in one FixedArray of at most
 * about 2^27 slots and grows it by half again, so a list longer than 2^26 could not grow further.
 */
export const MAX_LIST_ITEMS = 2 ** 26;
const CHECK_EVERY = 0xffff;

export const memoryError = () => new PyError('MemoryError', '');

/** Whether a list of `count` more items fits in the heap left (8 bytes each, twice over while it is built). */
export function itemsFit(count: number): boolean {
  if (count > MAX_LIST_ITEMS) return false;
  if (count < 1 << 20) return true;
  const heap = getHeapStatistics();
  return count * 16 < heap.heap_size_limit - heap.used_heap_size;
}

/** Raises MemoryError unless `count` more items fit. */
export function reserve(count: number): void {
  if (!itemsFit(count)) throw memoryError();
}

/** `xs.push(v)`, raising MemoryError rather than growing `xs` past what the heap can hold. */
export function grow(xs: Value[], v: Value): void {
  if ((xs.length & CHECK_EVERY) === CHECK_EVERY) reserve(xs.length + 1);
  xs.push(v);
}

/** The number of items `v` will yield when that is known without iterating it. */
function knownSize(v: Iterable<Value>): number | null {
  if (Array.isArray(v) || typeof v === 'string') return v.length;
  if (v instanceof PyRange) return v.length;
  if (v instanceof Map || v instanceof Set) return v.size;
  return null;
}

/** A new list of `items`' values (list(), tuple(), sorted() and friends), within the memory left. */
export function collect(items: Iterable<Value>): Value[] {
  const size = knownSize(items);
  if (size !== null) {
    reserve(size);
    if (Array.isArray(items)) return items.slice();
  }
  const out: Value[] = [];
  for (const v of items) grow(out, v);
  return out;
}
