// Python's tuple, dict and set. (A list is a plain JS array.) Dicts and sets hash their keys
// the way Python does: 1, 1.0 and True are one key; -0.0 and 0 are one key; a tuple is hashed
// by its items; lists, dicts and sets cannot be keys. An object whose class defines `__hash__`
// is found by that hash and its `__eq__`.
import { PyBytes } from './bytes.ts';
import { equals } from './compare.ts';
import { PyError } from './errors.ts';
import { PyFloat } from './numbers.ts';
import { IntSetTable, intHash } from './set-order.ts';
import { typeName, type PyObject, type Value } from './value.ts';

export class PyTuple {
  constructor(readonly items: readonly Value[]) {}
}

/** A Map key that is equal for exactly the values Python's dict treats as the same key. */
export type HashKey = string | number | bigint | boolean | null | object;

const TUPLE = '\u0000t';
const ESCAPED = '\u0000s';
const BYTES = '\u0000b';

/**
 * The key of a value hashed by a program's `__hash__` (or a tuple holding one): equal keys
 * share this text, but only `__eq__` can tell whether two values with it are the same key.
 */
export class UserHashed {
  constructor(readonly text: string) {}
}

const USER = 'u';

export function hashKey(v: Value): HashKey | UserHashed {
  if (typeof v === 'string') return v.startsWith('\u0000') ? ESCAPED + v : v;
  if (typeof v === 'number' || typeof v === 'bigint' || v === null) return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v instanceof PyFloat) {
    const x = v.value;
    if (x === 0) return 0; // -0.0 == 0
    if (Number.isInteger(x) && !Number.isSafeInteger(x)) return BigInt(x); // equal to that big int
    return x;
  }
  if (v instanceof PyBytes) return BYTES + v.latin1();
  if (v instanceof PyTuple) return composite(TUPLE, v.items.map(keyText));
  if (v instanceof PySet && v.frozen) return composite('\u0000f', [...v.values()].map(keyText).sort());
  if (Array.isArray(v) || v instanceof PyDict || v instanceof PySet) {
    throw new PyError('TypeError', `unhashable type: '${typeName(v)}'`);
  }
  const hashed = (v as PyObject).pyHashText?.();
  if (hashed != null) return new UserHashed(hashed);
  return v; // archetype instances and other objects: by identity
}

/** A tuple's or frozenset's key from its items' texts; user-hashed when any item is. */
function composite(prefix: string, texts: string[]): HashKey | UserHashed {
  const text = prefix + JSON.stringify(texts);
  return texts.some((t) => t.startsWith(USER)) ? new UserHashed(text) : text;
}

// Tuple items are written as text; objects keyed by identity get a stable per-object number.
const identities = new WeakMap<object, number>();
let nextIdentity = 1;
function keyText(v: Value): string {
  const k = hashKey(v);
  if (k instanceof UserHashed) return USER + k.text;
  if (typeof k === 'object' && k !== null) {
    let id = identities.get(k);
    if (id === undefined) identities.set(k, (id = nextIdentity++));
    return `o${id}`;
  }
  return `${typeof k}:${String(k)}`;
}

/**
 * The user-hashed keys of one dict or set, by hash text. A user-hashed key is stored under the
 * first key object equal to it, so a lookup compares against the few keys sharing its hash.
 */
class UserKeys {
  private readonly byHash = new Map<string, Value[]>();

  /** The stored key equal to `v`; with `insert`, `v` becomes one when none is. */
  find(h: UserHashed, v: Value, insert: boolean): HashKey | undefined {
    let keys = this.byHash.get(h.text);
    if (keys) for (const k of keys) if (k === v || equals(k, v)) return k as HashKey;
    if (!insert) return undefined;
    if (!keys) this.byHash.set(h.text, (keys = []));
    keys.push(v);
    return v as HashKey;
  }

  forget(h: UserHashed, stored: HashKey): void {
    const keys = this.byHash.get(h.text)!;
    keys.splice(keys.indexOf(stored as Value), 1);
    if (keys.length === 0) this.byHash.delete(h.text);
  }
}

/** A dict: insertion-ordered; a re-assigned key keeps its first key object, as in Python. */
export class PyDict {
  private readonly entries = new Map<HashKey, [Value, Value]>();
  private userKeys: UserKeys | null = null;

  /** The Map key for `key` (undefined: a user-hashed key not present, unless `insert`). */
  private slot(key: Value, insert: boolean): HashKey | undefined {
    const h = hashKey(key);
    if (!(h instanceof UserHashed)) return h;
    return (this.userKeys ??= new UserKeys()).find(h, key, insert);
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: Value): Value | undefined {
    const k = this.slot(key, false);
    return k === undefined ? undefined : this.entries.get(k)?.[1];
  }

  has(key: Value): boolean {
    const k = this.slot(key, false);
    return k !== undefined && this.entries.has(k);
  }

  set(key: Value, value: Value): void {
    const h = this.slot(key, true)!;
    const entry = this.entries.get(h);
    if (entry) entry[1] = value;
    else this.entries.set(h, [key, value]);
  }

  delete(key: Value): boolean {
    const h = hashKey(key);
    if (!(h instanceof UserHashed)) return this.entries.delete(h);
    const k = this.userKeys?.find(h, key, false);
    if (k === undefined) return false;
    this.userKeys!.forget(h, k);
    return this.entries.delete(k);
  }

  *items(): IterableIterator<[Value, Value]> {
    for (const [k, v] of this.entries.values()) yield [k, v];
  }

  /**
   * A program's iteration (`for k in d`, a view's): as Python's dict iterator, each step first
   * checks that the dict kept its size, and that it has not given more items than it held
   * (a key removed and another added).
   */
  *walk(kind: 'keys' | 'values' | 'items'): IterableIterator<Value> {
    const size = this.entries.size;
    let left = size;
    for (const [k, v] of this.entries.values()) {
      if (this.entries.size !== size) throw new PyError('RuntimeError', 'dictionary changed size during iteration');
      if (left-- === 0) throw new PyError('RuntimeError', 'dictionary keys changed during iteration');
      yield kind === 'keys' ? k : kind === 'values' ? v : new PyTuple([k, v]);
    }
    if (this.entries.size !== size) throw new PyError('RuntimeError', 'dictionary changed size during iteration');
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
  private userKeys: UserKeys | null = null;
  /** CPython's table while every member ever added was int-like; then insertion order rules. */
  private table: IntSetTable | null = new IntSetTable();
  /** The iteration order, computed once per change rather than on every iteration. */
  private order: Value[] | null = null;

  constructor(items: Iterable<Value> = []) {
    for (const item of items) this.add(item);
  }

  get size(): number {
    return this.members.size;
  }

  has(v: Value): boolean {
    const h = hashKey(v);
    if (!(h instanceof UserHashed)) return this.members.has(h);
    return this.userKeys?.find(h, v, false) !== undefined;
  }

  add(v: Value): void {
    const h = hashKey(v);
    const k = h instanceof UserHashed ? (this.userKeys ??= new UserKeys()).find(h, v, true)! : h;
    if (this.members.has(k)) return;
    this.members.set(k, v);
    this.order = null;
    if (this.table) {
      const h = intHash(v);
      if (h === null) this.table = null;
      else this.table.add(k, v, h);
    }
  }

  delete(v: Value): boolean {
    const h = hashKey(v);
    let k: HashKey | undefined = h as HashKey;
    if (h instanceof UserHashed) {
      k = this.userKeys?.find(h, v, false);
      if (k === undefined) return false;
      this.userKeys!.forget(h, k);
    }
    const removed = this.members.delete(k);
    if (removed) {
      this.order = null;
      this.table?.discard(k, intHash(v)!);
    }
    return removed;
  }

  /**
   * Adds every member of `other` the way CPython's set_update does for a set argument (which can
   * lay the table out differently from adding them one by one).
   */
  update(other: Iterable<Value> | PyDict): void {
    if (other === this) return;
    if (other instanceof PySet && other.size === 0) return;
    if (other instanceof PySet && this.table && other.table) {
      this.table.merge(other.table, (k) => this.members.has(k as HashKey));
      for (const [k, v] of other.members) if (!this.members.has(k)) this.members.set(k, v);
      this.order = null;
      return;
    }
    if (other instanceof PyDict) this.table?.reserve(other.size);
    for (const v of other instanceof PyDict ? other.keys() : other) this.add(v);
  }

  /** `s.clear()`: empty, with a fresh table (no dummies left behind). */
  clear(): void {
    this.members.clear();
    this.userKeys = null;
    this.table = new IntSetTable();
    this.order = null;
  }

  /** Members in the order CPython iterates them (its table order for ints), else insertion order. */
  values(): IterableIterator<Value> {
    this.order ??= this.table ? this.table.order() : [...this.members.values()];
    return this.order[Symbol.iterator]();
  }

  [Symbol.iterator](): IterableIterator<Value> {
    return this.values();
  }

  /** A program's iteration (`for x in s`): as in Python, a set that changes size under it raises at the next step. */
  *walk(): IterableIterator<Value> {
    const size = this.members.size;
    for (const v of this.values()) {
      if (this.members.size !== size) throw new PyError('RuntimeError', 'Set changed size during iteration');
      yield v;
    }
    if (this.members.size !== size) throw new PyError('RuntimeError', 'Set changed size during iteration');
  }
}

/** set(x), frozenset(x), s.copy(): a new set filled as CPython's set_update fills it. */
export function setOf(items: Iterable<Value> | PyDict): PySet {
  const s = new PySet();
  s.update(items);
  return s;
}

/** `a | b`, `a.union(b, ...)`: a copy of `a`, then each other added. */
export function setUnion(a: PySet, ...others: (Iterable<Value> | PyDict)[]): PySet {
  const out = setOf(a);
  for (const o of others) if (o !== a) out.update(o);
  return out;
}

/** `a & b`: CPython walks the smaller set (the right one on a tie) and keeps what the other has. */
export function setIntersection(a: PySet, b: PySet): PySet {
  if (a === b) return setOf(a);
  const [big, small] = b.size > a.size ? [b, a] : [a, b];
  const out = new PySet();
  for (const v of small.values()) if (big.has(v)) out.add(v);
  return out;
}

/** `a - b`: a copy with b's members discarded when `a` is much larger, else a filtered walk of `a`. */
export function setDifference(a: PySet, b: PySet): PySet {
  if (a.size >> 2 > b.size) {
    const out = setOf(a);
    for (const v of b.values()) out.delete(v);
    return out;
  }
  const out = new PySet();
  for (const v of a.values()) if (!b.has(v)) out.add(v);
  return out;
}

/** `a ^ b`: a copy of `b`, then each member of `a` toggled. */
export function setSymmetricDifference(a: PySet, b: PySet): PySet {
  const out = setOf(b);
  for (const v of a.values()) {
    if (!out.delete(v)) out.add(v);
  }
  return out;
}
