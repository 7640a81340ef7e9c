// Python's hash(): CPython's exact values for numbers and tuples (they are the same on every
// run); strings and objects get a stable hash of their own, as Python's are randomized per run.
import { PyBytes } from './bytes.ts';
import { PyDict, PySet, PyTuple } from './containers.ts';
import { PyError } from './errors.ts';
import { PyFloat } from './numbers.ts';
import { typeName, type PyObject, type Value } from './value.ts';

const MODULUS = (1n << 61n) - 1n;
const INFINITY_HASH = 314159n;

/** CPython's numeric hash: the value's residue modulo 2^61 - 1, with the value's sign; -1 is -2. */
function signedResidue(negative: boolean, magnitude: bigint): bigint {
  const h = negative ? -(magnitude % MODULUS) : magnitude % MODULUS;
  return h === -1n ? -2n : h;
}

function modPow(base: bigint, exp: bigint, mod: bigint): bigint {
  let result = 1n;
  for (let b = base % mod, e = exp; e > 0n; e >>= 1n, b = (b * b) % mod) if (e & 1n) result = (result * b) % mod;
  return result;
}

/** A float hashes as the rational number it is, so `hash(0.5)` is 2^60 and `hash(2.0) == hash(2)`. */
function floatHash(x: number): bigint {
  if (Number.isNaN(x)) return 0n; // CPython uses the object's address: any fixed value will do
  if (!Number.isFinite(x)) return x > 0 ? INFINITY_HASH : -INFINITY_HASH;
  let magnitude = Math.abs(x);
  let exponent = 0n; // x = numerator / 2^exponent with an integral numerator
  while (!Number.isInteger(magnitude)) {
    magnitude *= 2;
    exponent += 1n;
  }
  const numerator = BigInt(magnitude) % MODULUS;
  const inverse = modPow(modPow(2n, exponent, MODULUS), MODULUS - 2n, MODULUS);
  return signedResidue(x < 0, (numerator * inverse) % MODULUS);
}

// xxHash's primes, as CPython's tuple hash uses them (on unsigned 64-bit words).
const PRIME_1 = 11400714785074694791n;
const PRIME_2 = 14029467366897019727n;
const PRIME_5 = 2870177450012600261n;
const u64 = (x: bigint) => BigInt.asUintN(64, x);

function tupleHash(items: readonly Value[]): bigint {
  let acc = PRIME_5;
  for (const item of items) {
    const lane = u64(pyHash(item));
    acc = u64(acc + lane * PRIME_2);
    acc = u64((acc << 31n) | (acc >> 33n));
    acc = u64(acc * PRIME_1);
  }
  acc = u64(acc + (BigInt(items.length) ^ (PRIME_5 ^ 3527539n)));
  return acc === u64(-1n) ? 1546275796n : BigInt.asIntN(64, acc);
}

/** FNV-1a over UTF-16 units: stable within a run, like the per-run hash Python gives a str. */
function textHash(text: string): bigint {
  let h = 0xcbf29ce484222325n;
  for (let i = 0; i < text.length; i++) h = u64((h ^ BigInt(text.charCodeAt(i))) * 0x100000001b3n);
  const signed = BigInt.asIntN(64, h);
  return signed === -1n ? -2n : signed;
}

const identities = new WeakMap<object, bigint>();
let nextIdentity = 1n;
function identityHash(v: object): bigint {
  let h = identities.get(v);
  if (h === undefined) identities.set(v, (h = (nextIdentity++ * 0x9e3779b97f4a7c15n) >> 4n));
  return h;
}

/** `hash(v)`, or the TypeError Python raises for a mutable container. */
export function pyHash(v: Value): bigint {
  if (v === null) return identityHash(hashOfNone);
  if (typeof v === 'boolean') return v ? 1n : 0n;
  if (typeof v === 'number' || typeof v === 'bigint') {
    const n = BigInt(v);
    return signedResidue(n < 0n, n < 0n ? -n : n);
  }
  if (typeof v === 'string') return textHash(v);
  if (v instanceof PyFloat) return floatHash(v.value);
  if (v instanceof PyTuple) return tupleHash(v.items);
  if (v instanceof PyBytes) return textHash(v.latin1());
  if (v instanceof PySet && v.frozen) {
    let h = 0n;
    for (const m of v.values()) h ^= pyHash(m);
    return h;
  }
  if (Array.isArray(v) || v instanceof PyDict || v instanceof PySet) throw new PyError('TypeError', `unhashable type: '${typeName(v)}'`);
  // A class's own __hash__ gives an int, which Python reduces as it hashes any int.
  const own = (v as PyObject).pyHashText?.();
  return own == null ? identityHash(v) : pyHash(BigInt(own));
}

const hashOfNone = {};
