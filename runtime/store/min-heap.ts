// A binary min-heap: items by a number, the least first; items of one number in the order they came.

export class MinHeap<T> {
  private readonly items: T[] = [];
  private readonly keys: number[] = [];
  /** Each item's arrival, to break ties. */
  private readonly order: number[] = [];
  private arrivals = 0;

  get size(): number {
    return this.items.length;
  }

  /** The least key, or Infinity when empty. */
  peekKey(): number {
    return this.keys.length > 0 ? this.keys[0] : Infinity;
  }

  push(item: T, key: number): void {
    this.items.push(item);
    this.keys.push(key);
    this.order.push(this.arrivals++);
    this.up(this.items.length - 1);
  }

  /** The item of the least key, taken out; undefined when empty. */
  pop(): T | undefined {
    if (this.items.length === 0) return undefined;
    const top = this.items[0];
    const lastItem = this.items.pop()!;
    const lastKey = this.keys.pop()!;
    const lastOrder = this.order.pop()!;
    if (this.items.length > 0) {
      this.items[0] = lastItem;
      this.keys[0] = lastKey;
      this.order[0] = lastOrder;
      this.down(0);
    }
    return top;
  }

  private up(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(i, parent)) return;
      this.swap(i, parent);
      i = parent;
    }
  }

  private down(i: number): void {
    const n = this.keys.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let least = i;
      if (l < n && this.before(l, least)) least = l;
      if (r < n && this.before(r, least)) least = r;
      if (least === i) return;
      this.swap(i, least);
      i = least;
    }
  }

  private before(a: number, b: number): boolean {
    return this.keys[a] < this.keys[b] || (this.keys[a] === this.keys[b] && this.order[a] < this.order[b]);
  }

  private swap(a: number, b: number): void {
    [this.items[a], this.items[b]] = [this.items[b], this.items[a]];
    [this.keys[a], this.keys[b]] = [this.keys[b], this.keys[a]];
    [this.order[a], this.order[b]] = [this.order[b], this.order[a]];
  }
}
