// Records of an array by id, for arrays that only grow at the end between replacements: a push is
// indexed when next looked up (the tail only), and an array replaced or shortened is indexed
// again whole. A SystemFile's arrays are replaced when a write fails, and records leave by
// filtering into a new array, so an index that watches the array itself never answers from a
// state the data has left. Records are changed in place (Object.assign), never swapped.
export class IdIndex<T extends { id: string }> {
  private array: T[] | null = null;
  private indexed = 0;
  private readonly byId = new Map<string, T>();

  /** The record with `id` in `array` (as it is now), or undefined. */
  get(array: T[], id: string): T | undefined {
    if (array !== this.array || array.length < this.indexed) {
      this.array = array;
      this.indexed = 0;
      this.byId.clear();
    }
    for (; this.indexed < array.length; this.indexed++) this.byId.set(array[this.indexed].id, array[this.indexed]);
    return this.byId.get(id);
  }
}
