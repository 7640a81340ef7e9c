// `d.keys()`, `d.values()` and `d.items()`: live views of a dict (they see later changes). Keys
// and items views are set-like: `&`, `|`, `-`, `^` give sets and `==` compares as sets.
import { sameOrEqual } from './compare.ts';
import { PyDict, PySet, PyTuple, setOf } from './containers.ts';
import { repr } from './repr.ts';
import type { PyObject, Value } from './value.ts';

export type ViewKind = 'keys' | 'values' | 'items';

export class PyDictView implements PyObject {
  constructor(
    readonly dict: PyDict,
    readonly kind: ViewKind,
  ) {}

  /** Like Python, a dict that changes size while a view walks it stops the walk. */
  [Symbol.iterator](): IterableIterator<Value> {
    return this.dict.walk(this.kind);
  }

  /** Keys and items views behave as sets; a values view does not. */
  get setLike(): boolean {
    return this.kind !== 'values';
  }

  has(x: Value): boolean {
    if (this.kind === 'keys') return this.dict.has(x);
    if (this.kind === 'items') {
      if (!(x instanceof PyTuple) || x.items.length !== 2) return false;
      const [k, v] = x.items;
      const found = this.dict.get(k);
      return found !== undefined && sameOrEqual(found, v);
    }
    for (const v of this) if (sameOrEqual(v, x)) return true;
    return false;
  }

  /** `set(view)`: a keys view fills the set as `set(d)` does. */
  toSet(): PySet {
    return this.kind === 'keys' ? setOf(this.dict) : setOf(this);
  }

  pyLength(): number {
    return this.dict.size;
  }

  /** A keys or items view equals a set (or view) with the same members; a values view only itself. */
  pyEquals(other: Value): boolean {
    if (!this.setLike) return false;
    const members = other instanceof PySet ? other : other instanceof PyDictView && other.setLike ? other : null;
    if (members === null) return false;
    const size = members instanceof PySet ? members.size : members.dict.size;
    if (size !== this.dict.size) return false;
    for (const m of this) if (!members.has(m)) return false;
    return true;
  }

  pyTypeName(): string {
    return `dict_${this.kind}`;
  }

  pyRepr(): string {
    return `dict_${this.kind}([${[...this].map(repr).join(', ')}])`;
  }
}

const isSetLikeView = (v: Value): v is PyDictView => v instanceof PyDictView && v.setLike;

/**
 * `a op b` when either side is a keys or items view: a new set, built the way CPython's
 * dictviews_* functions build it (`set(a)` then updated by `b`; `&` walks the other operand).
 * Null when neither side is such a view, or the operator is not a set operator.
 */
export function viewSetOperation(op: string, a: Value, b: Value, iterate: (v: Value) => Iterable<Value>): PySet | null {
  if (!(op === '&' || op === '|' || op === '-' || op === '^') || !(isSetLikeView(a) || isSetLikeView(b))) return null;
  const asSet = (x: Value): PySet => (x instanceof PyDictView ? x.toSet() : x instanceof PySet ? setOf(x) : setOf(iterate(x)));
  switch (op) {
    case '&': {
      let [view, other] = isSetLikeView(a) ? [a, b] : [b as PyDictView, a];
      if (other instanceof PySet && view.dict.size <= other.size) {
        const out = new PySet();
        for (const v of view) if (other.has(v)) out.add(v);
        return out;
      }
      if (isSetLikeView(other) && other.dict.size > view.dict.size) [view, other] = [other, view];
      const out = new PySet();
      for (const v of iterate(other)) if (view.has(v)) out.add(v);
      return out;
    }
    case '|': {
      const out = asSet(a);
      out.update(b instanceof PySet ? b : iterate(b));
      return out;
    }
    case '-': {
      const out = asSet(a);
      for (const v of iterate(b)) out.delete(v);
      return out;
    }
    default: {
      const out = asSet(a);
      for (const v of b instanceof PySet ? b : asSet(b)) if (!out.delete(v)) out.add(v);
      return out;
    }
  }
}
