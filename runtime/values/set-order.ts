// The order CPython iterates a set of ints in: its hash-table order, which programs see when
// they print a set (`{3, 1, 2}` prints `{1, 2, 3}`). `IntSetTable` keeps the same table CPython
// 3.12 keeps (setobject.c: 8 slots to start, 9 linear probes, then perturbed probing, growing
// when 3/5 full, deleted members left as dummies) for sets whose members are all ints or
// bools. Other sets keep insertion order: CPython's order for them depends on a per-process
// hash seed, so no order is more right than another.
import { PyFloat } from './numbers.ts';
import type { Value } from './value.ts';

const LINEAR_PROBES = 9;
const MIN_SIZE = 8;
const HASH_MODULUS = (1n << 61n) - 1n; // sys.hash_info.modulus
const TWO_32 = 2 ** 32;

/**
 * CPython's hash of an int as an unsigned 64-bit value: a plain number for 0 <= x < 2^53 (the
 * common case, and exact there), a bigint otherwise. Null for values that are not int-like.
 */
export type IntHash = number | bigint;
export function intHash(v: Value): IntHash | null {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number') {
    if (v >= 0) return v;
  } else if (typeof v === 'bigint') {
    // fall through to the exact path
  } else if (v instanceof PyFloat && Number.isInteger(v.value)) {
    if (v.value >= 0 && v.value < 2 ** 53) return v.value;
    v = BigInt(v.value);
  } else {
    return null;
  }
  const x = BigInt(v as number | bigint);
  const negative = x < 0n;
  let h = (negative ? -x : x) % HASH_MODULUS;
  if (negative) h = -h;
  if (h === -1n) h = -2n;
  const u = BigInt.asUintN(64, h);
  return u < 2n ** 53n ? Number(u) : u;
}

/** The low 32 bits of a hash (table masks are far smaller). */
const low32 = (h: IntHash): number => (typeof h === 'number' ? h % TWO_32 : Number(h & 0xffffffffn));
/** `perturb >>= PERTURB_SHIFT` on an unsigned 64-bit value. */
const shift5 = (h: IntHash): IntHash => (typeof h === 'number' ? Math.floor(h / 32) : h >> 5n);
/** The next slot of the perturbed probe sequence: `(i * 5 + 1 + perturb) & mask`. */
const nextSlot = (i: number, perturb: IntHash, mask: number): number => ((i * 5 + 1 + low32(perturb)) % TWO_32) & mask;

const DUMMY = Symbol('dummy');
type Slot = { key: unknown; value: Value; hash: IntHash } | typeof DUMMY | undefined;

export class IntSetTable {
  private table: Slot[] = new Array(MIN_SIZE);
  /** Active members plus dummies, as CPython's `fill`. */
  private fill = 0;
  /** Active members (`used`). */
  private used = 0;

  private get mask(): number {
    return this.table.length - 1;
  }

  /** set_add_entry: the caller has checked that `key` is not a member. */
  add(key: unknown, value: Value, hash: IntHash): void {
    const mask = this.mask;
    let i = low32(hash) & mask;
    let perturb = hash;
    let freeslot = -1;
    for (;;) {
      const probes = i + LINEAR_PROBES <= mask ? LINEAR_PROBES : 0;
      for (let j = 0; j <= probes; j++) {
        const slot = this.table[i + j];
        if (slot === undefined) {
          if (freeslot !== -1) {
            // The last dummy seen on the way is reused (3.12 keeps overwriting `freeslot`).
            this.table[freeslot] = { key, value, hash };
            this.used++;
            return;
          }
          this.table[i + j] = { key, value, hash };
          this.fill++;
          this.used++;
          if (this.fill * 5 >= mask * 3) this.resize(this.used > 50000 ? this.used * 2 : this.used * 4);
          return;
        }
        if (slot === DUMMY) freeslot = i + j;
      }
      perturb = shift5(perturb);
      i = nextSlot(i, perturb, mask);
    }
  }

  /** set_discard_entry: the member's slot becomes a dummy. */
  discard(key: unknown, hash: IntHash): void {
    const mask = this.mask;
    let i = low32(hash) & mask;
    let perturb = hash;
    for (;;) {
      const probes = i + LINEAR_PROBES <= mask ? LINEAR_PROBES : 0;
      for (let j = 0; j <= probes; j++) {
        const slot = this.table[i + j];
        if (slot === undefined) return;
        if (slot !== DUMMY && slot.key === key) {
          this.table[i + j] = DUMMY;
          this.used--;
          return;
        }
      }
      perturb = shift5(perturb);
      i = nextSlot(i, perturb, mask);
    }
  }

  /**
   * set_merge: adds every member of `other` (none of them members here yet, or skipped by the
   * caller). An empty table takes the other's layout, as CPython copies it.
   */
  merge(other: IntSetTable, isMember: (key: unknown) => boolean): void {
    if ((this.fill + other.used) * 5 >= this.mask * 3) this.resize((this.used + other.used) * 2);
    if (this.fill === 0 && this.mask === other.mask && other.fill === other.used) {
      this.table = [...other.table];
      this.fill = this.used = other.used;
      return;
    }
    if (this.fill === 0) {
      for (const slot of other.table) if (slot !== undefined && slot !== DUMMY) this.insertClean(slot);
      this.fill = this.used = other.used;
      return;
    }
    for (const slot of other.table) {
      if (slot !== undefined && slot !== DUMMY && !isMember(slot.key)) this.add(slot.key, slot.value, slot.hash);
    }
  }

  /** What set_update_internal does before adding a dict's keys: make room for them at once. */
  reserve(count: number): void {
    if ((this.fill + count) * 5 >= this.mask * 3) this.resize((this.used + count) * 2);
  }

  /** set_table_resize: a fresh table of the smallest power of two above `minused`, no dummies. */
  private resize(minused: number): void {
    let size = MIN_SIZE;
    while (size <= minused) size <<= 1;
    const old = this.table;
    this.table = new Array(size);
    for (const slot of old) if (slot !== undefined && slot !== DUMMY) this.insertClean(slot);
    this.fill = this.used;
  }

  private insertClean(slot: Slot & object): void {
    const mask = this.mask;
    let i = low32(slot.hash) & mask;
    let perturb = slot.hash;
    for (;;) {
      const probes = i + LINEAR_PROBES <= mask ? LINEAR_PROBES : 0;
      for (let j = 0; j <= probes; j++) {
        if (this.table[i + j] === undefined) {
          this.table[i + j] = slot;
          return;
        }
      }
      perturb = shift5(perturb);
      i = nextSlot(i, perturb, mask);
    }
  }

  /** The members in table order, which is the order CPython iterates them in. */
  order(): Value[] {
    const out: Value[] = [];
    for (const slot of this.table) if (slot !== undefined && slot !== DUMMY) out.push(slot.value);
    return out;
  }
}
