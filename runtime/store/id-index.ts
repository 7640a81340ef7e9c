// Records of an array by a key (their id, unless told otherwise), for arrays that only grow at the
// end between replacements: a push is indexed when next looked up (the tail only), and an array
// replaced or shortened is indexed again whole. A SystemFile's arrays are replaced when a write
// fails, and records leave by filtering into a new array, so an index that watches the array
// itself never answers from a state the data has left. It holds each record's place, not the
// record: one changed in place or swapped for a new record of the same key in its place (a key
// rewritten) is found as it is now. A record's key itself never changes.
export class IdIndex<T> {
  private array: T[] | null = null;
  private indexed = 0;
  private readonly places = new Map<string, number>();

  constructor(private readonly keyOf: (record: T) => string = (record) => (record as { id: string }).id) {}

  /** The record of `key` in `array` (as it is now; the first, were there two), or undefined. */
  get(array: T[], key: string): T | undefined {
    if (array !== this.array || array.length < this.indexed) this.restart(array);
    this.catchUp(array);
    const place = this.places.get(key);
    if (place === undefined) return undefined;
    const record = array[place];
    if (this.keyOf(record) === key) return record;
    // The array was rearranged in place (nothing here does that): indexed again whole.
    this.restart(array);
    this.catchUp(array);
    const again = this.places.get(key);
    return again === undefined ? undefined : array[again];
  }

  private restart(array: T[]): void {
    this.array = array;
    this.indexed = 0;
    this.places.clear();
  }

  private catchUp(array: T[]): void {
    for (; this.indexed < array.length; this.indexed++) {
      const k = this.keyOf(array[this.indexed]);
      if (!this.places.has(k)) this.places.set(k, this.indexed);
    }
  }

  /** The place of `key`'s record in `array`, or -1 (as `findIndex` would answer). */
  placeOf(array: T[], key: string): number {
    return this.get(array, key) === undefined ? -1 : this.places.get(key)!;
  }
}
