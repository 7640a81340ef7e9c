// Python's tuple, dict and set. (A list is a plain JS array.) Dicts and sets hash their keys
// the way Python does: 1, 1.0 and True are one key; -0.0 and 0 are one key; a tuple is hashed
// by its items; lists, dicts and sets cannot be keys.
import { PyError } from './errors.ts';
import { PyFloat } from './numbers.ts';
import { cpythonSetOrder } from './set-order.ts';
import { typeName, type Value } from './value.ts';

export class PyTuple {
  constructor(readonly items: readonly Value[]) {}
}

/** A Map key that is equal for exactly the values Python's dict treats as the same key. */
export type HashKey = string | number | bigint | boolean | null | object;

const TUPLE = '\u0000t';
const ESCAPED = '\u0000s';

export function hashKey(v: Value): HashKey {
  if (typeof v === 'string') return v.startsWith('\u0000') ? ESCAPED + v : v;
  if (typeof v === 'number' || typeof v === 'bigint' || v === null) return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v instanceof PyFloat) {
    const x = v.value;
    if (x === 0) return 0; // -0.0 == 0
    if (Number.isInteger(x) && !Number.isSafeInteger(x)) return BigInt(x); // equal to that big int
    return x;
  }
  if (v instanceof PyTuple) return TUPLE + JSON.stringify(v.items.map(keyText));
  if (v instanceof PySet && v.frozen) return '\u0000f' + JSON.stringify([...v.values()].map(keyText).sort());
  if (Array.isArray(v) || v instanceof PyDict || v instanceof PySet) {
    throw new PyError('TypeError', `unhashable type: '${typeName(v)}'`);
  }
  return v; // archetype instances and other objects: by identity
}

// Tuple items are written as text; objects keyed by identity get a stable per-object number.
const identities = new WeakMap<object, number>();
let nextIdentity = 1;
function keyText(v: Value): string {
  const k = hashKey(v);
  if (typeof k === 'object' && k !== null) {
    let id = identities.get(k);
    if (id === undefined) identities.set(k, (id = nextIdentity++));
    return `o${id}`;
  }
  return `${typeof k}:${String(k)}`;
}

/** A dict: insertion-ordered; a re-assigned key keeps its first key object, as in Python. */
export class PyDict {
  private readonly entries = new Map<HashKey, [Value, Value]>();

  get size(): number {
    return this.entries.size;
  }

  get(key: Value): Value | undefined {
    return this.entries.get(hashKey(key))?.[1];
  }

  has(key: Value): boolean {
    return this.entries.has(hashKey(key));
  }

  set(key: Value, value: Value): void {
    const h = hashKey(key);
    const entry = this.entries.get(h);
    if (entry) entry[1] = value;
    else this.entries.set(h, [key, value]);
  }

  delete(key: Value): boolean {
    return this.entries.delete(hashKey(key));
  }

  *items(): IterableIterator<[Value, Value]> {
    for (const [k, v] of this.entries.values()) yield [k, v];
  }

  keys(): Value[] {
    return [...this.entries.values()].map((e) => e[0]);
  }
}

/** A set. Iteration follows CPython's order for sets of ints (set-order.ts). */
export class PySet {
  /** A frozenset: same members and lookups, but hashable and not changed after creation. */
  frozen = false;

  private readonly members = new Map<HashKey, Value>();
  /** The iteration order, replayed once per change rather than on every iteration. */
  private order: Value[] | null = null;

  constructor(items: Iterable<Value> = []) {
    for (const item of items) this.add(item);
  }

  get size(): number {
    return this.members.size;
  }

  has(v: Value): boolean {
    return this.members.has(hashKey(v));
  }

  add(v: Value): void {
    const h = hashKey(v);
    if (this.members.has(h)) return;
    this.members.set(h, v);
    this.order = null;
  }

  delete(v: Value): boolean {
    const removed = this.members.delete(hashKey(v));
    if (removed) this.order = null;
    return removed;
  }

  /** Members in the order CPython iterates them (its table order for ints), else insertion order. */
  values(): IterableIterator<Value> {
    if (this.order === null) {
      const members = [...this.members.values()];
      this.order = cpythonSetOrder(members) ?? members;
    }
    return this.order[Symbol.iterator]();
  }
}
