// Records of an array by a key (their id, unless told otherwise), for arrays that only grow at the
// end between replacements: a push is indexed when next looked up (the tail only), and an array
// replaced or shortened is indexed again whole. A SystemFile's arrays are replaced when a write
// fails, and records leave by filtering into a new array, so an index that watches the array
// itself never answers from a state the data has left. It holds each record's place, not the
// record: one changed in place or swapped for a new record of the same key in its place (a key
// rewritten) is found as it is now. A record's key itself never changes.

/** What both indexes share: the array they watch, and how far into it they have indexed. */
abstract class PlaceIndex<T> {
  private array: T[] | null = null;
  private indexed = 0;

  constructor(protected readonly keyOf: (record: T) => string) {}

  /** Forgets every place. */
  protected abstract clear(): void;
  /** The record at `place` has `key`. */
  protected abstract add(key: string, place: number): void;

  /** Brings the index up to `array` (a different or a shortened array: indexed again whole). */
  protected sync(array: T[]): void {
    if (array !== this.array || array.length < this.indexed) this.restart(array);
    for (; this.indexed < array.length; this.indexed++) this.add(this.keyOf(array[this.indexed]), this.indexed);
  }

  /** Indexes `array` again whole (it was rearranged in place, which nothing here does). */
  protected resync(array: T[]): void {
    this.restart(array);
    this.sync(array);
  }

  private restart(array: T[]): void {
    this.array = array;
    this.indexed = 0;
    this.clear();
  }
}

/** A record by its key. */
export class IdIndex<T> extends PlaceIndex<T> {
  private readonly places = new Map<string, number>();

  constructor(keyOf: (record: T) => string = (record) => (record as { id: string }).id) {
    super(keyOf);
  }

  protected clear(): void {
    this.places.clear();
  }

  protected add(key: string, place: number): void {
    if (!this.places.has(key)) this.places.set(key, place);
  }

  /** The record of `key` in `array` (as it is now; the first, were there two), or undefined. */
  get(array: T[], key: string): T | undefined {
    this.sync(array);
    const place = this.places.get(key);
    if (place === undefined) return undefined;
    const record = array[place];
    if (this.keyOf(record) === key) return record;
    this.resync(array);
    const again = this.places.get(key);
    return again === undefined ? undefined : array[again];
  }

  /** The place of `key`'s record in `array`, or -1 (as `findIndex` would answer). */
  placeOf(array: T[], key: string): number {
    return this.get(array, key) === undefined ? -1 : this.places.get(key)!;
  }
}

/** The records that share a key (a user's webhook keys, by owner). */
export class GroupIndex<T> extends PlaceIndex<T> {
  private readonly groups = new Map<string, number[]>();

  protected clear(): void {
    this.groups.clear();
  }

  protected add(key: string, place: number): void {
    const group = this.groups.get(key);
    if (group) group.push(place);
    else this.groups.set(key, [place]);
  }

  /** The records of `key` in `array`, in their order (as `filter` would answer). */
  get(array: T[], key: string): T[] {
    this.sync(array);
    const records = (this.groups.get(key) ?? []).map((place) => array[place]);
    if (records.every((r) => this.keyOf(r) === key)) return records;
    this.resync(array);
    return (this.groups.get(key) ?? []).map((place) => array[place]);
  }
}
