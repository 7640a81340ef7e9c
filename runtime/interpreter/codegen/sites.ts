// Inline caches for the generated code: one object per `o.name` in the source, remembering
// the slot that name has in the class it last saw. A class's slots only grow and never move,
// so a remembered slot stays right; anything unusual goes to the general protocol, which
// decides as it always did.
import type { Value } from '../../values/value.ts';
import { type PyClass, PyInstance } from '../archetypes.ts';
import type { PyFunction } from '../callables.ts';
import { getAttribute, setAttribute } from '../protocols.ts';

export class AttributeSite {
  private cls: PyClass | null = null;
  private slot: number | undefined = undefined;

  constructor(readonly name: string) {}

  /** The slot of this name in `o`'s class, if it has one. */
  private slotOf(o: PyInstance): number | undefined {
    if (o.cls !== this.cls) {
      this.cls = o.cls;
      this.slot = o.cls.slots.get(this.name);
    } else if (this.slot === undefined) {
      this.slot = o.cls.slots.get(this.name);
    }
    return this.slot;
  }

  /** `o.name` */
  get(o: Value): Value {
    if (o instanceof PyInstance) {
      const slot = this.slotOf(o);
      if (slot !== undefined) {
        const v = o.values[slot];
        // A stored node's list or dict read here may be changed in place: getAttribute notes it.
        if (v !== undefined && (o.graph === null || typeof v !== 'object' || v === null)) return v;
      }
    }
    return getAttribute(o, this.name);
  }

  /** `o.name = v` */
  set(o: Value, v: Value): void {
    if (o instanceof PyInstance) {
      const slot = this.slotOf(o);
      if (slot !== undefined) {
        o.values[slot] = v;
        if (o.graph !== null) o.graph.touch(o);
        return;
      }
    }
    setAttribute(o, this.name, v);
  }

  /**
   * The function `o.name(...)` runs with `o` as `self` when the instance has no attribute of
   * that name of its own (see instanceMethod), else null.
   */
  method(o: Value): PyFunction | null {
    if (!(o instanceof PyInstance)) return null;
    const slot = this.slotOf(o);
    if (slot !== undefined && o.values[slot] !== undefined) return null;
    return o.cls.method(this.name);
  }
}
