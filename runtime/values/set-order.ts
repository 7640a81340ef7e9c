// The order CPython iterates a set of ints in: its hash-table order, which programs see when
// they print a set (`{3, 1, 2}` prints `{1, 2, 3}`). This replays CPython 3.12's set table
// (setobject.c: 8 slots to start, 9 linear probes, then perturbed probing, growing when
// 3/5 full) for sets whose members are all ints or bools. Other sets keep insertion order.
import { PyFloat } from './numbers.ts';
import type { Value } from './value.ts';

const LINEAR_PROBES = 9;
const PERTURB_SHIFT = 5n;
const HASH_MODULUS = (1n << 61n) - 1n; // sys.hash_info.modulus

/** CPython's hash of an int (or bool), as an unsigned 64-bit value. */
function intHash(v: number | bigint | boolean): bigint | null {
  let x: bigint;
  if (typeof v === 'boolean') x = v ? 1n : 0n;
  else x = BigInt(v);
  const negative = x < 0n;
  let h = (negative ? -x : x) % HASH_MODULUS;
  if (negative) h = -h;
  if (h === -1n) h = -2n;
  return BigInt.asUintN(64, h);
}

function place(table: (Value | undefined)[], hashes: bigint[], hash: bigint, value: Value): void {
  const mask = table.length - 1;
  const maskBig = BigInt(mask);
  let perturb = hash;
  let i = Number(hash & maskBig);
  for (;;) {
    const probes = i + LINEAR_PROBES <= mask ? LINEAR_PROBES : 0;
    for (let j = 0; j <= probes; j++) {
      if (table[i + j] === undefined) {
        table[i + j] = value;
        hashes[i + j] = hash;
        return;
      }
    }
    perturb >>= PERTURB_SHIFT;
    i = Number((BigInt(i) * 5n + 1n + perturb) & maskBig);
  }
}

/** Members in CPython's iteration order, or null when that order cannot be replayed. */
export function cpythonSetOrder(members: Value[]): Value[] | null {
  const hashes0: bigint[] = [];
  for (const m of members) {
    if (typeof m === 'number' || typeof m === 'bigint' || typeof m === 'boolean') {
      hashes0.push(intHash(m)!);
    } else if (m instanceof PyFloat && Number.isInteger(m.value)) {
      hashes0.push(intHash(BigInt(m.value))!);
    } else {
      return null;
    }
  }
  let table: (Value | undefined)[] = new Array(8);
  let hashes: bigint[] = new Array(8);
  let used = 0;
  members.forEach((m, k) => {
    place(table, hashes, hashes0[k], m);
    used++;
    const mask = table.length - 1;
    if (used * 5 >= mask * 3) {
      const minused = used > 50000 ? used * 2 : used * 4;
      let size = 8;
      while (size <= minused) size <<= 1;
      const old = table;
      const oldHashes = hashes;
      table = new Array(size);
      hashes = new Array(size);
      old.forEach((v, i) => {
        if (v !== undefined) place(table, hashes, oldHashes[i], v);
      });
    }
  });
  return table.filter((v): v is Value => v !== undefined);
}
