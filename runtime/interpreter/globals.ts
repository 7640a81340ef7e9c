// A module's globals: a Map (what imports, `include` and the server read) that also hands out
// one cell per name, so that compiled code reads a global with a property load instead of a
// hash lookup. Every change goes through set/delete/clear, which keep the cells current.
import type { Value } from '../values/value.ts';

/** The current value of one global; undefined while the name is not bound. */
export interface GlobalCell {
  value: Value | undefined;
}

export class Globals extends Map<string, Value> {
  private cells: Map<string, GlobalCell> | undefined;

  /** The cell of `name`, made on first need. */
  cell(name: string): GlobalCell {
    this.cells ??= new Map();
    let cell = this.cells.get(name);
    if (cell === undefined) this.cells.set(name, (cell = { value: super.get(name) }));
    return cell;
  }

  override set(name: string, value: Value): this {
    super.set(name, value);
    const cell = this.cells?.get(name);
    if (cell !== undefined) cell.value = value;
    return this;
  }

  override delete(name: string): boolean {
    const cell = this.cells?.get(name);
    if (cell !== undefined) cell.value = undefined;
    return super.delete(name);
  }

  override clear(): void {
    if (this.cells) for (const cell of this.cells.values()) cell.value = undefined;
    super.clear();
  }
}
